import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../../platform/errors.ts';
import { readCsvRows } from './spreadsheet.ts';
import { parseSruRows } from './sru-sheet.ts';

const rowsOf = (csv: string) => readCsvRows(csv, 'sru.csv', () => []).rows;

describe('SRU inventories CSV', () => {
  it('reads French spreadsheets: percentages, thousands with spaces, oui/non, a lost leading zero', () => {
    const csv = 'commune_code;annee;residences_principales;logements_sociaux;taux_legal;exemptee;potentiel_fiscal_par_habitant;source\n' +
      '1004;2025;"10 000";1 800;25 %;non;1 200,50;Inventaire DDT 2025\n31069;2025;12000;2400;0,20;oui;;Inventaire DDT 2025\n';
    const { inventaires, problems } = parseSruRows(rowsOf(csv), 'sru.csv');
    expect(problems).toEqual([]);
    expect(inventaires[0]).toMatchObject({ communeCode: '01004', year: 2025, mainResidences: 10_000, socialDwellings: 1800, legalRate: 0.25, exempt: false, fiscalPotentialPerInhabitant: 1200.5 });
    expect(inventaires[1]).toMatchObject({ communeCode: '31069', legalRate: 0.2, exempt: true, fiscalPotentialPerInhabitant: null });
  });

  it('names the line, column, rule and value of each bad cell, in French', () => {
    const csv = 'commune_code;annee;residences_principales;logements_sociaux;taux_legal;source\n31555;2025;0;-4;30 %;\n33063;2025;100;10;20 %;S\n';
    const { inventaires, problems } = parseSruRows(rowsOf(csv), 'sru.csv', new Set(['31555']));
    expect(inventaires).toEqual([]);
    expect(problems.map(formatProblem)).toEqual([
      'sru.csv, ligne 2, colonne « residences_principales » — règle entier : un nombre entier d’au moins 1 est attendu (valeur : « 0 »)',
      'sru.csv, ligne 2, colonne « logements_sociaux » — règle entier : un nombre entier d’au moins 0 est attendu (valeur : « -4 »)',
      'sru.csv, ligne 2, colonne « taux_legal » — règle taux_sru : le taux légal est 20 % ou 25 % (0,20 ou 0,25) (valeur : « 30 % »)',
      'sru.csv, ligne 2, colonne « source » — règle obligatoire : la source du chiffre est obligatoire (ex. : inventaire notifié par la DDT au 1er janvier)',
      'sru.csv, ligne 3, colonne « commune_code » — règle commune_connue : cette commune n’est pas dans le territoire de l’instance (valeur : « 33063 »)',
    ]);
  });

  it('property: any valid inventory written to CSV is read back unchanged; any text never throws', () => {
    const inv = fc.record({
      code: fc.constantFrom('31555', '69123', '2A004', '01004'),
      year: fc.integer({ min: 2000, max: 2100 }),
      rp: fc.integer({ min: 1, max: 2_000_000 }),
      lls: fc.integer({ min: 0, max: 2_000_000 }),
      rate: fc.constantFrom('20 %', '25 %', '0,2', '0.25'),
    });
    fc.assert(
      fc.property(inv, (i) => {
        const csv = `commune_code;annee;residences_principales;logements_sociaux;taux_legal;source\n${i.code};${i.year};${i.rp};${i.lls};${i.rate};S\n`;
        const { inventaires, problems } = parseSruRows(rowsOf(csv), 'f');
        expect(problems).toEqual([]);
        expect(inventaires[0]).toMatchObject({ communeCode: i.code, year: i.year, mainResidences: i.rp, socialDwellings: i.lls });
        expect([0.2, 0.25]).toContain(inventaires[0].legalRate);
      }),
    );
    fc.assert(fc.property(fc.string(), (text) => void parseSruRows(rowsOf(`commune_code;annee\n${text}`), 'f')));
  });
});
