// Reads the COG from the @etalab/decoupage-administratif package (its data/*.json) and the commune contours
// copied under data/demo/contours. Both are local files: nothing is fetched at run time.
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { CogCommune, CogEpci } from '../model.ts';

const require = createRequire(import.meta.url);
const packageDir = dirname(require.resolve('@etalab/decoupage-administratif/package.json'));
const readJson = (file: string) => JSON.parse(readFileSync(join(packageDir, 'data', file), 'utf8'));

export const COG_VERSION: string = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).version;

export function readCog() {
  return {
    regions: readJson('regions.json') as { code: string; nom: string }[],
    departements: readJson('departements.json') as { code: string; nom: string; region: string }[],
    epcis: readJson('epci.json') as CogEpci[],
    communes: readJson('communes.json') as CogCommune[],
  };
}

export const CONTOURS_DIR = join(import.meta.dirname, '..', '..', '..', '..', 'data', 'demo', 'contours');

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
