// BLAS-1 and elementwise kernels, f32.
//
// Contract: n >= 0 elements; pointers need no alignment (v128 loads are
// unaligned-safe); outputs may alias inputs exactly (z == x or z == y), never
// partially. Reductions accumulate in f32 lanes and return f64 to the host.
// SIMD body over 4 lanes, scalar tail; the scalar build runs the tail loop only.
// (Initial plain versions; SIMD bodies are added per kernel with tests.)

/** sum_i x[i] * y[i] */
export function f32_dot(n: i32, x: usize, y: usize): f64 {
  let s: f32 = 0;
  for (let i = 0; i < n; i++) s += load<f32>(x + (<usize>i << 2)) * load<f32>(y + (<usize>i << 2));
  return <f64>s;
}

/** y <- alpha * x + y */
export function f32_axpy(n: i32, x: usize, y: usize, alpha: f32): void {
  for (let i = 0; i < n; i++) {
    const p = y + (<usize>i << 2);
    store<f32>(p, load<f32>(p) + alpha * load<f32>(x + (<usize>i << 2)));
  }
}

/** x <- alpha * x */
export function f32_scal(n: i32, x: usize, alpha: f32): void {
  for (let i = 0; i < n; i++) {
    const p = x + (<usize>i << 2);
    store<f32>(p, alpha * load<f32>(p));
  }
}

/** y <- x (memmove semantics) */
export function f32_copy(n: i32, x: usize, y: usize): void {
  memory.copy(y, x, <usize>n << 2);
}

/** y <- value */
export function f32_fill(n: i32, y: usize, value: f32): void {
  for (let i = 0; i < n; i++) store<f32>(y + (<usize>i << 2), value);
}

/** sum_i x[i] */
export function f32_sum(n: i32, x: usize): f64 {
  let s: f32 = 0;
  for (let i = 0; i < n; i++) s += load<f32>(x + (<usize>i << 2));
  return <f64>s;
}

/** max_i |x[i]| (0 for n == 0; NaN if any element is NaN) */
export function f32_amax(n: i32, x: usize): f32 {
  let m: f32 = 0;
  for (let i = 0; i < n; i++) {
    const v = Mathf.abs(load<f32>(x + (<usize>i << 2)));
    if (!(v <= m)) m = v;
  }
  return m;
}

/** sqrt(sum x[i]^2) without overflow: scaled by max |x| first (two passes). */
export function f32_nrm2(n: i32, x: usize): f64 {
  const scale = <f64>f32_amax(n, x);
  if (scale == 0 || !isFinite(scale)) return scale;
  const inv = 1.0 / scale;
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2)) * inv;
    s += v * v;
  }
  return scale * Math.sqrt(s);
}

/** z <- x + y */
export function f32_add(n: i32, x: usize, y: usize, z: usize): void {
  for (let i = 0; i < n; i++) { const o = <usize>i << 2; store<f32>(z + o, load<f32>(x + o) + load<f32>(y + o)); }
}
/** z <- x - y */
export function f32_sub(n: i32, x: usize, y: usize, z: usize): void {
  for (let i = 0; i < n; i++) { const o = <usize>i << 2; store<f32>(z + o, load<f32>(x + o) - load<f32>(y + o)); }
}
/** z <- x * y */
export function f32_mul(n: i32, x: usize, y: usize, z: usize): void {
  for (let i = 0; i < n; i++) { const o = <usize>i << 2; store<f32>(z + o, load<f32>(x + o) * load<f32>(y + o)); }
}
/** z <- x / y */
export function f32_div(n: i32, x: usize, y: usize, z: usize): void {
  for (let i = 0; i < n; i++) { const o = <usize>i << 2; store<f32>(z + o, load<f32>(x + o) / load<f32>(y + o)); }
}
/** z <- x + s */
export function f32_add_scalar(n: i32, x: usize, z: usize, s: f32): void {
  for (let i = 0; i < n; i++) { const o = <usize>i << 2; store<f32>(z + o, load<f32>(x + o) + s); }
}
/** z <- x - s */
export function f32_sub_scalar(n: i32, x: usize, z: usize, s: f32): void {
  for (let i = 0; i < n; i++) { const o = <usize>i << 2; store<f32>(z + o, load<f32>(x + o) - s); }
}
/** z <- x * s */
export function f32_mul_scalar(n: i32, x: usize, z: usize, s: f32): void {
  for (let i = 0; i < n; i++) { const o = <usize>i << 2; store<f32>(z + o, load<f32>(x + o) * s); }
}
/** z <- x / s */
export function f32_div_scalar(n: i32, x: usize, z: usize, s: f32): void {
  for (let i = 0; i < n; i++) { const o = <usize>i << 2; store<f32>(z + o, load<f32>(x + o) / s); }
}

/** Y[i, j] <- X[i, j] + b[j] for an m x n matrix (bias broadcast over rows); Y may be X. */
export function f32_add_rowvec(m: i32, n: i32, x: usize, ldx: i32, b: usize, y: usize, ldy: i32): void {
  for (let i = 0; i < m; i++) {
    const xr = x + (<usize>i * <usize>ldx << 2);
    const yr = y + (<usize>i * <usize>ldy << 2);
    for (let j = 0; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(yr + o, load<f32>(xr + o) + load<f32>(b + o));
    }
  }
}

/** out[j] <- beta * out[j] + sum_i X[i, j] (column sums; beta = 1 accumulates a bias gradient). */
export function f32_col_sums(m: i32, n: i32, x: usize, ldx: i32, out: usize, beta: f32): void {
  for (let j = 0; j < n; j++) {
    const p = out + (<usize>j << 2);
    store<f32>(p, beta == 0 ? <f32>0 : beta * load<f32>(p));
  }
  for (let i = 0; i < m; i++) {
    const xr = x + (<usize>i * <usize>ldx << 2);
    for (let j = 0; j < n; j++) {
      const p = out + (<usize>j << 2);
      store<f32>(p, load<f32>(p) + load<f32>(xr + (<usize>j << 2)));
    }
  }
}

/** out[i] <- sum_j X[i, j] (row sums) */
export function f32_row_sums(m: i32, n: i32, x: usize, ldx: i32, out: usize): void {
  for (let i = 0; i < m; i++) {
    const xr = x + (<usize>i * <usize>ldx << 2);
    let s: f32 = 0;
    for (let j = 0; j < n; j++) s += load<f32>(xr + (<usize>j << 2));
    store<f32>(out + (<usize>i << 2), s);
  }
}

/** Y (n x m) <- X (m x n) transposed; Y must not alias X. */
export function f32_transpose(m: i32, n: i32, x: usize, ldx: i32, y: usize, ldy: i32): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      store<f32>(y + ((<usize>j * <usize>ldy + <usize>i) << 2), load<f32>(x + ((<usize>i * <usize>ldx + <usize>j) << 2)));
    }
  }
}
