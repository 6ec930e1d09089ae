/**
 * The teaching views, in menu order: one line each. The training page ("train") is the shell's
 * own first entry.
 */
import type { TeachingView } from "./view.js";
import { race } from "./race.js";
import { universality } from "./universality.js";

export const VIEWS: readonly TeachingView[] = [
  race,
  universality,
];
