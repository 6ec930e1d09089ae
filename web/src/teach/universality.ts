/**
 * View "universality" (issue 17, view 5): Nielsen's chapter 4, interactive — step neurons, bumps
 * dragged by hand against the goal function, the book's inversion, and a network of as many
 * neurons trained by gradient descent (in its own worker). The body (universality/view.ts) loads
 * when the view is first shown.
 */
import "./universality.css";
import { t } from "./universality/strings.js";
import { lazyView } from "./lazy-view.js";
import type { TeachingView } from "./view.js";

export const universality: TeachingView = {
  id: "universality",
  title: () => t("title"),
  summary: () => t("summary"),
  mount: lazyView(() => import("./universality/view.js").then((m) => m.mountUniversality)),
};
