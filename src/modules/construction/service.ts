// Construction use cases: enter and move programmes, import Sitadel, integrate the partners' feed, PLH production
// targets and the dashboard, alerts (in the app and by e-mail), the public figures. Readers and store in one
// transaction; the live changes each write produces are returned to the caller, which publishes them (`publish`).
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename, join } from 'node:path';
import type { AppContext } from '../../platform/context.ts';
import { toCsv } from '../../platform/csv.ts';
import type { TypedDb } from '../../platform/db.ts';
import { AppError, inputRefused, notFound, type InputProblem } from '../../platform/errors.ts';
import { publishAll, topic } from '../../platform/events.ts';
import type { Mailer } from '../../platform/mail.ts';
import { territoryStaffEmails } from '../access/index.ts';
import { epciCommunes, findEpci, placesByCode } from '../territory/index.ts';
import type {
  Dashboard,
  DashboardCommune,
  DashboardEpci,
  LiveChange,
  Notification,
  ProgrammeBody,
  ProgrammePatch,
  Programme,
  ProgressAnswer,
  PublicRow,
  SyncAnswer,
  TargetBody,
} from './contract.ts';
import { partnerProgramme, type PartnerRow } from './ingest/partner-feed.ts';
import { readSitadel, SitadelFileError } from './ingest/sitadel.ts';
import { sitadelSteps, type SitadelPermit } from './ingest/sitadel-row.ts';
import { readTargetsCsv } from './ingest/targets-csv.ts';
import {
  BUILDING_TYPES,
  bareNumber,
  behindAlert,
  canTransition,
  countedOf,
  datesFor,
  FINANCINGS,
  firstMatch,
  matchStatusOf,
  mixProblems,
  PIPELINE,
  progress,
  STALL_MONTHS,
  STATE_LABELS,
  stalledAlert,
  stateDateColumn,
  targetProblems,
  transitionRefusal,
  unitMix,
  type Achieved,
  type Alert,
  type MatchCandidate,
  type ProgrammeState,
  type Progress,
  type Source,
  type StepDate,
  type Target,
} from './model.ts';
import * as store from './store.ts';
import type { Actor, EventValues, NewSitadelProgramme, PermitValues, ProgrammeValues } from './store.ts';

export type { Actor } from './store.ts';

/** The live stream of construction changes (SSE /api/construction/events). */
export const CONSTRUCTION_TOPIC = topic<LiveChange>('construction');

/** Sends changes to the live stream; a lost echo never fails the write that caused it. */
export const publish = (ctx: AppContext, changes: LiveChange[]) => publishAll(ctx, CONSTRUCTION_TOPIC, changes);

const now = () => new Date().toISOString();

// ---------------------------------------------------------------------------------------------------------------
// Reading programmes

/** The communes' names, from the territory. */
async function withCommuneNames(db: TypedDb, programmes: Programme[]): Promise<Programme[]> {
  const places = await placesByCode(db, programmes.map((p) => p.commune_code));
  return programmes.map((p) => ({ ...p, commune: places.get(p.commune_code)?.name ?? null }));
}

/** An EPCI's communes with their arrondissements (programmes and permits are filed by arrondissement in Lyon). */
async function communesOfEpci(db: TypedDb, epci: string): Promise<string[]> {
  return (await epciCommunes(db, epci, { arrondissements: true })).map((c) => c.code);
}

/** The communes (and arrondissements) of the instance's EPCIs: what a command run for the whole instance covers. */
export async function instanceTerritory(db: TypedDb, epcis: string[]): Promise<string[]> {
  return (await Promise.all(epcis.map((e) => communesOfEpci(db, e)))).flat();
}

export interface ListFilters extends Omit<store.ProgrammeFilters, 'communes'> {
  /** The caller's perimeter. */
  communes: string[];
  epci?: string;
}

export async function listProgrammes(db: TypedDb, f: ListFilters) {
  const epci = f.epci ? new Set(await communesOfEpci(db, f.epci)) : undefined;
  const communes = epci ? f.communes.filter((c) => epci.has(c)) : f.communes;
  const list = await store.listProgrammes(db, { ...f, communes });
  return { total: list.total, programmes: await withCommuneNames(db, list.programmes) };
}

export async function getProgramme(db: TypedDb, id: string): Promise<Programme | undefined> {
  const p = await store.getProgramme(db, id);
  return p ? (await withCommuneNames(db, [p]))[0] : undefined;
}

export async function programmeDetail(db: TypedDb, programme: Programme) {
  const matched = programme.match ? await getProgramme(db, programme.match.programme_id) : undefined;
  return { programme, events: await store.programmeEvents(db, programme.id), matched_with: matched ?? null };
}

/** French column names of the export, per financing and building type (the referential's `nb_…` where it has one). */
const FINANCING_COLUMNS: Record<(typeof FINANCINGS)[number], string> = {
  plai: 'nb_plai', plus: 'nb_plus', pls: 'nb_pls', psla: 'nb_psla', brs: 'nb_brs', free_market: 'nb_libre',
  social_unspecified: 'nb_social_non_ventile', aided_ownership_unspecified: 'nb_accession_aidee_non_ventilee',
};
const BUILDING_TYPE_COLUMNS: Record<(typeof BUILDING_TYPES)[number], string> = {
  single_house: 'nb_individuel_pur', grouped_houses: 'nb_individuel_groupe', collective: 'nb_collectif', residence: 'nb_residence',
};

/**
 * The programmes as a spreadsheet: `;`-separated, UTF-8 with BOM so a spreadsheet opens the accents right. People
 * open it, so its columns are French throughout (docs/construction.md), named as the referential's
 * `programmes-logements` names the same thing (`nom_programme`, `nb_logements_total`, `date_mise_en_chantier`…).
 */
export function programmesCsv(programmes: Programme[]): string {
  const header = ['id', 'nom_programme', 'code_commune', 'commune', 'adresse', 'lat', 'lon', 'etat', 'etat_depuis', 'source', 'permis', 'nb_logements_total',
    'nb_logements_sociaux', ...FINANCINGS.map((k) => FINANCING_COLUMNS[k]), ...BUILDING_TYPES.map((k) => BUILDING_TYPE_COLUMNS[k]), 'date_autorisation',
    'date_mise_en_chantier', 'date_livraison', 'doublon_de', 'rapprochement'];
  const lines = programmes.map((p) => [
    p.id, p.name, p.commune_code, p.commune, p.address, p.lat, p.lon, STATE_LABELS[p.state], p.state_since, p.source, p.permits.join(' | '), p.dwellings, p.social_dwellings,
    ...FINANCINGS.map((k) => p.financing[k]), ...BUILDING_TYPES.map((k) => p.types[k]), p.authorisation_date, p.works_start_date, p.delivery_date,
    p.match?.programme_id, p.match?.status,
  ]);
  return toCsv([header, ...lines], { delimiter: ';', bom: true });
}

export async function unitsByCommune(db: TypedDb, communes: string[]) {
  const out: Record<string, Partial<Record<ProgrammeState, { dwellings: number; programmes: number }>>> = {};
  for (const r of await store.unitsByCommune(db, communes)) (out[r.communeCode] ??= {})[r.state] = { dwellings: r.units, programmes: r.count };
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Entering and moving programmes

async function assertCommuneKnown(db: TypedDb, code: string) {
  if (!(await placesByCode(db, [code])).has(code))
    throw new AppError('construction.unknown_commune', `La commune ${code} est inconnue du code officiel géographique.`, 422);
}

function assertMix(input: { dwellings: number; financing?: ProgrammeBody['financing']; types?: ProgrammeBody['types'] }) {
  const problems = mixProblems(input);
  if (problems.length) throw new AppError('construction.mix_mismatch', problems.join(' '), 422);
}

export interface NewProgramme {
  name: string;
  commune_code: string;
  address?: string | null;
  lat?: number | null;
  lon?: number | null;
  state: ProgrammeState;
  state_date: string;
  project_owner?: string | null;
  dwellings: number;
  financing?: ProgrammeBody['financing'];
  types?: ProgrammeBody['types'];
  permits?: string[];
  /** Dates of earlier steps the source knows (a partner's programme already under way gives its permit date). */
  stepDates?: Partial<Record<StepDate, string>>;
}

const valuesOf = (p: NewProgramme): ProgrammeValues => ({
  name: p.name,
  communeCode: p.commune_code,
  address: p.address ?? null,
  lat: p.lat ?? null,
  lon: p.lon ?? null,
  projectOwner: p.project_owner ?? null,
  dwellings: p.dwellings,
  mix: unitMix(p),
});

/** Only the programmes that could match: sharing a permit number, or in the commune with a unit count in range. */
async function findMatch(db: TypedDb, c: MatchCandidate & { id: string; source: Source }) {
  const lo = Math.floor(Math.min(c.units - 2, c.units * 0.9));
  const hi = Math.ceil(Math.max(c.units + 2, c.units / 0.9));
  let pool = await store.matchCandidates(db, [c.communeCode], { units: [lo, hi] });
  const ids = (await store.programmesWithPermits(db, c.permits.map(bareNumber))).filter((id) => !pool.some((p) => p.id === id));
  if (ids.length) pool = [...(await store.matchCandidates(db, undefined, { ids })), ...pool];
  return firstMatch(c, pool);
}

/** Links a new programme and the one it matched; the counted side is Sitadel's, else the one already known. */
async function linkMatch(db: TypedDb, newId: string, newSource: Source, match: { other: { id: string; source: Source }; reason: string }, author: string) {
  const [duplicate, counted] = countedOf(newSource, match.other.source) === 'new' ? [match.other.id, newId] : [newId, match.other.id];
  await store.recordMatch(db, duplicate, counted, matchStatusOf(match.reason), match.reason, newSource, author);
}

export async function createProgramme(db: TypedDb, input: NewProgramme, actor: Actor, sourceRef?: string): Promise<{ programme: Programme; changes: LiveChange[] }> {
  assertMix(input);
  await assertCommuneKnown(db, input.commune_code);
  const id = randomUUID();
  await db.transaction().execute(async (trx) => {
    const dates = { ...input.stepDates, ...datesFor(input.state, input.state_date) };
    await store.insertProgramme(trx, id, valuesOf(input), { state: input.state, since: input.state_date, dates }, actor, sourceRef);
    const match = await findMatch(trx, { id, source: actor.source, communeCode: input.commune_code, permits: input.permits ?? [], address: input.address, lat: input.lat, lon: input.lon, units: input.dwellings });
    if (match) await linkMatch(trx, id, actor.source, match, actor.author);
  });
  return {
    programme: (await getProgramme(db, id))!,
    changes: [{ type: 'programme', id, commune: input.commune_code, state: input.state, source: actor.source, detail: 'création', organisation: actor.organisationId ?? null, at: now() }],
  };
}

export async function updateProgramme(db: TypedDb, id: string, patch: ProgrammePatch, actor: Actor): Promise<{ programme: Programme; changes: LiveChange[] }> {
  const current = await store.getProgramme(db, id);
  if (!current) throw notFound('Programme');
  const merged: NewProgramme = {
    name: patch.name ?? current.name,
    commune_code: patch.commune_code ?? current.commune_code,
    address: patch.address !== undefined ? patch.address : current.address,
    lat: patch.lat !== undefined ? patch.lat : current.lat,
    lon: patch.lon !== undefined ? patch.lon : current.lon,
    state: current.state,
    state_date: current.state_since,
    project_owner: patch.project_owner !== undefined ? patch.project_owner : current.project_owner,
    dwellings: patch.dwellings ?? current.dwellings,
    // A new unit count without a new split drops the old split: it no longer adds up.
    financing: patch.financing ?? (patch.dwellings !== undefined ? undefined : current.financing),
    types: patch.types ?? (patch.dwellings !== undefined ? undefined : current.types),
  };
  assertMix(merged);
  if (patch.commune_code) await assertCommuneKnown(db, patch.commune_code);
  await db.transaction().execute((trx) => store.updateProgrammeValues(trx, id, valuesOf(merged), actor, Object.keys(patch)));
  return {
    programme: (await getProgramme(db, id))!,
    changes: [{ type: 'programme', id, commune: merged.commune_code, state: current.state, source: actor.source, detail: 'modification', organisation: current.organisation_id, at: now() }],
  };
}

/** Moves a programme along its pipeline; refuses a move the state rules forbid, with the reason in French. */
export async function changeState(db: TypedDb, id: string, to: ProgrammeState, date: string, actor: Actor): Promise<{ programme: Programme; changes: LiveChange[] }> {
  const changes = await db.transaction().execute(async (trx): Promise<LiveChange[]> => {
    const cur = await store.lockProgrammeState(trx, id);
    if (!cur) throw notFound('Programme');
    const from = cur.state as ProgrammeState;
    const refusal = transitionRefusal(from, to);
    if (refusal) throw new AppError('construction.transition_refused', refusal, 409);
    await store.recordState(trx, id, from, to, date, datesFor(to, date), actor);
    return [{ type: 'programme', id, commune: cur.commune_code, from, state: to, source: actor.source, organisation: cur.organisation_id ?? null, at: now() }];
  });
  return { programme: (await getProgramme(db, id))!, changes };
}

/** An agent confirms a suggested match, or rejects it (both programmes are then counted). */
export async function decideMatch(db: TypedDb, id: string, decision: 'confirmed' | 'rejected', author: string): Promise<{ programme: Programme; changes: LiveChange[] }> {
  const p = await store.getProgramme(db, id);
  if (!p) throw notFound('Programme');
  if (!p.match) throw new AppError('construction.no_match', 'Ce programme n’a pas de rapprochement à confirmer ou rejeter.', 409);
  const other = p.match.programme_id;
  await db.transaction().execute((trx) => store.recordMatchDecision(trx, id, other, decision, author));
  const programme = (await getProgramme(db, id))!;
  return {
    programme,
    changes: [{ type: 'programme', id, commune: programme.commune_code, state: programme.state, detail: `rapprochement ${decision === 'confirmed' ? 'confirmé' : 'rejeté'}`, source: 'manual', organisation: programme.organisation_id, at: now() }],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Sitadel import: one transaction per file, keyed by permit (type + number), so a re-import changes nothing and a
// newer edition only moves the permits that moved. Rejected lines are listed with file, line, column, rule, value.

export interface SitadelSummary {
  file: string;
  alreadyImported: boolean;
  read: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  warnings: number;
  matched: number;
  problems: InputProblem[];
  durationMs: number;
  changes: LiveChange[];
}

async function fileSha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

const permitKey = (p: { typeDau: string; numDau: string }) => `${p.typeDau}:${p.numDau}`;

function fingerprint(p: SitadelPermit): string {
  const { line: _l, warnings: _w, ...rest } = p;
  return createHash('sha1').update(JSON.stringify(rest)).digest('hex');
}

function sitadelValues(p: SitadelPermit): ProgrammeValues {
  const mix = unitMix({ dwellings: p.units, types: { single_house: p.singleHouse, grouped_houses: p.groupedHouses, collective: p.collective, residence: p.residence } });
  return {
    name: p.projectOwner ? `${p.projectOwner} — ${p.address ?? p.numDau}` : `${p.typeDau} ${p.numDau}${p.address ? ` — ${p.address}` : ''}`,
    communeCode: p.communeCode,
    address: p.address,
    lat: null,
    lon: null,
    projectOwner: p.projectOwner,
    dwellings: p.units,
    // Sitadel does not split social rented or aided ownership dwellings by product: kept apart, never guessed.
    mix: { ...mix, social_unspecified: p.socialRented, aided_ownership_unspecified: p.aidedOwnership, free_market: p.units - p.socialRented - p.aidedOwnership },
  };
}

function permitValues(p: SitadelPermit, programmeId: string): PermitValues {
  return {
    type_dau: p.typeDau,
    num_dau: p.numDau,
    programme_id: programmeId,
    commune_code: p.communeCode,
    state: p.state,
    authorisation_date: p.authorisationDate,
    works_start_date: p.worksStartDate,
    completion_date: p.completionDate,
    units: p.units,
    source: 'sitadel',
    fingerprint: fingerprint(p),
  };
}

function stepDates(steps: { state: ProgrammeState; date: string }[]): Partial<Record<StepDate, string>> {
  const dates: Partial<Record<StepDate, string>> = {};
  for (const s of steps) {
    const col = stateDateColumn(s.state);
    if (col) dates[col] = s.date;
  }
  return dates;
}

export async function importSitadel(db: TypedDb, path: string, opts: { force?: boolean; author?: string } = {}): Promise<SitadelSummary> {
  const started = Date.now();
  const name = basename(path);
  const author = opts.author ?? `import Sitadel (${name})`;
  const summary: SitadelSummary = { file: name, alreadyImported: false, read: 0, created: 0, updated: 0, unchanged: 0, rejected: 0, warnings: 0, matched: 0, problems: [], durationMs: 0, changes: [] };
  const hash = await fileSha256(path);
  if (!opts.force && (await store.importedFile(db, hash))) {
    summary.alreadyImported = true;
    summary.durationMs = Date.now() - started;
    return summary;
  }

  // Read the whole file first: nothing is written if the file itself is unreadable.
  const permits: SitadelPermit[] = [];
  const seen = new Map<string, number>();
  const reject = (p: InputProblem) => {
    summary.rejected++;
    summary.problems.push(p);
  };
  try {
    for await (const item of readSitadel(path, name)) {
      summary.read++;
      if (item.problems) {
        summary.rejected++;
        summary.problems.push(...item.problems);
        continue;
      }
      const key = permitKey(item.permit);
      if (seen.has(key)) {
        reject({ file: name, line: item.permit.line, column: 'NUM_DAU', rule: 'doublon_dans_le_fichier', value: item.permit.numDau, message: `ce permis figure déjà ligne ${seen.get(key)}.` });
        continue;
      }
      seen.set(key, item.permit.line);
      if (item.permit.warnings.length) summary.warnings++;
      permits.push(item.permit);
    }
  } catch (err) {
    if (err instanceof SitadelFileError) {
      summary.problems.push(err.problem);
      summary.durationMs = Date.now() - started;
      return summary;
    }
    throw err;
  }

  const known = await placesByCode(db, permits.map((p) => p.communeCode));
  const valid = permits.filter((p) => {
    if (known.has(p.communeCode)) return true;
    reject({ file: name, line: p.line, column: 'COMM', rule: 'commune_inconnue', value: p.communeCode, message: 'commune absente du code officiel géographique.' });
    return false;
  });

  await db.transaction().execute(async (trx) => {
    const existing = await store.sitadelPermits(trx);
    const newProgrammes: NewSitadelProgramme[] = [];
    const newPermits: PermitValues[] = [];
    const newEvents: EventValues[] = [];
    const created: { id: string; permit: SitadelPermit }[] = [];
    for (const p of valid) {
      const steps = sitadelSteps(p);
      const old = existing.get(permitKey(p));
      if (!old) {
        const id = randomUUID();
        const last = steps[steps.length - 1];
        newProgrammes.push({ id, values: sitadelValues(p), state: last.state, since: last.date, dates: stepDates(steps), sourceRef: `sitadel:${p.typeDau}:${p.numDau}` });
        newPermits.push(permitValues(p, id));
        steps.forEach((s, i) =>
          newEvents.push({ programme_id: id, kind: i === 0 ? 'created' : 'state', from_state: i === 0 ? null : steps[i - 1].state, to_state: s.state, event_date: s.date, source: 'sitadel', author }),
        );
        created.push({ id, permit: p });
        continue;
      }
      if (old.fingerprint === fingerprint(p)) {
        summary.unchanged++;
        continue;
      }
      // A newer edition: move the programme forward through the steps it has not seen yet; never backwards.
      const target = steps[steps.length - 1].state;
      if (target !== old.state && !canTransition(old.state, target)) {
        reject({ file: name, line: p.line, column: 'ETAT_DAU', rule: 'transition_interdite', value: p.state, message: `le programme est déjà à l’état « ${STATE_LABELS[old.state]} » : un permis ne revient pas en arrière.` });
        continue;
      }
      let state = old.state;
      const events: EventValues[] = [];
      for (const s of steps) {
        if (s.state === state || !canTransition(state, s.state)) continue;
        if (s.state !== 'abandoned' && PIPELINE.indexOf(s.state) <= PIPELINE.indexOf(state)) continue;
        events.push({ programme_id: old.programmeId, kind: 'state', from_state: state, to_state: s.state, event_date: s.date, source: 'sitadel', author });
        summary.changes.push({ type: 'programme', id: old.programmeId, commune: p.communeCode, from: state, state: s.state, source: 'sitadel', at: now() });
        state = s.state;
      }
      const since = state !== old.state ? steps.find((s) => s.state === state)?.date : undefined;
      await store.updateSitadelPermit(trx, old.programmeId, sitadelValues(p), state, since, stepDates(steps), permitValues(p, old.programmeId), events);
      summary.updated++;
    }
    await store.insertSitadelBatch(trx, newProgrammes, newPermits, newEvents);
    summary.created = created.length;

    // The same operations may already be known from a partner or an agent: link them, never count them twice.
    const pool = await store.matchCandidates(trx, [...new Set(created.map((c) => c.permit.communeCode))], { excludeSource: 'sitadel' });
    for (const c of created) {
      if (!pool.length) break;
      const m = firstMatch({ id: c.id, source: 'sitadel', communeCode: c.permit.communeCode, permits: [c.permit.numDau], address: c.permit.address, units: c.permit.units }, pool);
      if (!m) continue;
      await linkMatch(trx, c.id, 'sitadel', m, author);
      pool.splice(pool.indexOf(m.other), 1);
      summary.matched++;
    }
    await store.recordImport(trx, hash, name, summary.read);
  });
  summary.durationMs = Date.now() - started;
  summary.changes.unshift({ type: 'import', source: 'sitadel', detail: `${name} : ${summary.created} créés, ${summary.updated} mis à jour, ${summary.rejected} rejetés`, at: now() });
  return summary;
}

/** Sitadel files imported (newest first) and the communes and years of authorisation their permits cover. */
export async function sitadelCoverage(db: TypedDb) {
  const { imports, communes } = await store.sitadelImports(db);
  const years = communes.flatMap((r) => [r.first, r.last]).filter((y): y is number => y !== null).map(Number);
  return {
    imports: imports.map((i) => ({ file: i.file_name, rows: Number(i.rows), importedAt: new Date(i.imported_at).toISOString() })),
    communes: communes.map((r) => r.commune_code),
    years: years.length ? ([Math.min(...years), Math.max(...years)] as [number, number]) : null,
  };
}

/** Demo data: the real Sitadel permits of Toulouse (edition 2026-01). A no-op once that file is in the store. */
export const SITADEL_DEMO_FILE = join(import.meta.dirname, '..', '..', '..', 'data', 'demo', 'sitadel', 'sitadel_logements_31555_Toulouse_edition2026-01.csv');

export async function loadConstructionDemo(ctx: AppContext): Promise<void> {
  const s = await importSitadel(ctx.db, SITADEL_DEMO_FILE, { author: 'données de démonstration' });
  if (!s.alreadyImported) ctx.log.info({ created: s.created, rejected: s.rejected, ms: s.durationMs }, 'Sitadel de démonstration importé');
}

// ---------------------------------------------------------------------------------------------------------------
// The partners' feed: each accepted row creates or moves the partner's programme, never backwards.

export async function syncPartnerProgrammes(db: TypedDb, rows: PartnerRow[], author: string): Promise<SyncAnswer & { changes: LiveChange[] }> {
  const out: SyncAnswer & { changes: LiveChange[] } = { rows: rows.length, created: 0, updated: 0, unchanged: 0, problems: [], changes: [] };
  for (const row of rows) {
    const p = partnerProgramme(row);
    const input: NewProgramme = {
      name: p.name,
      commune_code: p.communeCode,
      address: p.address,
      state: p.state,
      state_date: p.stateDate,
      project_owner: p.projectOwner,
      dwellings: p.dwellings,
      financing: p.financing,
      stepDates: p.stepDates,
    };
    const actor: Actor = { source: 'partner', author, organisationId: row.organisationId };
    const where = { file: `livraison ${row.deliveryId}`, line: row.line };
    try {
      const existing = await store.programmeIdBySourceRef(db, p.ref);
      if (!existing) {
        const r = await createProgramme(db, input, actor, p.ref);
        out.created++;
        out.changes.push(...r.changes);
        continue;
      }
      const current = (await store.getProgramme(db, existing))!;
      const from = current.state;
      const sameFigures =
        current.name === p.name && current.address === p.address && current.dwellings === p.dwellings &&
        Object.entries(p.financing).every(([k, v]) => current.financing[k as keyof typeof p.financing] === v);
      if (from === p.state && sameFigures) {
        out.unchanged++;
        continue;
      }
      if (from !== p.state && !canTransition(from, p.state)) {
        out.problems.push({ ...where, column: 'etat', rule: 'transition_interdite', value: String(row.data.etat), message: `le programme est déjà à l’état « ${STATE_LABELS[from]} » : il ne revient pas en arrière.` });
        continue;
      }
      if (!sameFigures) out.changes.push(...(await updateProgramme(db, current.id, { name: p.name, address: p.address, dwellings: p.dwellings, financing: p.financing }, actor)).changes);
      if (from !== p.state) {
        const date = p.dates[p.state] ?? p.stateDate;
        await db.transaction().execute((trx) => store.recordState(trx, current.id, from, p.state, date, datesFor(p.state, date), actor, { delivery: row.deliveryId }));
        out.changes.push({ type: 'programme', id: current.id, commune: p.communeCode, from, state: p.state, source: 'partner', organisation: row.organisationId, at: now() });
      }
      out.updated++;
    } catch (err) {
      out.problems.push({ ...where, rule: err instanceof AppError ? err.code : 'erreur', message: (err as Error).message });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Targets and the dashboard

const targetRow = (t: TargetBody): Target => ({
  communeCode: t.commune_code,
  periodStart: t.period_start,
  periodEnd: t.period_end,
  total: t.target_dwellings,
  social: t.target_social_dwellings,
  sru: t.sru ?? false,
});

export async function listTargets(db: TypedDb, communes: string[]) {
  const rows = await store.listTargets(db, communes);
  const places = await placesByCode(db, rows.map((r) => r.communeCode));
  const name = (code: string) => places.get(code)?.name ?? code;
  return rows
    .map((r) => ({ commune_code: r.communeCode, commune: name(r.communeCode), period_start: r.periodStart, period_end: r.periodEnd, target_dwellings: r.total, target_social_dwellings: r.social, sru: r.sru }))
    .sort((a, b) => a.commune.localeCompare(b.commune, 'fr') || a.period_start - b.period_start);
}

/** Saves targets (all or none), each checked, of communes the COG knows. */
export async function saveTargets(db: TypedDb, targets: TargetBody[]): Promise<number> {
  const rows = targets.map(targetRow);
  for (const t of rows) {
    const p = targetProblems(t);
    if (p.length) throw new AppError('construction.invalid_target', `Objectif ${t.communeCode} ${t.periodStart} : ${p.map((x) => x.message).join(' ')}`, 422);
  }
  const known = await placesByCode(db, rows.map((t) => t.communeCode));
  const unknown = [...new Set(rows.map((t) => t.communeCode))].filter((c) => !known.has(c));
  if (unknown.length) throw new AppError('construction.unknown_commune', `Commune(s) inconnue(s) du code officiel géographique : ${unknown.join(', ')}.`, 422);
  await store.upsertTargets(db, rows);
  return rows.length;
}

/** Targets from a CSV file, all or nothing: any line refused refuses the file, with every problem. */
export function readTargetsFile(text: string, file: string): TargetBody[] {
  const { targets, problems } = readTargetsCsv(text, file);
  if (problems.length) throw inputRefused('construction.targets_refused', problems);
  return targets;
}

export const deleteTarget = store.deleteTarget;

const progressAnswer = (p: Progress): ProgressAnswer => ({
  elapsed: p.elapsed,
  expected_by_now: p.expectedByNow,
  remaining: p.remaining,
  remaining_social: p.remainingSocial,
  years_left: p.yearsLeft,
  pace_per_year: p.pacePerYear,
  pace_per_year_social: p.pacePerYearSocial,
  behind: p.behind,
  behind_total: p.behindTotal,
  behind_social: p.behindSocial,
  rate: p.rate,
  rate_social: p.rateSocial,
});

const figures = (target: Target, achieved: Achieved, at: Date) => ({
  period_start: target.periodStart,
  period_end: target.periodEnd,
  target_dwellings: target.total,
  target_social_dwellings: target.social,
  authorised: achieved.authorised,
  authorised_social: achieved.authorisedSocial,
  started: achieved.started,
  delivered: achieved.delivered,
  progress: progressAnswer(progress(target, achieved, at)),
});

/** Authorised, started and delivered dwellings against each target of these communes, per commune and per EPCI. */
export async function dashboard(db: TypedDb, at: Date, opts: { epci?: string; commune?: string; communes: string[] }): Promise<Dashboard> {
  let communes = opts.communes;
  if (opts.epci) {
    const of = new Set(await communesOfEpci(db, opts.epci));
    communes = communes.filter((c) => of.has(c));
  }
  if (opts.commune) communes = communes.filter((c) => c === opts.commune);
  const rows = await store.targetAchievements(db, communes);
  const places = await placesByCode(db, rows.map((r) => r.target.communeCode));
  const epciNames = new Map<string, string | null>();
  for (const siren of new Set([...places.values()].map((p) => p.epci_siren).filter((s): s is string => !!s))) epciNames.set(siren, (await findEpci(db, siren))?.name ?? null);
  const perCommune: DashboardCommune[] = rows
    .map(({ target, achieved }) => {
      const place = places.get(target.communeCode);
      const epci = place?.epci_siren ?? null;
      return { commune_code: target.communeCode, commune: place?.name ?? target.communeCode, epci, epci_name: epci ? (epciNames.get(epci) ?? null) : null, sru: target.sru, ...figures(target, achieved, at) };
    })
    .sort((a, b) => a.commune.localeCompare(b.commune, 'fr') || a.period_start - b.period_start);
  // The EPCI line sums its communes' targets and achievements for each period.
  const groups = new Map<string, DashboardCommune[]>();
  for (const c of perCommune) {
    const key = `${c.epci ?? ''}|${c.period_start}|${c.period_end}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const perEpci: DashboardEpci[] = [...groups.values()].map((g) => {
    const sum = (f: (r: DashboardCommune) => number) => g.reduce((s, r) => s + f(r), 0);
    const target: Target = { communeCode: '', periodStart: g[0].period_start, periodEnd: g[0].period_end, total: sum((r) => r.target_dwellings), social: sum((r) => r.target_social_dwellings), sru: false };
    const achieved: Achieved = { authorised: sum((r) => r.authorised), authorisedSocial: sum((r) => r.authorised_social), started: sum((r) => r.started), delivered: sum((r) => r.delivered) };
    return { epci: g[0].epci ?? '', epci_name: g[0].epci_name, ...figures(target, achieved, at), communes: g.length };
  });
  return {
    date: at.toISOString().slice(0, 10),
    communes: perCommune,
    epci: perEpci,
    note:
      'Logements comptés par année de l’événement (autorisation, ouverture de chantier, livraison) dans la période de l’objectif ; ' +
      'programmes abandonnés et doublons rapprochés exclus. L’objectif est comparé aux logements autorisés. ' +
      'Sitadel ne précise pas le produit des logements sociaux (PLAI, PLUS, PLS) : ils comptent comme sociaux sans détail.',
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Alerts: a commune behind its PLH target pace, a programme stalled in a state. Each situation raises one notification
// (its key is unique), shown in the app and sent by e-mail to the people concerned.

/** The alerts of these communes (an EPCI's territory). */
async function evaluateAlerts(db: TypedDb, at: Date, communes: string[]): Promise<Alert[]> {
  const alerts: Alert[] = [];
  const year = at.getUTCFullYear();
  for (const row of (await dashboard(db, at, { communes })).communes) {
    if (year < row.period_start || year > row.period_end) continue;
    const a = behindAlert(
      row.commune,
      { communeCode: row.commune_code, periodStart: row.period_start, periodEnd: row.period_end, total: row.target_dwellings, social: row.target_social_dwellings, sru: row.sru },
      { authorised: row.authorised, authorisedSocial: row.authorised_social, started: row.started, delivered: row.delivered },
      at,
    );
    if (a) alerts.push(a);
  }
  for (const p of await store.programmesInStates(db, Object.keys(STALL_MONTHS) as ProgrammeState[], communes)) {
    const a = stalledAlert({ id: p.id, name: p.name, communeCode: p.commune_code, state: p.state as ProgrammeState, stateSince: new Date(`${p.since}T00:00:00Z`) }, at);
    if (a) alerts.push(a);
  }
  return alerts;
}

/** Stores the new alerts of these communes and mails one digest per person concerned (when a mailer is given). */
export async function runAlerts(db: TypedDb, at: Date, opts: { communes: string[]; mailer: Mailer | null; log?: AppContext['log'] }): Promise<{ created: Alert[]; emailed: number }> {
  const created = await store.insertAlerts(db, await evaluateAlerts(db, at, opts.communes));
  if (!opts.mailer || !created.length) return { created, emailed: 0 };
  // One digest per person, not one message per alert: the EPCI's agents and admins, and the commune's own users.
  const places = await placesByCode(db, created.map((a) => a.communeCode));
  const perRecipient = new Map<string, (Alert & { id: string })[]>();
  const byCommune = new Map<string, string[]>();
  for (const a of created) {
    if (!byCommune.has(a.communeCode)) byCommune.set(a.communeCode, await territoryStaffEmails(db, places.get(a.communeCode)?.epci_siren ?? null, a.communeCode));
    for (const to of byCommune.get(a.communeCode)!) perRecipient.set(to, [...(perRecipient.get(to) ?? []), a]);
  }
  let emailed = 0;
  for (const [to, list] of perRecipient) {
    try {
      await opts.mailer.send({
        to,
        subject: `Construction neuve : ${list.length} nouvelle(s) alerte(s)`,
        text: ['Bonjour,', '', 'Nouvelles alertes sur la construction neuve :', '', ...list.map((a) => `- ${a.message}`), '', 'Retrouvez-les dans l’application, rubrique Construction neuve.'].join('\n'),
      });
      emailed++;
      await store.recordEmailed(db, list.map((a) => a.id), to);
    } catch (err) {
      opts.log?.warn({ err, to }, 'alerte construction : courriel non envoyé');
    }
  }
  return { created, emailed };
}

export async function listNotifications(db: TypedDb, opts: { unreadOnly?: boolean; limit?: number; communes: string[] }): Promise<Notification[]> {
  const rows = await store.listNotifications(db, opts);
  const places = await placesByCode(db, rows.flatMap((r) => (r.commune_code ? [r.commune_code] : [])));
  return rows.map((r) => ({
    id: r.id,
    rule: r.rule as Notification['rule'],
    commune_code: r.commune_code,
    commune: r.commune_code ? (places.get(r.commune_code)?.name ?? null) : null,
    programme_id: r.programme_id,
    message: r.message,
    created_at: new Date(r.created_at).toISOString(),
    read_at: r.read_at ? new Date(r.read_at).toISOString() : null,
    emails_sent: Number(r.emails),
  }));
}

export const notificationCommune = store.notificationCommune;
export const markRead = store.markRead;

// ---------------------------------------------------------------------------------------------------------------
// Public figures

/** New construction per commune and year of the instance's EPCIs: aggregated, with statistical secrecy on small counts. */
export async function publicByCommune(db: TypedDb, minCount: number, epcis: string[]): Promise<PublicRow[]> {
  const communes = epcis.length ? await instanceTerritory(db, epcis) : undefined;
  const parts = [
    { measure: 'authorised', step: 'authorisation_date' },
    { measure: 'started', step: 'works_start_date' },
    { measure: 'delivered', step: 'delivery_date' },
  ] as const;
  const out = new Map<string, PublicRow>();
  for (const part of parts) {
    for (const r of await store.countsPerYear(db, part.step, communes)) {
      const key = `${r.communeCode}|${r.year}`;
      const row = out.get(key) ?? { commune_code: r.communeCode, commune: '', year: r.year, authorised: 0, started: 0, delivered: 0, withheld: [] };
      // Fewer operations than the threshold: the figure could point at a few households' projects.
      if (r.count < minCount) {
        row[part.measure] = null;
        row.withheld.push(part.measure);
      } else row[part.measure] = r.units;
      out.set(key, row);
    }
  }
  const places = await placesByCode(db, [...out.values()].map((r) => r.commune_code));
  return [...out.values()]
    .map((r) => ({ ...r, commune: places.get(r.commune_code)?.name ?? r.commune_code }))
    .sort((a, b) => a.commune.localeCompare(b.commune, 'fr') || a.year - b.year);
}
