/**
 * `engine.adversarial`: attacks on a model's inputs (attacker.ts has the methods,
 * their formulas and sources; options.ts the options and defaults).
 *
 * ```ts
 * const { x: xAdv, loss } = engine.adversarial.attack(model, x, labels, { eps: 0.1, method: 'pgd', steps: 10 });
 * ```
 *
 * This folder uses only runtime/ and loss/ (and the model's own lossAndGrad), so
 * train/ can run attacks inside fit() (adversarial training).
 */
import type { Core } from '../runtime/core.js';
import { Tensor } from '../runtime/tensor.js';
import { allocNamed } from '../runtime/core.js';
import { Attacker, type AttackResult } from './attacker.js';
import type { AttackModel, AttackOptions } from './options.js';

export interface Adversarial {
  /**
   * Attacks the batch once and returns a new tensor (the caller's, dispose it) with the
   * perturbed batch, and the loss there. Planned buffers are freed before it returns.
   */
  attack(model: AttackModel, x: Tensor, y: Int32Array | Tensor, options: AttackOptions): AttackResult;
  /** A reusable attack with fixed options: `run(x, y)` allocates nothing after the first batch of its size. */
  attacker(model: AttackModel, options: AttackOptions): Attacker;
}

export function createAdversarial(core: Core): Adversarial {
  return Object.freeze({
    attack(model: AttackModel, x: Tensor, y: Int32Array | Tensor, options: AttackOptions): AttackResult {
      const a = new Attacker(model, options, 'attack');
      try {
        const r = a.run(x, y);
        const ptr = allocNamed(core, r.x.size, `attack: the perturbed batch ${JSON.stringify(r.x.shape)}`);
        core.kernels.f32_copy(r.x.size, r.x.ptr, ptr);
        return { x: new Tensor(core, ptr, r.x.shape, true), loss: r.loss };
      } finally {
        a.dispose();
      }
    },
    attacker(model: AttackModel, options: AttackOptions): Attacker {
      return new Attacker(model, options);
    },
  } satisfies Adversarial);
}

export { Attacker };
export type { AttackModel, AttackOptions, AttackResult };
export type { AttackMethod, AttackNorm } from './options.js';
