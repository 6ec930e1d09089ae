/**
 * ONNX Runtime for Node (onnxruntime-node), loaded only when asked for (`descent export --check`,
 * the export tests). It is no dependency of descent: its CPU library makes it 294 MB. It is looked
 * for where descent itself resolves packages, then in the current directory's project, then in a
 * descent checkout's test/onnx-runtime/ (where tools/ensure-onnxruntime.mjs installs it for npm test).
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The version the tests run and the install hint names (test/onnx-runtime/package.json pins it). */
export const ONNXRUNTIME_VERSION = "1.31.1";

/** How to install it: its postinstall would download GPU files, which the CPU library does not need. */
export const ONNXRUNTIME_INSTALL =
  `ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node@${ONNXRUNTIME_VERSION}`;

/** The part of onnxruntime-node's API descent uses. */
interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
}
interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
interface OrtModule {
  env: { versions?: { node?: string } };
  Tensor: new (type: "float32", data: Float32Array, dims: readonly number[]) => OrtTensor;
  InferenceSession: { create(model: Uint8Array, options?: { intraOpNumThreads?: number; interOpNumThreads?: number }): Promise<OrtSession> };
}

/** One loaded ONNX model: run a float32 batch through it. */
export interface OnnxSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** The first output for `data` shaped `dims`, fed to the input `input`. */
  run(input: string, data: Float32Array, dims: readonly number[]): Promise<{ data: Float32Array; dims: readonly number[] }>;
  release(): Promise<void>;
}

export interface OnnxRuntime {
  version: string;
  /** The file it was loaded from. */
  path: string;
  /** Loads a model from its bytes (one thread for the operators: the check compares, it does not race). */
  session(bytes: Uint8Array): Promise<OnnxSession>;
}

/**
 * Where to look, in order: descent's own resolution, the current directory's project, a descent
 * checkout's test/onnx-runtime/ — or only $DESCENT_ONNXRUNTIME_DIR when set (one shared install of
 * the 294 MB package: the directory holding its node_modules/).
 */
function candidates(): string[] {
  const shared = process.env.DESCENT_ONNXRUNTIME_DIR;
  if (shared) return [join(shared, "package.json")];
  const root = fileURLToPath(new URL("../../", import.meta.url)); // src/node/ or dist/node/ → the package root
  return [import.meta.url, join(process.cwd(), "package.json"), join(root, "test", "onnx-runtime", "package.json")];
}

/** ONNX Runtime, or null when it is installed in none of the places descent looks. */
export function loadOnnxRuntime(): OnnxRuntime | null {
  for (const from of candidates()) {
    const require = createRequire(from);
    let path: string;
    try {
      path = require.resolve("onnxruntime-node");
    } catch {
      continue;
    }
    const ort = require(path) as OrtModule;
    return { version: ort.env.versions?.node ?? "unknown", path, session: async (bytes) => wrap(ort, await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 })) };
  }
  return null;
}

function wrap(ort: OrtModule, session: OrtSession): OnnxSession {
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    run: async (input, data, dims) => {
      const out = await session.run({ [input]: new ort.Tensor("float32", data, dims) });
      const first = out[session.outputNames[0]!]!;
      if (!(first.data instanceof Float32Array)) throw new Error(`ONNX Runtime returned ${Object.prototype.toString.call(first.data)}, expected float32 values`);
      return { data: first.data, dims: first.dims };
    },
    release: () => session.release(),
  };
}
