// Line charts (uPlot): a titled figure that follows its container's width and
// takes whole columns (x, then one array per series) on every update.
import uPlot from 'uplot';
import { el, onResize } from './dom.js';

export interface SeriesSpec {
  label: string;
  color: string;
  dash?: number[];
}

/** A compact tick label: 0.01, 1.5, 200, 1e4, 1e-5. */
function tick(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e4 || a < 1e-3)) return v.toExponential(0).replace('e+', 'e');
  return String(Number(v.toPrecision(3)));
}

/** A log axis keeps decades only (uPlot splits it at 1…9 × 10^k), every k-th one when there are more than 6. */
function decades(_u: uPlot, splits: number[]): (number | null)[] {
  const exp = (v: number) => (v > 0 && Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9 ? Math.round(Math.log10(v)) : null);
  const n = splits.filter((v) => exp(v) !== null).length;
  const every = Math.max(1, Math.ceil(n / 6));
  return splits.map((v) => {
    const e = exp(v);
    return e !== null && e % every === 0 ? v : null;
  });
}

export class LineChart {
  private plot: uPlot | null = null;
  private data: uPlot.AlignedData;
  readonly figure: HTMLElement;
  private readonly holder: HTMLElement;

  constructor(title: string, private readonly series: SeriesSpec[], private readonly opts: { logY?: boolean; xLabel?: string; height?: number } = {}) {
    this.holder = el('div', { class: 'chart-body' });
    this.figure = el('figure', { class: 'chart' }, el('figcaption', { text: title }), this.holder);
    this.data = [[], ...series.map(() => [])];
    onResize(this.figure, (w) => this.make(w));
  }

  private make(width: number): void {
    if (this.plot !== null) {
      this.plot.setSize({ width, height: this.opts.height ?? 180 });
      return;
    }
    const { logY = false, xLabel = 'step' } = this.opts;
    this.plot = new uPlot(
      {
        width,
        height: this.opts.height ?? 180,
        legend: { show: true, live: false },
        cursor: { show: false },
        scales: { x: { time: false }, y: logY ? { distr: 3 } : {} },
        axes: [
          { label: xLabel, labelSize: 18, size: 34, stroke: '#333', grid: { stroke: '#e4e4e4' } },
          {
            size: 50,
            stroke: '#333',
            // (a key set to undefined would replace uPlot's default, so the filters are spread in)
            grid: { stroke: '#e4e4e4', ...(logY ? { filter: decades } : {}) },
            ticks: { stroke: '#e4e4e4', ...(logY ? { filter: decades } : {}) },
            ...(logY ? { filter: decades } : {}),
            values: (_u, vals) => vals.map((v) => (v === null || v === undefined ? '' : tick(v))),
          },
        ],
        series: [{}, ...this.series.map((s) => ({ label: s.label, stroke: s.color, width: 2, dash: s.dash, points: { show: false } }))],
      },
      this.data,
      this.holder,
    );
  }

  /** Replaces the data: x and one column per series (NaN or null for a gap). */
  set(x: number[], ys: (number | null)[][]): void {
    this.data = [x, ...ys] as uPlot.AlignedData;
    this.plot?.setData(this.data);
  }
}
