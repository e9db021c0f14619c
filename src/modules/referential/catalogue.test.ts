// Loading the referential from disk: versions in order, a malformed file named at start, versions chosen on demand.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { findSchema, loadCatalogue, REFERENTIAL_DIR } from './catalogue.ts';
import { compileSchema, createValidator } from './model.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A copy of the published referential where `permis-declares` also has versions 1.9.0 and 1.10.0. */
function catalogueWithVersions(edit?: (schema: any) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'referentiel-'));
  dirs.push(dir);
  cpSync(REFERENTIAL_DIR, dir, { recursive: true });
  for (const version of ['1.9.0', '1.10.0']) {
    const target = join(dir, 'permis-declares', version);
    mkdirSync(target, { recursive: true });
    const schema = JSON.parse(readFileSync(join(REFERENTIAL_DIR, 'permis-declares', '1.0.0', 'schema.json'), 'utf8'));
    schema.version = version;
    edit?.(schema);
    writeFileSync(join(target, 'schema.json'), JSON.stringify(schema));
  }
  return dir;
}

describe('the catalogue', () => {
  it('serves the newest version by default and any published version on demand', () => {
    const cat = loadCatalogue(catalogueWithVersions());
    expect(cat.schemas.get('permis-declares')!.map((e) => e.schema.version)).toEqual(['1.10.0', '1.9.0', '1.0.0']);
    expect(findSchema(cat, 'permis-declares').schema.version).toBe('1.10.0');
    expect(findSchema(cat, 'permis-declares', '1.0.0').schema.version).toBe('1.0.0');
    expect(() => findSchema(cat, 'permis-declares', '2.0.0')).toThrow(/versions publiées : 1\.10\.0, 1\.9\.0, 1\.0\.0/);
    expect(() => findSchema(cat, 'inconnu')).toThrow(/n'existe pas/);
  });

  it('refuses to start on a schema that names an unknown column in its controls, naming the file', () => {
    const dir = catalogueWithVersions((s) => s['x-habitat'].controles.push({ type: 'somme', total: 'nb_total', parties: ['a', 'b'] }));
    expect(() => loadCatalogue(dir)).toThrow(/permis-declares\/1\.(9|10)\.0\/schema\.json.*champ « nb_total » inconnu/);
  });

  it('refuses a schema whose policy is not one of the two', () => {
    const dir = catalogueWithVersions((s) => (s['x-habitat'].politique = 'au-mieux'));
    expect(() => loadCatalogue(dir)).toThrow(/schéma mal formé/);
  });
});

describe('the validator on arbitrary rows', () => {
  const cat = loadCatalogue();
  it('never throws, and every problem it reports has a message and a fix', () => {
    const entries = [...cat.schemas.values()].map((v) => v[0]);
    fc.assert(
      fc.property(
        fc.constantFrom(...entries),
        fc.array(fc.array(fc.oneof(fc.string(), fc.constantFrom('', '0', '-1', '2024-02-30', '31555', 'PC', 'true', '1e400', ' 12 ')), { maxLength: 25 }), { maxLength: 8 }),
        (entry, rows) => {
          const v = createValidator(compileSchema(entry.schema), { communes: new Set(['31555']) });
          v.header(entry.schema.fields.map((f) => f.name));
          rows.forEach((cells, i) => v.row(cells, i + 2));
          const report = v.report();
          expect(report.summary.rowsValid + report.summary.rowsInvalid).toBe(rows.length);
          for (const p of report.problems) {
            expect(p.message.length).toBeGreaterThan(10);
            expect(p.fix.length).toBeGreaterThan(10);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
