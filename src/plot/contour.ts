/**
 * Contour lines of a function sampled on a grid, by marching squares (Lorensen & Cline's cubes in
 * two dimensions): each grid cell's corners above/below a level select which of its edges the line
 * crosses, and each crossing is placed by linear interpolation along its edge. Plain numbers in and
 * out, so the plot (svg.ts), the explorer and a test share it.
 */

/** Values z on the grid xs × ys, row-major with y the slow axis: z[j·xs.length + i] = f(xs[i], ys[j]). */
export interface Grid {
  xs: readonly number[];
  ys: readonly number[];
  z: ArrayLike<number>;
}

/** One piece of a contour line, in data coordinates: (x1, y1) → (x2, y2). */
export type Segment = [number, number, number, number];

/**
 * The segments of the level set z = level. Corners exactly at the level count as above it, so a
 * line never passes through a cell twice; cells with a non-finite corner draw nothing (a gap).
 * The two ambiguous cases (diagonal corners on the same side) are decided by the cell's mean, the
 * usual asymptotic-free rule.
 */
export function contourSegments(g: Grid, level: number): Segment[] {
  const nx = g.xs.length;
  const ny = g.ys.length;
  if (g.z.length !== nx * ny) throw new RangeError(`contour: ${g.z.length} values for a ${nx}×${ny} grid`);
  const out: Segment[] = [];
  for (let j = 0; j + 1 < ny; j++) {
    for (let i = 0; i + 1 < nx; i++) {
      // Corners counter-clockwise from the bottom-left: (i, j), (i+1, j), (i+1, j+1), (i, j+1).
      const c = [g.z[j * nx + i]!, g.z[j * nx + i + 1]!, g.z[(j + 1) * nx + i + 1]!, g.z[(j + 1) * nx + i]!];
      if (!c.every(Number.isFinite)) continue;
      const px = [g.xs[i]!, g.xs[i + 1]!, g.xs[i + 1]!, g.xs[i]!];
      const py = [g.ys[j]!, g.ys[j]!, g.ys[j + 1]!, g.ys[j + 1]!];
      const above = c.map((v) => v >= level);
      // Edge e joins corner e and corner e+1; the crossing on it, if its ends differ.
      const cross = (e: number): [number, number] => {
        const a = e;
        const b = (e + 1) % 4;
        const t = (level - c[a]!) / (c[b]! - c[a]!);
        return [px[a]! + t * (px[b]! - px[a]!), py[a]! + t * (py[b]! - py[a]!)];
      };
      const edges = [0, 1, 2, 3].filter((e) => above[e] !== above[(e + 1) % 4]);
      if (edges.length === 2) {
        const [p, q] = [cross(edges[0]!), cross(edges[1]!)];
        out.push([p[0], p[1], q[0], q[1]]);
      } else if (edges.length === 4) {
        // A saddle cell: join each crossing to the one that keeps the centre on its side.
        const centreAbove = (c[0]! + c[1]! + c[2]! + c[3]!) / 4 >= level;
        // Corner 0 is cut off alone (edges 3 and 0) when the centre differs from it; else corner 1 (edges 0 and 1).
        const pairs = centreAbove !== above[0] ? [[3, 0], [1, 2]] : [[0, 1], [2, 3]];
        for (const [e1, e2] of pairs) {
          const [p, q] = [cross(e1!), cross(e2!)];
          out.push([p[0], p[1], q[0], q[1]]);
        }
      }
    }
  }
  return out;
}

/**
 * `n` contour levels at equally spaced quantiles of the grid's finite values (strictly inside
 * their range): every band then covers about the same area, which suits surfaces whose values span
 * decades (a loss landscape's rim, Rosenbrock's walls) as well as flat ones. Repeated values
 * collapse into one level.
 */
export function quantileLevels(z: ArrayLike<number>, n = 12): number[] {
  const v = Array.from(z).filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return [];
  const levels: number[] = [];
  for (let k = 1; k <= n; k++) {
    const q = v[Math.min(v.length - 1, Math.floor((k / (n + 1)) * v.length))]!;
    if (q > v[0]! && q < v[v.length - 1]! && levels[levels.length - 1] !== q) levels.push(q);
  }
  return levels;
}
