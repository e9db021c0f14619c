// PLH use cases shared by the CLI and the HTTP routes: import and export of the action programme as XLSX (the whole
// programme) or CSV (one sheet), SRU inventories, and what the PLH reads from other modules (places from the
// territory, dwellings authorised from construction). An import with any problem writes nothing (`inputRefused`);
// importing the same file twice changes nothing.
import type { Db } from '../../platform/db.ts';
import { AppError, inputRefused, type InputProblem } from '../../platform/errors.ts';
import { authorisedPerYear } from '../construction/index.ts';
import { arrondissementParents, epciCommunes, findEpci, instanceEpcis, placesByCode } from '../territory/index.ts';
import {
  SOURCE_SITADEL,
  aidProblem,
  landProblem,
  mergeAchievements,
  sruLine,
  sruNetLevy,
  sruSummary,
  targetLine,
  targetStatus,
  targetsByCategory,
  triennialPeriod,
  type AchievementRow,
  type Category,
} from './model.ts';
import type { z } from 'zod';
import type { aidZ, AidOut, LandSite, landZ, Programme, SruLine, sruInZ } from './contract.ts';
import { readCsvRows, readProgrammeXlsx, readSheetCsv, writeProgrammeXlsx, writeSheetCsv } from './ingest/spreadsheet.ts';
import { SRU_REQUIRED, parseSruRows } from './ingest/sru-sheet.ts';
import { parseActions, parseBudgets, parseTargets, parseProgramme, programmeToSheets, SHEETS, type SheetName } from './ingest/programme-sheet.ts';
import * as store from './store.ts';
import { decodeUserText } from '../../platform/text-input.ts';

export interface ImportResult {
  programmeId: string;
  orientations: number;
  actions: number;
  budgets: number;
  targets: number;
}

/** Refuses a whole file: nothing was written; every problem is listed in `details.problems`. */
const refused = (problems: InputProblem[]) => inputRefused('plh.import_refused', problems, 'L’import');

export interface CommuneRef {
  code: string;
  name: string;
  population: number | null;
}

/** The instance's communes, or one EPCI's (arrondissements excluded: PLH targets and SRU apply to the commune). */
export async function territoryCommunes(db: Db, epci?: string): Promise<CommuneRef[]> {
  const sirens = epci ? [epci] : (await instanceEpcis(db)).map((e) => e.siren);
  const out: CommuneRef[] = [];
  for (const s of sirens) for (const c of await epciCommunes(db, s)) out.push({ code: c.code, name: c.name, population: c.population === null ? null : Number(c.population) });
  return out.sort((a, b) => a.code.localeCompare(b.code));
}

/** The names of the instance's EPCIs, or of one. */
export async function epciNames(db: Db, epci?: string): Promise<string[]> {
  if (epci) {
    const e = await findEpci(db, epci);
    return e ? [e.name] : [];
  }
  return (await instanceEpcis(db)).map((e) => e.name);
}

/** The EPCI of each of these communes (arrondissements included). */
export async function epciOfCommunes(db: Db, codes: string[]): Promise<Map<string, string | null>> {
  const places = await placesByCode(db, codes);
  return new Map([...places].map(([code, p]) => [code, p.epci_siren]));
}

/** The latest SRU inventory of each commune (of all, or of these) at or before `year`, with the commune's name. */
export async function latestSruInventories(db: Db, year: number, communes?: string[]) {
  const rows = await store.latestSruInventories(db, year, communes);
  const places = await placesByCode(db, rows.map((r) => r.communeCode));
  return rows.flatMap((r) => {
    const place = places.get(r.communeCode);
    return place ? [{ ...r, name: place.name }] : [];
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
    .map(([key, value]) => ({ communeCode: key.split('|')[0], year: Number(key.split('|')[1]), value }))
    .filter((r) => !keep || keep.has(r.communeCode))
    .map((r) => ({ communeCode: r.communeCode, category: 'logements' as const, year: r.year, value: r.value, source: SOURCE_SITADEL }));
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
    return { programmeId, orientations: p.orientations.length, actions: p.actions.length, budgets: p.budgets.length, targets: p.targets.length };
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
  const out: ImportResult = { programmeId: head.id, orientations: 0, actions: 0, budgets: 0, targets: 0 };
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
  const objectifs = parseTargets(rows, codes, opts, problems);
  if (problems.length) throw refused(problems);
  await store.mergeTargets(db, head.id, objectifs);
  return { ...out, targets: objectifs.length };
}

export async function exportProgramme(db: Db, epci: string, format: 'xlsx' | 'csv', sheet: SheetName = 'actions'): Promise<{ bytes: Buffer; filename: string; mediaType: string }> {
  const head = await store.currentProgramme(db, epci);
  if (!head) throw new AppError('plh.no_programme', 'Aucun programme enregistré à exporter.', 404);
  const p = await store.loadProgramme(db, head);
  const names = new Map((await territoryCommunes(db, epci)).map((c) => [c.code, c.name]));
  const sheets = programmeToSheets(p, names);
  if (format === 'xlsx')
    return {
      bytes: await writeProgrammeXlsx(sheets),
      filename: `programme-plh-${p.startYear}-${p.endYear}.xlsx`,
      mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    };
  return { bytes: Buffer.from(writeSheetCsv(sheet, sheets[sheet]), 'utf8'), filename: `programme-plh-${sheet}.csv`, mediaType: 'text/csv; charset=utf-8' };
}

/**
 * SRU inventories from a CSV (columns in docs/plh.md): all lines or none; the same file twice changes nothing. With
 * an EPCI, only its communes are accepted (an agent imports its own EPCI's inventories).
 */
export async function importSruFile(db: Db, bytes: Buffer, file: string, epci?: string): Promise<{ inventories: number }> {
  const communes = new Set((await territoryCommunes(db, epci)).map((c) => c.code));
  const { rows, problems } = readCsvRows(decodeUserText(bytes, file), file, (headers) =>
    SRU_REQUIRED.filter((c) => !headers.includes(c)).map((c) => ({ file, line: 1, column: c, rule: 'colonne_obligatoire', message: `la colonne « ${c} » manque` })),
  );
  if (problems.length) throw refused(problems);
  const parsed = parseSruRows(rows, file, communes);
  if (parsed.problems.length) throw refused(parsed.problems);
  await store.upsertSruMany(db, parsed.inventaires);
  return { inventories: parsed.inventaires.length };
}

// ---------------------------------------------------------------------------------------------------------------
// What the routes answer (docs/decisions/0004-naming.md: JSON in English). The routes check who may ask; these
// read and write, and a `mayWrite` callback lets the caller refuse a commune it may not write.

/** The EPCI's current programme as the API answers it, or null. */
export async function programmeView(db: Db, epci: string | undefined): Promise<Programme | null> {
  const head = await store.currentProgramme(db, epci);
  if (!head) return null;
  const p = await store.loadProgramme(db, head);
  return {
    id: head.id,
    name: p.name,
    start_year: p.startYear,
    end_year: p.endYear,
    sru_catch_up_rate: p.sruCatchUpRate,
    orientations: p.orientations.map((o) => ({ code: o.code, title: o.title })),
    actions: p.actions.map((a) => ({
      code: a.code,
      orientation_code: a.orientationCode,
      title: a.title,
      lead: a.lead,
      partners: a.partners,
      status: a.status,
      indicators: a.indicators,
      indicator_category: a.indicatorCategory,
      comment: a.comment,
      budgets: p.budgets.filter((b) => b.actionCode === a.code).map((b) => ({ year: b.year, planned_euros: b.plannedEuros, spent_euros: b.spentEuros })),
    })),
  };
}

/** Changes an action of the EPCI's current programme; false when there is no such action. */
export async function updateAction(db: Db, epci: string, code: string, patch: { status?: string; comment?: string }): Promise<boolean> {
  const head = await store.currentProgramme(db, epci);
  return !!head && (await store.updateAction(db, head.id, code, patch));
}

/** All achievements of these communes: entered rows, aids granted and what other modules compute. */
async function achievements(db: Db, communes: string[]) {
  return mergeAchievements(await store.listAchievements(db, communes), await store.listAids(db, { communes }), await platformAchievements(db, communes));
}

/** The EPCI's targets in these communes (one commune with `only`), with what was achieved up to `year`. */
export async function targets(db: Db, epci: string | undefined, year: number, communes: string[], only?: string) {
  const head = await store.currentProgramme(db, epci);
  if (!head) return [];
  const p = await store.loadProgramme(db, head);
  const names = new Map((await territoryCommunes(db, epci)).map((c) => [c.code, c.name]));
  const ach = await achievements(db, communes);
  return p.targets
    .filter((o) => communes.includes(o.communeCode) && (!only || o.communeCode === only))
    .map((o) => targetLine(targetStatus(o, ach, year), names.get(o.communeCode) ?? o.communeCode));
}

export async function saveAchievement(db: Db, r: { commune_code: string; category: Category; year: number; value: number; source: string }): Promise<void> {
  await store.upsertAchievement(db, { communeCode: r.commune_code, category: r.category, year: r.year, value: r.value, source: r.source });
}

/**
 * SRU lines of these communes (all the instance's without) for a year: each EPCI's catch-up rate comes from its own
 * programme; the social dwellings produced are those its aids financed in the triennial period.
 */
export async function sruLines(db: Db, year: number, communes?: string[]) {
  const inventories = await latestSruInventories(db, year, communes);
  const epciOf = await epciOfCommunes(db, inventories.map((s) => s.communeCode));
  const rates = new Map<string, number | undefined>();
  for (const e of new Set(epciOf.values())) if (e) rates.set(e, (await store.currentProgramme(db, e))?.sruCatchUpRate);
  const period = triennialPeriod(year);
  const aids = await store.listAids(db, { type: 'logement_social', communes });
  return inventories.map((s) => ({ inventory: s, line: sruLine(s, rates.get(epciOf.get(s.communeCode) ?? ''), aids, period) }));
}

/** The SRU situation of a perimeter's communes, with the estimated levy (signed-in users). */
export async function sruWithLevy(db: Db, year: number, communes: string[], epcis: string[]) {
  const head = epcis.length === 1 ? await store.currentProgramme(db, epcis[0]) : null;
  const lines = await sruLines(db, year, communes);
  return {
    year,
    catch_up_rate: head?.sruCatchUpRate ?? 0.33,
    communes: lines.map(({ inventory, line }) => ({ ...line, net_levy_estimate: sruNetLevy(inventory, line.deficit) })),
  };
}

export async function saveSruInventory(db: Db, code: string, year: number, b: z.infer<typeof sruInZ>): Promise<void> {
  await store.upsertSru(db, {
    communeCode: code,
    year: year,
    population: b.population,
    mainResidences: b.main_residences,
    socialDwellings: b.social_dwellings,
    legalRate: b.legal_rate,
    exempt: b.exempt,
    fiscalPotentialPerInhabitant: b.fiscal_potential_per_inhabitant,
    operatingExpenses: b.operating_expenses,
    deductibleExpenses: b.deductible_expenses,
    source: b.source,
  });
}

const aidOut = (a: store.AidRow): AidOut => ({ id: a.id, ...store.aidColumns(a) });
const landOut = (f: store.LandRow): LandSite => ({ id: f.id!, ...store.landColumns(f) });

export async function listAids(db: Db, f: Parameters<typeof store.listAids>[1]): Promise<AidOut[]> {
  return (await store.listAids(db, f)).map(aidOut);
}

/** Saves an aid by its case reference; `mayWrite` refuses a commune (the aid's, or the one a same reference has). */
export async function saveAid(db: Db, b: z.infer<typeof aidZ>, mayWrite: (commune: string) => Promise<void> | void): Promise<AidOut> {
  await mayWrite(b.commune_code);
  // The reference identifies the case across the instance: never let one EPCI overwrite another's case.
  const same = await store.findAid(db, { reference: b.reference });
  if (same) await mayWrite(same.communeCode);
  const aid = {
    reference: b.reference,
    type: b.type,
    communeCode: b.commune_code,
    year: b.year,
    amountEuros: b.amount_euros,
    dwellingsCount: b.dwellings_count,
    plaiCount: b.plai_count,
    plusCount: b.plus_count,
    plsCount: b.pls_count,
    energyGainPct: b.energy_gain_pct,
    operation: b.operation,
    organisationId: b.organisation_id,
    actionCode: b.action_code,
    comment: b.comment,
  };
  const problem = aidProblem(aid);
  if (problem) throw new AppError('plh.aid_without_dwellings', problem, 422);
  return aidOut(await store.upsertAid(db, aid));
}

/** Deletes an aid (`mayWrite` checks its commune first); false when there is none. */
export async function deleteAid(db: Db, id: string, mayWrite: (commune: string) => void): Promise<boolean> {
  const aid = await store.findAid(db, { id });
  if (!aid) return false;
  mayWrite(aid.communeCode);
  return store.deleteAid(db, id);
}

export async function listLand(db: Db, communes: string[], only?: string): Promise<LandSite[]> {
  return (await store.listLand(db, only, communes)).map(landOut);
}

/** The located sites of these communes as GeoJSON points (WGS84). */
export async function landGeojson(db: Db, communes: string[]) {
  return {
    type: 'FeatureCollection' as const,
    features: (await store.listLand(db, undefined, communes))
      .filter((f) => f.longitude !== null && f.latitude !== null)
      .map((f) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [f.longitude, f.latitude] }, properties: landOut(f) })),
  };
}

export async function saveLand(db: Db, b: z.infer<typeof landZ>, mayWrite: (commune: string) => Promise<void> | void): Promise<LandSite> {
  await mayWrite(b.commune_code);
  const same = await store.findLand(db, { reference: b.reference });
  if (same) await mayWrite(same.communeCode);
  const site: store.LandRow = {
    reference: b.reference,
    nature: b.nature,
    communeCode: b.commune_code,
    parcel: b.parcel,
    surfaceM2: b.surface_m2,
    zoning: b.zoning,
    potentialDwellings: b.potential_dwellings,
    status: b.status,
    longitude: b.longitude,
    latitude: b.latitude,
    comment: b.comment,
  };
  const problem = landProblem(site);
  if (problem) throw new AppError(problem.code, problem.message, 422);
  return landOut(await store.upsertLand(db, site));
}

export async function deleteLand(db: Db, id: string, mayWrite: (commune: string) => void): Promise<boolean> {
  const site = await store.findLand(db, { id });
  if (!site) return false;
  mayWrite(site.communeCode);
  return store.deleteLand(db, id);
}

/** The club's comparison: each EPCI's PLH indicators if `visible` says the caller may see them. */
export async function club(db: Db, year: number, visible: (siren: string) => boolean) {
  const out = [];
  for (const e of await instanceEpcis(db)) {
    if (!visible(e.siren)) {
      out.push({ epci: e.siren, name: e.name, shared: false, programme: null, targets: [], sru: null });
      continue;
    }
    const communes = (await territoryCommunes(db, e.siren)).map((c) => c.code);
    const head = await store.currentProgramme(db, e.siren);
    const prog = head ? await store.loadProgramme(db, head) : null;
    const ach = await achievements(db, communes);
    const lines: SruLine[] = (await sruLines(db, year, communes)).map((l) => l.line);
    out.push({
      epci: e.siren,
      name: e.name,
      shared: true,
      programme: head ? { name: head.name, start_year: head.startYear, end_year: head.endYear } : null,
      targets: targetsByCategory((prog?.targets ?? []).map((o) => targetStatus(o, ach, year))),
      sru: sruSummary(lines),
    });
  }
  return { year, epcis: out };
}

