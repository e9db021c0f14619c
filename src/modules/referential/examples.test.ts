// Every published schema must accept its own valid example and find exactly the listed errors in its invalid one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toCsv } from '../../platform/csv.ts';
import { exampleFile, loadCatalogue } from './catalogue.ts';
import { validateFile } from './ingest/validate-file.ts';
import { territoryCommunes } from './test-support.ts';

const cat = loadCatalogue();
const communes = territoryCommunes();
const entries = [...cat.schemas.values()].flat();

describe('the published referential', () => {
  it('holds the six feeds the EPCI expects, each charter naming known schemas', () => {
    expect([...cat.schemas.keys()].sort()).toEqual(
      ['attributions', 'dossiers-renovation', 'incidents-batiments', 'parc-social', 'permis-declares', 'programmes-logements'],
    );
    expect(cat.charters.chartes.map((c) => c.type_partenaire)).toEqual(expect.arrayContaining(['commune', 'bailleur', 'promoteur', 'etat']));
  });

  for (const entry of entries) {
    const { name, version } = entry.schema;
    describe(`${name} ${version}`, () => {
      it('accepts its valid example with no error and no warning', async () => {
        const report = await validateFile(exampleFile(entry, 'valide'), { filename: 'valide.csv' }, entry.compiled, { communes });
        expect(report.header).toEqual([]);
        expect(report.problems).toEqual([]);
        expect(report.status).toBe('acceptee');
        expect(report.summary.rowsTotal).toBeGreaterThan(0);
        expect(report.summary.rowsAccepted).toBe(report.summary.rowsTotal);
      });

      it('finds exactly the expected errors in its invalid example', async () => {
        const expected = JSON.parse(readFileSync(join(entry.dir, 'exemples', 'erreurs-attendues.json'), 'utf8'));
        const report = await validateFile(exampleFile(entry, 'invalide'), { filename: 'invalide.csv' }, entry.compiled, { communes });
        const found = report.problems.map((p) => ({ ligne: p.line, colonne: p.column, regle: p.rule }));
        expect(found.sort(byLineColumn)).toEqual([...expected.erreurs].sort(byLineColumn));
        expect(report.status).toBe(expected.statut);
        for (const p of report.problems) {
          expect(p.message).toMatch(/\S/);
          expect(p.fix).toMatch(/\S/);
        }
      });

      it('gives every field a description and an example that the schema accepts', async () => {
        for (const f of entry.schema.fields) {
          expect(f.description.length, f.name).toBeGreaterThan(5);
          expect(f.example, `${f.name} : exemple`).toBeDefined();
        }
        // One line made of the fields' examples, validated like a delivery: every example is a value the schema takes.
        const fields = entry.schema.fields;
        const line = fields.map((f) => (typeof f.example === 'boolean' ? String(f.example) : (f.example ?? null)));
        const report = await validateFile(Buffer.from(toCsv([fields.map((f) => f.name), line])), { filename: 'exemples.csv' }, entry.compiled, { communes });
        expect(report.header).toEqual([]);
        expect(report.problems.map((p) => `${p.column} : ${p.rule} (« ${p.value} »)`)).toEqual([]);
        expect(report.summary.rowsAccepted).toBe(1);
      });
    });
  }
});

function byLineColumn(a: { ligne: number; colonne?: string; regle: string }, b: { ligne: number; colonne?: string; regle: string }) {
  return a.ligne - b.ligne || String(a.colonne).localeCompare(String(b.colonne)) || a.regle.localeCompare(b.regle);
}
