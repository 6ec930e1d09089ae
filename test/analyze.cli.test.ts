/**
 * `descent analyze gradients`, spawned as a user would. Oracles: the library's layerSpeeds on the
 * same seeded network (itself checked against the backprop equations and finite differences in
 * gradients.test.ts), and the plot read back against the JSON it was drawn from.
 */
import { describe, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readSvg } from "./svg-read.js";
import { buildExperiment } from "../src/train/config.js";
import { objectiveFor } from "../src/train/objective.js";
import { presetConfig } from "../src/train/presets.js";
import { loadMnist } from "../src/node/mnist.js";
import { layerSpeeds } from "../src/analysis/gradients.js";

const bin = fileURLToPath(new URL("../bin/descent.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "descent-analyze-"));
const descent = (...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

interface Run { type: string; variant: string; layers: string[]; speeds: { epoch: number; bias: number[]; weight: number[] }[] }

describe("analyze gradients", () => {
  test("speeds at init equal layerSpeeds on the same seeded network; the plot draws every epoch's speeds", async () => {
    const r = descent("analyze", "gradients", "--preset", "nielsen-ch5-gd", "--epochs", "3", "--probe", "200", "--validation", "1000", "--variants", "base,he", "--json", "--plot", "s.svg");
    expect(r.code, r.err).toBe(0);
    const runs = r.out.trim().split("\n").map((l) => JSON.parse(l) as Run).filter((o) => o.type === "run");
    expect(runs.map((x) => x.variant)).toEqual(["base", "he"]);
    expect(runs[0]!.layers).toEqual(["layers.0", "layers.2", "layers.4"]);
    expect(runs[0]!.speeds.map((s) => s.epoch)).toEqual([0, 1, 2, 3]);

    const config = { ...presetConfig("nielsen-ch5-gd"), validation: 1000 };
    const data = await loadMnist({ validation: 1000 });
    const ex = buildExperiment(config, data);
    const want = layerSpeeds(ex.model.train(), objectiveFor(config.cost, config.output), ex.data.train.range(0, 200));
    expect(runs[0]!.speeds[0]!.bias).toEqual(want.map((l) => l.bias));
    expect(runs[0]!.speeds[0]!.weight).toEqual(want.map((l) => l.weight));

    const panels = readSvg(readFileSync(join(dir, "s.svg"), "utf8"));
    expect(panels.length).toBe(2);
    runs.forEach((run, k) => {
      ["hidden layer 1", "hidden layer 2", "output layer"].forEach((name, j) => {
        const [pts] = panels[k]!.series.get(name)!;
        expect(pts!.map((p) => Math.round(p.x))).toEqual([0, 1, 2, 3]);
        pts!.forEach((p, i) => expect(Math.abs(p.y / run.speeds[i]!.bias[j]! - 1)).toBeLessThan(1e-3));
      });
    });
  }, 120_000);

  test("an unknown variant or an --arch network is refused with a message, no stack", () => {
    const bad = descent("analyze", "gradients", "--variants", "base,sideways", "--init-only");
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--variants: unknown variant "sideways" \(variants: base, relu/);
    const arch = descent("analyze", "gradients", "--arch", "fc30,sigmoid,fc10,sigmoid", "--variants", "relu", "--init-only");
    expect(arch.code).toBe(2);
    expect(arch.err).toMatch(/give --layers \(or an MLP preset\), not --arch/);
    expect(arch.err).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});
