import { Command } from "commander";
import pc from "picocolors";
import { noted } from "../notes.js";
import { loadModel } from "../../node/model-files.js";
import { ModelFileError, UsageError } from "../../errors.js";
import { numberIn, integerIn } from "../parse.js";
import { range } from "../../experiment/settings.js";
import type { Vocabulary } from "../../data/text.js";
import { languageModelProblem, modelVocabulary as vocabularyOf, sampleWithSeed, unknownCharacters } from "../../train/sample.js";
import { Sequential } from "../../nn/layers/sequential.js";
import { assertFiniteWeights } from "../../io/model-health.js";
import { printable, printablePath, terminalJson, terminalSafe } from "../../text.js";

/** Longest sample: 100,000 characters (one forward pass per character). */
const MAX_LENGTH = 100000;
const MAX_PROMPT = 10000;

/** The vocabulary a language model's file keeps in its training record, or a ModelFileError saying why this is no language model. */
export const modelVocabulary = (path: string, training: Record<string, unknown> | undefined): Vocabulary => vocabularyOf(printablePath(path), training);

export function sampleCommand(): Command {
  return new Command("sample")
    .description("generate text with a character language model (descent train --preset char-lm)")
    .argument("<model>", "a language model saved by descent train (.safetensors)")
    .option("--prompt <text>", "the text the model reads first, and the sample starts with", "The ")
    .option("--length <n>", `characters to generate after the prompt; [1, ${MAX_LENGTH}]`, integerIn("--length", range("[", 1, MAX_LENGTH, "]")), 400)
    .option("--temperature <t>", "divides the scores before the softmax: below 1 plays safe, above 1 takes risks; (0, 10]", numberIn("--temperature", range("(", 0, 10, "]")), 0.8)
    .option("--seed <n>", "random seed (the same seed gives the same sample); [0, 2^32)", integerIn("--seed", range("[", 0, 2 ** 32, ")")), 1)
    .option("--json", "print JSON")
    .addHelpText("after", "\nExample:\n  descent sample lm.safetensors --prompt \"Mr. Speaker, \" --length 400 --temperature 0.8 --seed 7\n")
    .action(async (path: string, opts: { prompt: string; length: number; temperature: number; seed: number; json?: boolean }) => {
      const { model, meta } = noted(await loadModel(path));
      const vocabulary = modelVocabulary(path, meta.training);
      const problem = languageModelProblem(model, vocabulary.size);
      if (problem) throw new ModelFileError(`${printablePath(path)} cannot generate text: ${problem} — sample reads models like descent train --preset char-lm's`);
      assertFiniteWeights(printablePath(path), model.stateDict());
      if ([...opts.prompt].length > MAX_PROMPT) throw new UsageError(`--prompt has ${[...opts.prompt].length} characters, at most ${MAX_PROMPT}`);
      const unknown = unknownCharacters(vocabulary, opts.prompt);
      if (unknown.length && !opts.json) {
        process.stderr.write(pc.yellow(`descent: the model never saw ${unknown.slice(0, 10).map((c) => printable(JSON.stringify(c), 12)).join(", ")} in training: read as unknown characters\n`));
      }
      const text = sampleWithSeed(model as Sequential, vocabulary, { prompt: opts.prompt, length: opts.length, temperature: opts.temperature, seed: opts.seed });
      if (opts.json) process.stdout.write(`${terminalJson({ model: path, prompt: opts.prompt, length: opts.length, temperature: opts.temperature, seed: opts.seed, text })}\n`);
      else process.stdout.write(`${terminalSafe(text, MAX_LENGTH + MAX_PROMPT + 1)}\n`);
    });
}
