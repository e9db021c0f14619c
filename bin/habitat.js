#!/usr/bin/env node
// Entry point of the `habitat` command. When a running server holds the embedded store, the command is sent to it
// (./forward.js, plain JavaScript, nothing of the application loaded). Otherwise the compiled CLI (dist/cli, built by
// ./build.js, rebuilt here when a source is newer) runs in this process, and loads only the modules the command needs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { forwardToServer } from './forward.js';
import { buildCli, CLI_DIR, cliIsStale } from './build.js';

const args = process.argv.slice(2);
const forwarded = await forwardToServer(args);
if (forwarded !== undefined) process.exitCode = forwarded; // let the output drain, then end
else {
  if (cliIsStale()) await buildCli({ quiet: true });
  const tree = JSON.parse(readFileSync(join(CLI_DIR, 'commands.json'), 'utf8'));
  const { answerFromTree } = await import(pathToFileURL(join(CLI_DIR, 'commands.js')).href);
  // Help and mistakes are answered from the tree alone (commander only); a real command loads the CLI and its modules.
  const code = answerFromTree(tree, args) ?? (await (await import(pathToFileURL(join(CLI_DIR, 'main.js')).href)).runCli(args, tree));
  // On success the process ends by itself (a server keeps listening); a failure ends it now.
  if (code !== 0) process.exit(code);
}
