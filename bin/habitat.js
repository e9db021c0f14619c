#!/usr/bin/env -S node --liftoff-only
// Entry point of the `habitat` command. When a running server holds the embedded store, the command is sent to it
// (./forward.js, plain JavaScript, nothing of the application loaded). Otherwise the compiled CLI (dist/cli, built by
// ./build.js, rebuilt here when a source is newer) runs in this process, and loads only the modules the command needs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { forwardToServer } from './forward.js';
import { buildCli, CLI_DIR, cliIsStale } from './build.js';

const args = process.argv.slice(2);

/**
 * The embedded store (PGlite) is PostgreSQL compiled to WebAssembly. V8 first compiles it with its baseline compiler
 * (Liftoff), then recompiles hot functions with its optimising one (TurboFan) on background threads, which Node waits
 * for when the process ends: measured on `users list`, 3 s more CPU, 570 MB more memory and up to 8 s more wall time
 * after the work was done (and as long again to stop a server), for no gain seen on a 30 s query load
 * (docs/benchmarks.md, CLI start). So a process that opens PGlite runs with `--liftoff-only`: the shebang gives it to
 * `habitat`; `node bin/habitat.js` is restarted with it, in place (process.execve, same pid: signals and the store's
 * lock are unchanged). `node --no-liftoff-only bin/habitat.js …` keeps V8's default; a PostgreSQL server needs neither.
 */
function restartWithBaselineWasm() {
  const chosen = process.execArgv.some((a) => /^--(no-)?liftoff-only$/.test(a));
  if (chosen || process.env.DATABASE_URL || typeof process.execve !== 'function') return; // execve: Node ≥ 22.15, not Windows
  process.execve(process.execPath, [process.execPath, '--liftoff-only', ...process.execArgv, ...process.argv.slice(1)]);
}
const forwarded = await forwardToServer(args);
if (forwarded !== undefined) process.exitCode = forwarded; // let the output drain, then end
else {
  if (cliIsStale()) await buildCli({ quiet: true });
  const tree = JSON.parse(readFileSync(join(CLI_DIR, 'commands.json'), 'utf8'));
  const { answerFromTree } = await import(pathToFileURL(join(CLI_DIR, 'commands.js')).href);
  // Help and mistakes are answered from the tree alone (commander only); a real command loads the CLI and its modules.
  let code = answerFromTree(tree, args);
  if (code === undefined) {
    restartWithBaselineWasm();
    code = await (await import(pathToFileURL(join(CLI_DIR, 'main.js')).href)).runCli(args, tree);
  }
  // On success the process ends by itself (a server keeps listening); a failure ends it now.
  if (code !== 0) process.exit(code);
}
