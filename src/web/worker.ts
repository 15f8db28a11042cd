// The playground's worker: one engine per build of the core (relaxed SIMD, SIMD,
// scalar; each only where the browser validates it), the Train session and the
// Race session. Training runs in slices of ~25 ms with a yield between them (a
// MessageChannel message, not setTimeout, so no 4 ms clamp), which lets the
// page's messages (pause, step, build switch) in at once. Reports go out every
// ~150 ms, the decision boundary every ~400 ms. On a cross-origin-isolated page a
// fourth engine, SIMD on 2 threads, is made when first chosen (threads.ts).
import { experiments, experimentSvg, init, runExperimentAsync, type Dataset, type Engine } from '../index.js';
import type { BuildName } from './options.js';
import type { ExperimentInfo, FromWorker, ToWorker } from './protocol.js';
import { RaceSession } from './race-session.js';
import type { TrainSettings } from './settings.js';
import { probeThreads, threadedEngine } from './threads.js';
import { dataMessage, fromCsv, generate, prepare, SettingsRefused, TrainSession, type Prepared } from './train-session.js';

const post = (m: FromWorker, transfer: Transferable[] = []) => (self as unknown as { postMessage(m: unknown, t: Transferable[]): void }).postMessage(m, transfer);

const engines = new Map<BuildName, Engine>();
let build: BuildName = 'scalar';
let session: TrainSession | null = null;
let csv: Dataset | null = null;
let running = false;
let reported = 0; // session.history length already sent
let fresh = true;
let lastReport = 0, lastBoundary = 0;
let rateT0 = 0, rateSteps0 = 0, rate = 0;
let race: RaceSession | null = null;
let raceTimer: ReturnType<typeof setTimeout> | null = null;

const SLICE_MS = 25, REPORT_MS = 150, BOUNDARY_MS = 400, RATE_MS = 1000;

async function setup(): Promise<void> {
  const tries: [BuildName, Parameters<typeof init>[0]][] = [
    ['relaxed', { relaxedSimd: true }],
    ['simd', { simd: true, relaxedSimd: false }],
    ['scalar', { simd: false }],
  ];
  for (const [name, options] of tries) {
    try {
      engines.set(name, await init({ ...options, maxMemoryMB: 256 }));
    } catch {
      // this browser lacks the feature: the build is not offered
    }
  }
  build = [...engines.keys()][0];
  const list: ExperimentInfo[] = experiments.map((e) => ({
    name: e.name, title: e.title, claim: e.claim, source: e.source, params: e.params,
    stochastic: e.stochastic === true, counter: e.counter ?? null,
  }));
  post({ type: 'ready', builds: [...engines.keys()], build, experiments: list, threads: await probeThreads() });
}

let experimentBusy = false;
/**
 * Runs one experiment of the gallery on the current build. Training and the race wait
 * meanwhile, and the page's messages are handled after it (the run holds an arena mark
 * across its awaits: nothing else may allocate on the engine until it settles).
 */
async function experiment(name: string, params: Record<string, number>, seed: number): Promise<void> {
  experimentBusy = true;
  try {
    const r = await runExperimentAsync(engines.get(build)!, name, params, seed);
    const e = experiments.find((x) => x.name === name)!;
    post({
      type: 'experiment-result', name, verdict: r.verdict, checks: r.checks, table: r.table,
      params: r.params, seed: r.seed, seconds: r.seconds, build, svg: experimentSvg(e, r),
    });
  } finally {
    experimentBusy = false;
    schedule();
  }
}

function report(): void {
  if (session === null) return;
  const now = performance.now();
  if (now - rateT0 >= RATE_MS) {
    rate = running ? ((session.steps - rateSteps0) * 1000) / (now - rateT0) : 0;
    rateT0 = now;
    rateSteps0 = session.steps;
  }
  const points = session.history.slice(reported);
  reported = session.history.length;
  post({
    type: 'train-report', points, fresh, steps: session.steps, epoch: session.epoch, running,
    stepsPerSecond: rate, norms: session.norms(), build, threads: session.engine.threads.count,
  });
  fresh = false;
  lastReport = now;
}

function boundary(): void {
  if (session === null) return;
  const b = session.boundary();
  post(b, [b.probs.buffer]);
  lastBoundary = performance.now();
}

/**
 * A new session from settings. Settings the session refuses (a network too large for Newton)
 * end the current run and the page says why; no run exists until the settings change.
 */
function configure(settings: TrainSettings): void {
  const data: Prepared = prepare(settings.dataset === 'csv' ? (csv ?? fail('drop or choose a CSV file first')) : generate(settings), settings);
  let next: TrainSession;
  try {
    next = new TrainSession(engines.get(build)!, settings, data);
  } catch (e) {
    if (!(e instanceof SettingsRefused)) throw e;
    session?.dispose();
    session = null;
    running = false;
    post(dataMessage(data));
    post({ type: 'train-refused', message: e.message });
    return;
  }
  session?.dispose();
  session = next;
  post(dataMessage(data));
  restart();
}

/** The first point of a fresh run: the loss before any step. */
function restart(): void {
  reported = 0;
  fresh = true;
  session!.evaluate();
  rateT0 = performance.now();
  rateSteps0 = session!.steps;
  report();
  boundary();
}

function fail(message: string): never {
  throw new Error(message);
}

const channel = new MessageChannel();
channel.port1.onmessage = () => slice();
let pending = false;
function schedule(): void {
  if (!pending && running) {
    pending = true;
    channel.port2.postMessage(0);
  }
}

function slice(): void {
  pending = false;
  if (!running || session === null || experimentBusy) return;
  try {
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < SLICE_MS) {
      for (let i = 0; i < session.burst; i++) session.step();
      t = performance.now();
    }
    if (t - lastReport >= REPORT_MS) {
      session.evaluate();
      report();
    }
    if (t - lastBoundary >= BOUNDARY_MS) boundary();
  } catch (e) {
    running = false;
    error('train', e);
    report();
  }
  schedule();
}

function error(where: string, e: unknown): void {
  post({ type: 'error', where, message: e instanceof Error ? e.message : String(e) });
}

let buildTicket = 0;
/** Moves the run to another build's engine; the threaded one is made on first use (a later choice wins). */
async function useBuild(name: BuildName): Promise<void> {
  const ticket = ++buildTicket;
  try {
    if (name === 'threads' && !engines.has('threads')) {
      const e = await threadedEngine();
      if (engines.has('threads')) e.dispose();
      else engines.set('threads', e);
      if (ticket !== buildTicket) return;
    }
    const e = engines.get(name);
    if (e === undefined) throw new Error(`the ${name} build is not available in this browser`);
    build = name;
    if (session !== null && session.engine !== e) session = session.moveTo(e);
    rateT0 = performance.now();
    rateSteps0 = session?.steps ?? 0;
  } catch (e) {
    error('build', e);
  }
  report();
}

function raceTick(): void {
  raceTimer = null;
  if (race === null) return;
  if (experimentBusy) {
    raceTimer = setTimeout(raceTick, 16);
    return;
  }
  const u = race.advance(Math.max(1, Math.ceil(race.config.steps / 60))); // the race takes ~60 frames
  post(u);
  if (!u.done) raceTimer = setTimeout(raceTick, 16);
}

function stopRace(): void {
  if (raceTimer !== null) clearTimeout(raceTimer);
  raceTimer = null;
  race?.dispose();
  race = null;
}

// one message at a time, in order: a message waits for an async experiment before it
let queue: Promise<void> = Promise.resolve();
self.onmessage = (ev: MessageEvent<ToWorker>) => {
  queue = queue.then(() => handle(ev.data));
};

async function handle(m: ToWorker): Promise<void> {
  try {
    switch (m.type) {
      case 'train-config': configure(m.settings); break;
      case 'train-csv':
        csv = fromCsv(m.text, m.name);
        configure(m.settings);
        break;
      case 'train-run':
        running = m.running && session !== null;
        rateT0 = performance.now();
        rateSteps0 = session?.steps ?? 0;
        if (!running) report();
        schedule();
        break;
      case 'train-step':
        if (session !== null && !running) {
          session.step();
          session.evaluate();
          report();
          boundary();
        }
        break;
      case 'train-reset':
        if (session !== null) {
          const { settings, data } = session;
          session.dispose();
          session = new TrainSession(engines.get(build)!, settings, data);
          restart();
        }
        break;
      case 'build':
        void useBuild(m.build);
        break;
      case 'export-checkpoint': {
        if (session === null) break;
        const { weights, sidecar } = session.checkpoint();
        post({ type: 'export', kind: 'checkpoint', weights, sidecar }, [weights.buffer]);
        break;
      }
      case 'export-svg':
        if (session !== null) post({ type: 'export', kind: 'svg', svg: session.lossSvg() });
        break;
      case 'race-start':
        stopRace();
        race = new RaceSession(engines.get(build)!, m.config);
        post(race.first());
        raceTimer = setTimeout(raceTick, 16);
        break;
      case 'race-stop':
        stopRace();
        break;
      case 'experiment-run':
        await experiment(m.name, m.params, m.seed);
        break;
    }
  } catch (e) {
    error(m.type, e);
  }
}

setup().catch((e) => error('init', e));
