// Import and export of the action programme as XLSX (the whole programme) or CSV (one sheet), shared by the CLI and
// the HTTP routes. An import with any problem writes nothing; importing the same file twice changes nothing.
import type { Db } from '../../platform/db.ts';
import { AppError, formatProblem, type InputProblem } from '../../platform/errors.ts';
import { readCsvRows, readProgrammeXlsx, readSheetCsv, writeProgrammeXlsx, writeSheetCsv } from './ingest/spreadsheet.ts';
import { SRU_REQUIRED, parseSruRows } from './sru-sheet.ts';
import { parseActions, parseBudgets, parseObjectifs, parseProgramme, programmeToSheets, SHEETS, type SheetName } from './programme-sheet.ts';
import * as store from './store.ts';
import { decodeUserText } from '../../platform/text-input.ts';

export interface ImportResult {
  programmeId: string;
  orientations: number;
  actions: number;
  budgets: number;
  objectifs: number;
}

export class ImportRejected extends AppError {
  constructor(readonly problems: InputProblem[]) {
    const shown = problems.slice(0, 20).map(formatProblem);
    super(
      'plh.import_rejete',
      `Import refusé, rien n’a été enregistré : ${problems.length} problème(s). ${shown.join(' ; ')}${problems.length > 20 ? ' ; …' : ''}`,
      422,
      { problemes: problems },
    );
  }
}

const isZip = (b: Buffer) => b.length > 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

/** Imports an EPCI's programme; its targets may name only that EPCI's communes. */
export async function importProgrammeFile(db: Db, epci: string, bytes: Buffer, file: string, sheet?: SheetName): Promise<ImportResult> {
  const communes = new Set((await store.instanceCommunes(db, epci)).map((c) => c.code));
  if (isZip(bytes)) {
    const { sheets, problems } = await readProgrammeXlsx(bytes, file);
    if (problems.length) throw new ImportRejected(problems);
    const parsed = parseProgramme(sheets, { fileOf: (s) => `${file}, feuille ${SHEETS[s].title}`, communes });
    if (!parsed.programme) throw new ImportRejected(parsed.problems);
    const p = parsed.programme;
    const programmeId = await store.replaceProgramme(db, p, epci);
    return { programmeId, orientations: p.orientations.length, actions: p.actions.length, budgets: p.budgets.length, objectifs: p.objectifs.length };
  }
  if (!sheet || sheet === 'programme')
    throw new AppError('plh.feuille_requise', 'Pour un fichier CSV, précisez la feuille importée : actions, budgets ou objectifs (le classeur XLSX contient tout le programme).', 400);
  const head = await store.currentProgramme(db, epci);
  if (!head) throw new AppError('plh.pas_de_programme', 'Aucun programme enregistré : importez d’abord le classeur XLSX complet (feuille Programme comprise).', 409);
  const text = decodeUserText(bytes, file);
  const { rows, problems } = readSheetCsv(sheet, text, file);
  if (problems.length) throw new ImportRejected(problems);
  const current = await store.loadProgramme(db, head);
  const opts = { fileOf: () => file, communes };
  const out: ImportResult = { programmeId: head.id, orientations: 0, actions: 0, budgets: 0, objectifs: 0 };
  if (sheet === 'actions') {
    const { orientations, actions } = parseActions(rows, opts, problems);
    if (problems.length) throw new ImportRejected(problems);
    await store.mergeActions(db, head.id, orientations, actions);
    return { ...out, orientations: orientations.length, actions: actions.length };
  }
  const codes = new Set(current.actions.map((a) => a.code));
  if (sheet === 'budgets') {
    const budgets = parseBudgets(rows, codes, opts, problems);
    if (problems.length) throw new ImportRejected(problems);
    await store.mergeBudgets(db, head.id, budgets);
    return { ...out, budgets: budgets.length };
  }
  const objectifs = parseObjectifs(rows, codes, opts, problems);
  if (problems.length) throw new ImportRejected(problems);
  await store.mergeObjectifs(db, head.id, objectifs);
  return { ...out, objectifs: objectifs.length };
}

export async function exportProgramme(db: Db, epci: string, format: 'xlsx' | 'csv', sheet: SheetName = 'actions'): Promise<{ bytes: Buffer; filename: string; mediaType: string }> {
  const head = await store.currentProgramme(db, epci);
  if (!head) throw new AppError('plh.pas_de_programme', 'Aucun programme enregistré à exporter.', 404);
  const p = await store.loadProgramme(db, head);
  const names = new Map((await store.instanceCommunes(db, epci)).map((c) => [c.code, c.nom]));
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
  const communes = new Set((await store.instanceCommunes(db, epci)).map((c) => c.code));
  const { rows, problems } = readCsvRows(decodeUserText(bytes, file), file, (headers) =>
    SRU_REQUIRED.filter((c) => !headers.includes(c)).map((c) => ({ file, line: 1, column: c, rule: 'colonne_obligatoire', message: `la colonne « ${c} » manque` })),
  );
  if (problems.length) throw new ImportRejected(problems);
  const parsed = parseSruRows(rows, file, communes);
  if (parsed.problems.length) throw new ImportRejected(parsed.problems);
  await store.upsertSruMany(db, parsed.inventaires);
  return { inventaires: parsed.inventaires.length };
}
