import { existsSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTables, TABLES_DIR } from './tables.ts';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});
function copy(): string {
  dir = mkdtempSync(join(tmpdir(), 'aids-tables-'));
  cpSync(TABLES_DIR, dir, { recursive: true });
  return dir;
}

describe('tables', () => {
  it('loads every scheme and year, each with a source and a verification status', () => {
    const t = loadTables();
    const ids = t.ceilings.map((c) => `${c.scheme}-${c.year}`).sort();
    expect(ids).toEqual([
      'BRS-2024', 'BRS-2025', 'BRS-2026', 'PLAI-2024', 'PLAI-2025', 'PLAI-2026', 'PLS-2023', 'PLS-2024', 'PLS-2025', 'PLS-2026',
      'PLUS-2023', 'PLUS-2024', 'PLUS-2025', 'PLUS-2026', 'PSLA-2024', 'PSLA-2025', 'PSLA-2026',
    ]);
    expect(t.ptz.map((p) => p.year)).toEqual([2024]);
    expect(t.mpr.map((m) => m.year)).toEqual([2024, 2025]);
    for (const c of [...t.ceilings, ...t.ptz, ...t.mpr]) expect(c.sources.length).toBeGreaterThan(0);
  });

  // shared/ stands beside the repository (CI clones main with shared/ beside it).
  const sharedFile = [join(import.meta.dirname, '..', '..', '..', '..', 'shared'), '/work/shared']
    .map((d) => join(d, 'data', 'rules', 'ceilings', 'logement_social_PLAI_PLUS_PLS.json'))
    .find((f) => existsSync(f));
  it.skipIf(!sharedFile)('match the shared legal data they were built from', () => {
    const shared = JSON.parse(readFileSync(sharedFile!, 'utf8'));
    const t = loadTables();
    // The shared file writes its keys in French; ours follow the naming rule (docs/decisions/0004-naming.md).
    const KEY: Record<string, string> = { paris_communes_limitrophes: 'paris_and_neighbours', autres_regions: 'other_regions', par_personne_supplementaire: 'per_extra_person' };
    const english = (o: Record<string, unknown>): unknown =>
      Object.fromEntries(Object.entries(o).map(([k, v]) => [KEY[k] ?? k, typeof v === 'object' && v ? english(v as Record<string, unknown>) : v]));
    for (const c of t.ceilings.filter((x) => x.scheme === 'PLUS' || x.scheme === 'PLS')) {
      expect(c.values).toEqual(english(shared[`${c.scheme}_${c.year}`].values));
    }
  });

  it('refuses a broken table with the file and the field, in French', () => {
    const root = copy();
    const file = join(root, 'logement-social', 'PLUS-2026.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    json.values.other_regions['2'] = -5;
    writeFileSync(file, JSON.stringify(json));
    expect(() => loadTables(root)).toThrow(/Table d'aides invalide : .*PLUS-2026\.json, champ « values\.other_regions\.2 »/);
  });

  it('refuses a table that is not JSON', () => {
    const root = copy();
    writeFileSync(join(root, 'renovation', 'dpe.json'), '{ pas du json');
    expect(() => loadTables(root)).toThrow(/Table d'aides illisible : .*dpe\.json/);
  });
});
