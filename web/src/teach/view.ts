/**
 * A teaching view: one of the books' ideas, computed from a real network by the library's
 * analyses. A view is one module (plus its own CSS and helpers under teach/<id>/ if it needs
 * them) and one line in teach/index.ts. The shell (shell.ts) draws the menu from that list, keeps
 * `?view=<id>` and `?lang=` in the URL, mounts the chosen view into an empty element, and
 * re-labels it when the language changes (or mounts it again, if it has no `relabel`).
 */
export interface ViewContext {
  /** The view's own URL parameters (the shell's `view` and `lang` removed). */
  readonly params: URLSearchParams;
  /** Writes the view's parameters into the address bar (null removes one); the shell keeps `view` and `lang`. */
  setParams(p: Readonly<Record<string, string | number | boolean | null>>): void;
  /** Numbers the end-to-end tests read, as `window.__views[id]`: put the figures the view shows here, unrounded. */
  readonly probe: Record<string, unknown>;
  /** The page's address, for fetching files the explore server serves (MNIST under `data/`, models). */
  readonly base: string;
}

export interface MountedView {
  /** Stops timers and workers; the shell then empties the root element. */
  destroy(): void;
  /** Re-labels the view in the current language without losing its state (else the shell remounts it). */
  relabel?(): void;
}

export interface TeachingView {
  /** The URL's `view=` value: lowercase, no spaces. */
  readonly id: string;
  /** The menu's label, in the current language. */
  title(): string;
  /** One sentence under the view's heading: which book, which idea. */
  summary(): string;
  mount(root: HTMLElement, ctx: ViewContext): MountedView;
}
