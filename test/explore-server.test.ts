/**
 * `descent explore`'s server, probed with raw node:http requests (fetch would normalise `..` and
 * refuses to set Host), so every path and header is sent exactly as an attacker could.
 * Oracles: the files written to a temp directory (what may and may not come back), a secret file
 * outside the app directory whose bytes must never appear, and the HTTP status codes of RFC 9110.
 * What was checked at start is what is served: files swapped on disk afterwards (by rewrite, by
 * rename, by symlink) must not change a byte of the answer — the oracle is the bytes the test
 * wrote before the server started.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { request as httpRequest, type OutgoingHttpHeaders } from "node:http";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, renameSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startExploreServer, type ExploreServer } from "../src/node/explore-server.js";
import { DescentError, UsageError } from "../src/errors.js";
import { encodeModel } from "../src/io/model-file.js";
import { mlp } from "../src/nn/mlp.js";
import { Rng } from "../src/rng.js";
import { bostonHousingPath } from "../src/node/csv.js";
import { readFileSync } from "node:fs";

const tmp = mkdtempSync(join(tmpdir(), "descent-explore-"));
const root = join(tmp, "app");
const mnistDir = join(tmp, "mnist");
const SECRET = "TOP-SECRET-BYTES";
const INDEX = "<!doctype html><title>explorer</title>";
const APP_JS = "console.log('explorer');";
const DATA_NAMES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

mkdirSync(join(root, "assets"), { recursive: true });
mkdirSync(mnistDir);
writeFileSync(join(root, "index.html"), INDEX);
writeFileSync(join(root, "assets", "app.js"), APP_JS);
writeFileSync(join(root, "assets", "kernels.wasm"), new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
writeFileSync(join(root, ".env"), SECRET);
writeFileSync(join(tmp, "secret"), SECRET);
writeFileSync(join(mnistDir, "secret"), SECRET);
symlinkSync(join(tmp, "secret"), join(root, "assets", "link-to-outside"));
symlinkSync(tmp, join(root, "outside-dir"));
DATA_NAMES.forEach((name, i) => writeFileSync(join(mnistDir, name), `fake ${name} ${i}`));

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One raw request; `host: null` sends no Host header at all. */
function get(port: number, path: string, opts: { method?: string; headers?: OutgoingHttpHeaders; host?: string | null; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: OutgoingHttpHeaders = { ...opts.headers };
    if (opts.host !== null) headers.host = opts.host ?? `127.0.0.1:${port}`;
    const req = httpRequest({ host: "127.0.0.1", port, path, method: opts.method ?? "GET", headers, setHost: false, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("latin1") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

let server: ExploreServer;
let withModel: ExploreServer;
const modelBytes = "model-bytes-\u0001\u0002";
const modelArray = Uint8Array.from(Buffer.from(modelBytes, "latin1"));

beforeAll(async () => {
  server = await startExploreServer({ root, mnistDir, port: 0 });
  withModel = await startExploreServer({ root, mnistDir, port: 0, model: modelArray });
  modelArray.fill(0); // the server keeps its own copy: the caller's array changing afterwards changes nothing
});

afterAll(async () => {
  await server.close();
  await withModel.close();
});

describe("explore server: what it serves", () => {
  test("the URL names 127.0.0.1 and the chosen port", () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
    expect(server.port).toBeGreaterThan(0);
  });

  test("/ is index.html, with every security header and no CORS header", async () => {
    const r = await get(server.port, "/");
    expect(r.status).toBe(200);
    expect(r.body).toBe(INDEX);
    expect(r.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(r.headers["content-length"]).toBe(String(INDEX.length));
    expect(r.headers).toMatchObject({
      "cross-origin-opener-policy": "same-origin",
      "cross-origin-embedder-policy": "require-corp",
      "cross-origin-resource-policy": "same-origin",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      "cache-control": "no-cache",
      "content-security-policy":
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
    });
    expect(r.headers["access-control-allow-origin"]).toBeUndefined();
  });

  test("static files get their content type; HEAD gives the headers without the body", async () => {
    const js = await get(server.port, "/assets/app.js?v=1");
    expect([js.status, js.body, js.headers["content-type"]]).toEqual([200, APP_JS, "text/javascript; charset=utf-8"]);
    expect((await get(server.port, "/assets/kernels.wasm")).headers["content-type"]).toBe("application/wasm");
    const head = await get(server.port, "/assets/app.js", { method: "HEAD" });
    expect([head.status, head.body, head.headers["content-length"]]).toEqual([200, "", String(APP_JS.length)]);
    expect(head.headers["cross-origin-embedder-policy"]).toBe("require-corp");
  });

  test("a reload with the ETag gets 304, still with the security headers", async () => {
    const first = await get(server.port, "/assets/app.js");
    const again = await get(server.port, "/assets/app.js", { headers: { "if-none-match": first.headers.etag as string } });
    expect([again.status, again.body]).toEqual([304, ""]);
    expect(again.headers["cross-origin-opener-policy"]).toBe("same-origin");
  });

  test("the four MNIST names are served from mnistDir", async () => {
    for (const [i, name] of DATA_NAMES.entries()) {
      const r = await get(server.port, `/data/${name}`);
      expect([r.status, r.body, r.headers["content-type"]]).toEqual([200, `fake ${name} ${i}`, "application/octet-stream"]);
    }
  });

  test("/model.safetensors: 404 without --model, the bytes given at start with one", async () => {
    expect((await get(server.port, "/model.safetensors")).status).toBe(404);
    const r = await get(withModel.port, "/model.safetensors");
    expect([r.status, r.body, r.headers["content-type"], r.headers["content-length"]]).toEqual([200, modelBytes, "application/octet-stream", String(modelBytes.length)]);
    expect(r.headers).toMatchObject({ "cross-origin-embedder-policy": "require-corp", "x-content-type-options": "nosniff", "cache-control": "no-cache" });
  });

  test("/model.safetensors: HEAD gives the headers without the body; the ETag gets 304", async () => {
    const head = await get(withModel.port, "/model.safetensors", { method: "HEAD" });
    expect([head.status, head.body, head.headers["content-length"], head.headers["content-type"]]).toEqual([200, "", String(modelBytes.length), "application/octet-stream"]);
    const etag = head.headers.etag as string;
    expect(etag).toMatch(/^W\/"[0-9a-f]+-[0-9a-f]{16}"$/);
    const again = await get(withModel.port, "/model.safetensors", { headers: { "if-none-match": etag } });
    expect([again.status, again.body, again.headers["cross-origin-opener-policy"]]).toEqual([304, "", "same-origin"]);
  });

  test("missing files and directories are 404", async () => {
    for (const path of ["/nope.js", "/assets", "/assets/", "/data", "/data/", "/outside-dir"]) {
      expect((await get(server.port, path)).status, path).toBe(404);
    }
  });
});

describe("explore server: the MNIST files are the ones opened at start", () => {
  /** A data directory of its own, with the four files holding `original <name>`. */
  function dataDir(): string {
    const dir = mkdtempSync(join(tmpdir(), "descent-explore-data-"));
    for (const name of DATA_NAMES) writeFileSync(join(dir, name), `original ${name}`);
    return dir;
  }

  test("a file renamed over or replaced by a symlink after start: the original bytes are served; one rewritten in place is still the file opened", async () => {
    const dir = dataDir();
    const s = await startExploreServer({ root, mnistDir: dir, port: 0 });
    try {
      const [a, b, c] = DATA_NAMES as [string, string, string, string];
      writeFileSync(join(dir, a), "rewritten in place, and longer than before");
      writeFileSync(join(dir, "new"), "renamed over");
      renameSync(join(dir, "new"), join(dir, b));
      unlinkSync(join(dir, c));
      symlinkSync(join(tmp, "secret"), join(dir, c));
      for (const name of [b, c]) {
        const r = await get(s.port, `/data/${name}`);
        expect([r.status, r.body, r.headers["content-length"]], name).toEqual([200, `original ${name}`, String(`original ${name}`.length)]);
      }
      // Rewritten in place, the file opened at start is still the one read (the same inode); never the symlink's target.
      const r = await get(s.port, `/data/${a}`);
      expect(r.status).toBe(200);
      expect(r.body).toBe("rewritten in place, and longer than before");
      expect(r.headers["content-length"]).toBe(String(r.body.length));
      expect((await get(s.port, `/data/${c}`, { method: "HEAD" })).headers["content-length"]).toBe(String(`original ${c}`.length));
    } finally {
      await s.close();
    }
  });

  test("a data file that is a symlink out of the directory, missing, or a directory → DescentError at start naming it", async () => {
    const cases: [string, (path: string) => void, RegExp][] = [
      ["symlink out", (path) => (unlinkSync(path), symlinkSync(join(tmp, "secret"), path)), /leads outside the MNIST directory/],
      ["missing", (path) => unlinkSync(path), /cannot be read \(ENOENT\)/],
      ["directory", (path) => (unlinkSync(path), mkdirSync(path)), /not a regular file/],
    ];
    for (const [what, spoil, why] of cases) {
      const dir = dataDir();
      const path = join(dir, DATA_NAMES[2]!);
      spoil(path);
      const err = await startExploreServer({ root, mnistDir: dir, port: 0 }).catch((e: unknown) => e);
      expect(err, what).toBeInstanceOf(DescentError);
      expect((err as Error).message, what).toContain(`${path}: `);
      expect((err as Error).message, what).toMatch(why);
      expect((err as Error).message, what).toContain("npm install");
    }
  });

  test("a symlink to a file inside the directory is served", async () => {
    const dir = dataDir();
    const [, , c, d] = DATA_NAMES as [string, string, string, string];
    writeFileSync(join(dir, "kept-elsewhere"), "inside");
    unlinkSync(join(dir, d));
    symlinkSync("kept-elsewhere", join(dir, d));
    const s = await startExploreServer({ root, mnistDir: dir, port: 0 });
    try {
      expect((await get(s.port, `/data/${d}`)).body).toBe("inside");
      expect((await get(s.port, `/data/${c}`)).body).toBe(`original ${c}`);
    } finally {
      await s.close();
    }
  });
});

describe("explore server: the house-price table", () => {
  /** A directory holding houses.csv with `text`. */
  function tableDir(text: string): { dir: string; path: string } {
    const dir = mkdtempSync(join(tmpdir(), "descent-explore-table-"));
    writeFileSync(join(dir, "houses.csv"), text);
    return { dir, path: join(dir, "houses.csv") };
  }

  test("by default /data/house-prices.csv is the bundled Boston table, byte for byte, as text/csv", async () => {
    const r = await get(server.port, "/data/house-prices.csv");
    const bundled = readFileSync(bostonHousingPath());
    expect([r.status, r.headers["content-type"], r.headers["content-length"]]).toEqual([200, "text/csv; charset=utf-8", String(bundled.length)]);
    expect(Buffer.from(r.body, "latin1").equals(bundled)).toBe(true);
    expect(r.body.split("\n", 1)[0]).toMatch(/cmedv/);
    expect(r.headers["cross-origin-embedder-policy"]).toBe("require-corp");
    const head = await get(server.port, "/data/house-prices.csv", { method: "HEAD" });
    expect([head.status, head.body]).toEqual([200, ""]);
    // Only that name: the file's own name and its neighbours in the package are not served.
    for (const path of ["/data/data.csv", "/data/house-prices.csv/x", "/data/House-Prices.csv"]) expect((await get(server.port, path)).status, path).toBe(404);
  });

  test("the file given is opened at start: renamed over or swapped for a symlink afterwards, the original bytes are served", async () => {
    const { dir, path } = tableDir("a,b\n1,2\n");
    const s = await startExploreServer({ root, mnistDir, port: 0, housePricesCsv: path });
    try {
      expect((await get(s.port, "/data/house-prices.csv")).body).toBe("a,b\n1,2\n");
      writeFileSync(join(dir, "next"), "renamed over");
      renameSync(join(dir, "next"), path);
      expect((await get(s.port, "/data/house-prices.csv")).body).toBe("a,b\n1,2\n");
      unlinkSync(path);
      symlinkSync(join(tmp, "secret"), path);
      const r = await get(s.port, "/data/house-prices.csv");
      expect([r.status, r.body]).toEqual([200, "a,b\n1,2\n"]);
    } finally {
      await s.close();
    }
  });

  test("a table that is a symlink out of its directory, missing, or a directory → DescentError at start naming it", async () => {
    const cases: [string, (path: string) => void, RegExp][] = [
      ["symlink out", (path) => (unlinkSync(path), symlinkSync(join(tmp, "secret"), path)), /leads outside the house-price table's directory/],
      ["missing", (path) => unlinkSync(path), /cannot be read \(ENOENT\)/],
      ["directory", (path) => (unlinkSync(path), mkdirSync(path)), /not a regular file/],
    ];
    for (const [what, spoil, why] of cases) {
      const { path } = tableDir("x\n1\n");
      spoil(path);
      const err = await startExploreServer({ root, mnistDir, port: 0, housePricesCsv: path }).catch((e: unknown) => e);
      expect(err, what).toBeInstanceOf(DescentError);
      expect((err as Error).message, what).toContain(`${path}: `);
      expect((err as Error).message, what).toMatch(why);
      expect((err as Error).message, what).toContain("house-price table");
    }
  });
});

describe("explore server: what it refuses", () => {
  test.each([
    "/../secret",
    "/%2e%2e/secret",
    "/%2E%2E/%2e%2e/secret",
    "/assets/../../secret",
    "/assets/..%2f..%2fsecret",
    "/assets/%2e%2e%5csecret",
    "/assets\\..\\..\\secret",
    "/./index.html",
    "/%00",
    "/index.html%00.js",
    "/%E0%A4%A",
    "/assets/link-to-outside",
    "/outside-dir/secret",
    "/.env",
    "//secret",
    "/data/../x",
    "/data/..%2fsecret",
    "/data/secret",
    "/data/anything-else",
    "/data/train-images-idx3-ubyte/x",
    "http://127.0.0.1/secret",
  ])("%s → 4xx, never the secret", async (path) => {
    const r = await get(server.port, path);
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.body).not.toContain(SECRET);
    expect(r.headers["x-content-type-options"]).toBe("nosniff");
  });

  test("a Host that is not this server → 403 (DNS rebinding)", async () => {
    const port = server.port;
    for (const host of ["evil.example", `evil.example:${port}`, "127.0.0.1:1", `127.0.0.2:${port}`, null]) {
      const r = await get(port, "/", { host });
      expect(r.status, String(host)).toBe(403);
      expect(r.body).toMatch(/Host/);
      expect(r.body).not.toContain(INDEX);
    }
    for (const host of [`localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) expect((await get(port, "/", { host })).status, host).toBe(200);
  });

  test("a foreign Origin → 403; this server's own Origin → 200", async () => {
    const port = server.port;
    for (const origin of ["http://evil.example", "null", `https://127.0.0.1:${port}`, `http://127.0.0.1:${port + 1}`]) {
      const r = await get(port, "/", { headers: { origin } });
      expect(r.status, origin).toBe(403);
      expect(r.headers["access-control-allow-origin"]).toBeUndefined();
    }
    for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`]) expect((await get(port, "/", { headers: { origin } })).status, origin).toBe(200);
  });

  test("methods other than GET and HEAD → 405 with Allow", async () => {
    for (const method of ["POST", "PUT", "DELETE", "OPTIONS", "PATCH"]) {
      const r = await get(server.port, "/", { method });
      expect(r.status, method).toBe(405);
      expect(r.headers.allow).toBe("GET, HEAD");
    }
  });

  test("a request body → 413, for GET and HEAD, Content-Length or chunked", async () => {
    expect((await get(server.port, "/", { headers: { "content-length": "5" }, body: "hello" })).status).toBe(413);
    expect((await get(server.port, "/", { method: "HEAD", headers: { "content-length": "5" }, body: "hello" })).status).toBe(413);
    expect((await get(server.port, "/", { headers: { "transfer-encoding": "chunked" }, body: "hello" })).status).toBe(413);
    expect((await get(server.port, "/", { headers: { "content-length": "0" } })).status).toBe(200);
  });

  test("a URL over 2048 characters → 414", async () => {
    expect((await get(server.port, `/${"a".repeat(2100)}`)).status).toBe(414);
    expect((await get(server.port, `/${"a".repeat(2000)}`)).status).toBe(404);
  });

  test("a port in use → a UsageError naming the port and --port", async () => {
    const err = await startExploreServer({ root, mnistDir, port: server.port }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain(`port ${server.port}`);
    expect((err as Error).message).toContain("--port");
  });

  test.skipIf(process.platform !== "linux")("an explicit non-loopback host is accepted as Host, besides the loopback names", async () => {
    const s = await startExploreServer({ root, mnistDir, host: "127.0.0.2", port: 0 });
    try {
      expect(s.url).toBe(`http://127.0.0.2:${s.port}/`);
      const at = (host: string) => new Promise<number>((resolve, reject) => {
        httpRequest({ host: "127.0.0.2", port: s.port, path: "/", headers: { host }, setHost: false, agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on("error", reject).end();
      });
      expect(await at(`127.0.0.2:${s.port}`)).toBe(200);
      expect(await at(`127.0.0.1:${s.port}`)).toBe(200);
      expect(await at(`evil.example:${s.port}`)).toBe(403);
    } finally {
      await s.close();
    }
  });
});

describe("descent explore (the CLI)", () => {
  const bin = fileURLToPath(new URL("../bin/descent.js", import.meta.url));
  const env = (webRoot: string) => ({ ...process.env, NO_COLOR: "1", DESCENT_WEB_ROOT: webRoot });

  /** Spawns `descent explore …` and resolves once it has printed its URL. */
  async function explore(args: string[]) {
    const child = spawn(process.execPath, [bin, "explore", ...args], { env: env(root), stdio: ["ignore", "pipe", "pipe"] });
    const io = { out: "", err: "" };
    child.stderr.on("data", (c: Buffer) => (io.err += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (c: Buffer) => {
        io.out += c.toString();
        const m = /descent explorer: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(io.out);
        if (m) resolve(m[1]!);
      });
      void exited.then((code) => reject(new Error(`descent explore exited (${code}) before printing its URL: ${io.err}`)));
    });
    return { child, io, exited, url };
  }

  test("--port 0 serves the app, prints its URL, and stops cleanly on SIGINT (exit 0)", async () => {
    const { child, io, exited, url } = await explore(["--port", "0"]);
    expect(io.out).toContain("Ctrl-C to stop");
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toBe(INDEX);
    expect(page.headers.get("cross-origin-embedder-policy")).toBe("require-corp");
    child.kill("SIGINT");
    expect(await exited, io.err).toBe(0);
    expect(io.out).toContain("stopped");
  });

  /** Two valid model files with different weights: A is the one validated at start. */
  const modelFile = (seed: number) => Buffer.from(encodeModel(mlp([784, 8, 10], { rng: new Rng(seed) }), { training: { seed } }));
  const served = async (url: string) => Buffer.from(await (await fetch(`${url}model.safetensors`)).arrayBuffer());

  test("--model: the file replaced on disk after start → the validated bytes are still served", async () => {
    const dir = mkdtempSync(join(tmpdir(), "descent-explore-model-"));
    const [a, b] = [modelFile(1), modelFile(2)];
    expect(a.equals(b)).toBe(false);
    const path = join(dir, "m.safetensors");
    writeFileSync(path, a);
    const { child, exited, url, io } = await explore(["--port", "0", "--model", path]);
    try {
      expect((await served(url)).equals(a)).toBe(true);
      writeFileSync(path, b); // rewritten in place
      expect((await served(url)).equals(a)).toBe(true);
      writeFileSync(join(dir, "next"), "not a model at all");
      renameSync(join(dir, "next"), path); // renamed over
      const r = await fetch(`${url}model.safetensors`);
      expect([r.status, r.headers.get("content-length")]).toEqual([200, String(a.length)]);
      expect(Buffer.from(await r.arrayBuffer()).equals(a)).toBe(true);
    } finally {
      child.kill("SIGINT");
      expect(await exited, io.err).toBe(0);
    }
  });

  test("--model through a symlink swapped after start → the validated bytes are still served", async () => {
    const dir = mkdtempSync(join(tmpdir(), "descent-explore-model-"));
    const [a, b] = [modelFile(1), modelFile(2)];
    writeFileSync(join(dir, "a.safetensors"), a);
    writeFileSync(join(dir, "b.safetensors"), b);
    const link = join(dir, "current.safetensors");
    symlinkSync("a.safetensors", link);
    const { child, exited, url, io } = await explore(["--port", "0", "--model", link]);
    try {
      expect((await served(url)).equals(a)).toBe(true);
      symlinkSync("b.safetensors", join(dir, "next-link"));
      renameSync(join(dir, "next-link"), link); // the link now points at B
      expect((await served(url)).equals(a)).toBe(true);
      unlinkSync(link);
      symlinkSync(join(tmp, "secret"), link); // or at a file that is no model
      const body = await served(url);
      expect(body.equals(a)).toBe(true);
      expect(body.toString("latin1")).not.toContain(SECRET);
    } finally {
      child.kill("SIGINT");
      expect(await exited, io.err).toBe(0);
    }
  });

  test("--help describes explore and its options; the command list names it", () => {
    const r = spawnSync(process.execPath, [bin, "explore", "--help"], { encoding: "utf8", env: env(root) });
    expect(r.status).toBe(0);
    for (const flag of ["--port", "--host", "--model"]) expect(r.stdout).toContain(flag);
    expect(spawnSync(process.execPath, [bin, "--help"], { encoding: "utf8" }).stdout).toMatch(/explore/);
  });

  test("an app that is not built → one-line error naming npm run build:web, exit 1", () => {
    const empty = mkdtempSync(join(tmpdir(), "descent-explore-empty-"));
    const r = spawnSync(process.execPath, [bin, "explore", "--port", "0"], { encoding: "utf8", env: env(empty), timeout: 30_000 });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^descent: the explorer app is not built \(.*index\.html missing\): run `npm run build:web`\n$/);
  });

  test("a bad --model file → the model file's message, exit 1, no stack trace", () => {
    const bad = join(tmp, "bad.safetensors");
    writeFileSync(bad, "this is not a model file");
    const r = spawnSync(process.execPath, [bin, "explore", "--port", "0", "--model", bad], { encoding: "utf8", env: env(root), timeout: 30_000 });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain("bad.safetensors");
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(r.stdout).not.toContain("descent explorer:");
  });

  test("--port out of range → usage error, exit 2", () => {
    const r = spawnSync(process.execPath, [bin, "explore", "--port", "70000"], { encoding: "utf8", env: env(root), timeout: 30_000 });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--port/);
  });
});
