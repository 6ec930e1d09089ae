/**
 * `descent` command line. User errors (bad flags, bad files) print one clear message and exit
 * non-zero without a stack trace: 2 for usage errors, 1 for everything else the user can fix.
 */
import { Command, CommanderError } from "commander";
import pc from "picocolors";
import { isUserError, UsageError } from "../errors.js";
import { backendInfo } from "../kernels/index.js";
import { VERSION } from "../version.js";
import { trainCommand } from "./commands/train.js";
import { evalCommand } from "./commands/eval.js";
import { predictCommand } from "./commands/predict.js";
import { infoCommand } from "./commands/info.js";

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("descent")
    .description("Train and inspect neural networks on MNIST — the networks of the classic books, in TypeScript.")
    .version(`descent ${VERSION} (backend: ${backendInfo().backend})`, "-v, --version")
    .exitOverride()
    .showHelpAfterError("(add --help for usage)")
    .configureOutput({ outputError: (str, write) => write(pc.red(str)) });
  for (const make of [trainCommand, evalCommand, predictCommand, infoCommand]) {
    const cmd = make();
    cmd.exitOverride().showHelpAfterError(`(run "descent ${cmd.name()} --help" for usage)`).configureOutput({ outputError: (str, write) => write(pc.red(str)) });
    program.addCommand(cmd);
  }
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    if (argv.length <= 2) {
      program.outputHelp();
      return 0;
    }
    await program.parseAsync(argv);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return 0;
      // Commander already printed the message and the usage hint; a bad invocation exits 2.
      return 2;
    }
    if (e instanceof UsageError) {
      process.stderr.write(pc.red(`descent: ${e.message}\n`));
      return 2;
    }
    if (isUserError(e)) {
      process.stderr.write(pc.red(`descent: ${e.message}\n`));
      return 1;
    }
    process.stderr.write(`descent: internal error — this is a bug in descent; please report it with the command you ran.\n`);
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 70;
  }
}
