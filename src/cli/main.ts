/**
 * `descent` command line. User errors (bad flags, bad files) print one clear message and exit
 * non-zero without a stack trace: 2 for usage errors, 1 for everything else the user can fix.
 * Every message passes through terminalSafe(): a message that quotes file text or a path without
 * printable() still cannot send control sequences to the terminal.
 */
import "../node/relaxed-simd.js"; // first: Node 20 needs V8's flag for the fma kernels before they compile
import { Command, CommanderError } from "commander";
import pc from "picocolors";
import { isUserError, UsageError } from "../errors.js";
import { BACKENDS, backendInfo, setBackend, setThreads, type BackendName } from "../kernels/index.js";
import "../node/threads.js"; // lets --threads 2 start a worker_threads helper
import { choice, integerIn } from "./parse.js";
import { range } from "../experiment/settings.js";
import { CONV_ALGORITHMS, setConvAlgorithm, type ConvAlgorithm } from "../ops/conv-winograd.js";
import { VERSION } from "../version.js";
import { terminalSafe } from "../text.js";
import { limitsFromEnv, setLimits } from "../limits.js";
import { trainCommand } from "./commands/train.js";
import { evalCommand } from "./commands/eval.js";
import { predictCommand } from "./commands/predict.js";
import { infoCommand } from "./commands/info.js";
import { exploreCommand } from "./commands/explore.js";
import { exportCommand } from "./commands/export.js";
import { analyzeCommand } from "./commands/analyze.js";
import { universalityCommand } from "./commands/universality.js";
import { importCommand } from "./commands/import.js";
import { explainCommand } from "./commands/explain.js";
import { searchCommand } from "./commands/search.js";
import { baselinesCommand } from "./commands/baselines.js";
import { attackCommand } from "./commands/attack.js";
import { sampleCommand } from "./commands/sample.js";

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("descent")
    .description("Train, inspect and export neural networks — the networks of the classic books, on MNIST, tables and sequences, in TypeScript.")
    .version(versionLine(), "-v, --version")
    .option("--backend <name>", `kernel backend: ${BACKENDS.join(", ")} (default: wasm where WebAssembly SIMD exists)`, choice("--backend", BACKENDS))
    .exitOverride()
    .showHelpAfterError("(add --help for usage)")
    .configureOutput({ outputError: (str, write) => write(pc.red(terminalSafe(str))) });
  const compute = [trainCommand, evalCommand, predictCommand, sampleCommand, infoCommand, exportCommand, analyzeCommand, universalityCommand, explainCommand, searchCommand, baselinesCommand, attackCommand].map((make) => make());
  for (const cmd of compute) {
    cmd.option("--backend <name>", `kernel backend: ${BACKENDS.join(", ")}`, choice("--backend", BACKENDS));
    cmd.option("--threads <n>", "1, or 2 to split large matrix products with a helper thread (wasm backend)", integerIn("--threads", range("[", 1, 2, "]")));
    cmd.option("--conv <algorithm>", `5×5 stride-1 convolutions: ${CONV_ALGORITHMS.join(", ")} (auto: Winograd with ≥ 8 input channels, wasm backend)`, choice("--conv", CONV_ALGORITHMS));
  }
  for (const cmd of [...compute, importCommand(), exploreCommand()]) {
    cmd.exitOverride().showHelpAfterError(`(run "descent ${cmd.name()} --help" for usage)`).configureOutput({ outputError: (str, write) => write(pc.red(terminalSafe(str))) });
    program.addCommand(cmd);
  }
  // --backend works before or after the command name; DESCENT_BACKEND=ref also works.
  program.hook("preAction", async (_root, action) => {
    const name = (action.opts().backend ?? program.opts().backend) as BackendName | undefined;
    if (name) setBackend(name);
    const conv = action.opts().conv as ConvAlgorithm | undefined;
    if (conv) setConvAlgorithm(conv);
    const threads = action.opts().threads as number | undefined;
    if (threads !== undefined) {
      if (threads === 2 && (name ?? backendInfo().backend) !== "wasm") throw new UsageError("--threads 2 needs the wasm backend");
      await setThreads(threads);
    }
  });
  return program;
}

/** `descent --version`: the version and which kernels are fast, so nobody benchmarks the wrong path. */
function versionLine(): string {
  const info = backendInfo();
  const detail = info.backend === "wasm"
    ? `wasm SIMD, ${info.sharedMemory ? "shared" : "unshared"} memory, ${info.fastKernels.length} fast kernels: ${info.fastKernels.join(" ")}`
    : "ref (plain TypeScript loops)";
  const fma = info.backend === "wasm" ? `\nfma: ${info.fma.reason}` : "";
  return `descent ${VERSION}\nbackend: ${detail}${fma}`;
}

export async function main(argv: string[]): Promise<number> {
  // `descent train | head` closes our stdout early: stop quietly, as other Unix tools do.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
  const program = buildProgram();
  try {
    setLimits(limitsFromEnv(process.env)); // DESCENT_MAX_* (src/limits.ts); before flags, which check --layers against them
    if (argv.length <= 2) {
      program.outputHelp();
      return 0;
    }
    await program.parseAsync(argv);
    await setThreads(1); // stop the helper thread, if any
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return 0;
      // Commander already printed the message and the usage hint; a bad invocation exits 2.
      return 2;
    }
    if (e instanceof UsageError) {
      process.stderr.write(pc.red(`descent: ${terminalSafe(e.message)}\n`));
      return 2;
    }
    if (isUserError(e)) {
      process.stderr.write(pc.red(`descent: ${terminalSafe(e.message)}\n`));
      return 1;
    }
    process.stderr.write(`descent: internal error — this is a bug in descent; please report it with the command you ran.\n`);
    process.stderr.write(`${terminalSafe(e instanceof Error ? (e.stack ?? e.message) : String(e), 100_000)}\n`);
    return 70;
  }
}
