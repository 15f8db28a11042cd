// The Train view's settings form, built from options.ts: data, network,
// optimizer (its own hyperparameters appear when it is chosen), schedule and
// regularization. Every committed change calls `onChange` with new settings.
import { el, field, select } from './dom.js';
import { ACTIVATIONS, DATASETS, defaultHypers, OPTIMIZERS, SCHEDULES } from './options.js';
import { BOUNDS, clampScalar, parseHidden, type TrainSettings } from './settings.js';

export interface TrainForm {
  element: HTMLElement;
  /** the file input of the CSV data set */
  csvInput: HTMLInputElement;
  /** shows settings (e.g. after the CSV was read) */
  show(s: TrainSettings): void;
}

type Scalar = keyof typeof BOUNDS;

export function trainForm(initial: TrainSettings, onChange: (s: TrainSettings) => void, onCsv: (file: File) => void): TrainForm {
  let s: TrainSettings = structuredClone(initial);
  const commit = () => onChange(structuredClone(s));

  const num = (label: string, key: Scalar, step: number) => {
    const [min, max] = BOUNDS[key];
    const f = field(label, { type: 'number', min, max, step, value: s[key] }, (input) => {
      const v = clampScalar(key, Number(input.value));
      if (v === null) {
        input.setAttribute('aria-invalid', 'true');
        return;
      }
      input.removeAttribute('aria-invalid');
      s[key] = v;
      commit();
    });
    inputs[key] = f.input;
    return f.row;
  };
  const inputs: Partial<Record<Scalar, HTMLInputElement>> = {};

  const dataset = select('data set', DATASETS, s.dataset, (v) => {
    s.dataset = v as TrainSettings['dataset'];
    if (v === 'csv') csvInput.focus();
    else commit();
  });
  const csv = field('CSV file (x, y, class)', { type: 'file', accept: '.csv,text/csv,text/plain' }, (input) => {
    const file = input.files?.[0];
    if (file) onCsv(file);
  });
  const csvInput = csv.input;

  const hidden = field('hidden layers (widths)', { type: 'text', value: s.hidden.join(', '), inputmode: 'numeric', 'aria-describedby': 'hidden-help' }, (input) => {
    const h = parseHidden(input.value);
    if (h === null) {
      input.setAttribute('aria-invalid', 'true');
      return;
    }
    input.removeAttribute('aria-invalid');
    s.hidden = h;
    commit();
  });
  const activation = select('activation', Object.fromEntries(ACTIVATIONS.map((a) => [a, a])), s.activation, (v) => {
    s.activation = v as TrainSettings['activation'];
    commit();
  });

  const hyperBox = el('div', { class: 'hypers' });
  const optimizer = select('optimizer', Object.fromEntries(Object.entries(OPTIMIZERS).map(([k, o]) => [k, o.label])), s.optimizer, (v) => {
    s.optimizer = v;
    s.hypers = defaultHypers(v);
    hypers();
    applies();
    commit();
  }, { 'data-testid': 'optimizer-select' });
  function hypers(): void {
    hyperBox.replaceChildren(
      ...OPTIMIZERS[s.optimizer].hypers.map((h) => {
        const value = s.hypers[h.key] ?? h.value;
        if (h.kind === 'bool') {
          return field(h.label, { type: 'checkbox', checked: Boolean(value) }, (input) => {
            s.hypers[h.key] = input.checked;
            commit();
          }).row;
        }
        return field(h.label, { type: 'number', min: h.min ?? 0, max: h.max ?? 1e9, step: h.step === 1 ? 1 : 'any', value: Number(value), 'data-hyper': h.key }, (input) => {
          const v = Number(input.value);
          if (!Number.isFinite(v) || v < (h.min ?? -Infinity) || v > (h.max ?? Infinity) || (h.step === 1 && !Number.isInteger(v))) {
            input.setAttribute('aria-invalid', 'true');
            return;
          }
          input.removeAttribute('aria-invalid');
          s.hypers[h.key] = v;
          commit();
        }).row;
      }),
      ...(OPTIMIZERS[s.optimizer].closure
        ? [el('p', { class: 'help', text: 'One step: up to "iterations per step" evaluations of the batch (the whole training set unless "full batch" is off), as fit() drives L-BFGS; gradient clipping and the fused switch do not apply.' })]
        : []),
      ...(OPTIMIZERS[s.optimizer].batch
        ? [el('p', { class: 'help', text: 'One step: the dense Hessian H of the batch\'s loss (the whole training set unless "full batch" is off), then (H + λI) d = −g solved and p ← p + η·d kept if the loss falls (λ ← λ/ν), else λ ← λ·ν and solved again, up to "solves per step" times. For small networks: at most "max parameters" (hidden 8, 8 has about 120); the cost grows as P³. Gradient clipping, the L2 term and the fused switch do not apply.' })]
        : []),
    );
  }
  hypers();
  /** Clipping and the fused switch do not apply to L-BFGS or Newton, nor the L2 term to Newton: disabled while one is chosen. */
  function applies(): void {
    const { closure, batch } = OPTIMIZERS[s.optimizer];
    fused.input.disabled = closure === true || batch === true;
    if (inputs.clip) inputs.clip.disabled = closure === true || batch === true;
    if (inputs.l2) inputs.l2.disabled = batch === true;
  }
  const fused = field('fused kernel (off: the chain of transforms)', { type: 'checkbox', checked: s.fused }, (input) => {
    s.fused = input.checked;
    commit();
  });
  const schedule = select('lr schedule', SCHEDULES, s.schedule, (v) => {
    s.schedule = v as TrainSettings['schedule'];
    commit();
  });

  const element = el(
    'form',
    { class: 'controls', 'aria-label': 'training settings' },
    el('fieldset', {}, el('legend', { text: 'Data' }), dataset.row, csv.row, num('points', 'n', 10), num('noise', 'noise', 0.01), num('test fraction', 'testFraction', 0.05), num('seed', 'seed', 1)),
    el(
      'fieldset',
      {},
      el('legend', { text: 'Network' }),
      hidden.row,
      el('p', { id: 'hidden-help', class: 'help', text: 'e.g. 32, 32: two hidden layers of 32 units' }),
      activation.row,
      num('dropout p', 'dropout', 0.05),
    ),
    el('fieldset', {}, el('legend', { text: 'Optimizer' }), optimizer.row, hyperBox, fused.row),
    el('fieldset', {}, el('legend', { text: 'Schedule' }), schedule.row, num('horizon (steps)', 'horizon', 100), num('warm-up steps', 'warmup', 10)),
    el('fieldset', {}, el('legend', { text: 'Batches and regularization' }), num('batch size', 'batchSize', 1), num('L2 λ (adds λ/2·‖θ‖²)', 'l2', 1e-4), num('clip gradient norm (0: off)', 'clip', 0.1)),
  );
  element.addEventListener('submit', (e) => e.preventDefault());
  applies();

  return {
    element,
    csvInput,
    show(next) {
      s = structuredClone(next);
      dataset.select.value = s.dataset;
      hidden.input.value = s.hidden.join(', ');
      activation.select.value = s.activation;
      optimizer.select.value = s.optimizer;
      schedule.select.value = s.schedule;
      fused.input.checked = s.fused;
      for (const [k, input] of Object.entries(inputs)) input.value = String(s[k as Scalar]);
      hypers();
      applies();
    },
  };
}
