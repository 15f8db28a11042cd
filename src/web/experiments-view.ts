// The Experiments view: every experiment of the gallery (src/experiments) with its
// claim and source, its parameters as number inputs (default, range), a seed, and
// Run. The worker runs it on the chosen build with runExperimentAsync, the same call as
// `wasmgrad experiment run`, and sends back the verdict, the named checks, the table
// and the plot (the gallery's SVG). "Counter-case" fills in the parameters outside
// the claim's condition, for which the verdict must fail.
import { button, el, field, fmt, select } from './dom.js';
import type { ExperimentInfo, ExperimentMessage, ToWorker } from './protocol.js';

export function experimentsView(send: (m: ToWorker) => void) {
  let list: ExperimentInfo[] = [];
  let current: ExperimentInfo | null = null;
  let running = false;
  const inputs = new Map<string, HTMLInputElement>();

  const pick = select('experiment', {}, '', (name) => choose(name), { 'data-testid': 'experiment-select' });
  pick.row.classList.add('stacked');
  const claim = el('p', { class: 'claim', 'data-testid': 'experiment-claim' });
  const source = el('p', { class: 'help' });
  const params = el('fieldset', {}, el('legend', { text: 'parameters' }));
  const paramRows = el('div');
  params.append(paramRows);
  const seed = field('seed', { type: 'number', min: 0, step: 1, value: 0 }, (i) => {
    i.setAttribute('aria-invalid', String(!(Number.isSafeInteger(Number(i.value)) && Number(i.value) >= 0)));
  });
  params.append(seed.row);
  const run = button('Run', { class: 'primary', 'data-testid': 'experiment-run' }, () => start());
  const defaults = button('Defaults', { 'data-testid': 'experiment-defaults' }, () => fill(null));
  const counter = button('Counter-case', { 'data-testid': 'experiment-counter' }, () => {
    if (current?.counter) fill(current.counter.params);
  });
  const counterWhy = el('p', { class: 'help' });

  const verdict = el('output', { 'data-testid': 'experiment-verdict', text: '–' });
  const timing = el('output', { text: '–' });
  const checks = el('table', { class: 'results', 'data-testid': 'experiment-checks' });
  const results = el('table', { class: 'results' });
  const plot = el('img', { class: 'experiment-plot', alt: '', 'data-testid': 'experiment-plot' });
  plot.hidden = true;

  const controls = el('div', { class: 'controls' },
    el('fieldset', {}, el('legend', { text: 'experiment' }), pick.row, claim, source),
    params,
    el('div', { class: 'toolbar' }, run, defaults, counter),
    counterWhy,
  );
  const stage = el('div', { class: 'stage' },
    el('div', { class: 'readouts' },
      el('div', { class: 'readout' }, el('span', { class: 'readout-label', text: 'verdict' }), verdict),
      el('div', { class: 'readout' }, el('span', { class: 'readout-label', text: 'run' }), timing),
    ),
    plot, checks, results,
  );
  const element = el('div', { class: 'layout' }, controls, stage);

  /** The inputs of experiment `name`, at its defaults. */
  function choose(name: string): void {
    current = list.find((e) => e.name === name) ?? null;
    if (current === null) return;
    pick.select.value = name;
    claim.textContent = current.claim;
    source.textContent = `Source: ${current.source}${current.stochastic ? ' (stochastic: averaged over repetitions, any seed passes)' : ''}`;
    paramRows.replaceChildren();
    inputs.clear();
    for (const [key, spec] of Object.entries(current.params)) {
      const f = field(`${key}: ${spec.help}`, { type: 'number', min: spec.min, max: spec.max, step: spec.integer ? 1 : 'any', value: spec.default, 'data-param': key }, (i) => {
        const v = Number(i.value);
        i.setAttribute('aria-invalid', String(!(Number.isFinite(v) && v >= spec.min && v <= spec.max && (!spec.integer || Number.isInteger(v)))));
      });
      inputs.set(key, f.input);
      paramRows.append(f.row);
    }
    counter.disabled = current.counter === null;
    counterWhy.textContent = current.counter ? `Counter-case: ${current.counter.why}` : 'This claim has no condition to break: no counter-case.';
  }

  /** Every parameter at its default, overridden by `values`. */
  function fill(values: Record<string, number> | null): void {
    if (current === null) return;
    for (const [key, spec] of Object.entries(current.params)) {
      const input = inputs.get(key)!;
      input.value = String(values?.[key] ?? spec.default);
      input.setAttribute('aria-invalid', 'false');
    }
  }

  function start(): void {
    if (current === null || running) return;
    const values: Record<string, number> = {};
    for (const [key, input] of inputs) values[key] = Number(input.value);
    running = true;
    run.disabled = true;
    verdict.textContent = 'running…';
    send({ type: 'experiment-run', name: current.name, params: values, seed: Number(seed.input.value) });
  }

  function table(t: HTMLTableElement, caption: string, header: string[], rows: (string | number)[][]): void {
    t.replaceChildren(
      el('caption', { text: caption }),
      el('thead', {}, el('tr', {}, ...header.map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c) => el('td', { text: typeof c === 'number' ? fmt(c) : c }))))),
    );
  }

  function result(m: ExperimentMessage): void {
    running = false;
    run.disabled = false;
    verdict.textContent = m.verdict;
    verdict.className = m.verdict === 'pass' ? 'pass' : 'fail';
    timing.textContent = `${fmt(m.seconds, 3)} s on the ${m.build} build, seed ${m.seed}`;
    plot.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(m.svg)}`;
    plot.alt = `plot of ${m.name}: ${m.verdict}`;
    plot.hidden = false;
    table(checks, 'checks (the verdict passes when every check does)', ['check', 'value', 'threshold', 'pass'],
      m.checks.map((c) => [c.name, c.value, `${c.op} ${fmt(c.threshold)}`, c.pass ? 'yes' : 'NO']));
    table(results, 'table', m.table.header, m.table.rows);
  }

  return {
    element,
    /** The experiments the worker offers (from its 'ready' message). */
    setList(experiments: ExperimentInfo[], initial: string | null): void {
      list = experiments;
      pick.select.replaceChildren(...list.map((e) => el('option', { value: e.name, text: e.title })));
      if (list.length > 0) choose(list.some((e) => e.name === initial) ? initial! : list[0].name);
    },
    handle: result,
    /** A failed run: the button comes back. */
    failed(): void {
      running = false;
      run.disabled = false;
      verdict.textContent = 'error';
    },
    hash: () => (current ? `view=experiments&experiment=${encodeURIComponent(current.name)}` : 'view=experiments'),
  };
}
