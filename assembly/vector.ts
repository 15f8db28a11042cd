// BLAS-1, elementwise and small matrix kernels, f32.
//
// Contract: sizes >= 0 (elements); pointers need no alignment (v128.load and
// v128.store are unaligned-safe in wasm; the alignment hint is only a hint).
// Outputs may alias an input exactly (z == x or z == y), never partially
// (except f32_copy, which is a memmove, and f32_transpose, which forbids it).
// Row strides ld* are in elements, >= the row length.
//
// SIMD body over 4 lanes (16 floats per step where it pays), scalar tail; the
// scalar build (ASC_FEATURE_SIMD false) runs the scalar twin, which is the
// readable specification. Elementwise results, col_sums and transpose are
// identical in both builds (IEEE add/sub/mul/div round each lane exactly as
// the scalar op does; no FMA is used).
//
// Reductions return f64. dot/sum: SIMD accumulates f32 lanes over blocks of
// BLOCK elements, each block's lanes are reduced in the fixed order
// (l0 + l1) + (l2 + l3) into an f64 total, so the error grows with BLOCK, not
// n, and the result is deterministic for a given build; the scalar twin adds
// exact f64 products into 4 f64 sums joined in a fixed order. The two builds
// may differ in the last bits, never from run to run.

/** Elements per f32-lane block before the partial sum is flushed to f64. */
const BLOCK: i32 = 1024;

/** Fixed-order lane reduction of an f32x4 into f64: (l0 + l1) + (l2 + l3). */
@inline function hsum(v: v128): f64 {
  return (<f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1)) +
    (<f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3));
}

/** Shared body of f32_dot (isDot: sum x[i] * y[i]) and f32_sum (sum x[i]; y unused). */
@inline function dotOrSum(n: i32, x: usize, y: usize, isDot: bool): f64 {
  let total: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const n16 = n & ~15;
    while (i < n16) {
      const end = min(i + BLOCK, n16);
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      for (; i < end; i += 16) {
        const o = <usize>i << 2;
        if (isDot) {
          a0 = f32x4.add(a0, f32x4.mul(v128.load(x + o), v128.load(y + o)));
          a1 = f32x4.add(a1, f32x4.mul(v128.load(x + o, 16), v128.load(y + o, 16)));
          a2 = f32x4.add(a2, f32x4.mul(v128.load(x + o, 32), v128.load(y + o, 32)));
          a3 = f32x4.add(a3, f32x4.mul(v128.load(x + o, 48), v128.load(y + o, 48)));
        } else {
          a0 = f32x4.add(a0, v128.load(x + o));
          a1 = f32x4.add(a1, v128.load(x + o, 16));
          a2 = f32x4.add(a2, v128.load(x + o, 32));
          a3 = f32x4.add(a3, v128.load(x + o, 48));
        }
      }
      total += hsum(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)));
    }
    if (i + 4 <= n) {
      let a = f32x4.splat(0);
      for (; i + 4 <= n; i += 4) {
        const o = <usize>i << 2;
        a = f32x4.add(a, isDot ? f32x4.mul(v128.load(x + o), v128.load(y + o)) : v128.load(x + o));
      }
      total += hsum(a);
    }
  } else {
    // scalar twin: 4 independent f64 sums (the adds pipeline), joined in a fixed order
    let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      if (isDot) {
        s0 += <f64>load<f32>(x + o) * <f64>load<f32>(y + o);
        s1 += <f64>load<f32>(x + o, 4) * <f64>load<f32>(y + o, 4);
        s2 += <f64>load<f32>(x + o, 8) * <f64>load<f32>(y + o, 8);
        s3 += <f64>load<f32>(x + o, 12) * <f64>load<f32>(y + o, 12);
      } else {
        s0 += <f64>load<f32>(x + o);
        s1 += <f64>load<f32>(x + o, 4);
        s2 += <f64>load<f32>(x + o, 8);
        s3 += <f64>load<f32>(x + o, 12);
      }
    }
    total = (s0 + s1) + (s2 + s3);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    total += isDot ? <f64>load<f32>(x + o) * <f64>load<f32>(y + o) : <f64>load<f32>(x + o);
  }
  return total;
}

/** sum_i x[i] * y[i] */
export function f32_dot(n: i32, x: usize, y: usize): f64 {
  return dotOrSum(n, x, y, true);
}

/** sum_i x[i] */
export function f32_sum(n: i32, x: usize): f64 {
  return dotOrSum(n, x, 0, false);
}

/**
 * sum_i x[i]^2, accumulated in f64 (the square of any finite f32 is finite and
 * normal in f64: max 1.2e77, min 2e-90), so no scaling is needed: no overflow
 * for 1e30-sized values, no underflow for 1e-30. Used for norms and global
 * gradient-norm clipping. Lanes reduced in a fixed order.
 */
export function f32_sumsq(n: i32, x: usize): f64 {
  let total: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 2;
      const u = v128.load(x + o), v = v128.load(x + o, 16);
      const u0 = f64x2.promote_low_f32x4(u), u1 = f64x2.promote_low_f32x4(f32x4.shuffle(u, u, 2, 3, 2, 3));
      const v0 = f64x2.promote_low_f32x4(v), v1 = f64x2.promote_low_f32x4(f32x4.shuffle(v, v, 2, 3, 2, 3));
      s0 = f64x2.add(s0, f64x2.mul(u0, u0));
      s1 = f64x2.add(s1, f64x2.mul(u1, u1));
      s2 = f64x2.add(s2, f64x2.mul(v0, v0));
      s3 = f64x2.add(s3, f64x2.mul(v1, v1));
    }
    const s = f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3));
    total = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  } else {
    let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
    for (; i + 4 <= n; i += 4) {
      const o = x + (<usize>i << 2);
      const v0 = <f64>load<f32>(o), v1 = <f64>load<f32>(o, 4), v2 = <f64>load<f32>(o, 8), v3 = <f64>load<f32>(o, 12);
      s0 += v0 * v0; s1 += v1 * v1; s2 += v2 * v2; s3 += v3 * v3;
    }
    total = (s0 + s1) + (s2 + s3);
  }
  for (; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    total += v * v;
  }
  return total;
}

/** sqrt(sum_i x[i]^2): overflow- and underflow-safe for every f32 input (see f32_sumsq). */
export function f32_nrm2(n: i32, x: usize): f64 {
  return Math.sqrt(f32_sumsq(n, x));
}

/**
 * max_i |x[i]| (0 for n == 0; NaN if any element is NaN). SIMD compares the
 * bits of |x| as integers: for non-negative floats the integer order is the
 * float order, and every NaN (exponent all ones, mantissa non-zero) is above
 * Inf, so one i32x4.max_s per 4 lanes both finds the maximum and propagates
 * NaN (f32x4.max needs several instructions for its NaN and -0 rules).
 * The scalar twin uses f32.max, which propagates NaN too.
 */
export function f32_amax(n: i32, x: usize): f32 {
  let m: f32 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    if (n >= 4) {
      const mask = i32x4.splat(0x7fffffff);
      let a = i32x4.splat(0), b = i32x4.splat(0);
      for (; i + 8 <= n; i += 8) {
        const o = <usize>i << 2;
        a = i32x4.max_s(a, v128.and(v128.load(x + o), mask));
        b = i32x4.max_s(b, v128.and(v128.load(x + o, 16), mask));
      }
      for (; i + 4 <= n; i += 4) a = i32x4.max_s(a, v128.and(v128.load(x + (<usize>i << 2)), mask));
      a = i32x4.max_s(a, b);
      const bits = max(max(i32x4.extract_lane(a, 0), i32x4.extract_lane(a, 1)), max(i32x4.extract_lane(a, 2), i32x4.extract_lane(a, 3)));
      m = reinterpret<f32>(bits);
    }
  }
  for (; i < n; i++) m = max(m, abs(load<f32>(x + (<usize>i << 2))));
  return m;
}

/** y <- alpha * x + y */
export function f32_axpy(n: i32, x: usize, y: usize, alpha: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const va = f32x4.splat(alpha);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, f32x4.add(f32x4.mul(va, v128.load(x + o)), v128.load(y + o)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, alpha * load<f32>(x + o) + load<f32>(y + o));
  }
}

/** y <- alpha * x + beta * y (exponential averages, interpolation) */
export function f32_axpby(n: i32, x: usize, y: usize, alpha: f32, beta: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const va = f32x4.splat(alpha), vb = f32x4.splat(beta);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, f32x4.add(f32x4.mul(va, v128.load(x + o)), f32x4.mul(vb, v128.load(y + o))));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, alpha * load<f32>(x + o) + beta * load<f32>(y + o));
  }
}

/** x <- alpha * x (IEEE: alpha = 0 keeps NaN and turns Inf into NaN) */
export function f32_scal(n: i32, x: usize, alpha: f32): void {
  f32_mul_scalar(n, x, x, alpha);
}

/**
 * y <- x, memmove semantics (any overlap). Both builds use the bulk-memory
 * `memory.copy`, which the engine runs as a native memmove: already at the
 * copy bandwidth, so a v128 loop would add nothing.
 */
export function f32_copy(n: i32, x: usize, y: usize): void {
  memory.copy(y, x, <usize>n << 2);
}

/** y <- value */
export function f32_fill(n: i32, y: usize, value: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const v = f32x4.splat(value);
    for (; i + 4 <= n; i += 4) v128.store(y + (<usize>i << 2), v);
  }
  for (; i < n; i++) store<f32>(y + (<usize>i << 2), value);
}

// Elementwise z <- x op y and z <- x op s. One line per lane group and per tail element.

/** z <- x + y */
export function f32_add(n: i32, x: usize, y: usize, z: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(z + o, f32x4.add(v128.load(x + o), v128.load(y + o))); }
  for (; i < n; i++) { const o = <usize>i << 2; store<f32>(z + o, load<f32>(x + o) + load<f32>(y + o)); }
}
/** z <- x - y */
export function f32_sub(n: i32, x: usize, y: usize, z: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(z + o, f32x4.sub(v128.load(x + o), v128.load(y + o))); }
  for (; i < n; i++) { const o = <usize>i << 2; store<f32>(z + o, load<f32>(x + o) - load<f32>(y + o)); }
}
/** z <- x * y */
export function f32_mul(n: i32, x: usize, y: usize, z: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(z + o, f32x4.mul(v128.load(x + o), v128.load(y + o))); }
  for (; i < n; i++) { const o = <usize>i << 2; store<f32>(z + o, load<f32>(x + o) * load<f32>(y + o)); }
}
/** z <- x / y */
export function f32_div(n: i32, x: usize, y: usize, z: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(z + o, f32x4.div(v128.load(x + o), v128.load(y + o))); }
  for (; i < n; i++) { const o = <usize>i << 2; store<f32>(z + o, load<f32>(x + o) / load<f32>(y + o)); }
}
/** z <- x + s */
export function f32_add_scalar(n: i32, x: usize, z: usize, s: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) { const v = f32x4.splat(s); for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(z + o, f32x4.add(v128.load(x + o), v)); } }
  for (; i < n; i++) { const o = <usize>i << 2; store<f32>(z + o, load<f32>(x + o) + s); }
}
/** z <- x - s */
export function f32_sub_scalar(n: i32, x: usize, z: usize, s: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) { const v = f32x4.splat(s); for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(z + o, f32x4.sub(v128.load(x + o), v)); } }
  for (; i < n; i++) { const o = <usize>i << 2; store<f32>(z + o, load<f32>(x + o) - s); }
}
/** z <- x * s */
export function f32_mul_scalar(n: i32, x: usize, z: usize, s: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) { const v = f32x4.splat(s); for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(z + o, f32x4.mul(v128.load(x + o), v)); } }
  for (; i < n; i++) { const o = <usize>i << 2; store<f32>(z + o, load<f32>(x + o) * s); }
}
/** z <- x / s (a true division, not a multiplication by 1/s: results match x[i] / s exactly) */
export function f32_div_scalar(n: i32, x: usize, z: usize, s: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) { const v = f32x4.splat(s); for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(z + o, f32x4.div(v128.load(x + o), v)); } }
  for (; i < n; i++) { const o = <usize>i << 2; store<f32>(z + o, load<f32>(x + o) / s); }
}

/** Y[i, j] <- X[i, j] + b[j] for an m x n matrix (bias broadcast over rows); Y may be X. */
export function f32_add_rowvec(m: i32, n: i32, x: usize, ldx: i32, b: usize, y: usize, ldy: i32): void {
  for (let i = 0; i < m; i++) {
    f32_add(n, x + (<usize>i * <usize>ldx << 2), b, y + (<usize>i * <usize>ldy << 2));
  }
}

/**
 * out[j] <- beta * out[j] + sum_i X[i, j] (column sums; beta = 1 accumulates a
 * bias gradient; beta = 0 ignores out, NaN included). Each column is summed in
 * f32 in row order starting from beta * out[j], in both builds, so both builds
 * give the same bits. SIMD: 16 columns at a time, down the rows.
 */
export function f32_col_sums(m: i32, n: i32, x: usize, ldx: i32, out: usize, beta: f32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const vb = f32x4.splat(beta);
    const zero = f32x4.splat(0);
    for (; j + 16 <= n; j += 16) {
      const po = out + (<usize>j << 2);
      let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
      if (beta != 0) {
        a0 = f32x4.mul(vb, v128.load(po)); a1 = f32x4.mul(vb, v128.load(po, 16));
        a2 = f32x4.mul(vb, v128.load(po, 32)); a3 = f32x4.mul(vb, v128.load(po, 48));
      }
      let p = x + (<usize>j << 2);
      for (let i = 0; i < m; i++) {
        a0 = f32x4.add(a0, v128.load(p)); a1 = f32x4.add(a1, v128.load(p, 16));
        a2 = f32x4.add(a2, v128.load(p, 32)); a3 = f32x4.add(a3, v128.load(p, 48));
        p += <usize>ldx << 2;
      }
      v128.store(po, a0); v128.store(po, a1, 16); v128.store(po, a2, 32); v128.store(po, a3, 48);
    }
    for (; j + 4 <= n; j += 4) {
      const po = out + (<usize>j << 2);
      let a = beta != 0 ? f32x4.mul(vb, v128.load(po)) : zero;
      let p = x + (<usize>j << 2);
      for (let i = 0; i < m; i++) { a = f32x4.add(a, v128.load(p)); p += <usize>ldx << 2; }
      v128.store(po, a);
    }
  }
  // remaining columns (all of them in the scalar build): rows outer, so X is read
  // in memory order; each column still adds in row order from beta * out[j]
  for (let c = j; c < n; c++) {
    const po = out + (<usize>c << 2);
    store<f32>(po, beta != 0 ? beta * load<f32>(po) : <f32>0);
  }
  for (let i = 0; i < m; i++) {
    const row = x + (<usize>i * <usize>ldx << 2);
    for (let c = j; c < n; c++) {
      const po = out + (<usize>c << 2);
      store<f32>(po, load<f32>(po) + load<f32>(row + (<usize>c << 2)));
    }
  }
}

/** out[i] <- sum_j X[i, j] (row sums, each as f32_sum, rounded to f32) */
export function f32_row_sums(m: i32, n: i32, x: usize, ldx: i32, out: usize): void {
  for (let i = 0; i < m; i++) {
    store<f32>(out + (<usize>i << 2), <f32>dotOrSum(n, x + (<usize>i * <usize>ldx << 2), 0, false));
  }
}

/** Tile edge of the blocked transpose: a 32 x 32 source tile and its image (8 KiB) stay in L1. */
const TILE: i32 = 32;

/** Moves the 4 x 4 block at p (row stride sp bytes) transposed to q (row stride sq bytes): 8 shuffles. */
@inline function move4x4T(p: usize, sp: usize, q: usize, sq: usize): void {
  const r0 = v128.load(p), r1 = v128.load(p + sp), r2 = v128.load(p + 2 * sp), r3 = v128.load(p + 3 * sp);
  const t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = f32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t2 = f32x4.shuffle(r2, r3, 0, 4, 1, 5), t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(q, f32x4.shuffle(t0, t2, 0, 1, 4, 5));
  v128.store(q + sq, f32x4.shuffle(t0, t2, 2, 3, 6, 7));
  v128.store(q + 2 * sq, f32x4.shuffle(t1, t3, 0, 1, 4, 5));
  v128.store(q + 3 * sq, f32x4.shuffle(t1, t3, 2, 3, 6, 7));
}

/**
 * Y (n x m) <- X (m x n) transposed, any m, n; Y must not alias X. Blocked in
 * TILE x TILE tiles for the cache; SIMD moves 4 x 4 blocks with 8 shuffles,
 * the tile's ragged edge (and the scalar build) moves single elements.
 * (Power-of-two row strides, e.g. 512 x 512, run 2-3x slower than other shapes:
 * a tile's 32 rows share a few L1 sets. Transposing through a contiguous
 * scratch tile fixed that only partly and cost ~30% elsewhere, so it is not used.)
 */
export function f32_transpose(m: i32, n: i32, x: usize, ldx: i32, y: usize, ldy: i32): void {
  const sx = <usize>ldx << 2, sy = <usize>ldy << 2;
  for (let i0 = 0; i0 < m; i0 += TILE) {
    const i1 = min(i0 + TILE, m);
    for (let j0 = 0; j0 < n; j0 += TILE) {
      const j1 = min(j0 + TILE, n);
      let i = i0;
      if (ASC_FEATURE_SIMD) {
        for (; i + 4 <= i1; i += 4) {
          let j = j0;
          for (; j + 4 <= j1; j += 4) move4x4T(x + <usize>i * sx + (<usize>j << 2), sx, y + <usize>j * sy + (<usize>i << 2), sy);
          // ragged columns of these 4 rows
          for (; j < j1; j++) {
            for (let r = i; r < i + 4; r++) {
              store<f32>(y + <usize>j * sy + (<usize>r << 2), load<f32>(x + <usize>r * sx + (<usize>j << 2)));
            }
          }
        }
      }
      for (; i < i1; i++) {
        for (let j = j0; j < j1; j++) {
          store<f32>(y + <usize>j * sy + (<usize>i << 2), load<f32>(x + <usize>i * sx + (<usize>j << 2)));
        }
      }
    }
  }
}
