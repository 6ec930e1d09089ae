/**
 * Text for character-level language models: a vocabulary of characters, encoding and decoding,
 * and the windows a model reads (each character's target is the next one), laid out as parallel
 * streams for truncated backprop through time (see SequenceLayout in dataset.ts).
 */
import { TensorDataset } from "./dataset.js";
import { ShapeError } from "../errors.js";
import { quoted } from "../text.js";

/** Stands for every character outside the vocabulary (U+FFFD, the replacement character). */
export const UNKNOWN = "\uFFFD";

/**
 * Characters (Unicode code points, so "’" and "—" are one each) and their ids. Id 0 is UNKNOWN;
 * the others follow in code-point order, so a vocabulary is the same whatever order the text came in.
 */
export class Vocabulary {
  private readonly ids = new Map<string, number>();

  /** @param chars every character, UNKNOWN first. */
  constructor(readonly chars: readonly string[]) {
    if (chars[0] !== UNKNOWN) throw new ShapeError(`Vocabulary: the first character must be the unknown marker U+FFFD, found ${quoted(chars[0] ?? "")}`);
    chars.forEach((c, i) => {
      if ([...c].length !== 1) throw new ShapeError(`Vocabulary: entry ${i} must be one character, found ${quoted(c)}`);
      if (this.ids.has(c)) throw new ShapeError(`Vocabulary: ${quoted(c)} appears twice`);
      this.ids.set(c, i);
    });
  }

  get size(): number {
    return this.chars.length;
  }

  /** The id of one character (0 for one outside the vocabulary). */
  id(char: string): number {
    return this.ids.get(char) ?? 0;
  }

  encode(text: string): Int32Array {
    const out = new Int32Array(countChars(text));
    let i = 0;
    for (const c of text) out[i++] = this.ids.get(c) ?? 0;
    return out;
  }

  decode(ids: ArrayLike<number>): string {
    let s = "";
    for (let i = 0; i < ids.length; i++) s += this.chars[ids[i]!] ?? UNKNOWN;
    return s;
  }

  /** The characters as one string (how a model file keeps them). */
  toString(): string {
    return this.chars.join("");
  }

  /** The vocabulary a model file kept with Vocabulary.toString(). */
  static fromString(s: string): Vocabulary {
    return new Vocabulary([...s]);
  }
}

function countChars(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * The characters of `text` seen at least `minCount` times (rarer ones become UNKNOWN: a symbol
 * seen twice in 10 MB cannot be learned, and every extra output costs a column of the last layer).
 */
export function buildVocabulary(text: string, minCount = 1): Vocabulary {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  counts.delete(UNKNOWN);
  const kept = [...counts].filter(([, n]) => n >= minCount).map(([c]) => c);
  kept.sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
  return new Vocabulary([UNKNOWN, ...kept]);
}

/**
 * Language-model windows of `steps` characters and their targets (the same window shifted by one:
 * the model predicts each next character), cut from `ids` as `streams` parallel streams: the text
 * is split into `streams` equal consecutive parts, and example k·streams + i is window k of part i.
 * Batches of `streams` examples taken in order then continue each other row by row, so a stateful
 * recurrent layer carries its state across them (truncated BPTT). Characters left over at the end
 * (fewer than one window per stream) are dropped.
 * @returns features [n, steps] (token ids as floats, for an Embedding) and labels [n, steps].
 */
export function lmWindows(ids: Int32Array, steps: number, streams: number, classes: number): TensorDataset {
  if (!(Number.isInteger(steps) && steps >= 1 && Number.isInteger(streams) && streams >= 1)) {
    throw new RangeError(`lmWindows: steps and streams must be positive integers, got ${steps} and ${streams}`);
  }
  const perStream = Math.floor((ids.length - 1) / (streams * steps)); // windows per stream; −1: the last target needs a next character
  if (perStream < 1) {
    throw new ShapeError(`lmWindows: ${ids.length} characters cannot fill one window of ${steps} (+1) for each of ${streams} streams — use shorter windows or a smaller batch`);
  }
  const n = perStream * streams;
  const x = new Float32Array(n * steps);
  const y = new Int32Array(n * steps);
  const span = perStream * steps;
  for (let k = 0; k < perStream; k++) {
    for (let i = 0; i < streams; i++) {
      const e = k * streams + i;
      const from = i * span + k * steps;
      for (let t = 0; t < steps; t++) {
        x[e * steps + t] = ids[from + t]!;
        y[e * steps + t] = ids[from + t + 1]!;
      }
    }
  }
  return new TensorDataset(x, [steps], y, steps, { streams, classes });
}

/** Bits per character from a mean cross-entropy in nats: C / ln 2. */
export const bitsPerChar = (nats: number): number => nats / Math.LN2;

/** One document of a corpus (a State of the Union address: its file name, e.g. "2021_joseph_r_biden_d", and its text). */
export interface TextDocument {
  name: string;
  text: string;
  /** The year it was given (State of the Union addresses), for `since`. */
  year?: number;
}

export interface LanguageModelData {
  train: TensorDataset;
  validation: TensorDataset;
  test: TensorDataset;
  vocabulary: Vocabulary;
  /** The documents each split holds (names), for the data line and the model file. */
  held: { validation: string[]; test: string[] };
}

/**
 * A character-level language model's splits from documents in time order: the last `holdout`
 * documents are held out — the older half of them for validation, the most recent for test — so
 * the model is scored on addresses it never read, later than all it read. The vocabulary is the
 * training text's characters seen at least `minCount` times. Documents are joined by a newline.
 * @param streams the batch size: the training text is cut into that many streams (lmWindows).
 * @param since train only on the documents of this year or later (their `year`); the held-out
 *   documents are the same whatever it is.
 */
export function languageModelData(
  docs: readonly TextDocument[], opts: { steps: number; streams: number; holdout?: number; minCount?: number; since?: number },
): LanguageModelData {
  const holdout = opts.holdout ?? 4;
  if (docs.length < holdout + 1) throw new ShapeError(`languageModelData: ${docs.length} documents, but ${holdout} are held out and at least one must remain for training`);
  const since = opts.since;
  // `since` narrows the training documents only: the held-out ones are the most recent either way.
  const trainDocs = docs.slice(0, docs.length - holdout).filter((d) => since === undefined || d.year === undefined || d.year >= since);
  if (trainDocs.length === 0) throw new ShapeError(`languageModelData: no training document is from ${since} or later — choose an earlier year`);
  const held = docs.slice(docs.length - holdout);
  const valDocs = held.slice(0, Math.ceil(holdout / 2));
  const testDocs = held.slice(Math.ceil(holdout / 2));
  const join = (d: readonly TextDocument[]) => d.map((x) => x.text).join("\n");
  const trainText = join(trainDocs);
  const vocabulary = buildVocabulary(trainText, opts.minCount ?? 10);
  const windows = (text: string, streams: number) => lmWindows(vocabulary.encode(text), opts.steps, streams, vocabulary.size);
  return {
    train: windows(trainText, opts.streams),
    validation: windows(join(valDocs), opts.streams),
    test: windows(join(testDocs), opts.streams),
    vocabulary,
    held: { validation: valDocs.map((d) => d.name), test: testDocs.map((d) => d.name) },
  };
}
