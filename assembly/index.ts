// The whole ABI of the wasmgrad core: this file only re-exports.
// Conventions (../DESIGN.md): pointers are usize byte offsets, sizes are i32
// element counts, scalars are f32 (f64 for reductions returned to the host).
// Sizes first, then input pointers, output pointers, then f32 hyperparameters.

// memory.ts also holds the @inline element helpers (at, ld, st): name its exports.
export { mem_heap_base, build_simd, build_relaxed_simd } from "./memory";
export * from "./gemm";
export * from "./vector";
export * from "./norms";
export * from "./matrix";
export * from "./rng";
export * from "./activation";
export * from "./loss";
export * from "./optim_sgd";
export * from "./optim_adagrad";
export * from "./optim_adam";
export * from "./optim_guard";
export * from "./fused";
export * from "./linalg_blas";
export * from "./linalg";
export * from "./linalg_gemv";
export * from "./glm";
// prox.ts also holds groupScale (@inline, used by prox_columns.ts): name its exports.
export { f32_prox_l1, f32_prox_l2, f32_prox_elastic_net, f32_prox_group_lasso_rows, f32_prox_group_lasso_sets } from "./prox";
export * from "./prox_columns";
export * from "./project";
export * from "./project_threshold";
export * from "./optim_lbfgs";
export * from "./curvature";
export * from "./perturb";
