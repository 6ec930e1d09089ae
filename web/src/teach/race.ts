/**
 * View "race" (issue 17, view 2): the optimizer race on the classic surfaces and on a real
 * network's 2-D slice. The view's code and the library it runs (tensors, optimizers) load when
 * the view is first shown (race/view.ts), so the shell stays small.
 */
import "./race.css";
import { t } from "./race/strings.js";
import { lazyView } from "./lazy-view.js";
import type { TeachingView } from "./view.js";

export const race: TeachingView = {
  id: "race",
  title: () => t("title"),
  summary: () => t("summary"),
  mount: lazyView(() => import("./race/view.js").then((m) => m.mountRace)),
};
