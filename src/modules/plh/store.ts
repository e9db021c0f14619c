// PLH SQL: the programme (replaced whole from a workbook, or merged sheet by sheet), SRU inventories, aids granted,
// achievements and the land register. Every multi-row write is one transaction.
import { sql, type Selectable } from 'kysely';
import type { PlhAid, PlhLand } from '../../platform/db-schema.ts';
import { insertInBatches, type TypedDb as Db } from '../../platform/db.ts';
import type { AchievementRow, ActionStatus, SruInventory, GrantedAid, AidType, Category, LandStatus, ProgrammeTarget } from './model.ts';
import type { Action, Budget, Orientation, ProgrammeData } from './ingest/programme-sheet.ts';

export interface ProgrammeHead {
  id: string;
  name: string;
  startYear: number;
  endYear: number;
  sruCatchUpRate: number;
}

const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** The current programme (the latest by start year) of an EPCI; without one, of the whole instance (single EPCI). */
export async function currentProgramme(db: Db, epci?: string): Promise<ProgrammeHead | null> {
  let q = db.selectFrom('plh_programme').selectAll();
  if (epci) q = q.where('epci_siren', '=', epci);
  const row = await q.orderBy('start_year', 'desc').orderBy('updated_at', 'desc').executeTakeFirst();
  return row ? { id: row.id, name: row.name, startYear: row.start_year, endYear: row.end_year, sruCatchUpRate: Number(row.sru_catch_up_rate) } : null;
}

/** When a programme was last written (the bilan says how fresh it is). */
export async function programmeUpdatedAt(db: Db, id: string): Promise<Date | null> {
  const row = await db.selectFrom('plh_programme').select('updated_at').where('id', '=', id).executeTakeFirst();
  return row ? new Date(row.updated_at) : null;
}

export async function loadProgramme(db: Db, head: ProgrammeHead): Promise<ProgrammeData> {
  const id = head.id;
  const orientations = await db.selectFrom('plh_orientation').selectAll().where('programme_id', '=', id).orderBy('rank').orderBy('code').execute();
  const actions = await db.selectFrom('plh_action').selectAll().where('programme_id', '=', id).orderBy('rank').orderBy('code').execute();
  const budgets = await db.selectFrom('plh_action_budget').selectAll().where('programme_id', '=', id).orderBy('action_code').orderBy('year').execute();
  const objectifs = await db
    .selectFrom('plh_target')
    .selectAll()
    .where('programme_id', '=', id)
    .orderBy('commune_code')
    .orderBy('category')
    .orderBy('start_year')
    .execute();
  return {
    name: head.name,
    startYear: head.startYear,
    endYear: head.endYear,
    sruCatchUpRate: head.sruCatchUpRate,
    orientations: orientations.map((o): Orientation => ({ code: o.code, title: o.title })),
    actions: actions.map(
      (a): Action => ({
        code: a.code,
        orientationCode: a.orientation_code,
        title: a.title,
        lead: a.lead,
        partners: a.partners,
        status: a.status as ActionStatus,
        indicators: a.indicators,
        indicatorCategory: a.indicator_category as Category | null,
        comment: a.comment,
      }),
    ),
    budgets: budgets.map((b): Budget => ({ actionCode: b.action_code, year: b.year, plannedEuros: Number(b.planned_euros), spentEuros: Number(b.spent_euros) })),
    targets: objectifs.map(
      (o): ProgrammeTarget => ({ communeCode: o.commune_code, category: o.category as Category, startYear: o.start_year, endYear: o.end_year, value: o.value, actionCode: o.action_code }),
    ),
  };
}

const orientationRows = (id: string, os: Orientation[]) => os.map((o, i) => ({ programme_id: id, code: o.code, title: o.title, rank: i }));
const actionRows = (id: string, as: Action[]) =>
  as.map((a, i) => ({
    programme_id: id,
    code: a.code,
    orientation_code: a.orientationCode,
    title: a.title,
    lead: a.lead,
    partners: a.partners,
    status: a.status,
    indicators: a.indicators,
    indicator_category: a.indicatorCategory,
    comment: a.comment,
    rank: i,
  }));
const budgetRows = (id: string, bs: Budget[]) =>
  bs.map((b) => ({ programme_id: id, action_code: b.actionCode, year: b.year, planned_euros: b.plannedEuros, spent_euros: b.spentEuros }));
const targetRows = (id: string, os: ProgrammeTarget[]) =>
  os.map((o) => ({
    programme_id: id,
    commune_code: o.communeCode,
    category: o.category,
    start_year: o.startYear,
    end_year: o.endYear,
    value: o.value,
    action_code: o.actionCode ?? null,
  }));


/**
 * Replaces the EPCI's programme that starts the same year (or creates it) with the workbook's content, in one
 * transaction: importing the same workbook twice leaves the same rows.
 */
export async function replaceProgramme(db: Db, p: ProgrammeData, epci: string): Promise<string> {
  return db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('plh_programme').select('id').where('start_year', '=', p.startYear).where('epci_siren', '=', epci).executeTakeFirst();
    const head = { name: p.name, start_year: p.startYear, end_year: p.endYear, sru_catch_up_rate: p.sruCatchUpRate, updated_at: new Date(), epci_siren: epci };
    let id: string;
    if (existing) {
      id = existing.id;
      await trx.updateTable('plh_programme').set(head).where('id', '=', id).execute();
      await trx.deleteFrom('plh_target').where('programme_id', '=', id).execute();
      await trx.deleteFrom('plh_orientation').where('programme_id', '=', id).execute(); // cascades to actions and budgets
    } else {
      id = (await trx.insertInto('plh_programme').values(head).returning('id').executeTakeFirstOrThrow()).id;
    }
    await insertInBatches(trx, 'plh_orientation', orientationRows(id, p.orientations));
    await insertInBatches(trx, 'plh_action', actionRows(id, p.actions));
    await insertInBatches(trx, 'plh_action_budget', budgetRows(id, p.budgets));
    await insertInBatches(trx, 'plh_target', targetRows(id, p.targets));
    return id;
  });
}

/** Merges one sheet (from a CSV) into an existing programme: rows with the same key are updated, others added. */
export async function mergeActions(db: Db, id: string, orientations: Orientation[], actions: Action[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const o of orientationRows(id, orientations)) {
      const keepTitle = o.title ? { title: o.title } : {};
      await trx
        .insertInto('plh_orientation')
        .values(o)
        .onConflict((oc) => oc.columns(['programme_id', 'code']).doUpdateSet(Object.keys(keepTitle).length ? keepTitle : { code: o.code }))
        .execute();
    }
    for (const a of actionRows(id, actions)) {
      const { programme_id: _p, code: _c, rank: _r, ...rest } = a;
      await trx.insertInto('plh_action').values(a).onConflict((oc) => oc.columns(['programme_id', 'code']).doUpdateSet(rest)).execute();
    }
  });
}

export async function mergeBudgets(db: Db, id: string, budgets: Budget[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const b of budgetRows(id, budgets))
      await trx
        .insertInto('plh_action_budget')
        .values(b)
        .onConflict((oc) => oc.columns(['programme_id', 'action_code', 'year']).doUpdateSet({ planned_euros: b.planned_euros, spent_euros: b.spent_euros }))
        .execute();
  });
}

export async function mergeTargets(db: Db, id: string, targets: ProgrammeTarget[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const o of targetRows(id, targets))
      await trx
        .insertInto('plh_target')
        .values(o)
        .onConflict((oc) =>
          oc.columns(['programme_id', 'commune_code', 'category', 'start_year']).doUpdateSet({ end_year: o.end_year, value: o.value, action_code: o.action_code }),
        )
        .execute();
  });
}

export async function updateAction(db: Db, id: string, code: string, patch: { status?: string; comment?: string }): Promise<boolean> {
  if (!Object.keys(patch).length) return true;
  const res = await db.updateTable('plh_action').set(patch).where('programme_id', '=', id).where('code', '=', code).executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Territory

/** Achievements entered, of every commune or of these. */
export async function listAchievements(db: Db, communes?: string[]): Promise<AchievementRow[]> {
  let q = db.selectFrom('plh_achievement').selectAll();
  if (communes) q = q.where('commune_code', 'in', communes.length ? communes : ['']);
  const rows = await q.orderBy('commune_code').orderBy('category').orderBy('year').execute();
  return rows.map((r) => ({ communeCode: r.commune_code, category: r.category as Category, year: r.year, value: r.value, source: r.source }));
}

export async function upsertAchievement(db: Db, r: AchievementRow): Promise<void> {
  await db
    .insertInto('plh_achievement')
    .values({ commune_code: r.communeCode, category: r.category, year: r.year, value: r.value, source: r.source })
    .onConflict((oc) => oc.columns(['commune_code', 'category', 'year']).doUpdateSet({ value: r.value, source: r.source, updated_at: new Date() }))
    .execute();
}

export interface AidRow extends GrantedAid {
  id: string;
  organisationId: string | null;
  comment: string;
}

const aidFromRow = (r: Selectable<PlhAid>): AidRow => ({
  id: r.id,
  reference: r.reference,
  type: r.type as AidType,
  communeCode: r.commune_code,
  year: r.year,
  amountEuros: Number(r.amount_euros),
  dwellingsCount: r.dwellings_count,
  plaiCount: r.plai_count,
  plusCount: r.plus_count,
  plsCount: r.pls_count,
  energyGainPct: n(r.energy_gain_pct),
  operation: r.operation,
  organisationId: r.organisation_id,
  actionCode: r.action_code,
  comment: r.comment,
});

export async function listAids(
  db: Db,
  f: { year?: number; communeCode?: string; type?: AidType; organisationId?: string; communeOnly?: string; communes?: string[] } = {},
): Promise<AidRow[]> {
  let q = db.selectFrom('plh_aid').selectAll();
  if (f.communes) q = q.where('commune_code', 'in', f.communes.length ? f.communes : ['']);
  if (f.year) q = q.where('year', '=', f.year);
  if (f.communeCode) q = q.where('commune_code', '=', f.communeCode);
  if (f.type) q = q.where('type', '=', f.type);
  // A partner sees the aids of its own organisation and, for a commune, those granted on its territory.
  if (f.organisationId || f.communeOnly)
    q = q.where((eb) =>
      eb.or([
        ...(f.organisationId ? [eb('organisation_id', '=', f.organisationId)] : []),
        ...(f.communeOnly ? [eb('commune_code', '=', f.communeOnly)] : []),
      ]),
    );
  const rows = await q.orderBy('year', 'desc').orderBy('reference').execute();
  return rows.map(aidFromRow);
}

export type AidInput = Omit<AidRow, 'id'>;

/** Upsert by case reference: entering or importing the same case twice changes nothing. */
/** An aid's columns, as the table and the API name them (snake case). */
export function aidColumns(a: AidInput) {
  return {
    reference: a.reference,
    type: a.type,
    commune_code: a.communeCode,
    year: a.year,
    amount_euros: a.amountEuros,
    dwellings_count: a.dwellingsCount,
    plai_count: a.plaiCount,
    plus_count: a.plusCount,
    pls_count: a.plsCount,
    energy_gain_pct: a.energyGainPct ?? null,
    operation: a.operation ?? '',
    organisation_id: a.organisationId ?? null,
    action_code: a.actionCode ?? null,
    comment: a.comment ?? '',
  };
}

export async function upsertAid(db: Db, a: AidInput): Promise<AidRow> {
  const values = aidColumns(a);
  const { reference: _r, ...update } = values;
  const row = await db
    .insertInto('plh_aid')
    .values(values)
    .onConflict((oc) => oc.column('reference').doUpdateSet({ ...update, updated_at: new Date() }))
    .returningAll()
    .executeTakeFirstOrThrow();
  return aidFromRow(row);
}

/** An aid by its id or its case reference (to check whose it is before changing it). */
export async function findAid(db: Db, ref: { id?: string; reference?: string }): Promise<AidRow | undefined> {
  let q = db.selectFrom('plh_aid').selectAll();
  q = ref.id ? q.where('id', '=', ref.id) : q.where('reference', '=', ref.reference ?? '');
  const row = await q.executeTakeFirst();
  return row ? aidFromRow(row) : undefined;
}

export async function deleteAid(db: Db, id: string): Promise<boolean> {
  const res = await db.deleteFrom('plh_aid').where('id', '=', id).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

// ---------------------------------------------------------------------------------------------------------------
// SRU


export async function upsertSru(db: Db, s: SruInventory): Promise<void> {
  const values = {
    commune_code: s.communeCode,
    year: s.year,
    population: s.population,
    main_residences: s.mainResidences,
    social_dwellings: s.socialDwellings,
    legal_rate: s.legalRate,
    exempt: s.exempt,
    fiscal_potential_per_inhabitant: s.fiscalPotentialPerInhabitant,
    operating_expenses: s.operatingExpenses,
    deductible_expenses: s.deductibleExpenses,
    source: s.source,
  };
  const { commune_code: _c, year: _a, ...update } = values;
  await db
    .insertInto('plh_sru_inventory')
    .values(values)
    .onConflict((oc) => oc.columns(['commune_code', 'year']).doUpdateSet({ ...update, updated_at: new Date() }))
    .execute();
}

/** Several inventories in one transaction (an import writes all its lines or none). */
export async function upsertSruMany(db: Db, rows: SruInventory[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const r of rows) await upsertSru(trx, r);
  });
}

/** The latest inventory of each commune (of all, or of these) at or before `year`. */
export async function latestSruInventories(db: Db, year: number, communes?: string[]): Promise<(SruInventory & { updatedAt: Date })[]> {
  let q = db.selectFrom('plh_sru_inventory as s').selectAll('s');
  if (communes) q = q.where('s.commune_code', 'in', communes.length ? communes : ['']);
  const rows = await q
    .where('s.year', '<=', year)
    .where(({ eb, selectFrom }) =>
      eb('s.year', '=', selectFrom('plh_sru_inventory as t').select(sql<number>`max(t.year)`.as('m')).whereRef('t.commune_code', '=', 's.commune_code').where('t.year', '<=', year)),
    )
    .orderBy('s.commune_code')
    .execute();
  return rows.map((r) => ({
    communeCode: r.commune_code,
    year: r.year,
    population: n(r.population),
    mainResidences: r.main_residences,
    socialDwellings: r.social_dwellings,
    legalRate: Number(r.legal_rate),
    exempt: r.exempt,
    fiscalPotentialPerInhabitant: n(r.fiscal_potential_per_inhabitant),
    operatingExpenses: n(r.operating_expenses),
    deductibleExpenses: n(r.deductible_expenses),
    source: r.source,
    updatedAt: new Date(r.updated_at),
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// Land register

export interface LandRow {
  id?: string;
  reference: string;
  nature: 'gisement' | 'friche';
  communeCode: string;
  parcel: string | null;
  surfaceM2: number;
  zoning: string;
  potentialDwellings: number;
  status: LandStatus;
  longitude: number | null;
  latitude: number | null;
  comment: string;
}

/** A land site's columns, as stored and as the API answers them. */
export const landColumns = (f: LandRow) => ({
  reference: f.reference,
  nature: f.nature,
  commune_code: f.communeCode,
  parcel: f.parcel,
  surface_m2: f.surfaceM2,
  zoning: f.zoning,
  potential_dwellings: f.potentialDwellings,
  status: f.status,
  longitude: f.longitude,
  latitude: f.latitude,
  comment: f.comment,
});

export async function upsertLand(db: Db, f: LandRow): Promise<LandRow> {
  const values = landColumns(f);
  const { reference: _r, ...update } = values;
  const row = await db
    .insertInto('plh_land')
    .values(values)
    .onConflict((oc) => oc.column('reference').doUpdateSet({ ...update, updated_at: new Date() }))
    .returningAll()
    .executeTakeFirstOrThrow();
  return landFromRow(row);
}

const landFromRow = (r: Selectable<PlhLand>): LandRow => ({
  id: r.id,
  reference: r.reference,
  nature: r.nature as LandRow['nature'],
  communeCode: r.commune_code,
  parcel: r.parcel,
  surfaceM2: Number(r.surface_m2),
  zoning: r.zoning,
  potentialDwellings: r.potential_dwellings,
  status: r.status as LandStatus,
  longitude: n(r.longitude),
  latitude: n(r.latitude),
  comment: r.comment,
});

export async function listLand(db: Db, communeCode?: string, communes?: string[]): Promise<LandRow[]> {
  let q = db.selectFrom('plh_land').selectAll();
  if (communeCode) q = q.where('commune_code', '=', communeCode);
  if (communes) q = q.where('commune_code', 'in', communes.length ? communes : ['']);
  return (await q.orderBy('commune_code').orderBy('reference').execute()).map(landFromRow);
}

/** A site by its id or its reference (to check whose it is before changing it). */
export async function findLand(db: Db, ref: { id?: string; reference?: string }): Promise<LandRow | undefined> {
  let q = db.selectFrom('plh_land').selectAll();
  q = ref.id ? q.where('id', '=', ref.id) : q.where('reference', '=', ref.reference ?? '');
  const row = await q.executeTakeFirst();
  return row ? landFromRow(row) : undefined;
}

export async function deleteLand(db: Db, id: string): Promise<boolean> {
  const res = await db.deleteFrom('plh_land').where('id', '=', id).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}
