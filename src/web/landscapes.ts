// The Race view's 2-D landscapes: f, its exact gradient, a viewing box, a default
// start and f* (the minimum value, so the loss plot can show f − f* on a log axis).
// Pure functions, used by the page (contours) and the worker (gradients fed to the
// real optimizers). Sources: Rosenbrock (1960); Beale (1958) and Himmelblau (1972)
// as in the usual optimization test-function lists (e.g. Jamil & Yang 2013).

export interface LandscapeParams {
  /** condition number κ of the quadratic (1 … 1000) */
  kappa: number;
  /** rotation of the quadratic's axes, degrees */
  angle: number;
  /** gradient-noise standard deviation of the noisy bowl */
  sigma: number;
}

export interface Landscape {
  label: string;
  /** viewing box [x0, x1, y0, y1] */
  box: [number, number, number, number];
  start: [number, number];
  /** f at the global minimum */
  fMin: number;
  f(x: number, y: number, p: LandscapeParams): number;
  /** writes ∇f(x, y) into out (without noise; the noisy bowl adds its noise in the worker) */
  grad(x: number, y: number, p: LandscapeParams, out: Float64Array): void;
  /** writes ∇²f(x, y) row-major into out (4 values), for Newton */
  hess(x: number, y: number, p: LandscapeParams, out: Float64Array): void;
  /** default learning rates: plain/momentum GD, and the adaptive methods (Adam-like step sizes) */
  lrGd: (p: LandscapeParams) => number;
  lrAdaptive: number;
  /** default Langevin temperature (default 1e-3) */
  temperature?: number;
  /** the gradient is noisy (noisy bowl) */
  noisy?: boolean;
}

function rot(p: LandscapeParams): [number, number] {
  const t = (p.angle * Math.PI) / 180;
  return [Math.cos(t), Math.sin(t)];
}

const TILT = 0.25;
/** min of (x² − 1)² + TILT·x: the root of 4x³ − 4x + TILT = 0 near −1, by Newton. */
function doubleWellMin(): number {
  let x = -1;
  for (let i = 0; i < 50; i++) x -= (4 * x ** 3 - 4 * x + TILT) / (12 * x * x - 4);
  return (x * x - 1) ** 2 + TILT * x;
}

export const LANDSCAPES: Record<string, Landscape> = {
  quadratic: {
    label: 'ill-conditioned quadratic',
    box: [-2, 2, -2, 2],
    start: [-1.7, 1.4],
    fMin: 0,
    // f = ½(u² + κv²), (u, v) the point rotated by −angle
    f(x, y, p) {
      const [c, s] = rot(p);
      const u = c * x + s * y, v = -s * x + c * y;
      return 0.5 * (u * u + p.kappa * v * v);
    },
    grad(x, y, p, out) {
      const [c, s] = rot(p);
      const u = c * x + s * y, v = -s * x + c * y;
      const gu = u, gv = p.kappa * v;
      out[0] = c * gu - s * gv;
      out[1] = s * gu + c * gv;
    },
    hess(_x, _y, p, out) {
      const [c, s] = rot(p);
      out[0] = c * c + p.kappa * s * s;
      out[1] = out[2] = c * s * (1 - p.kappa);
      out[3] = s * s + p.kappa * c * c;
    },
    lrGd: (p) => 1.6 / Math.max(1, p.kappa),
    lrAdaptive: 0.05,
  },
  rosenbrock: {
    label: 'Rosenbrock',
    box: [-2, 2, -1, 3],
    start: [-1.5, 2.5],
    fMin: 0,
    f: (x, y) => (1 - x) ** 2 + 100 * (y - x * x) ** 2,
    grad(x, y, _p, out) {
      out[0] = -2 * (1 - x) - 400 * x * (y - x * x);
      out[1] = 200 * (y - x * x);
    },
    hess(x, y, _p, out) {
      out[0] = 2 - 400 * (y - x * x) + 800 * x * x;
      out[1] = out[2] = -400 * x;
      out[3] = 200;
    },
    lrGd: () => 1e-3,
    lrAdaptive: 0.1,
  },
  beale: {
    label: 'Beale',
    box: [-4.5, 4.5, -4.5, 4.5],
    start: [-1, 2.5],
    fMin: 0,
    f: (x, y) => (1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2 + (2.625 - x + x * y ** 3) ** 2,
    grad(x, y, _p, out) {
      const a = 1.5 - x + x * y, b = 2.25 - x + x * y * y, c = 2.625 - x + x * y ** 3;
      out[0] = 2 * a * (y - 1) + 2 * b * (y * y - 1) + 2 * c * (y ** 3 - 1);
      out[1] = 2 * a * x + 4 * b * x * y + 6 * c * x * y * y;
    },
    hess(x, y, _p, out) {
      const a = 1.5 - x + x * y, b = 2.25 - x + x * y * y, c = 2.625 - x + x * y ** 3;
      const ax = y - 1, bx = y * y - 1, cx = y ** 3 - 1, ay = x, by = 2 * x * y, cy = 3 * x * y * y;
      out[0] = 2 * (ax * ax + bx * bx + cx * cx);
      out[1] = out[2] = 2 * (ax * ay + a + bx * by + 2 * b * y + cx * cy + 3 * c * y * y);
      out[3] = 2 * (ay * ay + by * by + 2 * b * x + cy * cy + 6 * c * x * y);
    },
    lrGd: () => 2e-3,
    lrAdaptive: 0.05,
  },
  himmelblau: {
    label: 'Himmelblau (four minima)',
    box: [-5, 5, -5, 5],
    start: [-0.3, -0.95],
    fMin: 0,
    f: (x, y) => (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2,
    grad(x, y, _p, out) {
      const a = x * x + y - 11, b = x + y * y - 7;
      out[0] = 4 * a * x + 2 * b;
      out[1] = 2 * a + 4 * b * y;
    },
    hess(x, y, _p, out) {
      const a = x * x + y - 11, b = x + y * y - 7;
      out[0] = 8 * x * x + 4 * a + 2;
      out[1] = out[2] = 4 * x + 4 * y;
      out[3] = 2 + 8 * y * y + 4 * b;
    },
    lrGd: () => 0.01,
    lrAdaptive: 0.1,
  },
  doubleWell: {
    label: 'double well (tilted)',
    box: [-2, 2, -2, 2],
    start: [1.2, 1.5],
    fMin: doubleWellMin(),
    temperature: 0.3,
    f: (x, y) => (x * x - 1) ** 2 + TILT * x + 0.5 * y * y,
    grad(x, y, _p, out) {
      out[0] = 4 * x * (x * x - 1) + TILT;
      out[1] = y;
    },
    hess(x, _y, _p, out) {
      out[0] = 12 * x * x - 4;
      out[1] = out[2] = 0;
      out[3] = 1;
    },
    lrGd: () => 0.05,
    lrAdaptive: 0.05,
  },
  saddle: {
    label: 'saddle (x²/2 − y²/2 + y⁴/4)',
    box: [-2, 2, -2, 2],
    start: [1.8, 0.001],
    fMin: -0.25,
    f: (x, y) => 0.5 * x * x - 0.5 * y * y + 0.25 * y ** 4,
    grad(x, y, _p, out) {
      out[0] = x;
      out[1] = -y + y ** 3;
    },
    hess(_x, y, _p, out) {
      out[0] = 1;
      out[1] = out[2] = 0;
      out[3] = 3 * y * y - 1;
    },
    lrGd: () => 0.1,
    lrAdaptive: 0.05,
  },
  noisyBowl: {
    label: 'noisy bowl (gradient noise σ)',
    box: [-2, 2, -2, 2],
    start: [1.7, 1.5],
    fMin: 0,
    f: (x, y) => 0.5 * (x * x + y * y),
    grad(x, y, _p, out) {
      out[0] = x;
      out[1] = y;
    },
    hess(_x, _y, _p, out) {
      out[0] = out[3] = 1;
      out[1] = out[2] = 0;
    },
    lrGd: () => 0.1,
    lrAdaptive: 0.05,
    noisy: true,
  },
};

/**
 * The racers: each first-order one is an engine.optim optimizer on an engine.vector(2);
 * the second-order ones (`solver`) are engine.minimize runs (scipy's methods), one
 * iteration per step, line-search evaluations included; not run on a noisy landscape.
 */
export const RACERS: Record<string, { label: string; color: string; extra?: { key: string; label: string; value: number }; solver?: 'lbfgs' | 'newton' }> = {
  gd: { label: 'GD', color: '#4d4d4d' },
  momentum: { label: 'momentum', color: '#1f77b4', extra: { key: 'momentum', label: 'μ', value: 0.9 } },
  nesterov: { label: 'Nesterov', color: '#17becf', extra: { key: 'momentum', label: 'μ', value: 0.9 } },
  adagrad: { label: 'AdaGrad', color: '#8c564b' },
  rmsprop: { label: 'RMSProp', color: '#9467bd' },
  adam: { label: 'Adam', color: '#d62728' },
  adamw: { label: 'AdamW', color: '#ff7f0e', extra: { key: 'weightDecay', label: 'λ', value: 0.01 } },
  langevin: { label: 'Langevin', color: '#2ca02c', extra: { key: 'temperature', label: 'T', value: 1e-3 } },
  lbfgs: { label: 'L-BFGS', color: '#e377c2', solver: 'lbfgs' },
  newton: { label: 'Newton', color: '#7f7f00', solver: 'newton' },
};

export interface RacerConfig {
  name: string;
  lr: number;
  extra: number;
}

export interface RaceConfig {
  landscape: string;
  params: LandscapeParams;
  start: [number, number];
  steps: number;
  racers: RacerConfig[];
  seed: number;
}

/** Default lr of a racer on a landscape. */
export function defaultLr(racer: string, land: Landscape, p: LandscapeParams): number {
  const gd = land.lrGd(p);
  switch (racer) {
    case 'gd': return gd;
    case 'momentum':
    case 'nesterov': return gd / 5;
    case 'adagrad': return land.lrAdaptive * 3;
    case 'rmsprop': return land.lrAdaptive / 5;
    case 'langevin': return gd;
    default: return land.lrAdaptive;
  }
}
