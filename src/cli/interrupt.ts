/**
 * Ctrl-C (SIGINT) and SIGTERM during `descent train`: the first one asks the run to stop after
 * the current mini-batch and save what it has (the last complete epoch); a second one quits at
 * once (temp files of writes in flight and run locks are removed by their exit handlers).
 */
import pc from "picocolors";

export type StopSignal = "SIGINT" | "SIGTERM";

export interface Interrupt {
  signal: AbortSignal;
  /** The signal that stopped the run, or null. */
  received(): StopSignal | null;
  dispose(): void;
}

/** Exit code of a run stopped by a signal, as shells report it: 128 + the signal's number. */
export const exitCodeFor = (s: StopSignal) => (s === "SIGINT" ? 130 : 143);

export function onInterrupt(): Interrupt {
  const controller = new AbortController();
  let got: StopSignal | null = null;
  const handler = (s: StopSignal) => {
    if (got) {
      process.stderr.write(pc.red(`\ndescent: ${s} again — quitting now; files already saved stay as they are\n`));
      process.exit(exitCodeFor(s));
    }
    got = s;
    process.stderr.write(pc.yellow(`\ndescent: ${s === "SIGINT" ? "Ctrl-C" : s} — stopping after this mini-batch and saving the last complete epoch (press Ctrl-C again to quit at once)\n`));
    controller.abort();
  };
  const onInt = () => handler("SIGINT");
  const onTerm = () => handler("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  return {
    signal: controller.signal,
    received: () => got,
    dispose() {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
    },
  };
}
