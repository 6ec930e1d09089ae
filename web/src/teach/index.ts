/**
 * The teaching views, in menu order (the issue's order of the books' ideas). The training page
 * ("train") is the shell's own first entry.
 */
import type { TeachingView } from "./view.js";
import { descentView } from "./descent.js";
import { race } from "./race.js";
import { vanishingView } from "./vanishing.js";
import { backpropView } from "./backprop.js";
import { universality } from "./universality.js";
import { overfittingView } from "./overfitting.js";
import { textView } from "./text.js";

export const VIEWS: readonly TeachingView[] = [
  descentView,
  race,
  vanishingView,
  backpropView,
  universality,
  overfittingView,
  textView,
];
