// Reads the COG from the @etalab/decoupage-administratif package (its data/*.json) and the commune contours
// copied under data/demo/contours. Both are local files: nothing is fetched at run time.
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { CogCommune, CogEpci } from '../model.ts';

const require = createRequire(import.meta.url);
const packageDir = dirname(require.resolve('@etalab/decoupage-administratif/package.json'));
const readJson = (file: string, dir = join(packageDir, 'data')) => JSON.parse(readFileSync(join(dir, file), 'utf8'));

export const COG_VERSION: string = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).version;

/** The COG files of the installed package, or of a folder holding the same four files (a fetched newer version). */
export function readCog(dir?: string) {
  return {
    regions: readJson('regions.json', dir) as { code: string; nom: string }[],
    departements: readJson('departements.json', dir) as { code: string; nom: string; region: string }[],
    epcis: readJson('epci.json', dir) as CogEpci[],
    communes: readJson('communes.json', dir) as CogCommune[],
  };
}

/** -1, 0 or 1 as semver-like version a is older, equal or newer than b (x.y.z, numbers only). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const pb = b.split('.').map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) < (pb[i] ?? 0) ? -1 : 1;
  return 0;
}

const CONTOURS_DIR = join(import.meta.dirname, '..', '..', '..', '..', 'data', 'demo', 'contours');

export interface ContourFeature {
  code: string;
  geometry: { type: string; coordinates: unknown };
}

export function readContours(dir = CONTOURS_DIR): ContourFeature[] {
  const out: ContourFeature[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.geojson')).sort()) {
    const fc = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    for (const feat of fc.features) out.push({ code: String(feat.properties.code), geometry: feat.geometry });
  }
  return out;
}
