// Which loaded files are the demo extracts shipped in data/demo (real but partial data). Files fetched by a connector
// bear their publisher's names, so an instance fed with real data stops saying « démonstration » source by source,
// without a setting to forget.
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';

const DEMO_DIR = join(import.meta.dirname, '..', '..', 'data', 'demo');
let demoNames: Set<string> | undefined;

/** True when this file (a path or a name) is one of data/demo's files. */
export function isDemoFile(file: string | null | undefined): boolean {
  demoNames ??= new Set(existsSync(DEMO_DIR) ? readdirSync(DEMO_DIR, { recursive: true }).map((f) => basename(String(f))) : []);
  return !!file && demoNames.has(basename(file));
}
