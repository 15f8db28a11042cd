/**
 * The core's exports as the host sees them (assembly/index.ts is the source of
 * truth; test/abi.test.ts checks that both builds export exactly these names).
 * Pointers are byte offsets; `bigint` never crosses the boundary.
 */
export interface Kernels {
  memory: WebAssembly.Memory;
  mem_heap_base(): number;
  build_simd(): number;
  build_relaxed_simd(): number;
  /** GEMM A packing of the plain SIMD build: 1 pre-splatted, 0 broadcast (set by init; no effect in the other builds). */
  gemm_set_splat_a(on: number): void;
  /** 1 when this instance's GEMM packs A pre-splatted (always in the relaxed build, never in the scalar one). */
  gemm_splat_a(): number;

  // gemm.ts: C = alpha * op(A) * op(B) + beta * C
  f32_gemm_nn(m: number, n: number, k: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number, alpha: number, beta: number): void;
  f32_gemm_nt(m: number, n: number, k: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number, alpha: number, beta: number): void;
  f32_gemm_tn(m: number, n: number, k: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number, alpha: number, beta: number): void;
  f32_gemm_tt(m: number, n: number, k: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number, alpha: number, beta: number): void;

  // vector.ts
  f32_dot(n: number, x: number, y: number): number;
  f32_axpy(n: number, x: number, y: number, alpha: number): void;
  /** y <- alpha * x + beta * y */
  f32_axpby(n: number, x: number, y: number, alpha: number, beta: number): void;
  f32_scal(n: number, x: number, alpha: number): void;
  f32_copy(n: number, x: number, y: number): void;
  f32_fill(n: number, y: number, value: number): void;
  f32_sum(n: number, x: number): number;
  f32_amax(n: number, x: number): number;
  f32_nrm2(n: number, x: number): number;
  /** sum x[i]^2 in f64 (overflow/underflow-safe for any f32); for global norms across buffers */
  f32_sumsq(n: number, x: number): number;
  f32_add(n: number, x: number, y: number, z: number): void;
  f32_sub(n: number, x: number, y: number, z: number): void;
  f32_mul(n: number, x: number, y: number, z: number): void;
  f32_div(n: number, x: number, y: number, z: number): void;
  f32_add_scalar(n: number, x: number, z: number, s: number): void;
  f32_sub_scalar(n: number, x: number, z: number, s: number): void;
  f32_mul_scalar(n: number, x: number, z: number, s: number): void;
  f32_div_scalar(n: number, x: number, z: number, s: number): void;
  // matrix.ts
  f32_add_rowvec(m: number, n: number, x: number, ldx: number, b: number, y: number, ldy: number): void;
  f32_col_sums(m: number, n: number, x: number, ldx: number, out: number, beta: number): void;
  f32_row_sums(m: number, n: number, x: number, ldx: number, out: number): void;
  f32_transpose(m: number, n: number, x: number, ldx: number, y: number, ldy: number): void;

  // rng.ts: xoshiro128** with a 16-byte state in memory
  rng_seed(state: number, lo: number, hi: number): void;
  rng_u32(n: number, state: number, out: number): void;
  f32_rng_uniform(n: number, state: number, out: number, lo: number, hi: number): void;
  f32_rng_normal(n: number, state: number, out: number, mean: number, std: number): void;

  // activation.ts: elementwise forward/backward (dropout draws from the RNG state)
  f64_erf(z: number): number;
  f32_relu(n: number, x: number, y: number): void;
  f32_relu_backward(n: number, x: number, dy: number, dx: number): void;
  f32_leaky_relu(n: number, x: number, y: number, slope: number): void;
  f32_leaky_relu_backward(n: number, x: number, dy: number, dx: number, slope: number): void;
  f32_tanh(n: number, x: number, y: number): void;
  f32_tanh_backward(n: number, y: number, dy: number, dx: number): void;
  f32_sigmoid(n: number, x: number, y: number): void;
  f32_sigmoid_backward(n: number, y: number, dy: number, dx: number): void;
  f32_gelu(n: number, x: number, y: number): void;
  f32_gelu_backward(n: number, x: number, dy: number, dx: number): void;
  f32_gelu_tanh(n: number, x: number, y: number): void;
  f32_gelu_tanh_backward(n: number, x: number, dy: number, dx: number): void;
  f32_softplus(n: number, x: number, y: number, beta: number, threshold: number): void;
  f32_softplus_backward(n: number, x: number, dy: number, dx: number, beta: number, threshold: number): void;
  f32_dropout(n: number, state: number, x: number, mask: number, y: number, p: number): void;

  // loss.ts: return the unreduced sum (f64), write scale * dL/dy
  i32_find_out_of_range(n: number, x: number, lo: number, hi: number): number;
  f32_mse(n: number, yhat: number, y: number, grad: number, scale: number): number;
  f32_huber(n: number, yhat: number, y: number, grad: number, scale: number, delta: number): number;
  f32_bce_logits(n: number, z: number, y: number, grad: number, scale: number): number;
  f32_poisson_nll(n: number, z: number, y: number, grad: number, scale: number): number;
  f32_softmax_xent(m: number, c: number, logits: number, labels: number, grad: number, scale: number, smoothing: number): number;
  f32_softmax_xent_probs(m: number, c: number, logits: number, target: number, grad: number, scale: number, smoothing: number): number;

  // optim.ts + optim_transforms.ts: fused optimizer updates, transforms, clipping, finiteness
  f32_sgd(n: number, g: number, p: number, lr: number, wd: number, sign: number): void;
  f32_sgd_momentum(n: number, g: number, p: number, buf: number, lr: number, wd: number, sign: number, bs: number, gs: number, c1: number, c2: number): void;
  f32_sgd_heavy_ball(n: number, g: number, p: number, v: number, lr: number, wd: number, sign: number, beta: number): void;
  f32_adagrad(n: number, g: number, p: number, s: number, clr: number, eps: number, wd: number, sign: number): void;
  f32_rmsprop(n: number, g: number, p: number, sq: number, ga: number, buf: number, lr: number, alpha: number, oma: number, eps: number, wd: number, sign: number, mom: number, flags: number): void;
  f32_adam(n: number, g: number, p: number, m: number, v: number, lrt: number, b1: number, b2: number, omb1: number, omb2: number, eps: number, ibc2: number, wd: number, decay: number, sign: number): void;
  f32_adam_amsgrad(n: number, g: number, p: number, m: number, v: number, vmax: number, lrt: number, b1: number, b2: number, omb1: number, omb2: number, eps: number, ibc2: number, wd: number, decay: number, sign: number): void;
  f32_adamax(n: number, g: number, p: number, m: number, u: number, clr: number, b1: number, b2: number, omb1: number, eps: number, wd: number, sign: number): void;
  f32_nadam(n: number, g: number, p: number, m: number, v: number, b1: number, b2: number, omb1: number, omb2: number, eps: number, ibc2: number, wd: number, cg: number, cm: number): void;
  f32_radam(n: number, g: number, p: number, m: number, v: number, b1: number, b2: number, omb1: number, omb2: number, eps: number, wd: number, a: number, rect: number): void;
  f32_adadelta(n: number, g: number, p: number, sq: number, acc: number, lr: number, rho: number, omr: number, eps: number, wd: number, sign: number): void;
  f32_langevin(n: number, g: number, noise: number, p: number, lr: number): void;
  f32_sparse_adam(k: number, dim: number, rows: number, g: number, p: number, m: number, v: number, step: number, b1: number, b2: number, omb1: number, omb2: number, eps: number, sign: number): void;
  f32_clip(n: number, x: number, lo: number, hi: number): void;
  f32_find_nonfinite(n: number, x: number): number;
  f32_zero_nonfinite(n: number, x: number): number;
  f32_tx_adam(n: number, u: number, m: number, v: number, b1: number, b2: number, omb1: number, omb2: number, eps: number, c1: number, ibc2: number): void;
  f32_tx_adam_amsgrad(n: number, u: number, m: number, v: number, vmax: number, b1: number, b2: number, omb1: number, omb2: number, eps: number, c1: number, ibc2: number): void;
  f32_tx_rms(n: number, u: number, s: number, ga: number, alpha: number, oma: number, eps: number, flags: number): void;
  f32_tx_adagrad(n: number, u: number, s: number, eps: number): void;
  f32_tx_trace(n: number, u: number, buf: number, bs: number, gs: number, c1: number, c2: number): void;
  f32_tx_adamax(n: number, u: number, m: number, r: number, b1: number, b2: number, omb1: number, eps: number, c1: number): void;
  f32_tx_nadam(n: number, u: number, m: number, v: number, b1: number, b2: number, omb1: number, omb2: number, eps: number, ibc2: number, cg: number, cm: number): void;
  f32_tx_radam(n: number, u: number, m: number, v: number, b1: number, b2: number, omb1: number, omb2: number, eps: number, a: number, rect: number): void;
  f32_tx_adadelta(n: number, u: number, s: number, acc: number, rho: number, omr: number, eps: number): void;
  f32_tx_axpby(n: number, x: number, u: number, a: number, c: number): void;

  // fused.ts: two passes of a training step in one (same bits as the unfused pair)
  f32_bias_relu(m: number, n: number, x: number, ldx: number, b: number, y: number, ldy: number): void;
  f32_relu_backward_col_sums(m: number, n: number, y: number, dy: number, dx: number, db: number, beta: number): void;
  // linalg_blas.ts, linalg.ts: f64 vectors and small dense symmetric matrices (row-major n x n)
  f64_dot(n: number, x: number, y: number): number;
  f64_nrm2(n: number, x: number): number;
  f64_axpy(n: number, x: number, y: number, alpha: number): void;
  /** y <- alpha * x + beta * y */
  f64_axpby(n: number, x: number, y: number, alpha: number, beta: number): void;
  f64_scal(n: number, x: number, alpha: number): void;
  f64_copy(n: number, x: number, y: number): void;
  /** A + shift I = L Lᵀ; 0 on success, else 1 + the first row whose pivot is not > 0 */
  f64_cholesky(n: number, a: number, l: number, shift: number): number;
  f64_trsv_ln(n: number, l: number, b: number): void;
  f64_trsv_lt(n: number, l: number, b: number): void;
  /** eigenvalues ascending into w, eigenvectors as the rows of v; the sweeps made or -1 */
  f64_eigh_jacobi(n: number, a: number, w: number, v: number, maxSweeps: number, tol: number): number;
}

/** Names of every export, for the ABI test. */
export type KernelName = Exclude<keyof Kernels, 'memory'>;
