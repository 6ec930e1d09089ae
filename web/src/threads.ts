/**
 * Threads in the browser: the core's helper thread (src/kernels/wasm/threads.ts) started as a Web
 * Worker from a blob (the CSP allows `worker-src blob:`). It shares the kernels' wasm memory,
 * which needs the page to be cross-origin isolated — the explore server's COOP/COEP headers.
 */
import { registerSpawner, setThreads } from "../../src/kernels/index.js";

let registered = false;

/** Turns the second thread on or off; resolves to the thread count in use and why, if not the one asked for. */
export async function useThreads(n: 1 | 2): Promise<{ threads: number; note?: string }> {
  if (!registered) {
    registerSpawner((source, data) => {
      const code = `self.onmessage = (e) => { self.onmessage = null; (${source})(e.data); };`;
      const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
      const worker = new Worker(url, { name: "descent helper thread" });
      worker.postMessage(data);
      URL.revokeObjectURL(url);
      return worker;
    });
    registered = true;
  }
  try {
    await setThreads(n);
    return { threads: n };
  } catch (err) {
    await setThreads(1);
    return { threads: 1, note: err instanceof Error ? err.message : String(err) };
  }
}
