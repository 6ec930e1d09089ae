/**
 * What every explorer end-to-end file needs: the real `descent explore` server on the built app
 * (dist-web/), Debian's Chromium through playwright-core, pages that collect their errors, the
 * teaching views' probes (window.__views[id]) and the shell's (window.__shell: view, lang, and the
 * string keys asked for that no table has), and screenshots in test/artifacts/.
 * Use: `const h = explorerHarness();` at the top of a describe file (it registers beforeAll/afterAll).
 */
import { afterAll, beforeAll, expect } from "vitest";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { startExploreServer, type ExploreServer } from "../src/node/explore-server.js";
import { defaultMnistDir } from "../src/node/mnist.js";

export const repo = fileURLToPath(new URL("..", import.meta.url));
export const artifacts = join(repo, "test", "artifacts");
const webRoot = join(repo, "dist-web");
const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";

export const DESKTOP = { width: 1280, height: 1000 };
export const PHONE = { width: 390, height: 844 };

export interface ShellProbe { view: string; lang: string; missing: string[] }

export interface Harness {
  /** Opens the page at `query` (e.g. "?view=race&lang=fr"), waits for the shell to show that view. */
  open(query?: string, viewport?: { width: number; height: number }): Promise<Page>;
  /** The errors the pages printed or threw so far (a test usually expects none). */
  readonly errors: string[];
  /** A teaching view's probe: the figures it shows, unrounded. */
  probe<T = Record<string, unknown>>(page: Page, view: string): Promise<T>;
  shell(page: Page): Promise<ShellProbe>;
  /** Full-page screenshot to test/artifacts/<name>.png. */
  shot(page: Page, name: string): Promise<void>;
  /** How far the page is wider than its window (a phone must not scroll sideways). */
  overflow(page: Page): Promise<number>;
  /** Every string the page asked for exists in its language (waits for the shell's once-a-second refresh). */
  expectNoMissingStrings(page: Page): Promise<void>;
}

export function explorerHarness(): Harness {
  let server: ExploreServer;
  let browser: Browser;
  const errors: string[] = [];
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`the browser tests need Chromium at ${CHROMIUM}: \`npm test\` installs it (tools/ensure-browsers.mjs), or set CHROMIUM_PATH`);
    if (!existsSync(join(webRoot, "index.html"))) throw new Error("dist-web/index.html is missing: `npm test` builds it in pretest; run `npm run build:web`");
    mkdirSync(artifacts, { recursive: true });
    server = await startExploreServer({ root: webRoot, mnistDir: defaultMnistDir(), port: 0 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  const shell = (page: Page) => page.evaluate(() => (globalThis as unknown as { __shell: ShellProbe }).__shell);
  return {
    errors,
    async open(query = "", viewport = DESKTOP) {
      const page = await browser.newPage({ viewport });
      page.on("pageerror", (e) => errors.push(String(e)));
      page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
      await page.goto(server.url + query);
      const view = new URLSearchParams(query.replace(/^\?/, "")).get("view") ?? "train";
      await page.waitForFunction((v) => (globalThis as unknown as { __shell?: ShellProbe }).__shell?.view === v, view, { timeout: 30_000 });
      return page;
    },
    probe: <T>(page: Page, view: string) => page.evaluate((v) => (globalThis as unknown as { __views: Record<string, unknown> }).__views[v], view) as Promise<T>,
    shell,
    async shot(page, name) {
      await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
    },
    overflow: (page) => page.evaluate(() => {
      const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
      return d.scrollWidth - d.clientWidth;
    }),
    async expectNoMissingStrings(page) {
      await page.waitForTimeout(1100);
      expect((await shell(page)).missing).toEqual([]);
    },
  };
}
