// The Race view: a landscape's contours (canvas) with the racers' paths on top
// (one SVG polyline each, in landscape coordinates), a click (or the start
// inputs) sets the common start, f − f* against the step for every racer, and
// each racer's final point. The optimizers run in the worker.
import { LineChart } from './charts.js';
import { drawContours } from './contour.js';
import { button, el, field, fmt, select } from './dom.js';
import { defaultLr, LANDSCAPES, RACERS, type LandscapeParams, type RaceConfig } from './landscapes.js';
import type { FromWorker, ToWorker } from './protocol.js';

const SVG = 'http://www.w3.org/2000/svg';

export function raceView(send: (m: ToWorker) => void) {
  let landscape = 'rosenbrock';
  const params: LandscapeParams = { kappa: 50, angle: 30, sigma: 1 };
  let start: [number, number] = [...LANDSCAPES[landscape].start];
  let steps = 500;
  const racerRows = new Map<string, { on: HTMLInputElement; lr: HTMLInputElement | null; extra: HTMLInputElement | null }>();
  let paths = new Map<string, { xy: number[]; gap: number[]; line: SVGPolylineElement }>();
  let chart = new LineChart('f − f* against the step', []);

  const land = select('landscape', Object.fromEntries(Object.entries(LANDSCAPES).map(([k, l]) => [k, l.label])), landscape, (v) => {
    landscape = v;
    start = [...LANDSCAPES[v].start];
    defaults();
    redraw();
  }, { 'data-testid': 'race-landscape' });
  const kappa = field('condition number κ (log scale)', { type: 'range', min: 0, max: 3, step: 0.1, value: Math.log10(params.kappa) }, (i) => {
    params.kappa = Math.round(10 ** Number(i.value));
    kappaOut.textContent = String(params.kappa);
    defaults();
    redraw();
  });
  const kappaOut = el('output', { text: String(params.kappa) });
  kappa.row.append(kappaOut);
  const angle = field('rotation (degrees)', { type: 'range', min: 0, max: 90, step: 5, value: params.angle }, (i) => {
    params.angle = Number(i.value);
    angleOut.textContent = i.value;
    redraw();
  });
  const angleOut = el('output', { text: String(params.angle) });
  angle.row.append(angleOut);
  const sigma = field('gradient noise σ', { type: 'number', min: 0, max: 10, step: 0.1, value: params.sigma }, (i) => {
    params.sigma = Math.max(0, Number(i.value) || 0);
  });
  const stepsField = field('steps', { type: 'number', min: 10, max: 5000, step: 10, value: steps }, (i) => {
    steps = Math.min(5000, Math.max(10, Math.round(Number(i.value)) || 500));
  });
  const sx = field('start x', { type: 'number', step: 'any', value: start[0] }, (i) => { start[0] = Number(i.value) || 0; redraw(); });
  const sy = field('start y', { type: 'number', step: 'any', value: start[1] }, (i) => { start[1] = Number(i.value) || 0; redraw(); });

  const table = el('table', { class: 'racers' }, el('caption', { text: 'racers: engine.optim optimizers on engine.vector(2); L-BFGS and Newton are engine.minimize, one iteration per step' }));
  table.append(el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'optimizer' }), el('th', { scope: 'col', text: 'lr' }), el('th', { scope: 'col', text: 'other' }), el('th', { scope: 'col', text: 'final (x, y), f − f*' }))));
  const tbody = el('tbody');
  table.append(tbody);
  for (const [name, r] of Object.entries(RACERS)) {
    const on = el('input', { type: 'checkbox', id: `race-on-${name}`, checked: true });
    // the solvers choose their own steps (line search, Newton step): no lr
    const lr = r.solver ? null : el('input', { type: 'number', step: 'any', min: 0, id: `race-lr-${name}`, 'aria-label': `${r.label} learning rate` });
    const extra = r.extra ? el('input', { type: 'number', step: 'any', min: 0, id: `race-x-${name}`, 'aria-label': `${r.label} ${r.extra.key}`, value: r.extra.value }) : null;
    const swatch = el('span', { class: 'swatch', style: `background:${r.color}` });
    tbody.append(
      el('tr', {},
        el('td', {}, on, el('label', { for: `race-on-${name}` }, swatch, r.label)),
        el('td', {}, lr ?? (r.solver === 'newton' ? 'exact ∇²f' : 'line search')),
        el('td', {}, ...(extra ? [el('span', { class: 'extra', text: `${r.extra!.label} ` }), extra] : ['–'])),
        el('td', { 'data-testid': `race-result-${name}`, text: '–' }),
      ),
    );
    racerRows.set(name, { on, lr, extra });
  }

  const canvas = el('canvas', { class: 'contours', 'aria-hidden': 'true' });
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'paths');
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('role', 'img');
  svg.setAttribute('data-testid', 'race-plot');
  const marker = document.createElementNS(SVG, 'circle');
  const minMarks = document.createElementNS(SVG, 'g');
  const plot = el('div', { class: 'race-plot' }, canvas, svg);
  svg.addEventListener('click', (ev) => {
    const b = svg.getBoundingClientRect();
    const [x0, x1, y0, y1] = LANDSCAPES[landscape].box;
    start = [x0 + ((ev.clientX - b.left) / b.width) * (x1 - x0), y1 - ((ev.clientY - b.top) / b.height) * (y1 - y0)];
    start = [Math.round(start[0] * 1000) / 1000, Math.round(start[1] * 1000) / 1000];
    redraw();
  });
  new ResizeObserver(() => drawContours(canvas, landscape, params)).observe(canvas);

  const counter = el('output', { 'data-testid': 'race-step', text: '0' });
  const raceStart = button('Race', { 'data-testid': 'race-start', class: 'primary' }, () => run());
  const raceStop = button('Stop', { 'data-testid': 'race-stop' }, () => send({ type: 'race-stop' }));
  const chartSlot = el('div', {}, chart.figure);

  const element = el(
    'div',
    { class: 'layout' },
    el(
      'div',
      { class: 'stage' },
      el('div', { class: 'toolbar', role: 'group', 'aria-label': 'race' }, raceStart, raceStop, el('div', { class: 'readout' }, el('span', { class: 'readout-label', text: 'step' }), counter)),
      el('div', { class: 'plots' }, el('div', { class: 'square' }, plot), el('div', { class: 'charts' }, chartSlot)),
      table,
    ),
    el(
      'form',
      { class: 'controls', 'aria-label': 'race settings' },
      el('fieldset', {}, el('legend', { text: 'Landscape' }), land.row, kappa.row, angle.row, sigma.row),
      el('fieldset', {}, el('legend', { text: 'Start and length' }), sx.row, sy.row, stepsField.row, el('p', { class: 'help', text: 'Click on the plot to set the start.' })),
    ), // after the stage in the page; placed left on wide screens by CSS
  );

  function defaults(): void {
    for (const [name, row] of racerRows) if (row.lr) row.lr.value = String(Number(defaultLr(name, LANDSCAPES[landscape], params).toPrecision(3)));
    racerRows.get('langevin')!.extra!.value = String(LANDSCAPES[landscape].temperature ?? RACERS.langevin.extra!.value);
  }

  function redraw(): void {
    const l = LANDSCAPES[landscape];
    const [x0, x1, y0, y1] = l.box;
    svg.setAttribute('viewBox', `${x0} ${-y1} ${x1 - x0} ${y1 - y0}`);
    svg.setAttribute('aria-label', `${l.label}: contour lines and the optimizers' paths from (${start[0]}, ${start[1]})`);
    kappa.row.hidden = angle.row.hidden = landscape !== 'quadratic';
    sigma.row.hidden = landscape !== 'noisyBowl';
    sx.input.value = String(start[0]);
    sy.input.value = String(start[1]);
    for (const { line } of paths.values()) line.remove();
    paths = new Map();
    marker.setAttribute('cx', String(start[0]));
    marker.setAttribute('cy', String(-start[1]));
    marker.setAttribute('r', String((x1 - x0) / 80));
    marker.setAttribute('class', 'start');
    svg.replaceChildren(minMarks, marker);
    drawContours(canvas, landscape, params);
  }

  function run(): void {
    const noisy = LANDSCAPES[landscape].noisy === true;
    const racers = [...racerRows]
      .filter(([name, r]) => r.on.checked && !(noisy && RACERS[name].solver))
      .map(([name, r]) => ({ name, lr: r.lr ? Number(r.lr.value) : 0, extra: r.extra ? Number(r.extra.value) : 0 }));
    redraw();
    for (const { name } of racers) {
      const line = document.createElementNS(SVG, 'polyline');
      line.setAttribute('data-testid', `race-path-${name}`);
      line.setAttribute('stroke', RACERS[name].color);
      line.setAttribute('class', 'path');
      svg.append(line);
      paths.set(name, { xy: [], gap: [], line });
    }
    svg.append(marker);
    chart = new LineChart('f − f* against the step', racers.map(({ name }) => ({ label: RACERS[name].label, color: RACERS[name].color })), { logY: true, height: 220 });
    chartSlot.replaceChildren(chart.figure);
    for (const [name] of racerRows) tbody.querySelector(`[data-testid="race-result-${name}"]`)!.textContent = noisy && RACERS[name].solver ? 'not raced on a noisy gradient' : '–';
    const config: RaceConfig = { landscape, params: { ...params }, start: [start[0], start[1]], steps, racers, seed: 0 };
    send({ type: 'race-start', config });
  }

  function handle(m: FromWorker): void {
    if (m.type !== 'race-update') return;
    counter.textContent = String(m.step);
    for (const u of m.paths) {
      const p = paths.get(u.name);
      if (!p) continue;
      p.xy.push(...u.xy);
      p.gap.push(...u.gap.map((g) => Math.max(g, 1e-12))); // the log axis' floor
      const lastGap = u.gap.length > 0 ? u.gap[u.gap.length - 1] : null;
      let pts = '';
      for (let i = 0; i < p.xy.length; i += 2) pts += `${p.xy[i]},${-p.xy[i + 1]} `;
      p.line.setAttribute('points', pts);
      const n = p.xy.length;
      p.line.setAttribute('data-final', `${p.xy[n - 2]},${p.xy[n - 1]}`);
      p.line.setAttribute('data-start', `${p.xy[0]},${p.xy[1]}`);
      const cell = tbody.querySelector(`[data-testid="race-result-${u.name}"]`)!;
      if (lastGap !== null) cell.textContent = `(${fmt(p.xy[n - 2], 3)}, ${fmt(p.xy[n - 1], 3)}), ${fmt(lastGap, 3)}`;
    }
    const names = [...paths.keys()];
    const len = Math.max(...names.map((n) => paths.get(n)!.gap.length));
    const x = Array.from({ length: len }, (_, i) => i);
    chart.set(x, names.map((n) => { const g = paths.get(n)!.gap; return x.map((i) => g[i] ?? null); }));
  }

  defaults();
  return { element, handle, show: redraw };
}
