/**
 * Reads back the numbers an SVG figure from src/plot/svg.ts draws: each panel's domain and pixel
 * box, and each series' points mapped back from pixels to data (the inverse of the plot's scale,
 * written here independently from the attributes alone).
 */
export interface ReadPanel {
  xDomain: [number, number];
  yDomain: [number, number];
  logY: boolean;
  series: Map<string, { x: number; y: number }[][]>;
  /** Contour lines: each level's segments, mapped back to data. */
  contours: { level: number; segments: [number, number, number, number][] }[];
}

const attr = (tag: string, name: string) => new RegExp(`${name}="([^"]*)"`).exec(tag)?.[1];
const unescape = (s: string) => s.replace(/&#(\d+);/g, (_m, c: string) => String.fromCharCode(Number(c)));

export function readSvg(svg: string): ReadPanel[] {
  const panels: ReadPanel[] = [];
  for (const part of svg.split('<g class="panel"').slice(1)) {
    const head = part.slice(0, part.indexOf(">"));
    const nums = (s: string | undefined) => (s ?? "").split(" ").map(Number);
    const [xa, xb] = nums(attr(head, "data-x-domain")) as [number, number];
    const [ya, yb] = nums(attr(head, "data-y-domain")) as [number, number];
    const [left, right, top, bottom] = nums(attr(head, "data-box")) as [number, number, number, number];
    const logY = attr(head, "data-log-y") === "1";
    const toX = (X: number) => xa + ((X - left) / (right - left)) * (xb - xa);
    const toY = (Y: number) => {
      const f = (bottom - Y) / (bottom - top);
      return logY ? 10 ** (Math.log10(ya) + f * (Math.log10(yb) - Math.log10(ya))) : ya + f * (yb - ya);
    };
    const series = new Map<string, { x: number; y: number }[][]>();
    for (const m of part.matchAll(/<path class="series" ([^>]*)\/>/g)) {
      const name = unescape(attr(m[1]!, "data-name")!);
      const pieces = attr(m[1]!, "d")!.split("M").filter((s) => s.trim()).map((piece) =>
        piece.split("L").map((pt) => {
          const [X, Y] = pt.trim().split(" ").map(Number) as [number, number];
          return { x: toX(X), y: toY(Y) };
        }));
      series.set(name, pieces);
    }
    for (const m of part.matchAll(/<g class="series" ([^>]*)>(.*?)<\/g>/g)) {
      const name = unescape(attr(m[1]!, "data-name")!);
      const pts = [...m[2]!.matchAll(/cx="([^"]+)" cy="([^"]+)"/g)].map((c) => ({ x: toX(Number(c[1])), y: toY(Number(c[2])) }));
      series.set(name, [pts]);
    }
    const contours = [...part.matchAll(/<path class="contour" ([^>]*)\/>/g)].map((m) => ({
      level: Number(attr(m[1]!, "data-level")),
      segments: attr(m[1]!, "d")!.split("M").filter((s) => s.trim()).map((seg) => {
        const [[X1, Y1], [X2, Y2]] = seg.split("L").map((pt) => pt.trim().split(" ").map(Number)) as [[number, number], [number, number]];
        return [toX(X1), toY(Y1), toX(X2), toY(Y2)] as [number, number, number, number];
      }),
    }));
    panels.push({ xDomain: [xa, xb], yDomain: [ya, yb], logY, series, contours });
  }
  return panels;
}
