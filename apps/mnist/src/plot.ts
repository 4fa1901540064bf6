/**
 * Loss and accuracy curves as a self-contained SVG: two panels (training loss per step; train
 * and test accuracy per epoch), axes with ticks, no dependencies.
 */

/** One named series of (x, y) points. */
export interface Series {
  name: string;
  color: string;
  points: readonly (readonly [number, number])[];
}

const WIDTH = 480;
const HEIGHT = 300;
const MARGIN = { left: 56, right: 16, top: 32, bottom: 40 };

function escapeXml(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c]!);
}

function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const step = 10 ** Math.floor(Math.log10(raw));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / nice) * nice; t <= hi + 1e-12; t += nice) ticks.push(Number(t.toPrecision(10)));
  return ticks;
}

function formatTick(v: number): string {
  return Math.abs(v) >= 1e6 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(0) : String(Number(v.toPrecision(6)));
}

/** One panel: a titled chart of `series` at (`x0`, 0). */
function panel(x0: number, title: string, xLabel: string, series: readonly Series[], yRange?: [number, number], legendAtBottom = false): string {
  const all = series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const xMin = Math.min(...xs, 0);
  const xMax = Math.max(...xs, 1);
  const [yMin, yMax] = yRange ?? [Math.min(...ys, 0), Math.max(...ys, 1e-9)];
  const w = WIDTH - MARGIN.left - MARGIN.right;
  const h = HEIGHT - MARGIN.top - MARGIN.bottom;
  const sx = (x: number) => x0 + MARGIN.left + ((x - xMin) / (xMax - xMin || 1)) * w;
  const sy = (y: number) => MARGIN.top + h - ((y - yMin) / (yMax - yMin || 1)) * h;
  const parts: string[] = [];
  parts.push(`<text x="${x0 + WIDTH / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(title)}</text>`);
  parts.push(`<rect x="${x0 + MARGIN.left}" y="${MARGIN.top}" width="${w}" height="${h}" fill="none" stroke="#999"/>`);
  for (const t of niceTicks(yMin, yMax)) {
    parts.push(`<line x1="${x0 + MARGIN.left}" x2="${x0 + MARGIN.left + w}" y1="${sy(t)}" y2="${sy(t)}" stroke="#eee"/>`);
    parts.push(`<text x="${x0 + MARGIN.left - 6}" y="${sy(t) + 4}" text-anchor="end" font-size="11">${formatTick(t)}</text>`);
  }
  for (const t of niceTicks(xMin, xMax)) {
    parts.push(`<text x="${sx(t)}" y="${MARGIN.top + h + 16}" text-anchor="middle" font-size="11">${formatTick(t)}</text>`);
  }
  parts.push(`<text x="${x0 + MARGIN.left + w / 2}" y="${HEIGHT - 6}" text-anchor="middle" font-size="12">${escapeXml(xLabel)}</text>`);
  series.forEach((s, i) => {
    if (s.points.length > 0) {
      const d = s.points.map((p, k) => `${k === 0 ? "M" : "L"}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(" ");
      parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.5"/>`);
    }
    const ly = legendAtBottom ? MARGIN.top + h - 10 - (series.length - 1 - i) * 16 : MARGIN.top + 14 + i * 16;
    parts.push(`<line x1="${x0 + MARGIN.left + w - 110}" x2="${x0 + MARGIN.left + w - 94}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"/>`);
    parts.push(`<text x="${x0 + MARGIN.left + w - 90}" y="${ly}" font-size="11">${escapeXml(s.name)}</text>`);
  });
  return parts.join("\n");
}

/**
 * The SVG document: training loss per step on the left, accuracies per epoch on the right.
 *
 * @example writeFileSync("curves.svg", trainingCurvesSvg(lossPoints, trainAcc, testAcc));
 */
export function trainingCurvesSvg(
  loss: readonly (readonly [number, number])[],
  trainAccuracy: readonly (readonly [number, number])[],
  testAccuracy: readonly (readonly [number, number])[],
): string {
  const body = [
    panel(0, "Training loss", "step", [{ name: "loss", color: "#d62728", points: loss }]),
    panel(WIDTH, "Accuracy", "epoch", [
      { name: "train", color: "#1f77b4", points: trainAccuracy },
      { name: "test", color: "#2ca02c", points: testAccuracy },
    ], [0, 1], true),
  ].join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${2 * WIDTH}" height="${HEIGHT}" viewBox="0 0 ${2 * WIDTH} ${HEIGHT}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="white"/>\n${body}\n</svg>\n`;
}
