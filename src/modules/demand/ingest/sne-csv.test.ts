import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../../platform/errors.ts';
import { syntheticDemandCsv } from '../synthetic.ts';
import { decodeUserText } from '../../../platform/text-input.ts';
import { parseAmount, parseBool, parseDate, readDemandCsv, SNE_COLUMNS } from './sne-csv.ts';

const DEMO = join(import.meta.dirname, '..', '..', '..', '..', 'data', 'demo', 'demandes', 'demandes_synthetiques.csv');
const HEADER = SNE_COLUMNS.join(';');
const row = (over: Record<string, string>) => {
  const base: Record<string, string> = {
    numero_unique: '069SYN2400001',
    epci_siren: '200046977',
    date_depot: '24/03/2024',
    statut: 'active',
    nom: 'FICTIF',
    prenom: 'Camille',
    nb_adultes: '1',
    nb_enfants: '2',
    ressources_mensuelles: '1300',
    loyer_residuel: '500',
    situation_logement: 'locataire_prive',
    typologie_souhaitee: 'T3',
    communes_souhaitees: '69266|69259',
    menace_expulsion: 'O',
  };
  const r = { ...base, ...over };
  return SNE_COLUMNS.map((c) => r[c] ?? '').join(';');
};

describe('SNE CSV reader', () => {
  it('reads the synthetic demo file without a single reject', async () => {
    const { rows, problems } = await readDemandCsv(readFileSync(DEMO, 'utf8'), 'demandes_synthetiques.csv');
    expect(problems).toEqual([]);
    expect(rows).toHaveLength(400);
    expect(rows.filter((r) => r.attribution).length).toBe(rows.filter((r) => r.demand.status === 'attribuee').length);
    expect(rows.every((r) => r.person.last_name.startsWith('FICTIF-'))).toBe(true);
  });

  it('reads one line into a demand, a person and no attribution', async () => {
    const { rows, problems } = await readDemandCsv(`${HEADER}\n${row({})}\n`, 'f.csv');
    expect(problems).toEqual([]);
    expect(rows[0].demand).toMatchObject({
      number: '069SYN2400001',
      filing_date: '2024-03-24',
      adults: 1,
      children: 2,
      monthly_income: 1300,
      residual_rent: 500,
      communes: ['69266', '69259'],
      flags: ['menace_expulsion'],
      typology: 'T3',
    });
    expect(rows[0].attribution).toBeNull();
  });

  it('names file, line, column, rule and value for each bad cell, and keeps no bad line', async () => {
    const text = [
      HEADER,
      row({}),
      row({ numero_unique: '069SYN2400002', date_depot: '31/02/2024' }),
      row({ numero_unique: '069SYN2400003', communes_souhaitees: '6926', typologie_souhaitee: 'T9' }),
      row({ numero_unique: '069SYN2400001' }),
      row({ numero_unique: '069SYN2400004', statut: 'attribuee' }),
    ].join('\n');
    const { rows, problems } = await readDemandCsv(text, 'demandes.csv');
    expect(rows.map((r) => r.demand.number)).toEqual(['069SYN2400001']);
    expect(problems.map(formatProblem)).toEqual([
      'demandes.csv, ligne 3, colonne « date_depot » — règle date : cette date n’existe pas (valeur : « 31/02/2024 »)',
      'demandes.csv, ligne 4, colonne « communes_souhaitees » — règle code_insee : code commune INSEE à 5 caractères attendu (valeur : « 6926 »)',
      'demandes.csv, ligne 4, colonne « typologie_souhaitee » — règle valeur_connue : typologie attendu parmi : T1, T2, T3, T4, T5, T6 (valeur : « T9 »)',
      'demandes.csv, ligne 5, colonne « numero_unique » — règle unique : numéro déjà présent ligne 2 (valeur : « 069SYN2400001 »)',
      'demandes.csv, ligne 6, colonne « date_attribution » — règle attribution : une demande attribuée doit avoir une date et une commune d’attribution (valeur : «  »)',
    ]);
  });

  it('refuses a file whose header lacks required columns', async () => {
    const { rows, problems } = await readDemandCsv('numero_unique;nom\n1;2\n', 'x.csv');
    expect(rows).toEqual([]);
    expect(problems[0]).toMatchObject({ line: 1, rule: 'colonnes' });
    expect(problems[0].value).toContain('date_depot');
  });

  it('refuses an empty file and a header-only file lacking columns; accepts a header-only extract', async () => {
    expect((await readDemandCsv('', 'vide.csv')).problems).toEqual([{ file: 'vide.csv', line: 1, rule: 'en_tete', message: 'fichier vide : une ligne d’en-tête est attendue' }]);
    expect((await readDemandCsv('mon-ordinateur\n', 'hostname')).problems[0]).toMatchObject({ rule: 'colonnes', line: 1 });
    expect(await readDemandCsv(`${HEADER}\n`, 'entete.csv')).toEqual({ rows: [], problems: [] });
  });

  it('uses the --epci default when the column is empty, and refuses a line without any', async () => {
    const text = `${HEADER}\n${row({ epci_siren: '' })}\n`;
    expect((await readDemandCsv(text, 'f.csv', { defaultEpci: '243100518' })).rows[0].demand.epci_siren).toBe('243100518');
    expect((await readDemandCsv(text, 'f.csv')).problems[0]).toMatchObject({ column: 'epci_siren', rule: 'obligatoire' });
  });

  it('reads a Latin-1 file as well as a UTF-8 one', async () => {
    const text = `${HEADER}\n${row({ nom: 'FICTIF-Hélène', prenom: 'Zoé' })}\n`;
    const latin1 = Buffer.from(text, 'latin1');
    expect(decodeUserText(latin1, 'latin1.csv')).toBe(text);
    expect(decodeUserText(Buffer.from(text, 'utf8'), 'utf8.csv')).toBe(text);
    const { rows } = await readDemandCsv(decodeUserText(latin1, 'latin1.csv'), 'latin1.csv');
    expect(rows[0].person).toMatchObject({ last_name: 'FICTIF-Hélène', first_name: 'Zoé' });
  });

  it('reports a broken CSV line instead of crashing', async () => {
    const { problems } = await readDemandCsv(`${HEADER}\n${row({})}\n"unterminated;x\n`, 'f.csv');
    expect(problems.at(-1)).toMatchObject({ rule: 'csv' });
  });

  it('never crashes on any cell value and never accepts an impossible date', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const d = parseDate(s);
        if (d.ok) expect(new Date(d.value + 'T00:00:00Z').toISOString().slice(0, 10)).toBe(d.value);
        parseBool(s);
        const a = parseAmount(s);
        if (a.ok) expect(a.value).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('reads back any synthetic file it generates', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 40 }), fc.integer(), async (n, seed) => {
        const { rows, problems } = await readDemandCsv(syntheticDemandCsv(n, seed), 's.csv');
        expect(problems).toEqual([]);
        expect(rows).toHaveLength(n);
      }),
      { numRuns: 20 },
    );
  });
});
