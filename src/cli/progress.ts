// Progress output for the CLI: a redrawn bar on a TTY, plain lines otherwise,
// NDJSON with --json, nothing per epoch with --quiet.
import type { BatchInfo, EpochRecord, FitCallbacks } from '../train/fit.js';

export type Mode = 'tty' | 'plain' | 'json' | 'quiet';

export interface Out {
  write(s: string): void;
}

const pct = (v: number | undefined): string => (v === undefined ? '' : `${(100 * v).toFixed(1)}%`);
const num = (v: number): string => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : v.toFixed(4));
const rate = (v: number): string => Math.round(v).toLocaleString('en-US');
function dur(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)}s`;
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}

/** One line summarizing an epoch. */
export function epochLine(r: EpochRecord, epochs: number): string {
  const w = String(epochs).length;
  const parts = [`epoch ${String(r.epoch).padStart(w)}/${epochs}`, `loss ${num(r.loss)}`];
  if (r.accuracy !== undefined) parts.push(`acc ${pct(r.accuracy)}`);
  if (r.r2 !== undefined) parts.push(`R² ${r.r2.toFixed(4)}`);
  if (r.valLoss !== undefined) parts.push(`val_loss ${num(r.valLoss)}`);
  if (r.valAccuracy !== undefined) parts.push(`val_acc ${pct(r.valAccuracy)}`);
  if (r.valR2 !== undefined) parts.push(`val_R² ${r.valR2.toFixed(4)}`);
  parts.push(`lr ${r.lr.toPrecision(3)}`, `${rate(r.samplesPerSec)} samples/s`);
  return parts.join('  ');
}

/** fit() callbacks that draw progress in `mode`. */
export function progress(mode: Mode, out: Out, label = ''): FitCallbacks & { done(): void } {
  let epochs = 0, batches = 0, startEpoch = 0;
  let t0 = 0, lastDraw = 0, lastRecord: EpochRecord | null = null;
  let every = 1;
  const now = (): number => performance.now() / 1000;
  const draw = (info: Readonly<BatchInfo>): void => {
    const done = (info.epoch - 1 - startEpoch) * batches + info.batch;
    const total = (epochs - startEpoch) * batches;
    const frac = total > 0 ? done / total : 1;
    const el = now() - t0;
    const eta = frac > 0 ? (el / frac) * (1 - frac) : Infinity;
    const width = 24;
    const fill = Math.round(frac * width);
    const bar = '█'.repeat(fill) + '░'.repeat(width - fill);
    const acc = lastRecord?.valAccuracy ?? lastRecord?.accuracy;
    const sps = lastRecord?.samplesPerSec ?? (el > 0 ? (done * info.rows) / el : 0);
    const line = `${label}epoch ${info.epoch}/${epochs} ${bar} ${(100 * frac).toFixed(0).padStart(3)}%  loss ${num(info.loss)}${acc !== undefined ? `  acc ${pct(acc)}` : ''}  ${rate(sps)} samples/s  ETA ${dur(eta)}`;
    out.write(`\r\x1b[2K${line}`);
  };
  return {
    onTrainBegin(i) {
      epochs = i.epochs;
      batches = i.batchesPerEpoch;
      startEpoch = i.startEpoch;
      t0 = now();
      every = Math.max(1, Math.ceil((epochs - startEpoch) / 25));
    },
    onBatchEnd(info) {
      if (mode !== 'tty') return;
      const t = now();
      if (t - lastDraw < 0.08 && info.batch !== info.batches) return;
      lastDraw = t;
      draw(info);
    },
    onEpochEnd(r) {
      lastRecord = r;
      if (mode === 'json') out.write(`${JSON.stringify({ type: 'epoch', label: label.trim() || undefined, ...r })}\n`);
      else if (mode === 'plain' && (r.epoch % every === 0 || r.epoch === epochs || r.epoch === startEpoch + 1)) out.write(`${label}${epochLine(r, epochs)}\n`);
    },
    done() {
      if (mode === 'tty') out.write(lastRecord ? `\r\x1b[2K${label}${epochLine(lastRecord, epochs)}\n` : '\n');
    },
  };
}

/** A plain text table. */
export function table(rows: readonly (readonly string[])[], header?: readonly string[], align: 'numbers' | 'left' = header ? 'numbers' : 'left'): string {
  const all = header ? [header, ...rows] : rows;
  const w = all[0].map((_, j) => Math.max(...all.map((r) => r[j].length)));
  const line = (r: readonly string[]): string =>
    r.map((c, j) => (j === 0 || align === 'left' ? (j === r.length - 1 ? c : c.padEnd(w[j])) : c.padStart(w[j]))).join('  ');
  const out = all.map(line);
  if (header) out.splice(1, 0, w.map((n) => '─'.repeat(n)).join('  '));
  return out.join('\n');
}

export { pct, num, rate, dur };
