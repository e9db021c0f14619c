// Compiles the `habitat` command (src/cli/main.ts and everything it imports) to JavaScript in dist/cli/, so that a
// command does not transpile the TypeScript sources at every start (tsx took most of `habitat --help`'s 2.6 s).
// esbuild bundles our sources (node_modules stay external) and splits them per module: a command loads only the
// modules it needs (src/modules/catalogue.ts). Then the command tree is written to dist/cli/commands.json, so that
// `--help` and its errors are answered without loading any module (src/cli/commands.ts).
//
// Plain JavaScript with esbuild only: bin/habitat.js runs it when the build is missing or older than a source file,
// so a checkout works after `git pull` without a manual step. Built at `npm install` (prepare), `npm start` and `npm test`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI_DIR = join(ROOT, 'dist', 'cli');
export const CLI_ENTRY = join(CLI_DIR, 'main.js');
const SOURCES = [join(ROOT, 'src'), join(ROOT, 'bin')];

/**
 * The sources compute their data folders from their own place (`join(import.meta.dirname, '..', 'migrations')`).
 * Once bundled, every file would see dist/cli/ instead: each source keeps its own path, written relative to the
 * bundle so that the checkout can move.
 */
const keepSourcePaths = {
  name: 'keep-source-paths',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.')) return { contents: text, loader: 'ts' };
      const fromBundle = JSON.stringify(relative(CLI_DIR, args.path).split(sep).join('/'));
      const url = `new URL(${fromBundle}, import.meta.url)`;
      const contents = text.replace(/import\.meta\.(dirname|filename|url)\b/g, (_, what) =>
        what === 'url' ? `${url}.href` : what === 'filename' ? `__habitatUrl.fileURLToPath(${url})` : `__habitatPath.dirname(__habitatUrl.fileURLToPath(${url}))`,
      );
      return { contents: `import * as __habitatPath from 'node:path';\nimport * as __habitatUrl from 'node:url';\n${contents}`, loader: 'ts' };
    });
  },
};

/** Newest modification time among the sources the build reads (src/, bin/), in ms. */
export function newestSource(dirs = SOURCES) {
  let newest = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name === 'web' && dir.endsWith(`${sep}src`)) continue; // the web app is Vite's, not the command's
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of dirs) walk(d);
  return newest;
}

/** True when dist/cli/ is missing or older than a source file. */
export function cliIsStale() {
  try {
    return statSync(join(CLI_DIR, 'commands.json')).mtimeMs < newestSource();
  } catch {
    return true;
  }
}

/** Builds into a fresh folder, then swaps it in: a command started meanwhile sees the old build or the new, whole. */
export async function buildCli({ quiet = false } = {}) {
  const started = performance.now();
  const next = `${CLI_DIR}.${process.pid}.tmp`;
  rmSync(next, { recursive: true, force: true });
  const { build } = await import('esbuild'); // only when building: a command that runs the build loads nothing of it
  await build({
    entryPoints: [join(ROOT, 'src', 'cli', 'main.ts'), join(ROOT, 'src', 'cli', 'commands.ts')],
    outdir: next,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
    plugins: [keepSourcePaths],
  });
  // The command tree, read by `--help` without loading the modules: asked of the build itself.
  const describe = `const m = await import(${JSON.stringify(pathToFileURL(join(next, 'main.js')).href)}); process.stdout.write(await m.describeCommands());`;
  const tree = execFileSync(process.execPath, ['--input-type=module', '-e', describe], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  writeFileSync(join(next, 'commands.json'), tree);
  mkdirSync(dirname(CLI_DIR), { recursive: true });
  const old = `${CLI_DIR}.${process.pid}.old`;
  try {
    renameSync(CLI_DIR, old);
  } catch {
    // first build
  }
  try {
    renameSync(next, CLI_DIR);
  } catch {
    rmSync(next, { recursive: true, force: true }); // another command built it at the same moment: theirs is as good
  }
  rmSync(old, { recursive: true, force: true });
  if (!quiet) process.stderr.write(`Commande habitat compilée dans dist/cli (${Math.round(performance.now() - started)} ms).\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await buildCli();
