// Shared by the browser tests of the playground: Debian's Chromium (playwright-core
// drives it, as test/runtimes/chromium.mjs does), its flags, and a polling helper.
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** Polls `probe` every 100 ms until it returns a value other than null/false; throws after `ms`. */
export async function until<T>(what: string, ms: number, probe: () => Promise<T | null | false>): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (v !== null && v !== false) return v;
    if (Date.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(100);
  }
}
