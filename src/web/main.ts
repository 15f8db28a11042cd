// The playground page: three views (Train, Race, Experiments) as tabs, one worker that owns the
// engines, and the URL hash as the shareable state. No framework, no network:
// everything it loads sits beside index.html.
import { el } from './dom.js';
import { experimentsView } from './experiments-view.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { raceView } from './race-view.js';
import { decodeHash } from './settings.js';
import { trainView } from './train-view.js';

const worker = new Worker('./worker.js', { type: 'module' });
const send = (m: ToWorker) => worker.postMessage(m);

const statusLine = document.getElementById('status')!;
const status = (text: string) => {
  statusLine.textContent = text;
};

const { view: initialView, settings } = decodeHash(location.hash);
const train = trainView(settings, send, status);
const race = raceView(send);
const gallery = experimentsView(send);
const initialExperiment = new URLSearchParams(location.hash.slice(1)).get('experiment');

const views = {
  train: { label: 'Train', view: train },
  race: { label: 'Race', view: race },
  experiments: { label: 'Experiments', view: gallery },
} as const;
type ViewName = keyof typeof views;
const tablist = document.getElementById('tabs')!;
const main = document.getElementById('main')!;
const tabs = new Map<ViewName, HTMLButtonElement>();
const panels = new Map<ViewName, HTMLElement>();
for (const [name, { label, view }] of Object.entries(views) as [ViewName, (typeof views)[ViewName]][]) {
  const tab = el('button', { type: 'button', role: 'tab', id: `tab-${name}`, 'aria-controls': `panel-${name}`, 'data-testid': `tab-${name}`, text: label });
  tab.addEventListener('click', () => show(name));
  tab.addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const names = [...tabs.keys()];
    const next = names[(names.indexOf(name) + (e.key === 'ArrowRight' ? 1 : names.length - 1)) % names.length];
    show(next);
    tabs.get(next)!.focus();
  });
  const panel = el('section', { role: 'tabpanel', id: `panel-${name}`, 'aria-labelledby': `tab-${name}` }, view.element);
  tabs.set(name, tab);
  panels.set(name, panel);
  tablist.append(tab);
  main.append(panel);
}

function show(name: ViewName): void {
  for (const [n, tab] of tabs) {
    const on = n === name;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
    panels.get(n)!.hidden = !on;
  }
  if (name === 'race') race.show();
  const hash = name === 'train' ? train.hash() : name === 'race' ? 'view=race' : gallery.hash();
  window.history.replaceState(null, '', `#${hash}`);
}
show(initialView === 'race' || initialView === 'experiments' ? initialView : 'train');

worker.onmessage = (ev: MessageEvent<FromWorker>) => {
  const m = ev.data;
  if (m.type === 'error') {
    status(`${m.where}: ${m.message}`);
    if (m.where === 'experiment-run') gallery.failed();
    return;
  }
  if (m.type === 'ready') {
    status(`ready: the ${m.builds.join(', ')} builds of the core run in a worker`);
    gallery.setList(m.experiments, initialExperiment);
  }
  if (m.type === 'experiment-result') {
    gallery.handle(m);
    status(`${m.name}: ${m.verdict}`);
    return;
  }
  if (m.type === 'train-data') status(`${m.name}: ${m.train.y.length} training and ${m.test.y.length} test points, ${m.k} classes`);
  if (m.type === 'race-update') race.handle(m);
  else train.handle(m);
};
worker.onerror = (e) => status(`worker failed: ${e.message}`);
