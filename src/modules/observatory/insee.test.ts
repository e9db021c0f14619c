// The INSEE comparateur import on the real file of the demo territory, on both stores. Expected figures are computed
// here from the raw file (a plain split on `;`), not copied from the importer's output.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { DEMO_INSEE, importInsee, inseeEditions, inseeFigures } from './index.ts';

const TMP = mkdtempSync(join(tmpdir(), 'habitat-insee-test-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const raw = readFileSync(DEMO_INSEE, 'utf8').trim().split('\n');
const header = raw[0].split(';');
const lines = raw.slice(1).map((l) => l.split(';'));
const col = (name: string) => header.indexOf(name);
const rowOf = (code: string) => lines.find((l) => l[0] === code)!;
const num = (v: string) => Number(v.replace(',', '.'));

describeStores('observatory: INSEE comparateur de territoires', (getDb) => {
  it('imports every commune of the real file with its figures, secrets apart', async () => {
    const r = await importInsee(getDb(), DEMO_INSEE);
    expect(r).toMatchObject({ status: 'imported', edition: '2025', lines: lines.length, communes: lines.length, problems: [] });
    const codes = lines.map((l) => l[0]);
    const figures = await inseeFigures(getDb(), codes);
    expect(figures).toHaveLength(lines.length);

    // Totals over the file, column by column, against the raw text.
    for (const name of ['P22_POP', 'P22_LOG', 'P22_LOGVAC', 'P22_RP']) {
      const expected = lines.reduce((s, l) => s + num(l[col(name)]), 0);
      const got = figures.reduce((s, f) => s + (f.figures[name] ?? 0), 0);
      expect(got).toBeCloseTo(expected, 6);
    }
    // Secrets: as many `s` cells in the file as secret columns stored.
    const sInFile = lines.reduce((s, l) => s + l.filter((c) => c === 's').length, 0);
    expect(figures.reduce((s, f) => s + f.secrets.length, 0)).toBe(sInFile);

    // A few communes, cell by cell: Toulouse, Lyon, and the first line (with secrets).
    for (const code of ['31555', '69123', lines[0][0]]) {
      const row = rowOf(code);
      const f = figures.find((x) => x.commune_code === code)!;
      expect(f.figures.P22_POP).toBe(num(row[col('P22_POP')]));
      expect(f.figures.MED21 ?? null).toBe(row[col('MED21')] === 's' ? null : num(row[col('MED21')]));
      const pimp = row[col('PIMP21')];
      if (pimp === 's') expect(f.secrets).toContain('PIMP21');
      else expect(f.figures.PIMP21).toBe(num(pimp)); // decimal comma in the file
    }
    const [edition] = await inseeEditions(getDb());
    expect(edition).toMatchObject({ edition: '2025', communes: lines.length, rejected: 0 });
  });

  it('re-importing the same file changes nothing; forced, the figures are the same', async () => {
    const before = await inseeFigures(getDb(), ['31555', '69123']);
    expect((await importInsee(getDb(), DEMO_INSEE)).status).toBe('already_imported');
    const forced = await importInsee(getDb(), DEMO_INSEE, { force: true });
    expect(forced.status).toBe('imported');
    expect(await inseeFigures(getDb(), ['31555', '69123'])).toEqual(before);
    expect((await inseeFigures(getDb(), lines.map((l) => l[0]))).length).toBe(lines.length);
  });

  it('rejects a bad line in French with file, line, column, rule and value, and keeps the others', async () => {
    const bad = raw.map((l, i) => (i === 3 ? l.replace(/^([^;]*;)[^;]*/, '$112 345') : l));
    bad.push(bad[2]); // the same commune twice
    const path = join(TMP, 'comparateur_2030_abime.csv');
    writeFileSync(path, bad.join('\n') + '\n');
    const r = await importInsee(getDb(), path);
    expect(r.status).toBe('imported');
    expect(r.edition).toBe('2030');
    expect(r.communes).toBe(lines.length - 1);
    expect(r.problems).toEqual([
      { file: 'comparateur_2030_abime.csv', line: 4, column: 'P22_POP', rule: 'insee.nombre', value: '12 345', message: expect.stringContaining('nombre attendu') },
      { file: 'comparateur_2030_abime.csv', line: raw.length + 1, column: 'CODGEO', rule: 'insee.doublon', value: lines[1][0], message: 'cette commune figure déjà ligne 3.' },
    ]);
    // The 2025 edition is untouched by another edition's import.
    expect((await inseeFigures(getDb(), [lines[2][0]], '2025'))[0].figures.P22_POP).toBe(num(lines[2][col('P22_POP')]));
    expect(await inseeFigures(getDb(), [lines[2][0]], '2030')).toEqual([]);
  });

  it('refuses a file that is not the comparateur and writes nothing', async () => {
    const path = join(TMP, 'autre.csv');
    writeFileSync(path, 'code,population\n31555,500000\n');
    const r = await importInsee(getDb(), path);
    expect(r.status).toBe('refused');
    expect(r.problems[0]).toMatchObject({ rule: 'insee.format', column: 'CODGEO', line: 1 });
    expect((await inseeEditions(getDb())).map((e) => e.edition)).toEqual(['2030', '2025']);
  });
});
