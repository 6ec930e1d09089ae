/**
 * The race view's settings and their URL form: surface, racers, each racer's η (only where it
 * differs from the surface's), steps, seed, start. Parsing keeps what is valid and lists the rest,
 * so the view can say which values it ignored.
 */
import { RACERS, SURFACES, SURFACE_NAMES, type RacerName, type Surface } from "../../../../src/analysis/race.js";
import { networkRates } from "../../../../src/analysis/race-network.js";

export type SurfaceName = (typeof SURFACE_NAMES)[number];

/** The network slice as `descent analyze race --surface network` draws it by default (but on 200 images). */
export const NETWORK = { span: 1, lr: 0.1, steps: 60, grid: 21, examples: 200, start: [-0.8, 0.8] as [number, number] };

export interface RaceSettings {
  surface: SurfaceName;
  racers: RacerName[];
  lr: Record<RacerName, number>;
  steps: number;
  seed: number;
  start: [number, number];
}

export const MAX_STEPS = 10_000;

/** What the surface proposes: its racers' η, its steps, its start. */
export function surfaceDefaults(name: SurfaceName): { lr: Record<RacerName, number>; steps: number; start: [number, number]; window: Surface["window"] } {
  if (name === "network") return { lr: networkRates(NETWORK.lr, NETWORK.span), steps: NETWORK.steps, start: NETWORK.start, window: { x: [-NETWORK.span, NETWORK.span], y: [-NETWORK.span, NETWORK.span] } };
  const s = SURFACES[name];
  return { lr: { ...s.lr }, steps: s.steps, start: [...s.start], window: s.window };
}

export function defaultSettings(surface: SurfaceName = "ravine"): RaceSettings {
  const d = surfaceDefaults(surface);
  return { surface, racers: [...RACERS], lr: d.lr, steps: d.steps, seed: 0, start: d.start };
}

const isSurface = (v: string): v is SurfaceName => (SURFACE_NAMES as readonly string[]).includes(v);
const isRacer = (v: string): v is RacerName => (RACERS as readonly string[]).includes(v);
const num = (v: string) => (/^\s*$/.test(v) ? NaN : Number(v));

/** Settings from the URL, and the parameters that were ignored (name and value). */
export function parseSettings(q: URLSearchParams): { settings: RaceSettings; invalid: { name: string; value: string }[] } {
  const invalid: { name: string; value: string }[] = [];
  const bad = (name: string) => invalid.push({ name, value: q.get(name) ?? "" });
  const sv = q.get("surface");
  if (sv !== null && !isSurface(sv)) bad("surface");
  const s = defaultSettings(sv !== null && isSurface(sv) ? sv : "ravine");
  const racers = q.get("racers");
  if (racers !== null) {
    const names = racers.split(",").filter((r) => r !== "");
    if (names.every(isRacer)) s.racers = RACERS.filter((r) => names.includes(r));
    else bad("racers");
  }
  const lr = q.get("lr");
  if (lr !== null && lr !== "") {
    const pairs = lr.split(",").map((p) => p.split(":"));
    const ok = pairs.every(([n, v]) => n !== undefined && isRacer(n) && v !== undefined && num(v) > 0 && num(v) <= 1e3);
    if (ok) for (const [n, v] of pairs) s.lr[n as RacerName] = num(v!);
    else bad("lr");
  }
  const steps = q.get("steps");
  if (steps !== null) {
    const n = num(steps);
    if (Number.isInteger(n) && n >= 1 && n <= MAX_STEPS) s.steps = n;
    else bad("steps");
  }
  const seed = q.get("seed");
  if (seed !== null) {
    const n = num(seed);
    if (Number.isInteger(n) && n >= 0 && n < 2 ** 31) s.seed = n;
    else bad("seed");
  }
  const start = q.get("start");
  if (start !== null) {
    const p = start.split(",").map(num);
    if (p.length === 2 && p.every((v) => Number.isFinite(v) && Math.abs(v) <= 1e3)) s.start = [p[0]!, p[1]!];
    else bad("start");
  }
  return { settings: s, invalid };
}

/** The URL parameters for `s` (null where the surface's default holds, so links stay short). */
export function settingsParams(s: RaceSettings): Record<string, string | null> {
  const d = surfaceDefaults(s.surface);
  const lr = RACERS.filter((r) => s.lr[r] !== d.lr[r]).map((r) => `${r}:${s.lr[r]}`).join(",");
  return {
    surface: s.surface === "ravine" ? null : s.surface,
    racers: s.racers.length === RACERS.length ? null : s.racers.join(","),
    lr: lr || null,
    steps: s.steps === d.steps ? null : String(s.steps),
    seed: s.seed === 0 ? null : String(s.seed),
    start: s.start[0] === d.start[0] && s.start[1] === d.start[1] ? null : `${s.start[0]},${s.start[1]}`,
  };
}
