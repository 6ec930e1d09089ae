/**
 * The teaching views, in menu order: one line each. The training page ("train") is the shell's
 * own first entry.
 */
import type { TeachingView } from "./view.js";
import { backpropView } from "./backprop.js";
import { textView } from "./text.js";

export const VIEWS: readonly TeachingView[] = [
  backpropView,
  textView,
];
