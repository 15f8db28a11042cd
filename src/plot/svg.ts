// Plain SVG charts as strings (no dependency): line charts for loss curves and
// optimizer comparisons, and a 2-D decision boundary with the data points.

/** Okabe-Ito palette (colour-blind safe), then a few more. */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442', '#000000', '#7f7f7f', '#8c564b'];

export interface Series {
  name: string;
  /** y values; x is 1..n unless given */
  y: ArrayLike<number>;
  x?: ArrayLike<number>;
  color?: string;
  dashed?: boolean;
}

export interface LineChartOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** log10 y axis (default: when all values are > 0 and span more than 100×) */
  logY?: boolean;
  width?: number;
  height?: number;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const f = (v: number): string => (Math.round(v * 100) / 100).toString();

/** "Nice" tick values covering [lo, hi] (1-2-5 steps). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

function fmtTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(0);
  return Number(v.toPrecision(3)).toString();
}

/** A line chart of one or more series with axes, ticks, grid and a legend. */
export function lineChart(series: readonly Series[], options: LineChartOptions = {}): string {
  const { title = '', xLabel = 'epoch', yLabel = '', width = 720, height = 420 } = options;
  const m = { l: 70, r: 20, t: title ? 40 : 16, b: 50 };
  const pw = width - m.l - m.r, ph = height - m.t - m.b;
  const pts = series.map((s) => Array.from(s.y, (y, i) => [s.x ? s.x[i] : i + 1, y] as [number, number]).filter(([, y]) => Number.isFinite(y)));
  const all = pts.flat();
  const ys = all.map(([, y]) => y);
  const allPos = ys.length > 0 && ys.every((y) => y > 0);
  const logY = options.logY ?? (allPos && Math.max(...ys) / Math.min(...ys) > 100);
  const ty = (y: number): number => (logY ? Math.log10(y) : y);
  let x0 = Math.min(...all.map(([x]) => x)), x1 = Math.max(...all.map(([x]) => x));
  let y0 = Math.min(...ys.map(ty)), y1 = Math.max(...ys.map(ty));
  if (!Number.isFinite(x0)) (x0 = 0), (x1 = 1);
  if (!Number.isFinite(y0)) (y0 = 0), (y1 = 1);
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) (y0 -= 0.5), (y1 += 0.5);
  const pad = (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;
  const sx = (x: number): number => m.l + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number): number => m.t + ph - ((ty(y) - y0) / (y1 - y0)) * ph;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  if (title) out.push(`<text x="${width / 2}" y="24" text-anchor="middle" font-size="15" font-weight="600">${esc(title)}</text>`);
  // grid and ticks
  const yTicks = logY
    ? Array.from({ length: Math.floor(y1) - Math.ceil(y0) + 1 }, (_, i) => 10 ** (Math.ceil(y0) + i))
    : niceTicks(y0, y1);
  for (const t of yTicks) {
    const y = sy(t);
    if (y < m.t - 0.5 || y > m.t + ph + 0.5) continue;
    out.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${f(y)}" y2="${f(y)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${m.l - 6}" y="${f(y + 4)}" text-anchor="end" fill="#444">${fmtTick(t)}</text>`);
  }
  for (const t of niceTicks(x0, x1, 8)) {
    const x = sx(t);
    out.push(`<line x1="${f(x)}" x2="${f(x)}" y1="${m.t}" y2="${m.t + ph}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${f(x)}" y="${m.t + ph + 18}" text-anchor="middle" fill="#444">${fmtTick(t)}</text>`);
  }
  out.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
  out.push(`<text x="${m.l + pw / 2}" y="${height - 10}" text-anchor="middle">${esc(xLabel)}</text>`);
  if (yLabel) {
    out.push(`<text transform="translate(16 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel + (logY ? ' (log scale)' : ''))}</text>`);
  }
  // lines
  series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const p = pts[i];
    if (p.length === 0) return;
    const d = p.map(([x, y], j) => `${j ? 'L' : 'M'}${f(sx(x))} ${f(sy(y))}`).join('');
    out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    if (p.length === 1) out.push(`<circle cx="${f(sx(p[0][0]))}" cy="${f(sy(p[0][1]))}" r="3" fill="${color}"/>`);
  });
  // legend
  const lx = m.l + pw - 10;
  series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const y = m.t + 14 + i * 18;
    out.push(`<line x1="${lx - 150}" x2="${lx - 126}" y1="${y - 4}" y2="${y - 4}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    out.push(`<text x="${lx - 120}" y="${y}" fill="#222">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

/** Per-epoch records with a training loss and optionally a validation loss (fit's History.epochs). */
export interface LossRecord {
  epoch: number;
  loss: number;
  valLoss?: number;
}

/** Training and validation loss per epoch. */
export function lossCurves(epochs: readonly LossRecord[], options: LineChartOptions = {}): string {
  const series: Series[] = [{ name: 'train loss', x: epochs.map((e) => e.epoch), y: epochs.map((e) => e.loss) }];
  if (epochs.some((e) => e.valLoss !== undefined)) {
    series.push({ name: 'validation loss', x: epochs.map((e) => e.epoch), y: epochs.map((e) => e.valLoss ?? NaN), dashed: true });
  }
  return lineChart(series, { title: 'Loss', yLabel: 'loss', ...options });
}

/** One loss curve per run (e.g. per optimizer): validation loss when present, else training loss. */
export function compareChart(runs: readonly { name: string; epochs: readonly LossRecord[] }[], options: LineChartOptions & { metric?: 'loss' | 'valLoss' } = {}): string {
  const metric = options.metric ?? (runs.every((r) => r.epochs.some((e) => e.valLoss !== undefined)) ? 'valLoss' : 'loss');
  const series = runs.map((r) => ({ name: r.name, x: r.epochs.map((e) => e.epoch), y: r.epochs.map((e) => e[metric] ?? NaN) }));
  return lineChart(series, { title: metric === 'valLoss' ? 'Validation loss by run' : 'Training loss by run', yLabel: metric === 'valLoss' ? 'validation loss' : 'training loss', ...options });
}

export interface BoundaryGrid {
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
  /** cells along x and y */
  nx: number;
  ny: number;
  /** class of each cell, row-major from (xMin, yMin), ny rows of nx */
  classes: Int32Array;
}

/**
 * The decision regions of a 2-D classifier (cells coloured by predicted
 * class, light) with the points on top (coloured by true class).
 */
export function decisionBoundary(
  grid: BoundaryGrid,
  points: { features: Float32Array; labels: Int32Array },
  options: { title?: string; width?: number; height?: number; numClasses?: number } = {},
): string {
  const { title = 'Decision boundary', width = 560, height = 560 } = options;
  const m = { l: 50, r: 16, t: title ? 40 : 16, b: 40 };
  const pw = width - m.l - m.r, ph = height - m.t - m.b;
  const { xMin, xMax, yMin, yMax, nx, ny, classes } = grid;
  const sx = (x: number): number => m.l + ((x - xMin) / (xMax - xMin)) * pw;
  const sy = (y: number): number => m.t + ph - ((y - yMin) / (yMax - yMin)) * ph;
  const cw = pw / nx, ch = ph / ny;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  if (title) out.push(`<text x="${width / 2}" y="24" text-anchor="middle" font-size="15" font-weight="600">${esc(title)}</text>`);
  out.push('<g opacity="0.28" shape-rendering="crispEdges">');
  for (let j = 0; j < ny; j++) {
    // merge runs of equal class along a row
    let i = 0;
    while (i < nx) {
      const c = classes[j * nx + i];
      let k = i + 1;
      while (k < nx && classes[j * nx + k] === c) k++;
      const y = m.t + ph - (j + 1) * ch;
      out.push(`<rect x="${f(m.l + i * cw)}" y="${f(y)}" width="${f((k - i) * cw + 0.5)}" height="${f(ch + 0.5)}" fill="${PALETTE[c % PALETTE.length]}"/>`);
      i = k;
    }
  }
  out.push('</g>');
  const n = points.labels.length;
  for (let i = 0; i < n; i++) {
    const x = points.features[2 * i], y = points.features[2 * i + 1];
    if (x < xMin || x > xMax || y < yMin || y > yMax) continue;
    out.push(`<circle cx="${f(sx(x))}" cy="${f(sy(y))}" r="2.6" fill="${PALETTE[points.labels[i] % PALETTE.length]}" stroke="#ffffff" stroke-width="0.6"/>`);
  }
  out.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
  for (const t of niceTicks(xMin, xMax)) out.push(`<text x="${f(sx(t))}" y="${m.t + ph + 16}" text-anchor="middle" fill="#444">${fmtTick(t)}</text>`);
  for (const t of niceTicks(yMin, yMax)) out.push(`<text x="${m.l - 6}" y="${f(sy(t) + 4)}" text-anchor="end" fill="#444">${fmtTick(t)}</text>`);
  out.push(`<text x="${m.l + pw / 2}" y="${height - 8}" text-anchor="middle">x₁</text>`);
  out.push(`<text transform="translate(14 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle">x₂</text>`);
  out.push('</svg>');
  return out.join('\n');
}
