import { Command } from "commander";
import { noted } from "../notes.js";
import { stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pc from "picocolors";
import { DescentError } from "../../errors.js";
import { startExploreServer } from "../../node/explore-server.js";
import { defaultMnistDir } from "../../node/mnist.js";
import { readModelBytes } from "../../node/model-files.js";
import { decodeModel } from "../../io/model-file.js";
import { integerIn } from "../parse.js";
import { range } from "../../experiment/settings.js";
import { checkMnistModel } from "../describe.js";
import { printablePath } from "../../text.js";

const LOOPBACK = ["127.0.0.1", "localhost", "::1"];

export function exploreCommand(): Command {
  return new Command("explore")
    .description("the explorer web app on a local server: watch a network learn in your browser")
    .option("--port <n>", "port to listen on (0: any free port)", integerIn("--port", range("[", 0, 65535, "]")), 5178)
    .option("--host <addr>", "address to listen on; anything but 127.0.0.1, localhost or ::1 opens the explorer to the network", "127.0.0.1")
    .option("--model <file>", "a model file saved by descent train, for the app to load (served at /model.safetensors)")
    .action(async (opts: { port: number; host: string; model?: string }) => {
      const root = appDir();
      if (!(await stat(join(root, "index.html")).then((s) => s.isFile(), () => false))) {
        const where = process.env.DESCENT_WEB_ROOT ? join(root, "index.html") : "dist-web/index.html";
        throw new DescentError(`the explorer app is not built (${where} missing): run \`npm run build:web\``);
      }
      // Read once: the bytes checked here are the bytes served, whatever happens to the path later.
      let modelBytes: Uint8Array | undefined;
      if (opts.model !== undefined) {
        modelBytes = await readModelBytes(opts.model);
        // A bad file fails here, with the usual message, not later in the browser.
        const { model, architecture } = noted(decodeModel(modelBytes, opts.model));
        checkMnistModel(opts.model, model, architecture);
      }
      if (!LOOPBACK.includes(opts.host.toLowerCase())) {
        process.stderr.write(pc.yellow(`descent: warning: --host ${printablePath(opts.host)} makes the explorer reachable from the network, not just this machine\n`));
      }
      const server = await startExploreServer({
        root,
        mnistDir: defaultMnistDir(),
        host: opts.host,
        port: opts.port,
        ...(modelBytes !== undefined ? { model: modelBytes } : {}),
      });
      process.stdout.write(`descent explorer: ${pc.bold(server.url)}\nCtrl-C to stop\n`);
      await new Promise<void>((done) => {
        const stop = () => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          done();
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
      await server.close();
      process.stdout.write("stopped\n");
    });
}

/** The built app: dist-web/ at the package root (this file is dist/cli/commands/explore.js), or $DESCENT_WEB_ROOT. */
function appDir(): string {
  return process.env.DESCENT_WEB_ROOT ? resolve(process.env.DESCENT_WEB_ROOT) : fileURLToPath(new URL("../../../dist-web/", import.meta.url));
}
