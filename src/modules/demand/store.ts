// SQL of the demand module (Kysely on the typed store, PostgreSQL and PGlite alike): demands and their person,
// attributions, grids, scores, the instance's export secret and the partners an EPCI authorised. No rule lives here:
// which grid is in force, what a score is, what may be purged are decided in model.ts and service.ts.
import { sql } from 'kysely';
import { randomBytes } from 'node:crypto';
import type { TypedDb } from '../../platform/db.ts';
import type { ImportedDemand } from './ingest/sne-csv.ts';
import {
  type Attribution,
  type Demand,
  type DemandPerson,
  type DemandStatus,
  type Grid,
  type GridStatus,
  type HousingSituation,
  parseGrid,
  PRIORITY_FLAG_NAMES,
  type PriorityFlag,
  type Typology,
} from './model.ts';

// ---- demands ----------------------------------------------------------------------------------------------

const DEMAND_COLUMNS = [
  'd.id',
  'd.number',
  'd.epci_siren',
  sql<string>`d.filing_date::text`.as('filing_date'),
  sql<string | null>`d.renewal_date::text`.as('renewal_date'),
  'd.status',
  'd.adults',
  'd.children',
  'd.monthly_income',
  'd.residual_rent',
  'd.housing_situation',
  'd.current_surface',
  'd.typology',
  'd.communes',
  'd.mutation',
  'd.flags',
  'd.refusals',
] as const;

interface DemandRow {
  id: string;
  number: string;
  epci_siren: string;
  filing_date: string;
  renewal_date: string | null;
  status: string;
  adults: number;
  children: number;
  monthly_income: number | null;
  residual_rent: number | null;
  housing_situation: string;
  current_surface: number | null;
  typology: string;
  communes: string[];
  mutation: boolean;
  flags: string[];
  refusals: number;
}

// The table's check constraints and the readers keep statuses, situations, typologies and flags to the model's values.
function toDemand(r: DemandRow): Demand {
  return {
    number: r.number,
    epci_siren: r.epci_siren,
    filing_date: r.filing_date,
    renewal_date: r.renewal_date,
    status: r.status as DemandStatus,
    adults: r.adults,
    children: r.children,
    monthly_income: r.monthly_income,
    residual_rent: r.residual_rent,
    housing_situation: r.housing_situation as HousingSituation,
    current_surface: r.current_surface,
    typology: r.typology as Typology,
    communes: r.communes,
    mutation: r.mutation,
    flags: PRIORITY_FLAG_NAMES.filter((f) => r.flags.includes(f)),
    refusals: r.refusals,
  };
}

/** A demand's columns in a fixed order (an import compares old and new as JSON). */
function demandRow(d: Demand) {
  return {
    number: d.number,
    epci_siren: d.epci_siren,
    filing_date: d.filing_date,
    renewal_date: d.renewal_date,
    status: d.status,
    adults: d.adults,
    children: d.children,
    monthly_income: d.monthly_income,
    residual_rent: d.residual_rent,
    housing_situation: d.housing_situation,
    current_surface: d.current_surface,
    typology: d.typology,
    communes: d.communes,
    mutation: d.mutation,
    flags: PRIORITY_FLAG_NAMES.filter((f: PriorityFlag) => d.flags.includes(f)),
    refusals: d.refusals,
  };
}
const personRow = (p: DemandPerson) => ({ last_name: p.last_name, first_name: p.first_name, birth_date: p.birth_date, email: p.email, phone: p.phone });

export interface StoredDemand {
  id: string;
  demand: Demand;
  person: DemandPerson | null;
  attribution: (Attribution & { id: string }) | null;
}

export async function getDemand(db: TypedDb, demandNumber: string): Promise<StoredDemand | undefined> {
  return (await loadStoredDemands(db, [demandNumber])).get(demandNumber);
}

/** Demands with person and attribution, by number, in two queries per call (callers chunk long lists). */
async function loadStoredDemands(db: TypedDb, numbers: string[]): Promise<Map<string, StoredDemand>> {
  const out = new Map<string, StoredDemand>();
  if (!numbers.length) return out;
  const rows = await db
    .selectFrom('demand as d')
    .leftJoin('demand_person as p', 'p.demand_id', 'd.id')
    .select([...DEMAND_COLUMNS, 'p.last_name', 'p.first_name', sql<string | null>`p.birth_date::text`.as('birth_date'), 'p.email', 'p.phone'])
    .where('d.number', 'in', numbers)
    .execute();
  if (!rows.length) return out;
  const atts = await db
    .selectFrom('demand_attribution')
    .select(['id', 'demand_id', 'commune_code', 'typology', sql<string>`filing_date::text`.as('filing_date'), sql<string>`attribution_date::text`.as('attribution_date')])
    .where('demand_id', 'in', rows.map((r) => r.id))
    .execute();
  const byDemand = new Map(atts.map((a) => [a.demand_id, a]));
  for (const r of rows) {
    const a = byDemand.get(r.id);
    out.set(r.number, {
      id: r.id,
      demand: toDemand(r),
      person: r.last_name === null ? null : { last_name: r.last_name, first_name: r.first_name ?? '', birth_date: r.birth_date, email: r.email, phone: r.phone },
      attribution: a ? { id: a.id, commune_code: a.commune_code, typology: a.typology as Typology, filing_date: a.filing_date, attribution_date: a.attribution_date } : null,
    });
  }
  return out;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Writes demands (insert or update by number) on the store it is given (the caller's transaction). Unchanged demands
 * are left untouched, so re-running an import changes nothing. Returns the counts and the numbers that changed.
 */
export async function writeDemands(db: TypedDb, rows: ImportedDemand[]): Promise<{ created: number; updated: number; unchanged: number; changed: string[] }> {
  const counts = { created: 0, updated: 0, unchanged: 0 };
  const changed: string[] = [];
  // Chunks keep each statement bounded; new demands go in batches, changed ones one by one (they are few).
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    const existing = await loadStoredDemands(db, chunk.map((r) => r.demand.number));
    const fresh: ImportedDemand[] = [];
    for (const row of chunk) {
      const old = existing.get(row.demand.number);
      if (!old) {
        fresh.push(row);
        continue;
      }
      const wanted = { demand: demandRow(row.demand), person: personRow(row.person), attribution: attributionKey(row.attribution) };
      const now = { demand: demandRow(old.demand), person: old.person ? personRow(old.person) : null, attribution: attributionKey(old.attribution) };
      if (same(now, wanted)) {
        counts.unchanged++;
        continue;
      }
      if (!same(now.demand, wanted.demand)) {
        await db.updateTable('demand').set({ ...wanted.demand, updated_at: sql`now()` }).where('id', '=', old.id).execute();
      }
      if (!same(now.person, wanted.person)) {
        await db.deleteFrom('demand_person').where('demand_id', '=', old.id).execute();
        await db.insertInto('demand_person').values({ demand_id: old.id, ...wanted.person }).execute();
      }
      // An unchanged attribution is left alone: it may carry the bailleur recorded through the web.
      if (!same(now.attribution, wanted.attribution)) await writeAttribution(db, old.id, row.demand, row.attribution);
      counts.updated++;
      changed.push(row.demand.number);
    }
    if (fresh.length) {
      const ids = await db.insertInto('demand').values(fresh.map((r) => demandRow(r.demand))).returning(['id', 'number']).execute();
      const idOf = new Map(ids.map((r) => [r.number, r.id]));
      await db.insertInto('demand_person').values(fresh.map((r) => ({ demand_id: idOf.get(r.demand.number)!, ...personRow(r.person) }))).execute();
      const atts = fresh.flatMap((r) => (r.attribution ? [attributionRow(idOf.get(r.demand.number)!, r.demand, r.attribution, null)] : []));
      if (atts.length) await db.insertInto('demand_attribution').values(atts).execute();
      counts.created += fresh.length;
      changed.push(...fresh.map((r) => r.demand.number));
    }
  }
  return { ...counts, changed };
}

/** The fields of an attribution an import can set, in a fixed order, to compare old and new. */
function attributionKey(a: Attribution | null) {
  return a ? { filing_date: a.filing_date, attribution_date: a.attribution_date, commune_code: a.commune_code, typology: a.typology } : null;
}

function attributionRow(demandId: string, d: Demand, a: Attribution, bailleurId: string | null) {
  return {
    demand_id: demandId,
    epci_siren: d.epci_siren,
    commune_code: a.commune_code,
    typology: a.typology,
    filing_date: d.filing_date,
    attribution_date: a.attribution_date,
    bailleur_id: bailleurId,
  };
}

async function writeAttribution(db: TypedDb, demandId: string, d: Demand, a: Attribution | null, bailleurId: string | null = null) {
  await db.deleteFrom('demand_attribution').where('demand_id', '=', demandId).execute();
  if (a) await db.insertInto('demand_attribution').values(attributionRow(demandId, d, a, bailleurId)).execute();
}

/** The demand leaves the queue (status « attribuee ») with its attribution, which outlives it (waiting times). */
export async function markAttributed(db: TypedDb, s: StoredDemand, a: Attribution, bailleurId: string | null): Promise<void> {
  await db.updateTable('demand').set({ status: 'attribuee', updated_at: sql`now()` }).where('id', '=', s.id).execute();
  await writeAttribution(db, s.id, s.demand, a, bailleurId);
}

/** Which EPCI each of these demand numbers belongs to (numbers not in the store are absent). */
export async function demandOwners(db: TypedDb, numbers: string[]): Promise<Map<string, string>> {
  const owners = new Map<string, string>();
  for (let i = 0; i < numbers.length; i += 1000) {
    const rows = await db.selectFrom('demand').select(['number', 'epci_siren']).where('number', 'in', numbers.slice(i, i + 1000)).execute();
    for (const r of rows) owners.set(r.number, r.epci_siren);
  }
  return owners;
}

export interface DemandSummary {
  number: string;
  epci_siren: string;
  filing_date: string;
  status: string;
  typology: string;
  communes: string[];
  score: number | null;
}

export async function listDemands(
  db: TypedDb,
  f: { epciSiren?: string; epciSirens?: string[]; communesAny?: string[]; status?: string; typology?: string; commune?: string; limit?: number; offset?: number },
): Promise<{ total: number; items: DemandSummary[] }> {
  let q = db.selectFrom('demand as d');
  if (f.epciSiren) q = q.where('d.epci_siren', '=', f.epciSiren);
  if (f.epciSirens) q = q.where('d.epci_siren', 'in', f.epciSirens.length ? f.epciSirens : ['']);
  // A commune reads only the demands that name it (a commune or one of its arrondissements).
  if (f.communesAny) q = q.where(sql<boolean>`d.communes && ${sql.val(f.communesAny)}::text[]`);
  if (f.status) q = q.where('d.status', '=', f.status);
  if (f.typology) q = q.where('d.typology', '=', f.typology);
  if (f.commune) q = q.where(sql<boolean>`${f.commune} = any(d.communes)`);
  const { n } = await q.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  const rows = await q
    .leftJoin('demand_score as s', (j) =>
      j.onRef('s.demand_id', '=', 'd.id').on('s.grid_id', '=', sql<string>`(select g.id from demand_grid g where g.epci_siren = d.epci_siren and g.status = 'adopted' and g.valid_from <= current_date and (g.valid_to is null or g.valid_to > current_date) order by g.valid_from desc limit 1)`),
    )
    .select(['d.number', 'd.epci_siren', sql<string>`d.filing_date::text`.as('filing_date'), 'd.status', 'd.typology', 'd.communes', 's.total'])
    .orderBy(sql`s.total desc nulls last`)
    .orderBy('d.filing_date')
    .limit(f.limit ?? 50)
    .offset(f.offset ?? 0)
    .execute();
  return {
    total: n,
    items: rows.map((r) => ({ number: r.number, epci_siren: r.epci_siren, filing_date: r.filing_date, status: r.status, typology: r.typology, communes: r.communes, score: r.total })),
  };
}

/** Right to erasure: the demand and its person are deleted; a past attribution stays, anonymous. */
export async function deleteDemand(db: TypedDb, demandNumber: string): Promise<boolean> {
  const r = await db.deleteFrom('demand').where('number', '=', demandNumber).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function deleteDemands(db: TypedDb, numbers: string[]): Promise<void> {
  if (numbers.length) await db.deleteFrom('demand').where('number', 'in', numbers).execute();
}

/** Attributed or struck-off demands, with the date their retention period runs from (attribution, or last change). */
export async function closedDemands(db: TypedDb): Promise<{ number: string; status: string; attribution_date: string | null; updated: string }[]> {
  return db
    .selectFrom('demand as d')
    .leftJoin('demand_attribution as a', 'a.demand_id', 'd.id')
    .select(['d.number', 'd.status', sql<string | null>`a.attribution_date::text`.as('attribution_date'), sql<string>`d.updated_at::date::text`.as('updated')])
    .where('d.status', 'in', ['attribuee', 'radiee'])
    .execute();
}

// ---- applicant access code --------------------------------------------------------------------------------

/** Keeps the hash of a new access code; false when there is no such demand. */
export async function setAccessCodeHash(db: TypedDb, demandNumber: string, hash: string): Promise<boolean> {
  const r = await db.updateTable('demand').set({ access_code_hash: hash }).where('number', '=', demandNumber).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function accessCodeHash(db: TypedDb, demandNumber: string): Promise<string | null> {
  const r = await db.selectFrom('demand').select('access_code_hash').where('number', '=', demandNumber).executeTakeFirst();
  return r?.access_code_hash ?? null;
}

// ---- grids ------------------------------------------------------------------------------------------------

export interface StoredGrid {
  id: string;
  epci_siren: string;
  version: number;
  name: string;
  status: GridStatus;
  valid_from: string;
  valid_to: string | null;
  definition: Grid;
}

const GRID_COLUMNS = ['id', 'epci_siren', 'version', 'name', 'status', sql<string>`valid_from::text`.as('valid_from'), sql<string | null>`valid_to::text`.as('valid_to'), 'definition'] as const;
const toGrid = (r: { id: string; epci_siren: string; version: number; name: string; status: string; valid_from: string; valid_to: string | null; definition: unknown }): StoredGrid => ({
  id: r.id,
  epci_siren: r.epci_siren,
  version: r.version,
  name: r.name,
  status: r.status as GridStatus,
  valid_from: r.valid_from,
  valid_to: r.valid_to,
  definition: { ...parseGrid(r.definition), valid_from: r.valid_from, valid_to: r.valid_to },
});

export async function listGrids(db: TypedDb, epciSiren?: string): Promise<StoredGrid[]> {
  let q = db.selectFrom('demand_grid').select(GRID_COLUMNS);
  if (epciSiren) q = q.where('epci_siren', '=', epciSiren);
  return (await q.orderBy('epci_siren').orderBy('version').execute()).map(toGrid);
}

export async function getGrid(db: TypedDb, id: string): Promise<StoredGrid | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const r = await db.selectFrom('demand_grid').select(GRID_COLUMNS).where('id', '=', id).executeTakeFirst();
  return r ? toGrid(r) : undefined;
}

export async function gridVersionTaken(db: TypedDb, epciSiren: string, version: number): Promise<boolean> {
  return !!(await db.selectFrom('demand_grid').select('id').where('epci_siren', '=', epciSiren).where('version', '=', version).executeTakeFirst());
}

export async function insertGrid(db: TypedDb, epciSiren: string, grid: Grid): Promise<string> {
  const { id } = await db
    .insertInto('demand_grid')
    .values({ epci_siren: epciSiren, version: grid.version, name: grid.name, valid_from: grid.valid_from, valid_to: grid.valid_to, definition: JSON.stringify({ ...grid, epci_siren: epciSiren }) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

export async function updateGrid(db: TypedDb, id: string, epciSiren: string, grid: Grid): Promise<void> {
  await db
    .updateTable('demand_grid')
    .set({ name: grid.name, valid_from: grid.valid_from, valid_to: grid.valid_to, definition: JSON.stringify({ ...grid, epci_siren: epciSiren }) })
    .where('id', '=', id)
    .execute();
}

export async function closeGrid(db: TypedDb, id: string, validTo: string): Promise<void> {
  await db.updateTable('demand_grid').set({ valid_to: validTo }).where('id', '=', id).execute();
}

export async function markGridAdopted(db: TypedDb, id: string): Promise<void> {
  await db.updateTable('demand_grid').set({ status: 'adopted', adopted_at: sql`now()` }).where('id', '=', id).execute();
}

// ---- scores -----------------------------------------------------------------------------------------------

/** Demands by EPCI, numbers or status, for scoring. */
export async function loadDemands(db: TypedDb, f: { epciSiren?: string; numbers?: string[]; status?: string }): Promise<(Demand & { id: string })[]> {
  let q = db.selectFrom('demand as d').select(DEMAND_COLUMNS);
  if (f.epciSiren) q = q.where('d.epci_siren', '=', f.epciSiren);
  if (f.numbers) q = q.where('d.number', 'in', f.numbers.length ? f.numbers : ['']);
  if (f.status) q = q.where('d.status', '=', f.status);
  return (await q.orderBy('d.number').execute()).map((r) => ({ ...toDemand(r), id: r.id }));
}

export interface ScoreRow {
  demand_id: string;
  grid_id: string;
  total: number;
  /** The score's sections and lines, as JSON text. */
  sections: string;
  ref_date: string;
}

export async function writeScores(db: TypedDb, rows: ScoreRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('demand_score')
      .values(rows.slice(i, i + 500).map((r) => ({ ...r, computed_at: sql<Date>`now()` })))
      .onConflict((oc) =>
        oc.columns(['demand_id', 'grid_id']).doUpdateSet((eb) => ({
          total: eb.ref('excluded.total'),
          sections: eb.ref('excluded.sections'),
          ref_date: eb.ref('excluded.ref_date'),
          computed_at: eb.ref('excluded.computed_at'),
        })),
      )
      .execute();
  }
}

export async function scoreTotal(db: TypedDb, demandId: string, gridId: string): Promise<number | undefined> {
  const r = await db.selectFrom('demand_score').select('total').where('demand_id', '=', demandId).where('grid_id', '=', gridId).executeTakeFirst();
  return r?.total;
}

/** Scores under one grid of the active demands similar to this one (same typology, a wished commune in common). */
export async function similarScores(db: TypedDb, gridId: string, d: Pick<Demand, 'epci_siren' | 'typology' | 'communes'>): Promise<number[]> {
  const rows = await db
    .selectFrom('demand as d')
    .innerJoin('demand_score as s', 's.demand_id', 'd.id')
    .select('s.total')
    .where('s.grid_id', '=', gridId)
    .where('d.status', '=', 'active')
    .where('d.epci_siren', '=', d.epci_siren)
    .where('d.typology', '=', d.typology)
    .where(sql<boolean>`d.communes && ${sql.val(d.communes)}::text[]`)
    .execute();
  return rows.map((r) => r.total);
}

/** Active demands of an EPCI per typology: how many, and their scores under one grid (none when `gridId` is absent). */
export async function activeByTypology(db: TypedDb, epciSiren: string, gridId: string | undefined): Promise<{ typology: string; n: number; scores: number[] }[]> {
  const rows = await db
    .selectFrom('demand as d')
    .leftJoin('demand_score as s', (j) => j.onRef('s.demand_id', '=', 'd.id').on('s.grid_id', '=', gridId ?? '00000000-0000-0000-0000-000000000000'))
    .select(['d.typology', sql<number>`count(*)::int`.as('n'), sql<number[] | null>`array_agg(s.total) filter (where s.total is not null)`.as('scores')])
    .where('d.epci_siren', '=', epciSiren)
    .where('d.status', '=', 'active')
    .groupBy('d.typology')
    .execute();
  return rows.map((r) => ({ typology: r.typology, n: r.n, scores: r.scores ?? [] }));
}

/** Attributions of that typology in those communes since `since` (ISO date). */
export async function attributionsFor(db: TypedDb, f: { epciSiren: string; typology?: string; communes?: string[]; since?: string }): Promise<Attribution[]> {
  let q = db
    .selectFrom('demand_attribution')
    .select(['commune_code', 'typology', sql<string>`filing_date::text`.as('filing_date'), sql<string>`attribution_date::text`.as('attribution_date')])
    .where('epci_siren', '=', f.epciSiren);
  if (f.typology) q = q.where('typology', '=', f.typology);
  if (f.communes) q = q.where('commune_code', 'in', f.communes.length ? f.communes : ['']);
  if (f.since) q = q.where('attribution_date', '>=', sql<Date>`${f.since}::date`);
  return (await q.execute()).map((r) => ({ commune_code: r.commune_code, typology: r.typology as Typology, filing_date: r.filing_date, attribution_date: r.attribution_date }));
}

/** Filing and attribution dates of the attributions made in these communes from `from` to `to` (ISO dates, inclusive). */
export async function attributionDatesIn(db: TypedDb, communes: string[], from: string, to: string): Promise<{ filing_date: string; attribution_date: string }[]> {
  if (!communes.length) return [];
  return db
    .selectFrom('demand_attribution')
    .select([sql<string>`filing_date::text`.as('filing_date'), sql<string>`attribution_date::text`.as('attribution_date')])
    .where('commune_code', 'in', communes)
    .where('attribution_date', '>=', sql<Date>`${from}::date`)
    .where('attribution_date', '<=', sql<Date>`${to}::date`)
    .execute();
}

// ---- pseudonymised export -----------------------------------------------------------------------------------

/** The instance's export secret, made on first use. */
export async function instanceSecret(db: TypedDb): Promise<string> {
  await db
    .insertInto('demand_secret')
    .values({ id: 1, secret: randomBytes(32).toString('hex') })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  return (await db.selectFrom('demand_secret').select('secret').where('id', '=', 1).executeTakeFirstOrThrow()).secret;
}

export async function exportRows(db: TypedDb, epciSiren?: string) {
  let q = db
    .selectFrom('demand as d')
    .leftJoin('demand_person as p', 'p.demand_id', 'd.id')
    .leftJoin('demand_attribution as a', 'a.demand_id', 'd.id')
    .select([...DEMAND_COLUMNS, sql<string | null>`p.birth_date::text`.as('birth_date'), sql<string | null>`a.attribution_date::text`.as('attribution_date'), 'a.commune_code as attribution_commune']);
  if (epciSiren) q = q.where('d.epci_siren', '=', epciSiren);
  return (await q.orderBy('d.number').execute()).map((r) => ({
    ...toDemand(r),
    birth_date: r.birth_date,
    attribution_date: r.attribution_date,
    attribution_commune: r.attribution_commune,
  }));
}

// ---- organisations an EPCI authorised to read its demands -------------------------------------------------------

export async function insertGrant(db: TypedDb, organisationId: string, epciSiren: string): Promise<void> {
  await db.insertInto('demand_partner_access').values({ organisation_id: organisationId, epci_siren: epciSiren }).onConflict((oc) => oc.doNothing()).execute();
}

export async function deleteGrant(db: TypedDb, organisationId: string, epciSiren: string): Promise<boolean> {
  const r = await db.deleteFrom('demand_partner_access').where('organisation_id', '=', organisationId).where('epci_siren', '=', epciSiren).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function listGrants(db: TypedDb): Promise<{ organisation_id: string; epci_siren: string; granted_at: string }[]> {
  return db.selectFrom('demand_partner_access').select(['organisation_id', 'epci_siren', sql<string>`granted_at::text`.as('granted_at')]).execute();
}

// ---- demo ---------------------------------------------------------------------------------------------------------

export async function anyGrid(db: TypedDb): Promise<boolean> {
  return !!(await db.selectFrom('demand_grid').select('id').limit(1).executeTakeFirst());
}

export async function anyDemand(db: TypedDb): Promise<boolean> {
  return !!(await db.selectFrom('demand').select('id').limit(1).executeTakeFirst());
}

/** Whether a score was computed before `date` (seniority has moved on since). */
export async function anyScoreBefore(db: TypedDb, date: string): Promise<boolean> {
  return !!(await db.selectFrom('demand_score').select('demand_id').where('ref_date', '<', sql<Date>`${date}::date`).limit(1).executeTakeFirst());
}
