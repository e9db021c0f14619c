// SQL of the demand module (Kysely, PostgreSQL and PGlite alike): demands, grids, scores, attributions, purge.
import { sql } from 'kysely';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../platform/db.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { ImportedDemand } from './ingest/sne-csv.ts';
import {
  type Attribution,
  type Demand,
  type DemandPerson,
  type Grid,
  inForce,
  monthsBetween,
  overlapping,
  parseGrid,
  PRIORITY_FLAG_NAMES,
  type PriorityFlag,
  type ScoreResult,
  scoreDemand,
  type Typology,
} from './model.ts';

export const todayIso = () => new Date().toISOString().slice(0, 10);

// ---- demands ----------------------------------------------------------------------------------------------

const DEMAND_COLUMNS = [
  'd.id',
  'd.numero',
  'd.epci_siren',
  sql<string>`d.date_depot::text`.as('date_depot'),
  sql<string | null>`d.date_renouvellement::text`.as('date_renouvellement'),
  'd.statut',
  'd.nb_adultes',
  'd.nb_enfants',
  'd.ressources_mensuelles',
  'd.loyer_residuel',
  'd.situation_logement',
  'd.surface_logement',
  'd.typologie',
  'd.communes',
  'd.mutation',
  'd.priorites',
  'd.nb_refus',
] as const;

function toDemand(r: any): Demand {
  return {
    numero: r.numero,
    epciSiren: r.epci_siren,
    dateDepot: r.date_depot,
    dateRenouvellement: r.date_renouvellement,
    status: r.statut,
    adults: r.nb_adultes,
    children: r.nb_enfants,
    monthlyIncome: r.ressources_mensuelles,
    residualRent: r.loyer_residuel,
    housingSituation: r.situation_logement,
    currentSurface: r.surface_logement,
    typology: r.typologie,
    communes: r.communes,
    mutation: r.mutation,
    flags: PRIORITY_FLAG_NAMES.filter((f) => (r.priorites as PriorityFlag[]).includes(f)),
    refusals: r.nb_refus,
  };
}

function demandRow(d: Demand) {
  return {
    numero: d.numero,
    epci_siren: d.epciSiren,
    date_depot: d.dateDepot,
    date_renouvellement: d.dateRenouvellement,
    statut: d.status,
    nb_adultes: d.adults,
    nb_enfants: d.children,
    ressources_mensuelles: d.monthlyIncome,
    loyer_residuel: d.residualRent,
    situation_logement: d.housingSituation,
    surface_logement: d.currentSurface,
    typologie: d.typology,
    communes: d.communes,
    mutation: d.mutation,
    priorites: PRIORITY_FLAG_NAMES.filter((f) => d.flags.includes(f)),
    nb_refus: d.refusals,
  };
}
function personRow(p: DemandPerson) {
  return { nom: p.lastName, prenom: p.firstName, date_naissance: p.birthDate, courriel: p.email, telephone: p.phone };
}

export interface StoredDemand {
  id: string;
  demand: Demand;
  person: DemandPerson | null;
  attribution: (Attribution & { id: string }) | null;
}

export async function getDemand(db: Db, numero: string): Promise<StoredDemand | undefined> {
  return (await loadStoredDemands(db, [numero])).get(numero);
}

/** Demands with person and attribution, by number, in two queries per call (callers chunk long lists). */
export async function loadStoredDemands(db: Db, numeros: string[]): Promise<Map<string, StoredDemand>> {
  const out = new Map<string, StoredDemand>();
  if (!numeros.length) return out;
  const rows = await db
    .selectFrom('demand as d')
    .leftJoin('demand_person as p', 'p.demand_id', 'd.id')
    .select([...DEMAND_COLUMNS, 'p.nom', 'p.prenom', sql<string | null>`p.date_naissance::text`.as('date_naissance'), 'p.courriel', 'p.telephone'])
    .where('d.numero', 'in', numeros)
    .execute();
  if (!rows.length) return out;
  const atts = await db
    .selectFrom('demand_attribution')
    .select(['id', 'demand_id', 'commune_code', 'typologie', sql<string>`date_depot::text`.as('date_depot'), sql<string>`date_attribution::text`.as('date_attribution')])
    .where('demand_id', 'in', rows.map((r: any) => r.id))
    .execute();
  const byDemand = new Map(atts.map((a: any) => [a.demand_id, a]));
  for (const r of rows as any[]) {
    const a: any = byDemand.get(r.id);
    out.set(r.numero, {
      id: r.id,
      demand: toDemand(r),
      person: r.nom === null ? null : { lastName: r.nom, firstName: r.prenom, birthDate: r.date_naissance, email: r.courriel, phone: r.telephone },
      attribution: a ? { id: a.id, communeCode: a.commune_code, typology: a.typologie, dateDepot: a.date_depot, dateAttribution: a.date_attribution } : null,
    });
  }
  return out;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Writes demands (insert or update by number) in one transaction, then rescores the ones that changed.
 * Re-running the same import changes nothing: unchanged demands are left untouched.
 */
export async function upsertDemands(db: Db, rows: ImportedDemand[], refDate = todayIso()): Promise<{ created: number; updated: number; unchanged: number }> {
  const counts = { created: 0, updated: 0, unchanged: 0 };
  await db.transaction().execute(async (trx) => {
    const changed: string[] = [];
    // Chunks keep each statement bounded; new demands go in batches, changed ones one by one (they are few).
    for (let i = 0; i < rows.length; i += 500) {
      const chunk = rows.slice(i, i + 500);
      const existing = await loadStoredDemands(trx, chunk.map((r) => r.demand.numero));
      const fresh: ImportedDemand[] = [];
      for (const row of chunk) {
        const old = existing.get(row.demand.numero);
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
          await trx.updateTable('demand').set({ ...wanted.demand, updated_at: sql`now()` }).where('id', '=', old.id).execute();
        }
        if (!same(now.person, wanted.person)) {
          await trx.deleteFrom('demand_person').where('demand_id', '=', old.id).execute();
          await trx.insertInto('demand_person').values({ demand_id: old.id, ...wanted.person }).execute();
        }
        // An unchanged attribution is left alone: it may carry the bailleur recorded through the web.
        if (!same(now.attribution, wanted.attribution)) await writeAttribution(trx, old.id, row.demand, row.attribution);
        counts.updated++;
        changed.push(row.demand.numero);
      }
      if (fresh.length) {
        const ids = await trx.insertInto('demand').values(fresh.map((r) => demandRow(r.demand))).returning(['id', 'numero']).execute();
        const idOf = new Map(ids.map((r: any) => [r.numero, r.id]));
        await trx.insertInto('demand_person').values(fresh.map((r) => ({ demand_id: idOf.get(r.demand.numero), ...personRow(r.person) }))).execute();
        const atts = fresh.filter((r) => r.attribution).map((r) => attributionRow(idOf.get(r.demand.numero), r.demand, r.attribution!, null));
        if (atts.length) await trx.insertInto('demand_attribution').values(atts).execute();
        counts.created += fresh.length;
        changed.push(...fresh.map((r) => r.demand.numero));
      }
    }
    for (let i = 0; i < changed.length; i += 500) await rescore(trx, { numeros: changed.slice(i, i + 500), refDate });
  });
  return counts;
}

/** The fields of an attribution an import can set, in a fixed order, to compare old and new. */
function attributionKey(a: Attribution | null) {
  return a ? { dateDepot: a.dateDepot, dateAttribution: a.dateAttribution, communeCode: a.communeCode, typology: a.typology } : null;
}

function attributionRow(demandId: string, d: Demand, a: Attribution, bailleurId: string | null) {
  return {
    demand_id: demandId,
    epci_siren: d.epciSiren,
    commune_code: a.communeCode,
    typologie: a.typology,
    date_depot: d.dateDepot,
    date_attribution: a.dateAttribution,
    bailleur_id: bailleurId,
  };
}

async function writeAttribution(db: Db, demandId: string, d: Demand, a: Attribution | null, bailleurId: string | null = null) {
  await db.deleteFrom('demand_attribution').where('demand_id', '=', demandId).execute();
  if (a) await db.insertInto('demand_attribution').values(attributionRow(demandId, d, a, bailleurId)).execute();
}

/** Records an attribution: the demand leaves the queue (statut « attribuée ») and its waiting time becomes observable. */
export async function recordAttribution(
  db: Db,
  numero: string,
  a: { dateAttribution: string; communeCode: string; typology: Typology; bailleurId?: string | null },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const s = await getDemand(trx, numero);
    if (!s) throw notFound('Demande');
    if (a.dateAttribution < s.demand.dateDepot) throw new AppError('demand.attribution_before_depot', 'La date d’attribution précède le dépôt de la demande.', 400);
    const commune = await trx.selectFrom('commune').select('code').where('code', '=', a.communeCode).executeTakeFirst();
    if (!commune) throw new AppError('demand.unknown_commune', `Commune ${a.communeCode} inconnue du code officiel géographique.`, 400);
    await trx.updateTable('demand').set({ statut: 'attribuee', updated_at: sql`now()` }).where('id', '=', s.id).execute();
    await writeAttribution(trx, s.id, s.demand, { ...a, dateDepot: s.demand.dateDepot }, a.bailleurId ?? null);
  });
}

export interface DemandSummary {
  numero: string;
  epciSiren: string;
  dateDepot: string;
  status: string;
  typology: string;
  communes: string[];
  score: number | null;
}

export async function listDemands(
  db: Db,
  f: { epciSiren?: string; epciSirens?: string[]; communesAny?: string[]; status?: string; typology?: string; commune?: string; limit?: number; offset?: number },
): Promise<{ total: number; items: DemandSummary[] }> {
  let q = db.selectFrom('demand as d');
  if (f.epciSiren) q = q.where('d.epci_siren', '=', f.epciSiren);
  if (f.epciSirens) q = q.where('d.epci_siren', 'in', f.epciSirens.length ? f.epciSirens : ['']);
  // A commune reads only the demands that name it (a commune or one of its arrondissements).
  if (f.communesAny) q = q.where(sql<boolean>`d.communes && ${sql.val(f.communesAny)}::text[]`);
  if (f.status) q = q.where('d.statut', '=', f.status);
  if (f.typology) q = q.where('d.typologie', '=', f.typology);
  if (f.commune) q = q.where(sql<boolean>`${f.commune} = any(d.communes)`);
  const { n } = await q.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  const rows = await q
    .leftJoin('demand_score as s', (j) =>
      j.onRef('s.demand_id', '=', 'd.id').on('s.grid_id', '=', sql<string>`(select g.id from demand_grid g where g.epci_siren = d.epci_siren and g.status = 'adoptee' and g.valid_from <= current_date and (g.valid_to is null or g.valid_to > current_date) order by g.valid_from desc limit 1)`),
    )
    .select(['d.numero', 'd.epci_siren', sql<string>`d.date_depot::text`.as('date_depot'), 'd.statut', 'd.typologie', 'd.communes', 's.total'])
    .orderBy(sql`s.total desc nulls last`)
    .orderBy('d.date_depot')
    .limit(f.limit ?? 50)
    .offset(f.offset ?? 0)
    .execute();
  return {
    total: n,
    items: rows.map((r: any) => ({ numero: r.numero, epciSiren: r.epci_siren, dateDepot: r.date_depot, status: r.statut, typology: r.typologie, communes: r.communes, score: r.total })),
  };
}

/** Right to erasure: the demand and its person are deleted; a past attribution stays, anonymous. */
export async function deleteDemand(db: Db, numero: string): Promise<boolean> {
  const r = await db.deleteFrom('demand').where('numero', '=', numero).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/**
 * Retention (CNIL, pack logement social, fiche 3): demands attributed, or struck off (radiées), more than
 * `months` months before `refDate` are deleted with their person and scores. Attributions stay, anonymous.
 */
export async function purgeDemands(db: Db, opts: { months: number; refDate?: string; dryRun?: boolean }): Promise<{ numeros: string[] }> {
  const refDate = opts.refDate ?? todayIso();
  const candidates = await db
    .selectFrom('demand as d')
    .leftJoin('demand_attribution as a', 'a.demand_id', 'd.id')
    .select(['d.numero', 'd.statut', sql<string | null>`a.date_attribution::text`.as('date_attribution'), sql<string>`d.updated_at::date::text`.as('updated')])
    .where('d.statut', 'in', ['attribuee', 'radiee'])
    .execute();
  const numeros = candidates
    .filter((c: any) => monthsBetween(c.statut === 'attribuee' && c.date_attribution ? c.date_attribution : c.updated, refDate) >= opts.months)
    .map((c: any) => c.numero as string)
    .sort();
  if (!opts.dryRun && numeros.length) {
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('demand').where('numero', 'in', numeros).execute();
      await trx
        .insertInto('audit_log')
        .values({ actor_kind: 'system', action: 'purge', entity: 'demand', detail: JSON.stringify({ count: numeros.length, months: opts.months, refDate }) })
        .execute();
    });
  }
  return { numeros };
}

// ---- applicant access code --------------------------------------------------------------------------------

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const normaliseCode = (code: string) => code.toUpperCase().replace(/[^0-9A-Z]/g, '');
const hashCode = (code: string) => createHash('sha256').update(normaliseCode(code)).digest('hex');

/** A new 12-character code (60 bits) for the applicant; only its hash is kept. Returns it once. */
export async function newAccessCode(db: Db, numero: string): Promise<string> {
  const bytes = randomBytes(12);
  const raw = [...bytes].map((b) => CROCKFORD[b % 32]).join('');
  const code = `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8, 12)}`;
  const r = await db.updateTable('demand').set({ access_code_hash: hashCode(code) }).where('numero', '=', numero).executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) throw notFound('Demande');
  return code;
}

export async function checkAccessCode(db: Db, numero: string, code: string): Promise<boolean> {
  const r = await db.selectFrom('demand').select('access_code_hash').where('numero', '=', numero).executeTakeFirst();
  if (!r?.access_code_hash) return false;
  return timingSafeEqual(Buffer.from(r.access_code_hash, 'hex'), Buffer.from(hashCode(code), 'hex'));
}

// ---- grids ------------------------------------------------------------------------------------------------

export interface StoredGrid {
  id: string;
  epciSiren: string;
  version: number;
  name: string;
  status: 'brouillon' | 'adoptee';
  validFrom: string;
  validTo: string | null;
  definition: Grid;
}

const GRID_COLUMNS = ['id', 'epci_siren', 'version', 'name', 'status', sql<string>`valid_from::text`.as('valid_from'), sql<string | null>`valid_to::text`.as('valid_to'), 'definition'] as const;
const toGrid = (r: any): StoredGrid => ({
  id: r.id,
  epciSiren: r.epci_siren,
  version: r.version,
  name: r.name,
  status: r.status,
  validFrom: r.valid_from,
  validTo: r.valid_to,
  definition: { ...parseGrid(r.definition), validFrom: r.valid_from, validTo: r.valid_to },
});

export async function listGrids(db: Db, epciSiren?: string): Promise<StoredGrid[]> {
  let q = db.selectFrom('demand_grid').select(GRID_COLUMNS as any);
  if (epciSiren) q = q.where('epci_siren', '=', epciSiren);
  return (await q.orderBy('epci_siren').orderBy('version').execute()).map(toGrid);
}

export async function getGrid(db: Db, id: string): Promise<StoredGrid | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const r = await db.selectFrom('demand_grid').select(GRID_COLUMNS as any).where('id', '=', id).executeTakeFirst();
  return r ? toGrid(r) : undefined;
}

export async function gridInForce(db: Db, epciSiren: string, date = todayIso()): Promise<StoredGrid | undefined> {
  return inForce((await listGrids(db, epciSiren)).filter((g) => g.status === 'adoptee'), date);
}

/** Saves a draft version. The version number comes from the definition; it must be new for the EPCI. */
export async function createGrid(db: Db, epciSiren: string, grid: Grid): Promise<StoredGrid> {
  const taken = await db.selectFrom('demand_grid').select('id').where('epci_siren', '=', epciSiren).where('version', '=', grid.version).executeTakeFirst();
  if (taken) throw new AppError('demand.grid_version_taken', `La version ${grid.version} de la grille existe déjà pour cet EPCI.`, 409);
  const { id } = await db
    .insertInto('demand_grid')
    .values({ epci_siren: epciSiren, version: grid.version, name: grid.name, valid_from: grid.validFrom, valid_to: grid.validTo, definition: JSON.stringify({ ...grid, epciSiren }) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return (await getGrid(db, id))!;
}

/** Only a draft may change: an adopted grid is what scores were published with. */
export async function updateDraftGrid(db: Db, id: string, grid: Grid): Promise<StoredGrid> {
  const g = await getGrid(db, id);
  if (!g) throw notFound('Grille');
  if (g.status !== 'brouillon') throw new AppError('demand.grid_adopted', 'Une grille adoptée ne se modifie plus : créez une nouvelle version.', 409);
  if (grid.version !== g.version) throw new AppError('demand.grid_version_fixed', 'Le numéro de version d’un brouillon ne change pas.', 400);
  await db
    .updateTable('demand_grid')
    .set({ name: grid.name, valid_from: grid.validFrom, valid_to: grid.validTo, definition: JSON.stringify({ ...grid, epciSiren: g.epciSiren }) })
    .where('id', '=', id)
    .execute();
  return (await getGrid(db, id))!;
}

/**
 * Adopts a draft: an open-ended version in force before it is closed at the new start date, any other overlap
 * is refused; then every demand of the EPCI is rescored with the grid in force today.
 */
export async function adoptGrid(db: Db, id: string, refDate = todayIso()): Promise<StoredGrid> {
  return db.transaction().execute(async (trx) => {
    const g = await getGrid(trx, id);
    if (!g) throw notFound('Grille');
    if (g.status === 'adoptee') return g;
    const adopted = (await listGrids(trx, g.epciSiren)).filter((x) => x.status === 'adoptee');
    for (const prev of adopted) {
      if (prev.validTo === null && prev.validFrom < g.validFrom) {
        await trx.updateTable('demand_grid').set({ valid_to: g.validFrom }).where('id', '=', prev.id).execute();
        prev.validTo = g.validFrom;
      }
    }
    const clash = overlapping(adopted, g);
    if (clash) throw new AppError('demand.grid_overlap', `Cette grille chevauche la version ${clash.version} (du ${clash.validFrom} au ${clash.validTo ?? '…'}).`, 409);
    await trx.updateTable('demand_grid').set({ status: 'adoptee', adopted_at: sql`now()` }).where('id', '=', id).execute();
    await rescore(trx, { epciSiren: g.epciSiren, refDate });
    return (await getGrid(trx, id))!;
  });
}

// ---- scores -----------------------------------------------------------------------------------------------

/** Demands by EPCI, numbers or status, for scoring. */
export async function loadDemands(db: Db, f: { epciSiren?: string; numeros?: string[]; status?: string }): Promise<(Demand & { id: string })[]> {
  let q = db.selectFrom('demand as d').select(DEMAND_COLUMNS as any);
  if (f.epciSiren) q = q.where('d.epci_siren', '=', f.epciSiren);
  if (f.numeros) q = q.where('d.numero', 'in', f.numeros.length ? f.numeros : ['']);
  if (f.status) q = q.where('d.statut', '=', f.status);
  return (await q.orderBy('d.numero').execute()).map((r: any) => ({ ...toDemand(r), id: r.id }));
}

/** Scores the chosen demands with the grid in force for their EPCI at `refDate`; demands without a grid keep none. */
export async function rescore(db: Db, f: { epciSiren?: string; numeros?: string[]; refDate?: string }): Promise<number> {
  const refDate = f.refDate ?? todayIso();
  const demands = await loadDemands(db, f);
  const grids = new Map<string, StoredGrid | undefined>();
  const rows = [];
  for (const d of demands) {
    if (!grids.has(d.epciSiren)) grids.set(d.epciSiren, await gridInForce(db, d.epciSiren, refDate));
    const g = grids.get(d.epciSiren);
    if (!g) continue;
    const r = scoreDemand(g.definition, d, refDate);
    rows.push({ demand_id: d.id, grid_id: g.id, total: r.total, sections: JSON.stringify(r.sections), ref_date: refDate, computed_at: sql`now()` });
  }
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('demand_score')
      .values(rows.slice(i, i + 500))
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
  return rows.length;
}

export async function getScore(db: Db, demandId: string, gridId: string): Promise<ScoreResult | undefined> {
  const r = await db
    .selectFrom('demand_score as s')
    .innerJoin('demand_grid as g', 'g.id', 's.grid_id')
    .select(['s.total', 's.sections', sql<string>`s.ref_date::text`.as('ref_date'), 'g.version'])
    .where('s.demand_id', '=', demandId)
    .where('s.grid_id', '=', gridId)
    .executeTakeFirst();
  return r ? { total: r.total, sections: r.sections, refDate: r.ref_date, gridVersion: r.version } : undefined;
}

/** Scores under one grid of the active demands similar to this one (same typology, a wished commune in common). */
export async function similarScores(db: Db, gridId: string, d: Pick<Demand, 'epciSiren' | 'typology' | 'communes'>): Promise<number[]> {
  const rows = await db
    .selectFrom('demand as d')
    .innerJoin('demand_score as s', 's.demand_id', 'd.id')
    .select('s.total')
    .where('s.grid_id', '=', gridId)
    .where('d.statut', '=', 'active')
    .where('d.epci_siren', '=', d.epciSiren)
    .where('d.typologie', '=', d.typology)
    .where(sql<boolean>`d.communes && ${sql.val(d.communes)}::text[]`)
    .execute();
  return rows.map((r: any) => r.total);
}

/** Attributions of that typology in those communes since `since` (ISO date). */
export async function attributionsFor(db: Db, f: { epciSiren: string; typology?: string; communes?: string[]; since?: string }): Promise<Attribution[]> {
  let q = db
    .selectFrom('demand_attribution')
    .select(['commune_code', 'typologie', sql<string>`date_depot::text`.as('date_depot'), sql<string>`date_attribution::text`.as('date_attribution')])
    .where('epci_siren', '=', f.epciSiren);
  if (f.typology) q = q.where('typologie', '=', f.typology);
  if (f.communes) q = q.where('commune_code', 'in', f.communes.length ? f.communes : ['']);
  if (f.since) q = q.where('date_attribution', '>=', f.since);
  return (await q.execute()).map((r: any) => ({ communeCode: r.commune_code, typology: r.typologie, dateDepot: r.date_depot, dateAttribution: r.date_attribution }));
}

// ---- pseudonymised export -----------------------------------------------------------------------------------

export async function instanceSecret(db: Db): Promise<string> {
  await db
    .insertInto('demand_secret')
    .values({ id: 1, secret: randomBytes(32).toString('hex') })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  return (await db.selectFrom('demand_secret').select('secret').where('id', '=', 1).executeTakeFirstOrThrow()).secret;
}

export async function exportRows(db: Db, epciSiren?: string) {
  let q = db
    .selectFrom('demand as d')
    .leftJoin('demand_person as p', 'p.demand_id', 'd.id')
    .leftJoin('demand_attribution as a', 'a.demand_id', 'd.id')
    .select([...DEMAND_COLUMNS, sql<string | null>`p.date_naissance::text`.as('date_naissance'), sql<string | null>`a.date_attribution::text`.as('date_attribution'), 'a.commune_code as commune_attribution']);
  if (epciSiren) q = q.where('d.epci_siren', '=', epciSiren);
  return (await q.orderBy('d.numero').execute()).map((r: any) => ({
    ...toDemand(r),
    id: r.id as string,
    birthDate: r.date_naissance as string | null,
    dateAttribution: r.date_attribution as string | null,
    communeAttribution: r.commune_attribution as string | null,
  }));
}

// ---- partner bailleurs authorised by the EPCI ----------------------------------------------------------------

export async function grantPartner(db: Db, organisationId: string, epciSiren: string): Promise<void> {
  const org = await db.selectFrom('organisation').select('kind').where('id', '=', organisationId).executeTakeFirst();
  if (!org) throw notFound('Organisation');
  // A landlord prepares its allocation committees; a commune reads the demands naming it; the club's operator reads
  // them only when an EPCI asks it to (support, audit).
  if (!['bailleur', 'commune', 'club'].includes(org.kind))
    throw new AppError('demand.partner_not_bailleur', 'Seuls un bailleur social, une commune (pour les demandes qui la citent) ou l’opérateur du club peuvent être autorisés à lire les demandes.', 400);
  await db.insertInto('demand_partner_access').values({ organisation_id: organisationId, epci_siren: epciSiren }).onConflict((oc) => oc.doNothing()).execute();
}

export async function revokePartner(db: Db, organisationId: string, epciSiren: string): Promise<boolean> {
  const r = await db.deleteFrom('demand_partner_access').where('organisation_id', '=', organisationId).where('epci_siren', '=', epciSiren).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function listPartners(db: Db): Promise<{ organisationId: string; name: string; epciSiren: string; grantedAt: string }[]> {
  const rows = await db
    .selectFrom('demand_partner_access as a')
    .innerJoin('organisation as o', 'o.id', 'a.organisation_id')
    .select(['a.organisation_id', 'o.name', 'a.epci_siren', sql<string>`a.granted_at::text`.as('granted_at')])
    .orderBy('o.name')
    .execute();
  return rows.map((r: any) => ({ organisationId: r.organisation_id, name: r.name, epciSiren: r.epci_siren, grantedAt: r.granted_at }));
}

/** The EPCIs whose demands this organisation may read. */
export async function partnerEpcis(db: Db, organisationId: string): Promise<string[]> {
  const rows = await db.selectFrom('demand_partner_access').select('epci_siren').where('organisation_id', '=', organisationId).execute();
  return rows.map((r: any) => r.epci_siren);
}
