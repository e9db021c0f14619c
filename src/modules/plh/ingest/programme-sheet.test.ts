import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../../platform/errors.ts';
import { readProgrammeXlsx, readSheetCsv, writeProgrammeXlsx, writeSheetCsv } from './spreadsheet.ts';
import { parseNumber, parseProgramme, programmeToSheets, SHEETS, type SheetName, type Sheets } from './programme-sheet.ts';
import { SAMPLE } from '../sample-programme.test-support.ts';

const NAMES = new Map([
  ['31069', 'Blagnac'],
  ['31555', 'Toulouse'],
]);
const COMMUNES = new Set(NAMES.keys());
const fileOf = (s: SheetName) => `plh.xlsx, feuille ${SHEETS[s].title}`;

describe('programme workbook', () => {
  it('round-trips through XLSX unchanged', async () => {
    const bytes = await writeProgrammeXlsx(programmeToSheets(SAMPLE, NAMES));
    const { sheets, problems } = await readProgrammeXlsx(bytes, 'plh.xlsx');
    expect(problems).toEqual([]);
    const back = parseProgramme(sheets, { fileOf, communes: COMMUNES });
    expect(back.problems).toEqual([]);
    expect(back.programme).toEqual(SAMPLE);
  });

  it('round-trips each sheet through CSV unchanged (semicolons and quotes inside cells included)', () => {
    const data = programmeToSheets(SAMPLE, NAMES);
    const sheets: Sheets = {};
    for (const name of ['programme', 'actions', 'budgets', 'objectifs'] as SheetName[]) {
      const { rows, problems } = readSheetCsv(name, writeSheetCsv(name, data[name]), `${name}.csv`);
      expect(problems).toEqual([]);
      sheets[name] = rows;
    }
    expect(parseProgramme(sheets, { fileOf: (s) => `${s}.csv`, communes: COMMUNES }).programme).toEqual(SAMPLE);
  });

  it('writes no cell a spreadsheet would run as a formula, XLSX or CSV, and reads its own files back unchanged', async () => {
    const formula = '=HYPERLINK("http://x","clic")';
    const tricky: typeof SAMPLE = {
      ...SAMPLE,
      actions: SAMPLE.actions.map((a, i) => (i === 0 ? { ...a, title: formula, partners: '@Bailleurs', comment: '-10 % sur 2026' } : a)),
    };
    const data = programmeToSheets(tricky, NAMES);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await writeProgrammeXlsx(data)) as any);
    const texts: string[] = [];
    wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((c) => void (typeof c.value === 'string' && texts.push(c.value)))));
    expect(texts).toContain(`'${formula}`);
    expect(texts.filter((v) => /^[=+\-@\t\r]/.test(v))).toEqual([]);
    const csv = parse(writeSheetCsv('actions', data.actions), { bom: true, delimiter: ';' }) as string[][];
    expect(csv.flat()).toContain(`'${formula}`);
    expect(csv.flat().filter((v) => /^[=+@\t\r]/.test(v) || (v.startsWith('-') && Number.isNaN(Number(v))))).toEqual([]);
    // Exported, then imported again as is: the same programme.
    const { sheets } = await readProgrammeXlsx(await writeProgrammeXlsx(data), 'plh.xlsx');
    expect(parseProgramme(sheets, { fileOf, communes: COMMUNES }).programme).toEqual(tricky);
    const actions = readSheetCsv('actions', writeSheetCsv('actions', data.actions), 'actions.csv').rows;
    expect(actions[0].cells).toMatchObject({ action: formula, partenaires: '@Bailleurs', commentaire: '-10 % sur 2026' });
  });

  it('reads a comma-separated CSV and French labels, numbers and a leading zero lost by a spreadsheet', () => {
    const csv = 'action_code,annee,budget_prevu_euros,budget_depense_euros\n1.1,2025,"1 500 000,50",12000 €\n';
    const { rows } = readSheetCsv('budgets', csv, 'budgets.csv');
    expect(rows[0].cells).toMatchObject({ budget_prevu_euros: '1 500 000,50' });
    const actions = readSheetCsv('actions', 'orientation_code;action_code;action;statut\n1;1.1;Financer;En cours\n', 'a.csv').rows;
    const objectifs = readSheetCsv('objectifs', 'commune_code;categorie;annee_debut;annee_fin;objectif\n1004;logements;2025;2030;10\n', 'o.csv').rows;
    const parsed = parseProgramme(
      { programme: [{ line: 2, cells: { nom: 'P', annee_debut: '2025', annee_fin: '2030', taux_rattrapage_sru: '25 %' } }], actions, budgets: rows, objectifs },
      { fileOf: (s) => s },
    );
    expect(parsed.problems).toEqual([]);
    expect(parsed.programme!.sruCatchUpRate).toBe(0.25);
    expect(parsed.programme!.actions[0].status).toBe('en_cours');
    expect(parsed.programme!.budgets[0]).toEqual({ actionCode: '1.1', year: 2025, plannedEuros: 1_500_000.5, spentEuros: 12000 });
    expect(parsed.programme!.targets[0].communeCode).toBe('01004');
  });

  it('names file, line, column, rule and value of every bad cell, in French, and keeps nothing', () => {
    const parsed = parseProgramme(
      {
        programme: [{ line: 2, cells: { nom: 'P', annee_debut: '2025', annee_fin: '2030' } }],
        actions: [
          { line: 2, cells: { orientation_code: '1', action_code: '1.1', action: 'A', statut: 'peut-être' } },
          { line: 3, cells: { orientation_code: '1', action_code: '1.1', action: 'B' } },
        ],
        budgets: [{ line: 2, cells: { action_code: '9.9', annee: '2026', budget_prevu_euros: 'beaucoup' } }],
        objectifs: [{ line: 5, cells: { commune_code: '69123', categorie: 'logements', annee_debut: '2025', annee_fin: '2030', objectif: '-3' } }],
      },
      { fileOf, communes: COMMUNES },
    );
    expect(parsed.programme).toBeNull();
    const text = parsed.problems.map(formatProblem);
    expect(text).toContain('plh.xlsx, feuille Actions, ligne 2, colonne « statut » — règle valeurs_permises : valeurs permises : a_engager, en_cours, realisee, abandonnee (valeur : « peut-être »)');
    expect(text).toContain('plh.xlsx, feuille Actions, ligne 3, colonne « action_code » — règle unique : ce code d’action apparaît deux fois (valeur : « 1.1 »)');
    expect(text.some((t) => t.startsWith('plh.xlsx, feuille Budgets, ligne 2, colonne « action_code » — règle action_connue'))).toBe(true);
    expect(text.some((t) => t.startsWith('plh.xlsx, feuille Budgets, ligne 2, colonne « budget_prevu_euros » — règle montant'))).toBe(true);
    expect(text).toContain('plh.xlsx, feuille Objectifs, ligne 5, colonne « commune_code » — règle commune_connue : cette commune n’est pas dans le territoire de l’instance (valeur : « 69123 »)');
    expect(text.some((t) => t.includes('ligne 5, colonne « objectif » — règle entier'))).toBe(true);
  });

  it('refuses a file that is not a workbook with a French problem, without throwing', async () => {
    const { problems } = await readProgrammeXlsx(Buffer.from('PK\u0003\u0004 pas vraiment un zip'), 'faux.xlsx');
    expect(problems[0]).toMatchObject({ file: 'faux.xlsx', rule: 'format_xlsx' });
  });

  it('reports missing required columns on the header line', () => {
    const { problems } = readSheetCsv('objectifs', 'commune_code;categorie;objectif\n31555;logements;3\n', 'o.csv');
    expect(problems.map((p) => `${p.line}:${p.column}`)).toEqual(['1:annee_debut', '1:annee_fin']);
  });
});

describe('parseNumber', () => {
  it('property: reads back any integer written the French way (spaces between thousands)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (n) => {
        const french = n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
        expect(parseNumber(french)).toBe(n);
      }),
    );
  });
  it('property: reads back decimals with a comma', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 0, max: 99 }), (i, d) => {
        expect(parseNumber(`${i},${String(d).padStart(2, '0')}`)).toBeCloseTo(i + d / 100, 6);
      }),
    );
  });
  it('property: never throws on arbitrary text', () => {
    fc.assert(fc.property(fc.string(), (s) => void parseNumber(s)));
  });
});
