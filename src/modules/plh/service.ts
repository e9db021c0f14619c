// PLH use cases shared by the CLI and the HTTP routes: import and export of the action programme as XLSX (the whole
// programme) or CSV (one sheet), SRU inventories, and what the PLH reads from other modules (places from the
// territory, dwellings authorised from construction). An import with any problem writes nothing (`inputRefused`);
// importing the same file twice changes nothing.
import type { Db } from '../../platform/db.ts';
import { AppError, inputRefused, type InputProblem } from '../../platform/errors.ts';
import { authorisedPerYear } from '../construction/index.ts';
import { arrondissementParents, epciCommunes, findEpci, instanceEpcis, placesByCode } from '../territory/index.ts';
import { SOURCE_SITADEL, type AchievementRow } from './model.ts';
import { readCsvRows, readProgrammeXlsx, readSheetCsv, writeProgrammeXlsx, writeSheetCsv } from './ingest/spreadsheet.ts';
import { SRU_REQUIRED, parseSruRows } from './ingest/sru-sheet.ts';
import { parseActions, parseBudgets, parseObjectifs, parseProgramme, programmeToSheets, SHEETS, type SheetName } from './ingest/programme-sheet.ts';
import * as store from './store.ts';
import { decodeUserText } from '../../platform/text-input.ts';

export interface ImportResult {
  programmeId: string;
  orientations: number;
  actions: number;
  budgets: number;
  objectifs: number;
}

/** Refuses a whole file: nothing was written; every problem is listed in `details.problems`. */
const refused = (problems: InputProblem[]) => inputRefused('plh.import_refused', problems, 'L’import');

export interface CommuneRef {
  code: string;
  nom: string;
  population: number | null;
}

/** The instance's communes, or one EPCI's (arrondissements excluded: PLH targets and SRU apply to the commune). */
export async function territoryCommunes(db: Db, epci?: string): Promise<CommuneRef[]> {
  const sirens = epci ? [epci] : (await instanceEpcis(db)).map((e) => e.siren);
  const out: CommuneRef[] = [];
  for (const s of sirens) for (const c of await epciCommunes(db, s)) out.push({ code: c.code, nom: c.nom, population: c.population === null ? null : Number(c.population) });
  return out.sort((a, b) => a.code.localeCompare(b.code));
}

/** The names of the instance's EPCIs, or of one. */
export async function epciNames(db: Db, epci?: string): Promise<string[]> {
  if (epci) {
    const e = await findEpci(db, epci);
    return e ? [e.nom] : [];
  }
  return (await instanceEpcis(db)).map((e) => e.nom);
}

/** The EPCI of each of these communes (arrondissements included). */
export async function epciOfCommunes(db: Db, codes: string[]): Promise<Map<string, string | null>> {
  const places = await placesByCode(db, codes);
  return new Map([...places].map(([code, p]) => [code, p.epci_siren]));
}

/** The latest SRU inventory of each commune (of all, or of these) at or before `annee`, with the commune's name. */
export async function latestSruInventories(db: Db, annee: number, communes?: string[]) {
  const rows = await store.latestSruInventories(db, annee, communes);
  const places = await placesByCode(db, rows.map((r) => r.communeCode));
  return rows.flatMap((r) => {
    const place = places.get(r.communeCode);
    return place ? [{ ...r, nom: place.nom }] : [];
  });
}

/**
 * Achievements the construction module holds, through its read API: dwellings authorised per commune and year by its
 * permits (arrondissements counted in their commune, cancelled permits left out).
 */
export async function platformAchievements(db: Db, communes?: string[]): Promise<AchievementRow[]> {
  const parents = await arrondissementParents(db);
  const perCommune = new Map<string, number>();
  for (const r of await authorisedPerYear(db)) {
    const key = `${parents.get(r.communeCode) ?? r.communeCode}|${r.year}`;
    perCommune.set(key, (perCommune.get(key) ?? 0) + r.dwellings);
  }
  const keep = communes ? new Set(communes) : undefined;
  return [...perCommune]
    .map(([key, valeur]) => ({ communeCode: key.split('|')[0], annee: Number(key.split('|')[1]), valeur }))
    .filter((r) => !keep || keep.has(r.communeCode))
    .map((r) => ({ communeCode: r.communeCode, categorie: 'logements' as const, annee: r.annee, valeur: r.valeur, source: SOURCE_SITADEL }));
}

const isZip = (b: Buffer) => b.length > 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

/** Imports an EPCI's programme; its targets may name only that EPCI's communes. */
export async function importProgrammeFile(db: Db, epci: string, bytes: Buffer, file: string, sheet?: SheetName): Promise<ImportResult> {
  const communes = new Set((await territoryCommunes(db, epci)).map((c) => c.code));
  if (isZip(bytes)) {
    const { sheets, problems } = await readProgrammeXlsx(bytes, file);
    if (problems.length) throw refused(problems);
    const parsed = parseProgramme(sheets, { fileOf: (s) => `${file}, feuille ${SHEETS[s].title}`, communes });
    if (!parsed.programme) throw refused(parsed.problems);
    const p = parsed.programme;
    const programmeId = await store.replaceProgramme(db, p, epci);
    return { programmeId, orientations: p.orientations.length, actions: p.actions.length, budgets: p.budgets.length, objectifs: p.objectifs.length };
  }
  if (!sheet || sheet === 'programme')
    throw new AppError('plh.sheet_required', 'Pour un fichier CSV, précisez la feuille importée : actions, budgets ou objectifs (le classeur XLSX contient tout le programme).', 400);
  const head = await store.currentProgramme(db, epci);
  if (!head) throw new AppError('plh.no_programme', 'Aucun programme enregistré : importez d’abord le classeur XLSX complet (feuille Programme comprise).', 409);
  const text = decodeUserText(bytes, file);
  const { rows, problems } = readSheetCsv(sheet, text, file);
  if (problems.length) throw refused(problems);
  const current = await store.loadProgramme(db, head);
  const opts = { fileOf: () => file, communes };
  const out: ImportResult = { programmeId: head.id, orientations: 0, actions: 0, budgets: 0, objectifs: 0 };
  if (sheet === 'actions') {
    const { orientations, actions } = parseActions(rows, opts, problems);
    if (problems.length) throw refused(problems);
    await store.mergeActions(db, head.id, orientations, actions);
    return { ...out, orientations: orientations.length, actions: actions.length };
  }
  const codes = new Set(current.actions.map((a) => a.code));
  if (sheet === 'budgets') {
    const budgets = parseBudgets(rows, codes, opts, problems);
    if (problems.length) throw refused(problems);
    await store.mergeBudgets(db, head.id, budgets);
    return { ...out, budgets: budgets.length };
  }
  const objectifs = parseObjectifs(rows, codes, opts, problems);
  if (problems.length) throw refused(problems);
  await store.mergeObjectifs(db, head.id, objectifs);
  return { ...out, objectifs: objectifs.length };
}

export async function exportProgramme(db: Db, epci: string, format: 'xlsx' | 'csv', sheet: SheetName = 'actions'): Promise<{ bytes: Buffer; filename: string; mediaType: string }> {
  const head = await store.currentProgramme(db, epci);
  if (!head) throw new AppError('plh.no_programme', 'Aucun programme enregistré à exporter.', 404);
  const p = await store.loadProgramme(db, head);
  const names = new Map((await territoryCommunes(db, epci)).map((c) => [c.code, c.nom]));
  const sheets = programmeToSheets(p, names);
  if (format === 'xlsx')
    return {
      bytes: await writeProgrammeXlsx(sheets),
      filename: `programme-plh-${p.anneeDebut}-${p.anneeFin}.xlsx`,
      mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    };
  return { bytes: Buffer.from(writeSheetCsv(sheet, sheets[sheet]), 'utf8'), filename: `programme-plh-${sheet}.csv`, mediaType: 'text/csv; charset=utf-8' };
}

/**
 * SRU inventories from a CSV (columns in docs/plh.md): all lines or none; the same file twice changes nothing. With
 * an EPCI, only its communes are accepted (an agent imports its own EPCI's inventories).
 */
export async function importSruFile(db: Db, bytes: Buffer, file: string, epci?: string): Promise<{ inventaires: number }> {
  const communes = new Set((await territoryCommunes(db, epci)).map((c) => c.code));
  const { rows, problems } = readCsvRows(decodeUserText(bytes, file), file, (headers) =>
    SRU_REQUIRED.filter((c) => !headers.includes(c)).map((c) => ({ file, line: 1, column: c, rule: 'colonne_obligatoire', message: `la colonne « ${c} » manque` })),
  );
  if (problems.length) throw refused(problems);
  const parsed = parseSruRows(rows, file, communes);
  if (parsed.problems.length) throw refused(parsed.problems);
  await store.upsertSruMany(db, parsed.inventaires);
  return { inventaires: parsed.inventaires.length };
}
