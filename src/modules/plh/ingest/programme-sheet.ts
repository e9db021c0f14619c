// The action programme as office sheets (PLHs are written in spreadsheets): the columns, and the pure conversion
// between sheet rows and the programme, with French problems naming file, line, column, rule and value.
import type { InputProblem } from '../../../platform/errors.ts';
import { COMMUNE_CODE } from '../../territory/index.ts';
import {
  ACTION_STATUSES,
  CATEGORIES,
  DEFAULT_CATCH_UP_RATE,
  ACTION_STATUS_LABELS,
  type ActionStatus,
  type Category,
  type ProgrammeTarget,
} from '../model.ts';

export interface Orientation {
  code: string;
  title: string;
}
export interface Action {
  code: string;
  orientationCode: string;
  title: string;
  lead: string;
  partners: string;
  status: ActionStatus;
  indicators: string;
  indicatorCategory: Category | null;
  comment: string;
}
export interface Budget {
  actionCode: string;
  year: number;
  plannedEuros: number;
  spentEuros: number;
}
export interface ProgrammeData {
  name: string;
  startYear: number;
  endYear: number;
  sruCatchUpRate: number;
  orientations: Orientation[];
  actions: Action[];
  budgets: Budget[];
  targets: ProgrammeTarget[];
}

export const SHEETS = {
  programme: { title: 'Programme', columns: ['nom', 'annee_debut', 'annee_fin', 'taux_rattrapage_sru'] },
  actions: {
    title: 'Actions',
    columns: ['orientation_code', 'orientation', 'action_code', 'action', 'pilote', 'partenaires', 'statut', 'indicateurs', 'indicateur_categorie', 'commentaire'],
  },
  budgets: { title: 'Budgets', columns: ['action_code', 'annee', 'budget_prevu_euros', 'budget_depense_euros'] },
  objectifs: { title: 'Objectifs', columns: ['commune_code', 'commune', 'categorie', 'annee_debut', 'annee_fin', 'objectif', 'action_code'] },
} as const;
export type SheetName = keyof typeof SHEETS;
export const SHEET_NAMES = Object.keys(SHEETS) as SheetName[];

/** One data row of a sheet: its cells by column name, and its line number in the file (header = line 1). */
export interface SheetRow {
  line: number;
  cells: Record<string, string>;
}
export type Sheets = Partial<Record<SheetName, SheetRow[]>>;


class RowReader {
  constructor(
    private file: string,
    private row: SheetRow,
    private problems: InputProblem[],
  ) {}
  private fail(column: string, rule: string, message: string, value?: string) {
    this.problems.push({ file: this.file, line: this.row.line, column, rule, message, value });
  }
  text(column: string, required = false): string {
    const v = (this.row.cells[column] ?? '').trim();
    if (required && !v) this.fail(column, 'obligatoire', 'la valeur est obligatoire');
    return v;
  }
  int(column: string, min: number, max: number, required = true): number | null {
    const raw = this.text(column);
    if (!raw) {
      if (required) this.fail(column, 'obligatoire', 'la valeur est obligatoire');
      return null;
    }
    const n = parseNumber(raw);
    if (n === null || !Number.isInteger(n) || n < min || n > max) {
      this.fail(column, 'entier', `un nombre entier entre ${min} et ${max} est attendu`, raw);
      return null;
    }
    return n;
  }
  amount(column: string): number {
    const raw = this.text(column);
    if (!raw) return 0;
    const n = parseNumber(raw.replace(/€/g, ''));
    if (n === null || n < 0) {
      this.fail(column, 'montant', 'un montant positif en euros est attendu', raw);
      return 0;
    }
    return n;
  }
  rate(column: string, fallback: number): number {
    const raw = this.text(column);
    if (!raw) return fallback;
    const pct = raw.endsWith('%');
    const n = parseNumber(raw.replace('%', ''));
    const v = n === null ? null : pct || n > 1 ? n / 100 : n;
    if (v === null || v <= 0 || v > 1) {
      this.fail(column, 'taux', 'un taux entre 0 et 1 (ou entre 0 et 100 %) est attendu', raw);
      return fallback;
    }
    return v;
  }
  oneOf<T extends string>(column: string, allowed: readonly T[], labels: Partial<Record<T, string>> = {}, required = true): T | null {
    const raw = this.text(column);
    if (!raw) {
      if (required) this.fail(column, 'obligatoire', 'la valeur est obligatoire');
      return null;
    }
    const norm = normalise(raw);
    const found = allowed.find((a) => normalise(a) === norm || (labels[a] && normalise(labels[a]!) === norm));
    if (!found) this.fail(column, 'valeurs_permises', `valeurs permises : ${allowed.join(', ')}`, raw);
    return found ?? null;
  }
  commune(column: string, known?: Set<string>): string | null {
    const raw = this.text(column, true);
    if (!raw) return null;
    const code = /^[0-9]{4}$/.test(raw) ? `0${raw}` : raw.toUpperCase(); // spreadsheets drop the leading zero
    if (!COMMUNE_CODE.test(code)) {
      this.fail(column, 'code_insee', 'un code INSEE de commune (5 caractères) est attendu', raw);
      return null;
    }
    if (known && !known.has(code)) {
      this.fail(column, 'commune_connue', 'cette commune n’est pas dans le territoire de l’instance', raw);
      return null;
    }
    return code;
  }
}

const normalise = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[’']/g, '')
    .replace(/[\s_-]+/g, '_')
    .toLowerCase();

/** French or plain numbers: "1 234,5", "1234.5", "12 000". */
export function parseNumber(raw: string): number | null {
  const s = raw.replace(/[\s\u00a0\u202f]/g, '').replace(',', '.');
  if (!/^-?\d+(\.\d+)?$/.test(s)) return null;
  return Number(s);
}

export interface ParseOptions {
  /** File name to cite in problems, per sheet (an XLSX file gives "file.xlsx, feuille Actions"). */
  fileOf: (sheet: SheetName) => string;
  /** INSEE codes of the instance's communes: targets elsewhere are refused. */
  communes?: Set<string>;
  /** Action codes already known (when importing objectives or budgets alone into an existing programme). */
  knownActions?: Set<string>;
}

const REQUIRED_COLUMNS: Record<SheetName, string[]> = {
  programme: ['nom', 'annee_debut', 'annee_fin'],
  actions: ['orientation_code', 'action_code', 'action'],
  budgets: ['action_code', 'annee'],
  objectifs: ['commune_code', 'categorie', 'annee_debut', 'annee_fin', 'objectif'],
};

/** Missing required columns of a sheet, as problems on its header line. */
export function checkHeaders(sheet: SheetName, headers: string[], file: string): InputProblem[] {
  const have = new Set(headers.map((h) => h.trim()));
  return REQUIRED_COLUMNS[sheet]
    .filter((c) => !have.has(c))
    .map((c) => ({ file, line: 1, column: c, rule: 'colonne_obligatoire', message: `la colonne « ${c} » manque dans la feuille ${SHEETS[sheet].title}` }));
}

export function parseActions(rows: SheetRow[], o: ParseOptions, problems: InputProblem[]) {
  const file = o.fileOf('actions');
  const orientations = new Map<string, Orientation>();
  const actions: Action[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const r = new RowReader(file, row, problems);
    const before = problems.length;
    const orientationCode = r.text('orientation_code', true);
    const orientationTitleText = r.text('orientation');
    const code = r.text('action_code', true);
    const title = r.text('action', true);
    const status = r.oneOf('statut', ACTION_STATUSES, ACTION_STATUS_LABELS, false) ?? 'a_engager';
    const indicateurCategorie = r.oneOf('indicateur_categorie', CATEGORIES, {}, false);
    if (code && seen.has(code)) problems.push({ file, line: row.line, column: 'action_code', rule: 'unique', message: 'ce code d’action apparaît deux fois', value: code });
    if (code) seen.add(code);
    if (problems.length > before) continue;
    const known = orientations.get(orientationCode);
    if (!known || (!known.title && orientationTitleText)) orientations.set(orientationCode, { code: orientationCode, title: orientationTitleText || known?.title || '' });
    actions.push({
      code,
      orientationCode,
      title,
      lead: r.text('pilote'),
      partners: r.text('partenaires'),
      status,
      indicators: r.text('indicateurs'),
      indicatorCategory: indicateurCategorie,
      comment: r.text('commentaire'),
    });
  }
  return { orientations: [...orientations.values()], actions };
}

export function parseBudgets(rows: SheetRow[], actionCodes: Set<string>, o: ParseOptions, problems: InputProblem[]): Budget[] {
  const file = o.fileOf('budgets');
  const out: Budget[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const r = new RowReader(file, row, problems);
    const before = problems.length;
    const actionCode = r.text('action_code', true);
    if (actionCode && !actionCodes.has(actionCode))
      problems.push({ file, line: row.line, column: 'action_code', rule: 'action_connue', message: 'aucune action du programme ne porte ce code', value: actionCode });
    const year = r.int('annee', 2000, 2100);
    const plannedEuros = r.amount('budget_prevu_euros');
    const spentEuros = r.amount('budget_depense_euros');
    const k = `${actionCode}|${year}`;
    if (problems.length === before && seen.has(k))
      problems.push({ file, line: row.line, column: 'annee', rule: 'unique', message: 'cette action a déjà un budget pour cette année', value: String(year) });
    if (problems.length > before) continue;
    seen.add(k);
    out.push({ actionCode, year: year!, plannedEuros, spentEuros });
  }
  return out;
}

export function parseTargets(rows: SheetRow[], actionCodes: Set<string>, o: ParseOptions, problems: InputProblem[]): ProgrammeTarget[] {
  const file = o.fileOf('objectifs');
  const out: ProgrammeTarget[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const r = new RowReader(file, row, problems);
    const before = problems.length;
    const communeCode = r.commune('commune_code', o.communes);
    const categorie = r.oneOf('categorie', CATEGORIES);
    const startYear = r.int('annee_debut', 2000, 2100);
    const endYear = r.int('annee_fin', 2000, 2100);
    const valeur = r.int('objectif', 0, 10_000_000);
    const actionCode = r.text('action_code') || null;
    if (startYear !== null && endYear !== null && endYear < startYear)
      problems.push({ file, line: row.line, column: 'annee_fin', rule: 'periode', message: 'l’année de fin précède l’année de début', value: String(endYear) });
    if (actionCode && !actionCodes.has(actionCode))
      problems.push({ file, line: row.line, column: 'action_code', rule: 'action_connue', message: 'aucune action du programme ne porte ce code', value: actionCode });
    const k = `${communeCode}|${categorie}|${startYear}`;
    if (problems.length === before && seen.has(k))
      problems.push({ file, line: row.line, column: 'annee_debut', rule: 'unique', message: 'un objectif existe déjà pour cette commune, cette catégorie et cette période', value: String(startYear) });
    if (problems.length > before) continue;
    seen.add(k);
    out.push({ communeCode: communeCode!, category: categorie!, startYear: startYear!, endYear: endYear!, value: valeur!, actionCode });
  }
  return out;
}

/** A whole programme from its four sheets (the XLSX workbook). */
export function parseProgramme(sheets: Sheets, o: ParseOptions): { programme: ProgrammeData | null; problems: InputProblem[] } {
  const problems: InputProblem[] = [];
  const head = sheets.programme?.[0];
  let nom = '';
  let anneeDebut: number | null = null;
  let anneeFin: number | null = null;
  let taux = DEFAULT_CATCH_UP_RATE;
  if (!head) {
    problems.push({ file: o.fileOf('programme'), line: 2, rule: 'feuille_obligatoire', message: 'la feuille Programme doit contenir une ligne (nom, années de début et de fin)' });
  } else {
    const r = new RowReader(o.fileOf('programme'), head, problems);
    nom = r.text('nom', true);
    anneeDebut = r.int('annee_debut', 2000, 2100);
    anneeFin = r.int('annee_fin', 2000, 2100);
    taux = r.rate('taux_rattrapage_sru', DEFAULT_CATCH_UP_RATE);
    if (anneeDebut !== null && anneeFin !== null && anneeFin < anneeDebut)
      problems.push({ file: o.fileOf('programme'), line: head.line, column: 'annee_fin', rule: 'periode', message: 'l’année de fin précède l’année de début', value: String(anneeFin) });
  }
  const { orientations, actions } = parseActions(sheets.actions ?? [], o, problems);
  const codes = new Set(actions.map((a) => a.code));
  const budgets = parseBudgets(sheets.budgets ?? [], codes, o, problems);
  const objectifs = parseTargets(sheets.objectifs ?? [], codes, o, problems);
  if (problems.length) return { programme: null, problems };
  return {
    programme: { name: nom, startYear: anneeDebut!, endYear: anneeFin!, sruCatchUpRate: taux, orientations, actions, budgets, targets: objectifs },
    problems,
  };
}

/** The sheets' rows for export, in the columns above; numbers as numbers so spreadsheets can sum them. */
export function programmeToSheets(p: ProgrammeData, communeNames: Map<string, string>): Record<SheetName, Record<string, string | number>[]> {
  const orientationTitle = new Map(p.orientations.map((o) => [o.code, o.title]));
  return {
    programme: [{ nom: p.name, annee_debut: p.startYear, annee_fin: p.endYear, taux_rattrapage_sru: p.sruCatchUpRate }],
    actions: p.actions.map((a) => ({
      orientation_code: a.orientationCode,
      orientation: orientationTitle.get(a.orientationCode) ?? '',
      action_code: a.code,
      action: a.title,
      pilote: a.lead,
      partenaires: a.partners,
      statut: a.status,
      indicateurs: a.indicators,
      indicateur_categorie: a.indicatorCategory ?? '',
      commentaire: a.comment,
    })),
    budgets: p.budgets.map((b) => ({ action_code: b.actionCode, annee: b.year, budget_prevu_euros: b.plannedEuros, budget_depense_euros: b.spentEuros })),
    objectifs: p.targets.map((x) => ({
      commune_code: x.communeCode,
      commune: communeNames.get(x.communeCode) ?? '',
      categorie: x.category,
      annee_debut: x.startYear,
      annee_fin: x.endYear,
      objectif: x.value,
      action_code: x.actionCode ?? '',
    })),
  };
}
