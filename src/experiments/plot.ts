/**
 * The plot of one experiment run as an SVG document (src/plot's lineChart): the
 * gallery pages (`wasmgrad experiment --out`, `npm run gallery`) and the
 * playground's Experiments view draw the same picture.
 */
import { lineChart } from '../plot/svg.js';
import type { Experiment, ExperimentResult } from './types.js';

/** The series of `r` on one chart titled with the experiment and its verdict. */
export function experimentSvg(e: Pick<Experiment, 'title'>, r: Pick<ExperimentResult, 'series' | 'plot' | 'verdict'>): string {
  return lineChart(
    r.series.map((s) => ({ name: s.name, y: s.y, x: s.x, dashed: s.dashed })),
    { title: `${e.title} — ${r.verdict === 'pass' ? 'pass' : 'FAIL'}`, xLabel: r.plot.xLabel, yLabel: r.plot.yLabel, logY: r.plot.logY, width: 760, height: 420 },
  );
}
