/**
 * The explorer's shell: the menu of views, the language, and the one view on screen. The training
 * page (train-page.ts: draw a digit, train, the house prices) is loaded the first time it is shown;
 * a teaching view (teach/index.ts) is mounted into #teach and destroyed when another is chosen.
 * `?view=` and `?lang=` live in the URL beside each view's own parameters, so a link opens the
 * same view in the same language.
 */
import "./style.css";
import { LANGS, LANG_NAMES, MISSING, defineStrings, initialLang, isLang, lang, onLangChange, setLang, type Lang } from "./i18n.js";
import { VIEWS } from "./teach/index.js";
import type { MountedView, TeachingView, ViewContext } from "./teach/view.js";

const t = defineStrings("shell", {
  title: "descent explorer",
  menu: "Views",
  language: "Language",
  train: "Train a network",
  trainSummary: "Draw a digit, train the network that reads it, and watch its cost, weights and mistakes; or predict house prices from a table.",
  unknownView: "There is no view called “{name}”: showing the training page.",
}, {
  title: "explorateur descent",
  menu: "Vues",
  language: "Langue",
  train: "Entraîner un réseau",
  trainSummary: "Dessinez un chiffre, entraînez le réseau qui le lit et suivez son coût, ses poids et ses erreurs ; ou prédisez le prix des maisons à partir d’un tableau.",
  unknownView: "Il n’y a pas de vue « {name} » : voici la page d’entraînement.",
});

const TRAIN = "train";
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const probes: Record<string, Record<string, unknown>> = {};
const shellProbe = { view: TRAIN, lang: "en" as Lang, missing: [] as string[] };
Object.assign(window as unknown as Record<string, unknown>, { __views: probes, __shell: shellProbe });

setLang(initialLang(location.search, navigator.languages ?? [navigator.language]));

let trainLoaded: Promise<unknown> | null = null;
let mounted: { view: TeachingView; handle: MountedView } | null = null;

/** The address with the shell's parameters set and, for a teaching view, its own parameters. */
function address(view: string, own: URLSearchParams | null): string {
  const q = own ? new URLSearchParams(own) : new URLSearchParams(location.search);
  for (const k of ["view", "lang"]) q.delete(k);
  const head = new URLSearchParams();
  if (view !== TRAIN) head.set("view", view);
  head.set("lang", lang());
  const rest = q.toString();
  return `?${head.toString()}${rest ? `&${rest}` : ""}${location.hash}`;
}

function currentView(): string {
  const v = new URLSearchParams(location.search).get("view") ?? TRAIN;
  if (v === TRAIN || VIEWS.some((x) => x.id === v)) return v;
  $("warnings").textContent = t("unknownView", { name: v });
  return TRAIN;
}

function buildMenu(active: string): void {
  const nav = $("menu");
  nav.innerHTML = "";
  nav.setAttribute("aria-label", t("menu"));
  const entries: [string, string, string][] = [[TRAIN, t("train"), t("trainSummary")], ...VIEWS.map((v): [string, string, string] => [v.id, v.title(), v.summary()])];
  for (const [id, label, summary] of entries) {
    const a = document.createElement("a");
    a.href = address(id, id === active ? null : new URLSearchParams());
    a.textContent = label;
    a.title = summary;
    a.dataset["view"] = id;
    if (id === active) a.setAttribute("aria-current", "page");
    a.addEventListener("click", (e) => {
      if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
      e.preventDefault();
      if (id === active) return;
      history.pushState(null, "", a.href);
      show();
    });
    nav.append(a);
  }
  const select = $<HTMLSelectElement>("lang");
  select.innerHTML = "";
  for (const l of LANGS) select.append(new Option(LANG_NAMES[l], l, false, l === lang()));
  $("lang-label").textContent = t("language");
}

function contextFor(view: TeachingView): ViewContext {
  const own = new URLSearchParams(location.search);
  for (const k of ["view", "lang"]) own.delete(k);
  const probe = (probes[view.id] = {});
  return {
    params: own,
    base: document.baseURI,
    probe,
    setParams(p) {
      const q = new URLSearchParams(location.search);
      for (const [k, v] of Object.entries(p)) {
        if (v === null) q.delete(k);
        else q.set(k, String(v));
      }
      for (const k of ["view", "lang"]) q.delete(k);
      history.replaceState(null, "", address(view.id, q));
    },
  };
}

function unmount(): void {
  if (!mounted) return;
  mounted.handle.destroy();
  mounted = null;
  $("teach").innerHTML = "";
}

function mountTeaching(view: TeachingView): void {
  unmount();
  const root = $("teach");
  root.innerHTML = "";
  const heading = document.createElement("header");
  heading.className = "view-head";
  const h2 = document.createElement("h2");
  h2.textContent = view.title();
  const p = document.createElement("p");
  p.className = "hint";
  p.textContent = view.summary();
  heading.append(h2, p);
  const body = document.createElement("div");
  body.className = "view-body";
  root.append(heading, body);
  mounted = { view, handle: view.mount(body, contextFor(view)) };
}

function show(): void {
  const id = currentView();
  shellProbe.view = id;
  document.title = id === TRAIN ? `${t("title")}` : `${VIEWS.find((v) => v.id === id)!.title()} — ${t("title")}`;
  buildMenu(id);
  const training = id === TRAIN;
  $("train-main").hidden = !training;
  $("teach").hidden = training;
  // The model line and status belong to the training page.
  $("model-line").hidden = $("status").hidden = !training;
  if (training) {
    unmount();
    trainLoaded ??= import("./train-page.js");
  } else {
    const view = VIEWS.find((v) => v.id === id)!;
    if (mounted?.view !== view) mountTeaching(view);
  }
}

$<HTMLSelectElement>("lang").addEventListener("change", (e) => {
  const v = (e.target as HTMLSelectElement).value;
  if (isLang(v)) setLang(v);
});
onLangChange((l) => {
  document.documentElement.lang = l;
  shellProbe.lang = l;
  history.replaceState(null, "", address(currentView(), null));
  const id = currentView();
  buildMenu(id);
  if (mounted) {
    if (mounted.handle.relabel) {
      mounted.handle.relabel();
      document.querySelector("#teach .view-head h2")!.textContent = mounted.view.title();
      document.querySelector("#teach .view-head p")!.textContent = mounted.view.summary();
    } else {
      const view = mounted.view;
      mounted = null;
      mountTeaching(view);
    }
  }
});
window.addEventListener("popstate", () => {
  const asked = new URLSearchParams(location.search).get("lang");
  if (isLang(asked) && asked !== lang()) setLang(asked);
  show();
});

document.documentElement.lang = lang();
shellProbe.lang = lang();
history.replaceState(null, "", address(currentView(), null));
show();
// Strings asked for that no table has (the end-to-end tests expect none), refreshed once a second.
setInterval(() => (shellProbe.missing = [...MISSING]), 1000);
