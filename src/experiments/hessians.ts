/**
 * Hessians: assembling element Hessians as in finite elements (claim 37) and classifying
 * stationary points by the Hessian's eigenvalues (claim 40). Runs use `engine.minimize`
 * ('newton', 'lbfgs') and `engine.linalg.eigh`.
 */
import { atLeast, atMost, type Experiment, result } from './types.js';
import { fmt, stream } from './util.js';

export const femAssembly: Experiment = {
  name: 'fem-hessian-assembly',
  title: 'Assembling element Hessians gives the global Hessian',
  claim: 'For an energy that is a sum of element energies over shared nodes, adding each element Hessian into the rows and columns of its nodes (finite-element assembly) gives exactly the global Hessian, and Newton with it converges quadratically.',
  source: 'Hughes, The Finite Element Method (2000), §1.8-1.14 (assembly); Zienkiewicz, Taylor & Zhu (2013), §2.4',
  params: {
    elements: { default: 30, min: 2, max: 400, integer: true, help: 'elements of the nonlinear chain' },
    add: { default: 1, min: 0, max: 1, integer: true, help: '1: add into the shared entries; 0: overwrite them (a wrong assembly)' },
  },
  counter: { params: { add: 0 }, why: 'overwriting the shared node entries loses the neighbouring element' },
  run(engine, p, seed) {
    // chain of nodes u_0..u_E (u_0 fixed at 0 → unknowns u_1..u_E), element e between nodes e and e+1:
    // φ_e = ½k_e d² + ¼c d⁴ with d = u_{e+1} − u_e; a load b_i on each node; f = Σφ_e − Σ b_i u_i
    const E = p.elements, n = E;
    const r = stream(seed, 37);
    const k = Array.from({ length: E }, () => 0.5 + r.uniform()), c = 0.5, b = Array.from({ length: n }, () => r.normal());
    const at = (u: Float64Array, node: number) => (node === 0 ? 0 : u[node - 1]);
    const fun = (u: Float64Array, g?: Float64Array) => {
      let f = 0;
      if (g) g.fill(0);
      for (let e = 0; e < E; e++) {
        const d = at(u, e + 1) - at(u, e);
        f += 0.5 * k[e] * d * d + 0.25 * c * d ** 4;
        const t = k[e] * d + c * d ** 3;
        if (g) { g[e] += t; if (e > 0) g[e - 1] -= t; }
      }
      for (let i = 0; i < n; i++) { f -= b[i] * u[i]; if (g) g[i] -= b[i]; }
      return f;
    };
    const assemble = (u: Float64Array, H: Float64Array) => {
      H.fill(0);
      for (let e = 0; e < E; e++) {
        const d = at(u, e + 1) - at(u, e), s = k[e] + 3 * c * d * d; // element Hessian s·[[1, −1], [−1, 1]]
        const nodes = [e - 1, e]; // unknown indices of nodes e, e+1 (−1: the fixed node)
        for (let a = 0; a < 2; a++) for (let q = 0; q < 2; q++) {
          const i = nodes[a], j = nodes[q];
          if (i < 0 || j < 0) continue;
          const v = a === q ? s : -s;
          H[i * n + j] = p.add ? H[i * n + j] + v : v;
        }
      }
    };
    // reference: central differences of the gradient at a random point
    const u = Float64Array.from({ length: n }, () => r.normal());
    const H = new Float64Array(n * n), F = new Float64Array(n * n);
    assemble(u, H);
    const gp = new Float64Array(n), gm = new Float64Array(n), h = 1e-5;
    for (let j = 0; j < n; j++) {
      const up = u.slice(), um = u.slice();
      up[j] += h;
      um[j] -= h;
      fun(up, gp);
      fun(um, gm);
      for (let i = 0; i < n; i++) F[i * n + j] = (gp[i] - gm[i]) / (2 * h);
    }
    let diff = 0, scale = 0;
    for (let i = 0; i < n * n; i++) { diff = Math.max(diff, Math.abs(H[i] - F[i])); scale = Math.max(scale, Math.abs(F[i])); }
    const res = engine.minimize(fun, new Float64Array(n), { method: 'newton', hess: assemble, history: true, gtol: 1e-10, maxIter: 50, damping: true });
    const gnorms = res.history!.map((it) => Math.max(...Array.from(it.jac!, Math.abs)));
    const checks = [
      atMost('max |H_assembled − H_finite-difference| / max |H|', diff / scale, 1e-6),
      atMost('Newton iterations to ‖∇f‖_∞ < 1e-10 with the assembled Hessian', res.success ? res.nit : Infinity, 12),
    ];
    return result(checks, [{ name: "Newton with the assembled Hessian: ‖∇f‖_∞", y: gnorms.map((v) => Math.max(v, 1e-17)) }], { xLabel: 'Newton iteration', yLabel: '‖∇f‖_∞', logY: true }, {
      header: ['elements', 'max |H − H_fd| / max |H|', 'Newton iterations', 'status'],
      rows: [[E, fmt(diff / scale), res.nit, res.message]],
    });
  },
};

export const stationaryPoints: Experiment = {
  name: 'hessian-classifies-stationary-points',
  title: 'Hessian eigenvalues classify stationary points',
  claim: 'At a stationary point, all Hessian eigenvalues positive means a local minimum, all negative a local maximum, and mixed signs a saddle: on f = x³ − 3x + y³ − 3y the four stationary points (±1, ±1) are one minimum, one maximum and two saddles, and f moves around each as its eigenvalues predict.',
  source: 'Nocedal & Wright (2006), Theorems 2.3-2.4 (second-order conditions); Dauphin et al. (NeurIPS 2014) (saddle points)',
  params: {
    starts: { default: 40, min: 8, max: 1000, integer: true, help: 'random starts of the stationary-point search' },
    probes: { default: 64, min: 8, max: 10000, integer: true, help: 'random directions probed around each point' },
  },
  small: { starts: 24 },
  stochastic: true,
  run(engine, p, seed) {
    const f = (x: number, y: number) => x ** 3 - 3 * x + y ** 3 - 3 * y;
    const grad = (x: number, y: number) => [3 * x * x - 3, 3 * y * y - 3];
    // stationary points as minima of ½‖∇f‖² (L-BFGS from random starts)
    const phi = (z: Float64Array, g?: Float64Array) => {
      const [a, b] = grad(z[0], z[1]);
      if (g) { g[0] = a * 6 * z[0]; g[1] = b * 6 * z[1]; }
      return 0.5 * (a * a + b * b);
    };
    const r = stream(seed, 40);
    const points: number[][] = [];
    for (let s = 0; s < p.starts; s++) {
      const res = engine.minimize(phi, [4 * r.uniform() - 2, 4 * r.uniform() - 2], { method: 'lbfgs', gtol: 1e-12 });
      if (res.fun > 1e-12) continue; // a critical point of ‖∇f‖² that is not stationary for f (e.g. x = 0)
      if (!points.some((q) => Math.hypot(q[0] - res.x[0], q[1] - res.x[1]) < 1e-4)) points.push(Array.from(res.x));
    }
    let wrong = 0, probeWrong = 0;
    const rows: (string | number)[][] = [];
    for (const [x, y] of points) {
      const { values } = engine.linalg.eigh([6 * x, 0, 0, 6 * y]);
      const kind = values[0] > 0 ? 'minimum' : values[1] < 0 ? 'maximum' : 'saddle';
      const truth = x > 0 && y > 0 ? 'minimum' : x < 0 && y < 0 ? 'maximum' : 'saddle';
      if (kind !== truth) wrong++;
      let up = 0, down = 0;
      for (let t = 0; t < p.probes; t++) {
        const a = (2 * Math.PI * t) / p.probes, h = 1e-3;
        const dfv = f(x + h * Math.cos(a), y + h * Math.sin(a)) - f(x, y);
        if (dfv > 0) up++;
        else down++;
      }
      if ((kind === 'minimum' && down > 0) || (kind === 'maximum' && up > 0) || (kind === 'saddle' && (up === 0 || down === 0))) probeWrong++;
      rows.push([`(${fmt(x)}, ${fmt(y)})`, Array.from(values, fmt).join(', '), kind, `${up} up / ${down} down`]);
    }
    const checks = [
      atLeast('distinct stationary points found', points.length, 4),
      atMost('points whose eigenvalue class differs from the truth', wrong, 0),
      atMost('points where f around them contradicts the class', probeWrong, 0),
    ];
    const xs = Array.from({ length: 61 }, (_, i) => -2 + i / 15);
    return result(checks, [{ name: 'f(x, 1)', x: xs, y: xs.map((x) => f(x, 1)) }, { name: 'f(x, −1)', x: xs, y: xs.map((x) => f(x, -1)) }], { xLabel: 'x', yLabel: 'f' }, {
      header: ['point', 'eigenvalues', 'class', 'f along 64 directions'],
      rows,
    });
  },
};
