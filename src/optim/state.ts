/**
 * An optimizer's state as plain data (`state()` / `loadState()`): every
 * group's buffers, scalars, RNG words and transform state, the counters and
 * the numeric lrs. Loading validates everything before it writes anything.
 */
import { StateError } from '../errors.js';
import { describe } from '../runtime/validate.js';
import type { Core } from '../runtime/core.js';
import { type Counters, type GroupState, momentumOf, type OptimizerState, type ParamGroup } from './group.js';
import { checkLr, type LearningRate } from './options.js';
import { stateValueProblem } from './state-values.js';
import type { TransformStateData } from './transform.js';

/** What state.ts and snapshot.ts see of an optimizer. */
export interface OptimizerParts {
  readonly name: string;
  readonly fused: boolean;
  readonly numParameters: number;
  readonly engine: Core;
  readonly counts: Counters;
  readonly groups: readonly ParamGroup<{ lr?: LearningRate }>[];
}

const words = (e: Core, ptr: number): Uint32Array => new Uint32Array(e.memory.buffer, ptr, 4);

/** A copy of the state as plain data. */
export function saveState(o: OptimizerParts): OptimizerState {
  return {
    format: 'wasmgrad.optimizer/1',
    name: o.name,
    path: o.fused ? 'fused' : 'chain',
    numParameters: o.numParameters,
    stepCount: o.counts.step,
    skippedSteps: o.counts.skipped,
    groups: o.groups.map((g) => {
      const buffers: Record<string, Float32Array> = {};
      for (const [name, p] of Object.entries(g.buf)) buffers[name] = o.engine.f32(p, g.length).slice();
      const s: GroupState = { offset: g.offset, length: g.length, lr: typeof g.lr === 'number' ? g.lr : null, scalars: { ...g.scalars }, buffers };
      const mo = momentumOf(g.options);
      if (mo !== undefined) s.momentum = typeof mo === 'number' ? mo : null;
      if (g.rng) s.rng = Array.from(words(o.engine, g.rng));
      if (g.chain) s.chain = g.chain.state();
      return s;
    }),
  };
}

/** Throws a StateError unless `s` fits the optimizer (kind, path, size, groups, buffers). */
function validate(o: OptimizerParts, s: OptimizerState): void {
  const op = o.name;
  if (!s || s.format !== 'wasmgrad.optimizer/1') throw new StateError(`${op}: loadState needs an OptimizerState (format 'wasmgrad.optimizer/1'), got ${describe(s?.format)}`);
  if (s.name !== op) throw new StateError(`${op}: loadState got the state of a '${s.name}' optimizer`);
  const path = o.fused ? 'fused' : 'chain';
  if (s.path !== path) throw new StateError(`${op}: loadState got a '${s.path}' state, this optimizer runs the '${path}' path`);
  if (s.numParameters !== o.numParameters) {
    throw new StateError(`${op}: loadState got the state of a model with ${s.numParameters} parameters, this one has ${o.numParameters}`);
  }
  if (!Number.isInteger(s.stepCount) || s.stepCount < 0) throw new StateError(`${op}: state stepCount must be a non-negative integer, got ${s.stepCount}`);
  const bad = stateValueProblem(s, 'state');
  if (bad) throw new StateError(`${op}: loadState: ${bad}`);
  if (!Array.isArray(s.groups) || s.groups.length !== o.groups.length) {
    throw new StateError(`${op}: state has ${s.groups?.length} groups, this optimizer has ${o.groups.length}`);
  }
  o.groups.forEach((g, i) => {
    const gs = s.groups[i];
    if (gs.offset !== g.offset || gs.length !== g.length) {
      throw new StateError(`${op}: state group ${i} spans [${gs.offset}, +${gs.length}), this one [${g.offset}, +${g.length})`);
    }
    for (const name of Object.keys(g.buf)) {
      const a = gs.buffers?.[name];
      if (!(a instanceof Float32Array) || a.length !== g.length) {
        throw new StateError(`${op}: state group ${i} buffer '${name}' must be a Float32Array of ${g.length}, got ${a ? `length ${a.length}` : 'none'}`);
      }
    }
    for (const name of Object.keys(g.scalars)) {
      if (typeof gs.scalars?.[name] !== 'number') throw new StateError(`${op}: state group ${i} scalar '${name}' is missing`);
    }
    if (g.rng && (!Array.isArray(gs.rng) || gs.rng.length !== 4)) throw new StateError(`${op}: state group ${i} rng must be 4 words`);
    if (gs.lr !== null && typeof g.lr === 'number') checkLr(op, gs.lr, `state group ${i} lr`);
    const mo = momentumOf(g.options);
    if (mo !== undefined && gs.momentum !== undefined && (gs.momentum === null) !== (typeof mo === 'function')) {
      throw new StateError(`${op}: state group ${i} momentum is ${gs.momentum === null ? 'a schedule' : gs.momentum}, this optimizer's is ${typeof mo === 'function' ? 'a schedule' : mo}`);
    }
    if (g.chain && !gs.chain) throw new StateError(`${op}: state group ${i} has no chain state`);
  });
}

/**
 * Restores a state from `saveState` of an optimizer of the same kind, path, model size and
 * groups. Everything is validated before anything is written. A numeric lr in the state
 * replaces the group's lr when that is a number (a schedule stays).
 */
export function loadState(o: OptimizerParts, s: OptimizerState): void {
  validate(o, s);
  // chain states validate themselves on load; undo the loaded ones if a later one throws
  const undo: TransformStateData[] = [];
  try {
    o.groups.forEach((g, i) => {
      if (!g.chain) return;
      const before = g.chain.state();
      g.chain.loadState(s.groups[i].chain!);
      undo.push(before);
    });
  } catch (e) {
    undo.forEach((st, i) => o.groups[i].chain!.loadState(st));
    throw e;
  }
  o.groups.forEach((g, i) => {
    const gs = s.groups[i];
    for (const [name, p] of Object.entries(g.buf)) o.engine.f32(p, g.length).set(gs.buffers[name]);
    for (const name of Object.keys(g.scalars)) g.scalars[name] = gs.scalars[name];
    if (g.rng) words(o.engine, g.rng).set(gs.rng!);
    if (gs.lr !== null && typeof g.lr === 'number') g.lr = gs.lr;
  });
  o.counts.step = s.stepCount;
  o.counts.skipped = s.skippedSteps ?? 0;
}
