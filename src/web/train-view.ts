// The Train view: the settings form, start/pause/step/reset, the build switch with
// live steps/s, the decision boundary, the loss/accuracy/lr/weight-norm charts and
// the exports. State lives in the worker; this view draws its reports.
import { LineChart } from './charts.js';
import { button, download, el, fmt } from './dom.js';
import { Heatmap } from './heatmap.js';
import { BUILDS, type BuildName } from './options.js';
import type { FromWorker, ToWorker, TrainPoint } from './protocol.js';
import { encodeHash, type TrainSettings } from './settings.js';
import { trainForm } from './train-form.js';

const NORM_COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2'];

export function trainView(initial: TrainSettings, send: (m: ToWorker) => void, status: (text: string) => void) {
  let settings = initial;
  let history: TrainPoint[] = [];
  let norms: { step: number; values: number[] }[] = [];
  let normNames: string[] = [];
  let dirty = false;

  /** A CSV file chosen or dropped: parsed in the worker, then the run restarts on it. */
  const useCsv = (file: File) => {
    file.text().then((text) => {
      settings = { ...settings, dataset: 'csv' };
      form.show(settings);
      send({ type: 'train-csv', text, name: file.name, settings });
    }, (e) => status(`could not read ${file.name}: ${e}`));
  };
  const form = trainForm(initial, (s) => {
    settings = s;
    history = [];
    writeHash();
    send({ type: 'train-config', settings: s });
  }, useCsv);

  const readout = (label: string, testid: string) => {
    const value = el('output', { 'data-testid': testid, 'aria-live': 'off', text: '–' });
    return { value, item: el('div', { class: 'readout' }, el('span', { class: 'readout-label', text: label }), value) };
  };
  const rSteps = readout('step', 'train-steps');
  const rEpoch = readout('epoch', 'train-epoch');
  const rLoss = readout('train loss', 'loss-value');
  const rAcc = readout('test accuracy', 'test-accuracy');
  const rRate = readout('steps/s', 'steps-per-second');
  const rFps = readout('page fps', 'page-fps');

  const start = button('Start', { 'data-testid': 'train-start', class: 'primary' }, () => send({ type: 'train-run', running: true }));
  const pause = button('Pause', { 'data-testid': 'train-pause' }, () => send({ type: 'train-run', running: false }));
  const step = button('Step', { 'data-testid': 'train-step', title: 'one optimizer step (while paused)' }, () => send({ type: 'train-step' }));
  const reset = button('Reset', { 'data-testid': 'train-reset' }, () => {
    history = [];
    norms = [];
    send({ type: 'train-reset' });
  });
  const buildSelect = el('select', { id: 'build-select', 'data-testid': 'build-select' });
  buildSelect.addEventListener('change', () => send({ type: 'build', build: buildSelect.value as BuildName }));
  const buildRow = el('div', { class: 'row inline' }, el('label', { for: 'build-select', text: 'core build' }), buildSelect);
  // why the settings have no run (a network too large for Newton): shown until a run starts again
  const refusal = el('p', { class: 'refusal', role: 'alert', 'data-testid': 'train-message', hidden: true });
  // where the threaded build can run, and how many threads the current engine uses (web/threads.ts)
  const threadsNote = el('p', { class: 'help threads-note', 'data-testid': 'threads-note', 'aria-live': 'polite', text: '' });
  let threadsText = '';

  const canvas = el('canvas', { class: 'heatmap', role: 'img', 'aria-label': 'decision boundary of the model over the data; filled dots: training points, rings: test points' });
  const heatmap = new Heatmap(canvas);
  new ResizeObserver(() => heatmap.draw()).observe(canvas);

  const lossChart = new LineChart('loss (full data, cross-entropy)', [
    { label: 'train', color: '#1f77b4' },
    { label: 'test', color: '#d62728', dash: [6, 4] },
  ], { logY: true });
  const accChart = new LineChart('accuracy', [
    { label: 'train', color: '#1f77b4' },
    { label: 'test', color: '#d62728', dash: [6, 4] },
  ]);
  const lrChart = new LineChart('learning rate', [{ label: 'lr', color: '#2ca02c' }]);
  let normChart = new LineChart('weight norm ‖W‖ per layer', []);
  const normSlot = el('div', { class: 'p-norm' }, normChart.figure);

  const exportCkpt = button('Checkpoint (.safetensors)', { 'data-testid': 'export-checkpoint' }, () => send({ type: 'export-checkpoint' }));
  const exportSvg = button('Loss curves (.svg)', { 'data-testid': 'export-svg' }, () => send({ type: 'export-svg' }));
  const linkOut = el('input', { id: 'share-link', type: 'text', readonly: true, class: 'link' });
  const copyLink = button('Copy link to these settings', { 'data-testid': 'export-link' }, () => {
    writeHash();
    linkOut.value = location.href;
    linkOut.select();
    navigator.clipboard?.writeText(location.href).then(() => status('link copied'), () => status('link shown below: copy it by hand'));
  });

  const element = el(
    'div',
    { class: 'layout' },
    el(
      'div',
      { class: 'stage' },
      el('div', { class: 'toolbar', role: 'group', 'aria-label': 'training' }, start, pause, step, reset, buildRow),
      refusal,
      threadsNote,
      el('div', { class: 'readouts' }, rSteps.item, rEpoch.item, rLoss.item, rAcc.item, rRate.item, rFps.item),
      el(
        'div',
        { class: 'plots train-plots' },
        el('div', { class: 'square p-map' }, canvas),
        el('div', { class: 'p-loss' }, lossChart.figure),
        el('div', { class: 'p-acc' }, accChart.figure),
        el('div', { class: 'p-lr' }, lrChart.figure),
        normSlot,
      ),
      el('div', { class: 'toolbar exports', role: 'group', 'aria-label': 'export' }, exportCkpt, exportSvg, copyLink),
      el('div', { class: 'row link-row' }, el('label', { for: 'share-link', text: 'link to these settings' }), linkOut),
    ),
    form.element, // after the stage in the page (phones see the run first); placed left on wide screens by CSS
  );

  // a CSV file dropped anywhere on the view
  element.addEventListener('dragover', (e) => {
    if (e.dataTransfer?.types.includes('Files')) e.preventDefault();
  });
  element.addEventListener('drop', (e) => {
    const file = e.dataTransfer?.files[0];
    if (!file) return;
    e.preventDefault();
    useCsv(file);
  });

  function writeHash(): void {
    window.history.replaceState(null, '', `#${encodeHash('train', settings)}`);
  }

  // page frame rate: frames counted per second while the tab is visible
  let frames = 0, fpsT0 = performance.now();
  const frame = (t: number) => {
    frames++;
    if (t - fpsT0 >= 1000) {
      rFps.value.textContent = String(Math.round((frames * 1000) / (t - fpsT0)));
      frames = 0;
      fpsT0 = t;
    }
    if (dirty) redraw();
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);

  function redraw(): void {
    dirty = false;
    const x = history.map((p) => p.step);
    lossChart.set(x, [history.map((p) => p.trainLoss), history.map((p) => p.testLoss)]);
    accChart.set(x, [history.map((p) => p.trainAccuracy), history.map((p) => p.testAccuracy)]);
    lrChart.set(x, [history.map((p) => p.lr)]);
    normChart.set(norms.map((n) => n.step), normNames.map((_, i) => norms.map((n) => n.values[i])));
  }

  function handle(m: FromWorker): void {
    switch (m.type) {
      case 'ready':
        buildSelect.replaceChildren(...m.builds.map((b) => el('option', { value: b, text: BUILDS[b] })));
        if (m.builds.includes('simd')) buildSelect.append(el('option', { value: 'threads', text: BUILDS.threads, disabled: !m.threads.available }));
        buildSelect.value = m.build;
        threadsText = m.threads.note;
        threadsNote.textContent = threadsText;
        send({ type: 'train-config', settings });
        break;
      case 'train-data':
        heatmap.setData(m);
        break;
      case 'train-boundary':
        heatmap.setBoundary(m);
        break;
      case 'train-refused':
        refusal.textContent = m.message;
        refusal.hidden = false;
        history = [];
        norms = [];
        normNames = [];
        normChart = new LineChart('weight norm ‖W‖ per layer', []);
        normSlot.replaceChildren(normChart.figure);
        for (const r of [rSteps, rEpoch, rLoss, rAcc, rRate]) r.value.textContent = '–';
        delete rLoss.value.dataset.exact;
        for (const b of [start, pause, step, reset, exportCkpt, exportSvg]) b.disabled = true;
        dirty = true;
        break;
      case 'train-report': {
        if (m.fresh) {
          history = [];
          norms = [];
          refusal.hidden = true;
          exportCkpt.disabled = exportSvg.disabled = reset.disabled = false;
        }
        const names = m.norms.map((n) => n.name);
        if (names.join() !== normNames.join()) {
          normNames = names;
          normChart = new LineChart('weight norm ‖W‖ per layer', names.map((name, i) => ({ label: name, color: NORM_COLORS[i % NORM_COLORS.length] })));
          normSlot.replaceChildren(normChart.figure);
        }
        history.push(...m.points);
        norms.push({ step: m.steps, values: m.norms.map((n) => n.norm) });
        const last = history.at(-1);
        rSteps.value.textContent = String(m.steps);
        rEpoch.value.textContent = String(m.epoch);
        if (last) {
          rLoss.value.textContent = fmt(last.trainLoss);
          rLoss.value.dataset.exact = String(last.trainLoss); // every bit, for automation
          rAcc.value.textContent = `${(100 * last.testAccuracy).toFixed(1)} %`;
        }
        rRate.value.textContent = m.running ? String(Math.round(m.stepsPerSecond)) : '0';
        buildSelect.value = m.build;
        if (threadsNote.dataset.threads !== String(m.threads)) {
          threadsNote.dataset.threads = String(m.threads);
          threadsNote.textContent = m.threads > 1 ? `${m.threads} threads: matrix products above ~4 MFLOP are split between this worker and the pool's` : threadsText;
        }
        start.disabled = m.running;
        pause.disabled = !m.running;
        step.disabled = m.running;
        dirty = true;
        break;
      }
      case 'export':
        if (m.kind === 'checkpoint') {
          download('model.safetensors', m.weights as Uint8Array<ArrayBuffer>, 'application/octet-stream');
          download('checkpoint.json', m.sidecar, 'application/json');
        } else download('loss-curves.svg', m.svg, 'image/svg+xml');
        break;
    }
  }

  return { element, handle, hash: () => encodeHash('train', settings) };
}
