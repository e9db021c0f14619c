import fc from 'fast-check';
import { join } from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { DPE_LAYOUTS, detectLayout, linkCommune, readDpeFile, readDpeLine, type CommuneLookup, type DpeRow } from './dpe.ts';
import { DEMO_DPE } from '../demo.ts';

// Every file a test writes lives under one folder, removed at the end.
const TMP = mkdtempSync(join(tmpdir(), 'habitat-stock-test-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const SNAKE = join(import.meta.dirname, '..', '..', '..', '..', 'test', 'fixtures', 'stock', 'dpe_snake_case_12_lignes.csv');

// The real COG values (decoupage-administratif) of the communes involved.
const lookup: CommuneLookup = {
  byCode: new Map([
    ['69008', { name: 'Ancy', postal_codes: ['69490'], parent_code: null }],
    ['69123', { name: 'Lyon', postal_codes: ['69001', '69002', '69003', '69004', '69005', '69006', '69007', '69008', '69009'], parent_code: null }],
    ['69388', { name: 'Lyon 8e Arrondissement', postal_codes: ['69008'], parent_code: '69123' }],
  ]),
  byPostcode: new Map([
    ['69490', ['69008']],
    ['69008', ['69123', '69388']],
  ]),
};

describe('ADEME DPE reader, legacy accented layout (real extract)', () => {
  it('reads the 2,851 DPEs of the extract with their labels, BOM and quotes handled', async () => {
    const r = await readDpeFile(DEMO_DPE);
    expect(r.layout).toBe('ademe-v2-accentue');
    expect(r.problems).toEqual([]);
    expect(r.rows).toHaveLength(2851);
    const by = (k: string) => r.rows.filter((x) => x.etiquette_dpe === k).length;
    expect([by('A'), by('B'), by('C'), by('D'), by('E')]).toEqual([93, 831, 1904, 15, 8]);
    const first = r.rows[0];
    expect(first).toMatchObject({ numero_dpe: '2469N0892797M', date_reception: '2024-03-12', etiquette_dpe: 'C', code_insee: '69388', code_postal: '69008', conso_ep_m2: 112.6 });
    expect(r.rows.filter((x) => x.code_insee === '69008')).toHaveLength(16);
  });
});

describe('ADEME DPE reader, current snake_case layout (test file built from real rows)', () => {
  it('reads the same values under the new column names', async () => {
    const r = await readDpeFile(SNAKE);
    expect(r.layout).toBe('ademe-snake-case');
    expect(r.problems).toEqual([]);
    expect(r.rows).toHaveLength(12);
    expect(r.rows[0]).toMatchObject({ numero_dpe: '2469N0892797M', etiquette_dpe: 'C', identifiant_ban: '69388_tit1oq_00019_bis' });
  });

  it('refuses a file of another kind, naming the missing columns in French', async () => {
    const dir = mkdtempSync(join(TMP, 'dpe-'));
    const f = join(dir, 'autre.csv');
    writeFileSync(f, 'a,b\n1,2\n');
    const r = await readDpeFile(f);
    expect(r.rows).toEqual([]);
    expect(r.problems[0].message).toMatch(/Format de fichier DPE non reconnu : colonnes obligatoires absentes \(« N°DPE ».*numero_dpe/);
  });

  it('reports a bad line with file, line, column, rule and value', async () => {
    const dir = mkdtempSync(join(TMP, 'dpe-'));
    const f = join(dir, 'mauvais.csv');
    writeFileSync(f, 'numero_dpe,date_reception_dpe,etiquette_dpe,code_insee_ban\n2469N0892797M,2024-03-12,C,69388\n2469N0892783Y,2024-02-30,C,69388\n2469N0892780V,2024-03-12,H,69388\n2469N0892797M,2024-03-12,C,69388\n');
    const r = await readDpeFile(f);
    expect(r.rows).toHaveLength(1);
    expect(r.problems.map((p) => [p.line, p.column, p.rule, p.value])).toEqual([
      [3, 'date_reception_dpe', 'stock.dpe_date', '2024-02-30'],
      [4, 'etiquette_dpe', 'stock.dpe_label', 'H'],
      [5, 'numero_dpe', 'stock.dpe_duplicate', '2469N0892797M'],
    ]);
    expect(r.problems[2].message).toBe('Ce numéro de DPE figure déjà ligne 2 : ligne ignorée.');
  });
});

describe('commune link', () => {
  const row = (code: string, cp: string | null): DpeRow => ({
    line: 7, numero_dpe: '2469N0892797M', date_reception: '2024-03-12', etiquette_dpe: 'C', etiquette_ges: 'A', type_batiment: 'appartement',
    surface_m2: 43.9, conso_ep_m2: 112.6, ges_m2: 3.2, code_insee: code, code_postal: cp, nom_commune: null, identifiant_ban: null, adresse: null,
    numero_dpe_immeuble: null, numero_rpls_logement: null,
  });

  it('keeps 69008 for the Ancy rows of the extract: it is Ancy’s INSEE code and their postcode is Ancy’s (69490)', () => {
    expect(linkCommune(row('69008', '69490'), lookup, 'f.csv', 'Code_INSEE_(BAN)')).toEqual({ code: '69008' });
  });

  it('corrects 69008 to Lyon 8e when the row’s postcode is 69008, and says why in French', () => {
    const r = linkCommune(row('69008', '69008'), lookup, 'f.csv', 'Code_INSEE_(BAN)');
    expect('code' in r && r.code).toBe('69388');
    if ('code' in r) {
      expect(r.correction).toMatchObject({ file: 'f.csv', line: 7, column: 'Code_INSEE_(BAN)', rule: 'stock.dpe_postcode_as_commune_code', value: '69008' });
      expect(r.correction!.message).toMatch(/code postal de Lyon 8e Arrondissement.*DPE rattaché à Lyon 8e Arrondissement \(69388\)/);
    }
  });

  it('rejects a code that is neither a commune nor a postcode', () => {
    const r = linkCommune(row('69999', null), lookup, 'f.csv', 'code_insee_ban');
    expect('problem' in r && r.problem.rule).toBe('stock.dpe_unknown_commune');
  });

  it('never throws and always names file, line and column (property)', () => {
    const h = detectLayout(Object.values(DPE_LAYOUTS['ademe-snake-case']));
    if ('problem' in h) throw new Error(h.problem);
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom('A', 'G', '69388', '2024-03-12', '2469N0892797M', '1,5')), { maxLength: 20 }), fc.nat(10_000), (cells, line) => {
        const r = readDpeLine(cells, h.index, h.layout, 'x.csv', line);
        if ('problem' in r) {
          expect(r.problem.file).toBe('x.csv');
          expect(r.problem.line).toBe(line);
          expect(r.problem.column).toBeTruthy();
          expect(r.problem.message.length).toBeGreaterThan(10);
        } else {
          expect(r.row.etiquette_dpe).toMatch(/^[A-G]$/);
          expect(r.row.code_insee).toMatch(/^[0-9][0-9AB][0-9]{3}$/);
          const link = linkCommune(r.row, lookup, 'x.csv', 'code_insee_ban');
          expect('code' in link || 'problem' in link).toBe(true);
        }
      }),
    );
  });
});
