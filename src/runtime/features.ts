/**
 * Feature probes. `WebAssembly.validate` is allowed in every runtime (workerd
 * included, which forbids compiling bytes), so probing never compiles.
 */

/** (module (func (result v128) (v128.const i32x4 0 0 0 0))) */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 11,
]);

/** (module (func (result v128) (f32x4.relaxed_madd (v128.const 0) (v128.const 0) (v128.const 0)))) */
const RELAXED_SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 61, 1, 59, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 253, 133, 2, 11,
]);

/** A validator: `WebAssembly.validate` by default; tests inject one that says no. */
export type Validator = (bytes: Uint8Array<ArrayBuffer>) => boolean;

export const defaultValidator: Validator = (bytes) => WebAssembly.validate(bytes);

export function supportsSimd(validate: Validator = defaultValidator): boolean {
  return validate(SIMD_PROBE);
}

export function supportsRelaxedSimd(validate: Validator = defaultValidator): boolean {
  return validate(RELAXED_SIMD_PROBE);
}
