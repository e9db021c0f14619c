// Reads cotation grids kept as JSON files (data/demo/cotation/): each file is parsed and checked like a grid
// entered in the web app, so a bad file is refused with the list of its problems.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Grid, GridError, parseGrid } from '../model.ts';

export const DEMO_GRIDS_DIR = join(import.meta.dirname, '..', '..', '..', '..', 'data', 'demo', 'cotation');

export function readGridFile(path: string): Grid {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new GridError([`${path} : JSON illisible (${e instanceof Error ? e.message : String(e)})`]);
  }
  try {
    return parseGrid(json);
  } catch (e) {
    if (e instanceof GridError) throw new GridError(e.problems.map((p) => `${path} : ${p}`));
    throw e;
  }
}

/** All grids of a folder, by file name without extension. */
export function readGridDir(dir = DEMO_GRIDS_DIR): Record<string, Grid> {
  const out: Record<string, Grid> = {};
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) out[f.replace(/\.json$/, '')] = readGridFile(join(dir, f));
  return out;
}
