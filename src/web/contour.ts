// Contours of a landscape on a canvas: f sampled on a grid, shaded by
// log(f − f* + δ), and iso-lines at evenly spaced levels of that log value drawn
// by marching squares (each cell's corners above/below the level give the
// edges the line crosses, located by linear interpolation; Lorensen & Cline 1987
// in 2-D).
import { LANDSCAPES, type LandscapeParams } from './landscapes.js';

const N = 160;
const LEVELS = 18;

export function drawContours(canvas: HTMLCanvasElement, landscape: string, p: LandscapeParams): void {
  const land = LANDSCAPES[landscape];
  const [x0, x1, y0, y1] = land.box;
  const size = Math.max(100, Math.floor(canvas.clientWidth));
  const dpr = window.devicePixelRatio || 1;
  canvas.width = canvas.height = Math.round(size * dpr);
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);

  // g[r][c] at x = x0 + c·dx, y = y1 − r·dy (row 0 at the top)
  const g = new Float64Array(N * N);
  let lo = Infinity, hi = -Infinity;
  const span = Math.max(x1 - x0, y1 - y0);
  const delta = 1e-3 * span * span;
  for (let r = 0; r < N; r++) {
    for (let c = 0; c < N; c++) {
      const v = Math.log(Math.max(land.f(x0 + ((x1 - x0) * c) / (N - 1), y1 - ((y1 - y0) * r) / (N - 1), p) - land.fMin, 0) + delta);
      g[r * N + c] = v;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  // shading: a small raster stretched to the canvas
  const raster = document.createElement('canvas');
  raster.width = raster.height = N;
  const rctx = raster.getContext('2d')!;
  const img = rctx.createImageData(N, N);
  for (let i = 0; i < N * N; i++) {
    const t = (g[i] - lo) / (hi - lo || 1);
    img.data[4 * i] = 235 - 45 * t;
    img.data[4 * i + 1] = 242 - 35 * t;
    img.data[4 * i + 2] = 250 - 10 * t;
    img.data[4 * i + 3] = 255;
  }
  rctx.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(raster, 0, 0, size, size);

  const sx = size / (N - 1);
  ctx.lineWidth = 1;
  ctx.strokeStyle = 'rgba(40, 60, 110, 0.45)';
  ctx.beginPath();
  for (let l = 1; l <= LEVELS; l++) {
    const level = lo + ((hi - lo) * l) / (LEVELS + 1);
    for (let r = 0; r < N - 1; r++) {
      for (let c = 0; c < N - 1; c++) {
        const a = g[r * N + c], b = g[r * N + c + 1], d = g[(r + 1) * N + c], e = g[(r + 1) * N + c + 1];
        // crossings on the four edges: top (a-b), right (b-e), bottom (d-e), left (a-d)
        const pts: number[] = [];
        if (a < level !== b < level) pts.push(c + (level - a) / (b - a), r);
        if (b < level !== e < level) pts.push(c + 1, r + (level - b) / (e - b));
        if (d < level !== e < level) pts.push(c + (level - d) / (e - d), r + 1);
        if (a < level !== d < level) pts.push(c, r + (level - a) / (d - a));
        for (let k = 0; k + 3 < pts.length; k += 4) {
          ctx.moveTo(pts[k] * sx, pts[k + 1] * sx);
          ctx.lineTo(pts[k + 2] * sx, pts[k + 3] * sx);
        }
      }
    }
  }
  ctx.stroke();
}
