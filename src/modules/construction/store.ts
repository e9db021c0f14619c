// Construction SQL: programmes, their permits and state-change events, PLH production targets, alerts and Sitadel
// imports. SQL only, on the typed store: the use cases (service.ts) call these, readers never do.
import { sql, type Selectable } from 'kysely';
import { insertInBatches, type TypedDb } from '../../platform/db.ts';
import type { ConstructionProgramme } from '../../platform/db-schema.ts';
import type { Programme, ProgrammeEvent } from './contract.ts';
import {
  BUILDING_TYPES,
  FINANCINGS,
  socialUnits,
  STEP_DATES,
  type Alert,
  type MatchStatus,
  type PoolCandidate,
  type ProgrammeState,
  type Source,
  type StepDate,
  type Target,
  type UnitMix,
} from './model.ts';

// ---------------------------------------------------------------------------------------------------------------
// Reading programmes

const permitsOf = sql<string[]>`coalesce((select array_agg(type_dau || ' ' || num_dau order by num_dau) from construction_permit cp where cp.programme_id = p.id), '{}')`;
const asText = (col: 'state_since' | StepDate) => sql<string | null>`${sql.ref(`p.${col}`)}::text`.as(`${col}_text`);

function programmeQuery(db: TypedDb) {
  return db
    .selectFrom('construction_programme as p')
    .selectAll('p')
    .select([asText('state_since'), ...STEP_DATES.map(asText)])
    .select(permitsOf.as('permits'));
}

type ProgrammeRow = Selectable<ConstructionProgramme> & { permits: string[] | string } & Record<`${'state_since' | StepDate}_text`, string | null>;

/** PGlite and node-postgres both give arrays; an old driver gives the text form, read here once. */
const pgArray = (v: string[] | string): string[] => (typeof v !== 'string' ? v : v === '{}' ? [] : v.slice(1, -1).split(',').map((x) => x.replace(/^"|"$/g, '')));

/** A programme as the API shows it, its commune's name left for the caller (the territory's to give). */
function toProgramme(r: ProgrammeRow): Programme {
  const financing = Object.fromEntries(FINANCINGS.map((k) => [k, r[k]])) as Programme['financing'];
  return {
    id: r.id,
    name: r.name,
    commune_code: r.commune_code,
    commune: null,
    address: r.address,
    lat: r.lat,
    lon: r.lon,
    state: r.state as ProgrammeState,
    state_since: r.state_since_text ?? '',
    source: r.source as Source,
    source_ref: r.source_ref,
    project_owner: r.project_owner,
    dwellings: r.units,
    social_dwellings: socialUnits(financing),
    financing,
    types: Object.fromEntries(BUILDING_TYPES.map((k) => [k, r[k]])) as Programme['types'],
    filing_date: r.filing_date_text,
    authorisation_date: r.authorisation_date_text,
    works_start_date: r.works_start_date_text,
    delivery_date: r.delivery_date_text,
    match: r.duplicate_of ? { programme_id: r.duplicate_of, status: r.match_status as MatchStatus, reason: r.match_reason } : null,
    permits: pgArray(r.permits),
    organisation_id: r.organisation_id,
  };
}

export interface ProgrammeFilters {
  /** Only these communes (the caller's perimeter, an EPCI's communes). */
  communes?: string[];
  commune?: string;
  state?: ProgrammeState;
  source?: Source;
  q?: string;
  withCoordinates?: boolean;
  duplicates?: boolean;
  limit?: number;
  offset?: number;
}

export async function listProgrammes(db: TypedDb, f: ProgrammeFilters = {}): Promise<{ total: number; programmes: Programme[] }> {
  let q = programmeQuery(db);
  if (f.communes) q = q.where('p.commune_code', 'in', f.communes.length ? f.communes : ['']);
  if (f.commune) q = q.where('p.commune_code', '=', f.commune);
  if (f.state) q = q.where('p.state', '=', f.state);
  if (f.source) q = q.where('p.source', '=', f.source);
  if (f.withCoordinates) q = q.where('p.lat', 'is not', null);
  if (f.duplicates) q = q.where('p.duplicate_of', 'is not', null);
  if (f.q) {
    const like = `%${f.q.toLowerCase()}%`;
    q = q.where((eb) => eb.or([eb(sql`lower(p.name)`, 'like', like), eb(sql`lower(coalesce(p.address, ''))`, 'like', like), eb(sql`lower(coalesce(p.source_ref, ''))`, 'like', like)]));
  }
  const total = Number((await db.selectFrom(q.as('x')).select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);
  const rows = await q.orderBy('p.updated_at', 'desc').orderBy('p.id').limit(f.limit ?? 100).offset(f.offset ?? 0).execute();
  return { total, programmes: rows.map(toProgramme) };
}

export async function getProgramme(db: TypedDb, id: string): Promise<Programme | undefined> {
  const r = await programmeQuery(db).where('p.id', '=', id).executeTakeFirst();
  return r ? toProgramme(r) : undefined;
}

/** A programme by its identity in its source ("sitadel:PC:…", "partner:<organisation>:<ref>"). */
export async function programmeIdBySourceRef(db: TypedDb, ref: string): Promise<string | undefined> {
  return (await db.selectFrom('construction_programme').select('id').where('source_ref', '=', ref).executeTakeFirst())?.id;
}

export async function programmeEvents(db: TypedDb, id: string): Promise<ProgrammeEvent[]> {
  const rows = await db
    .selectFrom('construction_event')
    .select(['id', 'kind', 'from_state', 'to_state', 'source', 'author', 'detail', 'recorded_at'])
    .select(sql<string>`event_date::text`.as('event_date'))
    .where('programme_id', '=', id)
    .orderBy('event_date')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    kind: r.kind as ProgrammeEvent['kind'],
    from: r.from_state,
    to: r.to_state,
    date: r.event_date,
    source: r.source,
    author: r.author,
    detail: typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail,
    recorded_at: new Date(r.recorded_at).toISOString(),
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// Writing programmes (in the caller's transaction)

export interface ProgrammeValues {
  name: string;
  communeCode: string;
  address: string | null;
  lat: number | null;
  lon: number | null;
  projectOwner: string | null;
  dwellings: number;
  mix: UnitMix;
}

const programmeColumns = (v: ProgrammeValues) => ({
  name: v.name,
  commune_code: v.communeCode,
  address: v.address,
  lat: v.lat,
  lon: v.lon,
  project_owner: v.projectOwner,
  units: v.dwellings,
  ...v.mix,
});

export interface Actor {
  source: Source;
  author: string;
  organisationId?: string | null;
}

export async function insertProgramme(
  db: TypedDb,
  id: string,
  v: ProgrammeValues,
  state: { state: ProgrammeState; since: string; dates: Partial<Record<StepDate, string>> },
  actor: Actor,
  sourceRef?: string,
): Promise<void> {
  await db
    .insertInto('construction_programme')
    .values({
      id,
      ...programmeColumns(v),
      state: state.state,
      state_since: state.since,
      source: actor.source,
      source_ref: sourceRef ?? null,
      organisation_id: actor.organisationId ?? null,
      ...state.dates,
    })
    .execute();
  await db
    .insertInto('construction_event')
    .values({ programme_id: id, kind: 'created', to_state: state.state, event_date: state.since, source: actor.source, author: actor.author })
    .execute();
}

export async function updateProgrammeValues(db: TypedDb, id: string, v: ProgrammeValues, actor: Actor, fields: string[]): Promise<void> {
  await db.updateTable('construction_programme').set({ ...programmeColumns(v), updated_at: sql`now()` }).where('id', '=', id).execute();
  await db
    .insertInto('construction_event')
    .values({ programme_id: id, kind: 'updated', event_date: sql`current_date`, source: actor.source, author: actor.author, detail: JSON.stringify({ fields }) })
    .execute();
}

/** The state of a programme, locked until the transaction ends (a state change reads, checks, then writes). */
export async function lockProgrammeState(db: TypedDb, id: string) {
  return db.selectFrom('construction_programme').select(['state', 'commune_code', 'organisation_id']).where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function recordState(db: TypedDb, id: string, from: ProgrammeState, to: ProgrammeState, date: string, dates: Partial<Record<StepDate, string>>, actor: Actor, detail?: unknown) {
  await db.updateTable('construction_programme').set({ state: to, state_since: date, ...dates, updated_at: sql`now()` }).where('id', '=', id).execute();
  await db
    .insertInto('construction_event')
    .values({ programme_id: id, kind: 'state', from_state: from, to_state: to, event_date: date, source: actor.source, author: actor.author, detail: detail === undefined ? null : JSON.stringify(detail) })
    .execute();
}

// ---------------------------------------------------------------------------------------------------------------
// Duplicates across sources

export async function matchCandidates(
  db: TypedDb,
  communeCodes: string[] | undefined,
  opts: { excludeSource?: Source; units?: [number, number]; ids?: string[] } = {},
): Promise<PoolCandidate[]> {
  if (communeCodes && !communeCodes.length) return [];
  let q = db
    .selectFrom('construction_programme as p')
    .select(['p.id', 'p.source', 'p.commune_code', 'p.address', 'p.lat', 'p.lon', 'p.units'])
    .select(sql<string[] | string>`coalesce((select array_agg(num_dau) from construction_permit cp where cp.programme_id = p.id), '{}')`.as('permits'))
    .where('p.duplicate_of', 'is', null)
    .where('p.state', '!=', 'abandoned');
  if (communeCodes) q = q.where('p.commune_code', 'in', communeCodes);
  if (opts.excludeSource) q = q.where('p.source', '!=', opts.excludeSource);
  if (opts.units) q = q.where('p.units', '>=', opts.units[0]).where('p.units', '<=', opts.units[1]);
  if (opts.ids) q = q.where('p.id', 'in', opts.ids);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    source: r.source as Source,
    communeCode: r.commune_code,
    address: r.address,
    lat: r.lat,
    lon: r.lon,
    units: r.units,
    permits: pgArray(r.permits),
  }));
}

/** Programmes holding one of these permit numbers. */
export async function programmesWithPermits(db: TypedDb, numbers: string[]): Promise<string[]> {
  if (!numbers.length) return [];
  return (await db.selectFrom('construction_permit').select('programme_id').where('num_dau', 'in', numbers).execute()).map((r) => r.programme_id);
}

/** `duplicate` is the same operation as `counted`: it points to it and leaves the counts, and so does what pointed to it. */
export async function recordMatch(db: TypedDb, duplicate: string, counted: string, status: MatchStatus, reason: string, source: Source, author: string) {
  await db.updateTable('construction_programme').set({ duplicate_of: counted, match_status: status, match_reason: reason }).where('id', '=', duplicate).execute();
  await db.updateTable('construction_programme').set({ duplicate_of: counted }).where('duplicate_of', '=', duplicate).execute();
  await db
    .insertInto('construction_event')
    .values({ programme_id: duplicate, kind: 'matched', event_date: sql`current_date`, source, author, detail: JSON.stringify({ with: counted, reason, status }) })
    .execute();
}

export async function recordMatchDecision(db: TypedDb, id: string, other: string, decision: MatchStatus, author: string) {
  await db.updateTable('construction_programme').set({ match_status: decision, updated_at: sql`now()` }).where('id', '=', id).execute();
  await db
    .insertInto('construction_event')
    .values({ programme_id: id, kind: 'matched', event_date: sql`current_date`, source: 'manual', author, detail: JSON.stringify({ with: other, status: decision }) })
    .execute();
}

/** SQL condition: the programme is counted (not abandoned, not the duplicate side of a match). */
const countedProgramme = sql<boolean>`(p.state <> 'abandoned' and (p.duplicate_of is null or p.match_status = 'rejected'))`;

// ---------------------------------------------------------------------------------------------------------------
// Sitadel imports

export async function importedFile(db: TypedDb, hash: string): Promise<boolean> {
  return !!(await db.selectFrom('construction_import').select('file_hash').where('file_hash', '=', hash).executeTakeFirst());
}

export async function recordImport(db: TypedDb, hash: string, name: string, rows: number) {
  await db
    .insertInto('construction_import')
    .values({ file_hash: hash, file_name: name, rows })
    .onConflict((oc) => oc.column('file_hash').doUpdateSet({ imported_at: sql`now()` }))
    .execute();
}

/** Every Sitadel permit already stored, by "type:number", with its programme, fingerprint and state. */
export async function sitadelPermits(db: TypedDb): Promise<Map<string, { programmeId: string; fingerprint: string; state: ProgrammeState }>> {
  const rows = await db
    .selectFrom('construction_permit as cp')
    .innerJoin('construction_programme as p', 'p.id', 'cp.programme_id')
    .select(['cp.type_dau', 'cp.num_dau', 'cp.programme_id', 'cp.fingerprint', 'p.state'])
    .where('cp.source', '=', 'sitadel')
    .execute();
  return new Map(rows.map((r) => [`${r.type_dau}:${r.num_dau}`, { programmeId: r.programme_id, fingerprint: r.fingerprint, state: r.state as ProgrammeState }]));
}

export interface PermitValues {
  type_dau: string;
  num_dau: string;
  programme_id: string;
  commune_code: string;
  state: 'authorised' | 'cancelled' | 'started' | 'completed';
  authorisation_date: string;
  works_start_date: string | null;
  completion_date: string | null;
  units: number;
  source: string;
  fingerprint: string;
}

export interface NewSitadelProgramme {
  id: string;
  values: ProgrammeValues;
  state: ProgrammeState;
  since: string;
  dates: Partial<Record<StepDate, string>>;
  sourceRef: string;
}

export interface EventValues {
  programme_id: string;
  kind: 'created' | 'state';
  from_state: ProgrammeState | null;
  to_state: ProgrammeState;
  event_date: string;
  source: string;
  author: string;
}

/** New programmes, their permits and events in batches (thousands of lines in one Sitadel file). */
export async function insertSitadelBatch(db: TypedDb, programmes: NewSitadelProgramme[], permits: PermitValues[], events: EventValues[]) {
  const rows = programmes.map((p) => ({
    id: p.id,
    ...programmeColumns(p.values),
    state: p.state,
    state_since: p.since,
    source: 'sitadel',
    source_ref: p.sourceRef,
    filing_date: null,
    authorisation_date: null,
    works_start_date: null,
    delivery_date: null,
    ...p.dates,
  }));
  await insertInBatches(db, 'construction_programme', rows, 400);
  await insertInBatches(db, 'construction_permit', permits, 500);
  await insertInBatches(db, 'construction_event', events.map((e) => ({ ...e, detail: null })), 1000);
}

/** A newer edition of a permit: its programme's figures and dates, moved to `state`, and the permit row. */
export async function updateSitadelPermit(db: TypedDb, programmeId: string, v: ProgrammeValues, state: ProgrammeState, since: string | undefined, dates: Partial<Record<StepDate, string>>, permit: PermitValues, events: EventValues[]) {
  await db
    .updateTable('construction_programme')
    .set({ ...programmeColumns(v), ...dates, state, ...(since ? { state_since: since } : {}), updated_at: sql`now()` })
    .where('id', '=', programmeId)
    .execute();
  const { type_dau: _t, num_dau: _n, ...set } = permit;
  await db.updateTable('construction_permit').set({ ...set, updated_at: sql`now()` }).where('type_dau', '=', permit.type_dau).where('num_dau', '=', permit.num_dau).execute();
  if (events.length) await db.insertInto('construction_event').values(events.map((e) => ({ ...e, detail: null }))).execute();
}

/** Sitadel files imported, newest first, and the first and last year of authorisation of each commune's permits. */
export async function sitadelImports(db: TypedDb) {
  const imports = await db.selectFrom('construction_import').select(['file_name', 'rows', 'imported_at']).orderBy('imported_at', 'desc').execute();
  const year = sql<number | null>`date_part('year', authorisation_date)`;
  const communes = await db
    .selectFrom('construction_permit')
    .select('commune_code')
    .select([sql<number | null>`min(${year})`.as('first'), sql<number | null>`max(${year})`.as('last')])
    .where('source', '=', 'sitadel')
    .groupBy('commune_code')
    .execute();
  return { imports, communes };
}

/** Dwellings authorised per commune (or arrondissement) and year by the permits not cancelled. */
export async function authorisedPerYear(db: TypedDb, communes?: string[]): Promise<{ communeCode: string; year: number; dwellings: number }[]> {
  if (communes && !communes.length) return [];
  let q = db
    .selectFrom('construction_permit')
    .select('commune_code')
    .select(sql<number>`extract(year from authorisation_date)::int`.as('year'))
    .select(sql<number>`sum(units)::int`.as('dwellings'))
    .where('authorisation_date', 'is not', null)
    .where('state', '<>', 'cancelled');
  if (communes) q = q.where('commune_code', 'in', communes);
  const rows = await q.groupBy(['commune_code', sql`2`]).execute();
  return rows.map((r) => ({ communeCode: r.commune_code, year: Number(r.year), dwellings: Number(r.dwellings) }));
}

// ---------------------------------------------------------------------------------------------------------------
// Targets


export async function listTargets(db: TypedDb, communes: string[]): Promise<Target[]> {
  const rows = await db
    .selectFrom('construction_target')
    .select(['commune_code', 'period_start', 'period_end', 'total', 'social', 'sru'])
    .where('commune_code', 'in', communes.length ? communes : [''])
    .orderBy('commune_code')
    .orderBy('period_start')
    .execute();
  return rows.map((r) => ({ communeCode: r.commune_code, periodStart: r.period_start, periodEnd: r.period_end, total: r.total, social: r.social, sru: r.sru }));
}

/** One transaction: a batch of targets is saved whole or not at all; a target is keyed by commune and start year. */
export async function upsertTargets(db: TypedDb, targets: Target[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const t of targets) {
      await trx
        .insertInto('construction_target')
        .values({ commune_code: t.communeCode, period_start: t.periodStart, period_end: t.periodEnd, total: t.total, social: t.social, sru: t.sru })
        .onConflict((oc) => oc.columns(['commune_code', 'period_start']).doUpdateSet({ period_end: t.periodEnd, total: t.total, social: t.social, sru: t.sru, updated_at: sql`now()` }))
        .execute();
    }
  });
}

export async function deleteTarget(db: TypedDb, communeCode: string, periodStart: number): Promise<boolean> {
  const r = await db.deleteFrom('construction_target').where('commune_code', '=', communeCode).where('period_start', '=', periodStart).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

const inPeriod = (col: StepDate) => sql<boolean>`extract(year from ${sql.ref(`p.${col}`)}) between t.period_start and t.period_end`;
const socialSum = sql<number>`(p.plai + p.plus + p.pls + p.social_unspecified)`;

/** Each target of these communes with the dwellings of counted programmes authorised, started, delivered within its period. */
export async function targetAchievements(db: TypedDb, communes: string[]) {
  const rows = await db
    .selectFrom('construction_target as t')
    .leftJoin('construction_programme as p', (j) => j.onRef('p.commune_code', '=', 't.commune_code').on(countedProgramme))
    .select(['t.commune_code', 't.period_start', 't.period_end', 't.total', 't.social', 't.sru'])
    .select([
      sql<number>`coalesce(sum(p.units) filter (where ${inPeriod('authorisation_date')}), 0)`.as('authorised'),
      sql<number>`coalesce(sum(${socialSum}) filter (where ${inPeriod('authorisation_date')}), 0)`.as('authorised_social'),
      sql<number>`coalesce(sum(p.units) filter (where ${inPeriod('works_start_date')}), 0)`.as('started'),
      sql<number>`coalesce(sum(p.units) filter (where ${inPeriod('delivery_date')}), 0)`.as('delivered'),
    ])
    .where('t.commune_code', 'in', communes.length ? communes : [''])
    .groupBy(['t.commune_code', 't.period_start', 't.period_end', 't.total', 't.social', 't.sru'])
    .execute();
  return rows.map((r) => ({
    target: { communeCode: r.commune_code, periodStart: r.period_start, periodEnd: r.period_end, total: r.total, social: r.social, sru: r.sru },
    achieved: { authorised: Number(r.authorised), authorisedSocial: Number(r.authorised_social), started: Number(r.started), delivered: Number(r.delivered) },
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// Aggregates

/** Counted dwellings and operations per commune and year of one step, for the public page (secrecy applied by the caller). */
export async function countsPerYear(db: TypedDb, step: StepDate, communes?: string[]) {
  const year = sql<number>`extract(year from ${sql.ref(`p.${step}`)})::int`;
  let q = db
    .selectFrom('construction_programme as p')
    .select('p.commune_code')
    .select(year.as('year'))
    .select(sql<number>`sum(p.units)`.as('units'))
    .select(sql<number>`count(*)`.as('n'))
    .where(sql.ref(`p.${step}`), 'is not', null)
    .where(countedProgramme);
  if (communes) q = q.where('p.commune_code', 'in', communes.length ? communes : ['']);
  const rows = await q.groupBy(['p.commune_code', year]).execute();
  return rows.map((r) => ({ communeCode: r.commune_code, year: Number(r.year), units: Number(r.units), count: Number(r.n) }));
}

/** Counted dwellings per commune (of all, or of these) and pipeline state, for the map (staff only: no secrecy applied). */
export async function unitsByCommune(db: TypedDb, communes?: string[]) {
  let q = db
    .selectFrom('construction_programme as p')
    .select(['p.commune_code', 'p.state'])
    .select(sql<number>`sum(p.units)`.as('units'))
    .select(sql<number>`count(*)`.as('n'));
  if (communes) q = q.where('p.commune_code', 'in', communes.length ? communes : ['']);
  const rows = await q.where(countedProgramme).groupBy(['p.commune_code', 'p.state']).execute();
  return rows.map((r) => ({ communeCode: r.commune_code, state: r.state as ProgrammeState, units: Number(r.units), count: Number(r.n) }));
}

/** Counted programmes stalled-prone (in one of these states) of these communes, with the date they entered it. */
export async function programmesInStates(db: TypedDb, states: ProgrammeState[], communes?: string[]) {
  let q = db
    .selectFrom('construction_programme as p')
    .select(['p.id', 'p.name', 'p.commune_code', 'p.state'])
    .select(sql<string>`p.state_since::text`.as('since'))
    .where('p.state', 'in', states)
    .where(countedProgramme);
  if (communes) q = q.where('p.commune_code', 'in', communes.length ? communes : ['']);
  return q.execute();
}

// ---------------------------------------------------------------------------------------------------------------
// Notifications

/** Stores the alerts not already raised (their key is unique) and returns the new ones with their id. */
export async function insertAlerts(db: TypedDb, alerts: Alert[]): Promise<(Alert & { id: string })[]> {
  const created: (Alert & { id: string })[] = [];
  for (let i = 0; i < alerts.length; i += 500) {
    const batch = alerts.slice(i, i + 500);
    const rows = await db
      .insertInto('construction_notification')
      .values(batch.map((a) => ({ alert_key: a.key, rule: a.rule, commune_code: a.communeCode, programme_id: a.programmeId ?? null, message: a.message })))
      .onConflict((oc) => oc.column('alert_key').doNothing())
      .returning(['id', 'alert_key'])
      .execute();
    const byKey = new Map(batch.map((a) => [a.key, a]));
    for (const r of rows) created.push({ ...byKey.get(r.alert_key)!, id: r.id });
  }
  return created;
}

export async function recordEmailed(db: TypedDb, ids: string[], to: string) {
  await db.updateTable('construction_notification').set({ emailed_to: sql`array_append(emailed_to, ${to})` }).where('id', 'in', ids).execute();
}

export async function listNotifications(db: TypedDb, opts: { unreadOnly?: boolean; limit?: number; communes?: string[] } = {}) {
  let q = db
    .selectFrom('construction_notification as n')
    .select(['n.id', 'n.rule', 'n.commune_code', 'n.programme_id', 'n.message', 'n.created_at', 'n.read_at'])
    .select(sql<number>`cardinality(n.emailed_to)`.as('emails'))
    .orderBy('n.created_at', 'desc')
    .orderBy('n.id')
    .limit(opts.limit ?? 200);
  if (opts.unreadOnly) q = q.where('n.read_at', 'is', null);
  if (opts.communes) q = q.where('n.commune_code', 'in', opts.communes.length ? opts.communes : ['']);
  return q.execute();
}

/** The commune an alert is about (to check the perimeter before marking it read); undefined when there is no such alert. */
export async function notificationCommune(db: TypedDb, id: string): Promise<string | null | undefined> {
  const row = await db.selectFrom('construction_notification').select('commune_code').where('id', '=', id).executeTakeFirst();
  return row ? (row.commune_code ?? null) : undefined;
}

export async function markRead(db: TypedDb, id: string): Promise<boolean> {
  const r = await db.updateTable('construction_notification').set({ read_at: sql`coalesce(read_at, now())` }).where('id', '=', id).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
