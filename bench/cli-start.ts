// How fast the `habitat` command starts: `--help`, a command that opens the embedded store (`users list`), and the
// server's warm start (until it answers /health), for the compiled CLI (bin/habitat.js → dist/cli) against the
// TypeScript sources run through tsx (how every command started before). Whole processes, timed from outside.
//
//   npx tsx bench/cli-start.ts [runs]      (default 7 runs each, after one warm-up; check `uptime` first)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const RUNS = Number(process.argv[2] ?? 7);
const data = mkdtempSync(join(tmpdir(), 'habitat-cli-bench-'));
const env = { ...process.env, HABITAT_DATA_DIR: data, HABITAT_DEMO: 'false', LOG_LEVEL: 'warn' };
const compiled = [join(ROOT, 'bin', 'habitat.js')];
const sources = [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'src', 'cli', 'main.ts')];

function timeCommand(args: string[]): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { env, cwd: ROOT, stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} : code ${r.status}`);
  return performance.now() - t;
}

/** From the spawn of `serve` to the first 200 of /health. */
async function timeServerStart(entry: string[]): Promise<number> {
  const t = performance.now();
  const child = spawn(process.execPath, [...entry, 'serve', '--port', '0'], { env: { ...env, LOG_LEVEL: 'info' }, cwd: ROOT });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /prêt sur (http:\/\/[^ ]+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`serve : code ${code}`)));
  });
  while ((await fetch(`${url}/health`).catch(() => undefined))?.status !== 200) await new Promise((r) => setTimeout(r, 20));
  const elapsed = performance.now() - t;
  await new Promise((r) => {
    child.once('exit', r);
    child.kill('SIGTERM');
  });
  return elapsed;
}

async function series(run: () => number | Promise<number>): Promise<string> {
  await run(); // warm-up: file cache, the first PGlite checkpoint
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(await run());
  times.sort((a, b) => a - b);
  const f = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  return `${f(times[Math.floor(times.length / 2)])} (min ${f(times[0])}, max ${f(times[times.length - 1])})`;
}

spawnSync(process.execPath, [join(ROOT, 'bin', 'build.js')], { stdio: 'inherit' });
timeCommand([...compiled, 'migrate']); // the store's first start: COG and contours (not measured)
console.log(`Machine : ${cpus().length} cœurs, charge ${loadavg().map((l) => l.toFixed(2)).join(' ')} ; ${RUNS} passages, médiane (min, max)`);
console.log('| commande | compilée (bin/habitat.js) | sources via tsx |');
console.log('|---|---|---|');
for (const [label, args] of [
  ['habitat --help', ['--help']],
  ['habitat users list --operateur', ['users', 'list', '--operateur']],
] as const)
  console.log(`| ${label} | ${await series(() => timeCommand([...compiled, ...args]))} | ${await series(() => timeCommand([...sources, ...args]))} |`);
console.log(`| habitat serve → /health 200 | ${await series(() => timeServerStart(compiled))} | ${await series(() => timeServerStart(sources))} |`);
console.log(`Charge à la fin : ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
rmSync(data, { recursive: true, force: true });
