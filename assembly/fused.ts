// Fused passes of an MLP training step, f32, row-major. Each kernel does in
// one pass over memory what two kernels of vector.ts / activation.ts do in
// two, with the same arithmetic in the same order, so for finite inputs its
// results are bit for bit those of the unfused pair in the same build.
//
//   f32_bias_relu(m, n, x, ldx, b, y, ldy)
//       y[i, j] = relu(x[i, j] + b[j])
//       = f32_add_rowvec then f32_relu: the forward of Linear -> ReLU after the GEMM.
//   f32_relu_backward_col_sums(m, n, y, dy, dx, db, beta)        (rows of n, contiguous)
//       dx[i, j] = dy[i, j] * [y[i, j] > 0];   db[j] = beta * db[j] + sum_i dx[i, j]
//       = f32_relu_backward then f32_col_sums: the ReLU backward and the bias
//       gradient of the Linear before it. y may be the ReLU's input or its
//       output (relu(x) > 0 exactly when x > 0).
//
// Memory contract: y may alias x exactly (in place); dx may alias dy exactly;
// db must not overlap the other arguments. beta == 0 overwrites db without
// reading it. No alignment needed; any m, n >= 0.
// SIMD bodies: 4 lanes (16 columns at a time in the column-sum kernel, as
// f32_col_sums), scalar tails; the scalar build runs the tails only. The tails pick
// [x > 0] as i32 bits (select.ts: a float select is a branch in V8).

import { stPick } from "./select";

export function f32_bias_relu(m: i32, n: i32, x: usize, ldx: i32, b: usize, y: usize, ldy: i32): void {
  for (let i = 0; i < m; i++) {
    const xr = x + (<usize>i * <usize>ldx << 2);
    const yr = y + (<usize>i * <usize>ldy << 2);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      const z = f32x4.splat(0);
      for (; j + 4 <= n; j += 4) {
        const o = <usize>j << 2;
        v128.store(yr + o, f32x4.max(f32x4.add(v128.load(xr + o), v128.load(b + o)), z));
      }
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      const v = load<f32>(xr + o) + load<f32>(b + o);
      // the SIMD build's f32_relu takes max(v, 0) (NaN stays NaN), the scalar build's v > 0 ? v : 0
      if (ASC_FEATURE_SIMD) store<f32>(yr + o, max<f32>(v, 0));
      else stPick(yr + o, 0, v > 0, v, 0);
    }
  }
}

/** dy masked by [y > 0], one vector. */
@inline function masked(y: usize, dy: usize, z: v128): v128 {
  return v128.and(v128.load(dy), f32x4.gt(v128.load(y), z));
}

export function f32_relu_backward_col_sums(m: i32, n: i32, y: usize, dy: usize, dx: usize, db: usize, beta: f32): void {
  const rs = <usize>n << 2;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const vb = f32x4.splat(beta);
    const z = f32x4.splat(0);
    for (; j + 16 <= n; j += 16) {
      const po = db + (<usize>j << 2);
      let a0 = z, a1 = z, a2 = z, a3 = z;
      if (beta != 0) {
        a0 = f32x4.mul(vb, v128.load(po)); a1 = f32x4.mul(vb, v128.load(po, 16));
        a2 = f32x4.mul(vb, v128.load(po, 32)); a3 = f32x4.mul(vb, v128.load(po, 48));
      }
      let o = <usize>j << 2;
      for (let i = 0; i < m; i++) {
        const d0 = masked(y + o, dy + o, z), d1 = masked(y + o + 16, dy + o + 16, z);
        const d2 = masked(y + o + 32, dy + o + 32, z), d3 = masked(y + o + 48, dy + o + 48, z);
        v128.store(dx + o, d0); v128.store(dx + o, d1, 16); v128.store(dx + o, d2, 32); v128.store(dx + o, d3, 48);
        a0 = f32x4.add(a0, d0); a1 = f32x4.add(a1, d1); a2 = f32x4.add(a2, d2); a3 = f32x4.add(a3, d3);
        o += rs;
      }
      v128.store(po, a0); v128.store(po, a1, 16); v128.store(po, a2, 32); v128.store(po, a3, 48);
    }
    for (; j + 4 <= n; j += 4) {
      const po = db + (<usize>j << 2);
      let a = beta != 0 ? f32x4.mul(vb, v128.load(po)) : z;
      let o = <usize>j << 2;
      for (let i = 0; i < m; i++) {
        const d = masked(y + o, dy + o, z);
        v128.store(dx + o, d);
        a = f32x4.add(a, d);
        o += rs;
      }
      v128.store(po, a);
    }
  }
  // remaining columns (all of them in the scalar build), rows outer as in f32_col_sums
  for (let c = j; c < n; c++) {
    const po = db + (<usize>c << 2);
    store<f32>(po, beta != 0 ? beta * load<f32>(po) : <f32>0);
  }
  for (let i = 0; i < m; i++) {
    const row = <usize>i * rs;
    for (let c = j; c < n; c++) {
      const o = row + (<usize>c << 2);
      stPick(dx + o, 0, load<f32>(y + o) > 0, load<f32>(dy + o), 0);
      const d = load<f32>(dx + o); // read back: the pick stays i32 up to its store (select.ts)
      const po = db + (<usize>c << 2);
      store<f32>(po, load<f32>(po) + d);
    }
  }
}
