#!/usr/bin/env node
// Entry point of the `habitat` command. When a running server holds the embedded store, the command is sent to it
// (./forward.js, plain JavaScript, nothing of the application loaded); otherwise the TypeScript CLI runs here through
// tsx, so no build step is needed.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { forwardToServer } from './forward.js';

const args = process.argv.slice(2);
const forwarded = await forwardToServer(args);
if (forwarded !== undefined) process.exitCode = forwarded; // let the output drain, then end
else {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const result = spawnSync(process.execPath, [tsx, join(root, 'src', 'cli', 'main.ts'), ...args], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
