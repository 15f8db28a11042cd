// The decision-boundary heatmap: each grid cell takes its most probable class's
// colour, paler where the model is unsure (weight = how far the top
// probability is above chance), with the training points (filled) and the test
// points (ringed) on top. Canvas only; the data box comes from the worker.
import type { BoundaryMessage, DataMessage } from './protocol.js';

/** Class colours (light, for the background, and strong, for the points). */
export const CLASS_COLORS: [number, number, number][] = [
  [31, 119, 180], [214, 39, 40], [44, 160, 44], [255, 127, 14], [148, 103, 189], [140, 86, 75], [227, 119, 194], [127, 127, 127],
];

export class Heatmap {
  private boundary: BoundaryMessage | null = null;
  private data: DataMessage | null = null;
  private readonly raster = document.createElement('canvas');

  constructor(readonly canvas: HTMLCanvasElement) {}

  setData(d: DataMessage): void {
    this.data = d;
    this.boundary = null;
    this.draw();
  }

  setBoundary(b: BoundaryMessage): void {
    this.boundary = b;
    const { nx, ny, k, probs } = b;
    this.raster.width = nx;
    this.raster.height = ny;
    const ctx = this.raster.getContext('2d')!;
    const img = ctx.createImageData(nx, ny);
    for (let i = 0; i < nx * ny; i++) {
      let best = 0;
      for (let j = 1; j < k; j++) if (probs[i * k + j] > probs[i * k + best]) best = j;
      const conf = Math.max(0, (probs[i * k + best] - 1 / k) / (1 - 1 / k));
      const c = CLASS_COLORS[best % CLASS_COLORS.length];
      const w = 0.15 + 0.45 * conf;
      img.data[4 * i] = 255 + (c[0] - 255) * w;
      img.data[4 * i + 1] = 255 + (c[1] - 255) * w;
      img.data[4 * i + 2] = 255 + (c[2] - 255) * w;
      img.data[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
    this.draw();
  }

  draw(): void {
    const cv = this.canvas;
    const size = Math.max(100, Math.floor(cv.clientWidth));
    const dpr = window.devicePixelRatio || 1;
    if (cv.width !== Math.round(size * dpr)) {
      cv.width = cv.height = Math.round(size * dpr);
    }
    const ctx = cv.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#fafafa';
    ctx.fillRect(0, 0, size, size);
    if (this.data === null) return;
    // without a model (settings refused) the points alone, in the box the worker would use
    const b = this.boundary ?? dataBox(this.data);
    if (this.boundary !== null) {
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(this.raster, 0, 0, size, size);
    }
    const px = (x: number) => ((x - b.x0) / (b.x1 - b.x0)) * size;
    const py = (y: number) => ((b.y1 - y) / (b.y1 - b.y0)) * size;
    const r = Math.max(2, size / 160);
    const dot = (pts: { x: Float32Array; y: Int32Array }, test: boolean) => {
      for (let i = 0; i < pts.y.length; i++) {
        const c = CLASS_COLORS[pts.y[i] % CLASS_COLORS.length];
        ctx.beginPath();
        ctx.arc(px(pts.x[2 * i]), py(pts.x[2 * i + 1]), r, 0, 2 * Math.PI);
        if (test) {
          ctx.fillStyle = '#fff';
          ctx.fill();
          ctx.lineWidth = 1.5;
          ctx.strokeStyle = `rgb(${c.join(',')})`;
          ctx.stroke();
        } else {
          ctx.fillStyle = `rgb(${c.join(',')})`;
          ctx.fill();
          ctx.lineWidth = 0.6;
          ctx.strokeStyle = '#fff';
          ctx.stroke();
        }
      }
    };
    dot(this.data.train, false);
    dot(this.data.test, true);
  }
}

/** The points' bounding box with a 10 % margin each side (as train-session.ts's boxOf). */
function dataBox(d: DataMessage): { x0: number; x1: number; y0: number; y1: number } {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const f of [d.train.x, d.test.x]) {
    for (let i = 0; i < f.length; i += 2) {
      x0 = Math.min(x0, f[i]); x1 = Math.max(x1, f[i]);
      y0 = Math.min(y0, f[i + 1]); y1 = Math.max(y1, f[i + 1]);
    }
  }
  const mx = 0.1 * (x1 - x0 || 1), my = 0.1 * (y1 - y0 || 1);
  return { x0: x0 - mx, x1: x1 + mx, y0: y0 - my, y1: y1 + my };
}
