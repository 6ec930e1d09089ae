/**
 * The explorer in Firefox (Debian's firefox-esr, driven over WebDriver BiDi by puppeteer-core —
 * playwright needs its own patched Firefox, which cannot be downloaded here). The same checks as
 * the Chromium suite's core: the page loads with the wasm kernels, a drawn "1" is read as a 1,
 * and training makes the cost fall. Screenshot in test/artifacts/.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import puppeteer, { type Browser } from "puppeteer-core";
import { startExploreServer, type ExploreServer } from "../src/node/explore-server.js";
import { defaultMnistDir } from "../src/node/mnist.js";

const repo = fileURLToPath(new URL("..", import.meta.url));
const webRoot = join(repo, "dist-web");
const artifacts = join(repo, "test", "artifacts");
const FIREFOX = process.env["FIREFOX_PATH"] ?? "/usr/bin/firefox-esr";

if (!existsSync(FIREFOX)) {
  throw new Error(`the Firefox tests need Firefox at ${FIREFOX}: install it with \`apt-get install -y firefox-esr\` (\`npm test\` does it when it can) or set FIREFOX_PATH to a Firefox binary`);
}

type Probe = { predictions: number; phase: string; engine: string; steps: number; trainPoints: { step: number; loss: number }[]; errors: string[] };

let server: ExploreServer;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  server = await startExploreServer({ root: webRoot, mnistDir: defaultMnistDir(), port: 0 });
  browser = await puppeteer.launch({ browser: "firefox", executablePath: FIREFOX, headless: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("explorer in Firefox", () => {
  it("loads with the wasm kernels, reads a drawn 1, and trains", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.setViewport({ width: 1200, height: 900 });
    await page.goto(server.url);
    await page.waitForFunction(() => {
      const p = (globalThis as unknown as { __explorer?: Probe }).__explorer;
      return p && p.predictions > 0 && p.phase === "idle";
    }, { timeout: 30_000 });
    const ready = await page.evaluate(() => (globalThis as unknown as { __explorer: Probe }).__explorer);
    expect(ready.engine).toMatch(/^wasm/);
    expect(ready.errors).toEqual([]);

    const box = (await (await page.$("#pad"))!.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.15);
    await page.mouse.down();
    for (let i = 1; i <= 20; i++) await page.mouse.move(box.x + box.width / 2, box.y + box.height * (0.15 + 0.035 * i));
    await page.mouse.up();
    await page.waitForFunction(() => {
      const g = (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(a: string): string | null } | null } }).document.querySelector("#guess");
      return g?.getAttribute("data-digit") === "1";
    }, { timeout: 10_000 });

    // One step first, so the curve starts at the untrained cost (a 40 ms slice can hold hundreds of steps).
    await page.click("#step");
    await page.waitForFunction(() => (globalThis as unknown as { __explorer: Probe }).__explorer.steps === 1, { timeout: 10_000 });
    await page.click("#play");
    await page.waitForFunction(() => (globalThis as unknown as { __explorer: Probe }).__explorer.steps >= 600, { timeout: 60_000 });
    await page.click("#play");
    const p = await page.evaluate(() => (globalThis as unknown as { __explorer: Probe }).__explorer);
    const early = p.trainPoints.filter((t) => t.step <= 100);
    expect(early.length).toBeGreaterThan(0);
    const late = p.trainPoints.slice(-3);
    const mean = (xs: { loss: number }[]) => xs.reduce((s, x) => s + x.loss, 0) / xs.length;
    expect(mean(late)).toBeLessThan(mean(early) * 0.8);
    await page.screenshot({ path: join(artifacts, "explorer-firefox.png") });
    expect(errors).toEqual([]);
    await page.close();
  });
});
