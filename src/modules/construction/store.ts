// Programmes, their permits and state-change events in the store. Every write returns the live events it produced;
// the caller publishes them (routes through the live bus), so a store function stays usable from the CLI and tests.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../platform/db.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import {
  BUILDING_TYPES,
  canTransition,
  FINANCINGS,
  matchReason,
  socialUnits,
  transitionRefusal,
  type MatchCandidate,
  type ProgrammeState,
  type Source,
  type UnitMix,
} from './model.ts';

/** What a change looks like on the live stream: small (NOTIFY payloads are limited to 8 kB), no personal data. */
export interface LiveChange {
  type: 'programme' | 'import' | 'objectif' | 'alerte';
  id?: string;
  commune?: string;
  etat?: string;
  de?: string;
  source?: string;
  detail?: string;
  /** The organisation that owns the programme (a partner sees the live changes of its own programmes only). */
  organisation?: string | null;
  /** The EPCI a change without a commune is about (targets, alerts). */
  epci?: string | null;
  at: string;
}

export interface Programme {
  id: string;
  nom: string;
  code_commune: string;
  commune: string | null;
  adresse: string | null;
  lat: number | null;
  lon: number | null;
  etat: ProgrammeState;
  etat_depuis: string;
  source: Source;
  reference_source: string | null;
  maitre_ouvrage: string | null;
  logements: number;
  logements_sociaux: number;
  financement: Record<(typeof FINANCINGS)[number], number>;
  types: Record<(typeof BUILDING_TYPES)[number], number>;
  date_depot: string | null;
  date_autorisation: string | null;
  date_chantier: string | null;
  date_livraison: string | null;
  rapprochement: { programme_id: string; statut: 'suggere' | 'confirme' | 'rejete'; motif: string | null } | null;
  permis: string[];
  /** The organisation that owns it (a partner's, the EPCI agent's), null for Sitadel. */
  organisation_id: string | null;
}

const DATE_COLS = ['state_since', 'date_depot', 'date_autorisation', 'date_chantier', 'date_livraison'] as const;

function programmeQuery(db: Db) {
  return db
    .selectFrom('construction_programme as p')
    .leftJoin('commune as c', 'c.code', 'p.commune_code')
    .selectAll('p')
    .select('c.nom as commune_nom')
    .select(DATE_COLS.map((col) => sql<string>`${sql.ref(`p.${col}`)}::text`.as(`${col}_t`)))
    .select(sql<string[]>`coalesce((select array_agg(type_dau || ' ' || num_dau order by num_dau) from construction_permit cp where cp.programme_id = p.id), '{}')`.as('permits'));
}

function toProgramme(r: any): Programme {
  const financement = Object.fromEntries(FINANCINGS.map((k) => [k, r[k]])) as Programme['financement'];
  return {
    id: r.id,
    nom: r.name,
    code_commune: r.commune_code,
    commune: r.commune_nom ?? null,
    adresse: r.address,
    lat: r.lat,
    lon: r.lon,
    etat: r.state,
    etat_depuis: r.state_since_t,
    source: r.source,
    reference_source: r.source_ref,
    maitre_ouvrage: r.maitre_ouvrage,
    logements: r.units,
    logements_sociaux: socialUnits(financement),
    financement,
    types: Object.fromEntries(BUILDING_TYPES.map((k) => [k, r[k]])) as Programme['types'],
    date_depot: r.date_depot_t,
    date_autorisation: r.date_autorisation_t,
    date_chantier: r.date_chantier_t,
    date_livraison: r.date_livraison_t,
    rapprochement: r.duplicate_of ? { programme_id: r.duplicate_of, statut: r.match_status, motif: r.match_reason } : null,
    permis: (typeof r.permits === 'string' ? parsePgArray(r.permits) : r.permits) ?? [],
    organisation_id: r.organisation_id ?? null,
  };
}

const parsePgArray = (s: string) => (s === '{}' ? [] : s.slice(1, -1).split(',').map((x) => x.replace(/^"|"$/g, '')));

export interface ProgrammeFilters {
  /** Only these communes (the caller's perimeter). */
  communes?: string[];
  commune?: string;
  epci?: string;
  etat?: ProgrammeState;
  source?: Source;
  q?: string;
  avecCoordonnees?: boolean;
  doublons?: boolean;
  limit?: number;
  offset?: number;
}

export async function listProgrammes(db: Db, f: ProgrammeFilters = {}): Promise<{ total: number; programmes: Programme[] }> {
  let q = programmeQuery(db);
  if (f.communes) q = q.where('p.commune_code', 'in', f.communes.length ? f.communes : ['']);
  if (f.commune) q = q.where('p.commune_code', '=', f.commune);
  if (f.epci) q = q.where('c.epci_siren', '=', f.epci);
  if (f.etat) q = q.where('p.state', '=', f.etat);
  if (f.source) q = q.where('p.source', '=', f.source);
  if (f.avecCoordonnees) q = q.where('p.lat', 'is not', null);
  if (f.doublons) q = q.where('p.duplicate_of', 'is not', null);
  if (f.q) {
    const like = `%${f.q.toLowerCase()}%`;
    q = q.where((eb) => eb.or([eb(sql`lower(p.name)`, 'like', like), eb(sql`lower(coalesce(p.address, ''))`, 'like', like), eb(sql`lower(coalesce(p.source_ref, ''))`, 'like', like)]));
  }
  const total = Number((await db.selectFrom(q.as('x')).select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);
  const rows = await q.orderBy('p.updated_at', 'desc').orderBy('p.id').limit(f.limit ?? 100).offset(f.offset ?? 0).execute();
  return { total, programmes: rows.map(toProgramme) };
}

export async function getProgramme(db: Db, id: string): Promise<Programme | undefined> {
  const r = await programmeQuery(db).where('p.id', '=', id).executeTakeFirst();
  return r ? toProgramme(r) : undefined;
}

export interface ProgrammeEvent {
  id: number;
  type: string;
  de: string | null;
  vers: string | null;
  date: string;
  source: string;
  auteur: string;
  detail: unknown;
  enregistre_le: string;
}

export async function programmeEvents(db: Db, id: string): Promise<ProgrammeEvent[]> {
  const rows = await db
    .selectFrom('construction_event')
    .select(['id', 'kind', 'from_state', 'to_state', 'source', 'author', 'detail', 'recorded_at'])
    .select(sql<string>`event_date::text`.as('event_date'))
    .where('programme_id', '=', id)
    .orderBy('event_date')
    .orderBy('id')
    .execute();
  return rows.map((r: any) => ({
    id: Number(r.id),
    type: r.kind,
    de: r.from_state,
    vers: r.to_state,
    date: r.event_date,
    source: r.source,
    auteur: r.author,
    detail: typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail,
    enregistre_le: new Date(r.recorded_at).toISOString(),
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// Writes

export interface ProgrammeInput {
  nom: string;
  code_commune: string;
  adresse?: string | null;
  lat?: number | null;
  lon?: number | null;
  etat: ProgrammeState;
  date_etat: string;
  maitre_ouvrage?: string | null;
  logements: number;
  financement?: Partial<Record<(typeof FINANCINGS)[number], number>>;
  types?: Partial<Record<(typeof BUILDING_TYPES)[number], number>>;
  permis?: string[];
  /** Dates of earlier steps the source knows (a partner's programme already under way gives its permit date). */
  dates_etapes?: Partial<Record<'date_depot' | 'date_autorisation' | 'date_chantier' | 'date_livraison', string>>;
}

export interface Actor {
  source: Source;
  author: string;
  organisationId?: string | null;
}

/** Financings and types, when given, must add up to the unit count: a mix that does not is a typing mistake. */
export function mixProblems(input: Pick<ProgrammeInput, 'logements' | 'financement' | 'types'>): string[] {
  const out: string[] = [];
  const f = Object.values(input.financement ?? {}).reduce((s, v) => s + (v ?? 0), 0);
  if (f > 0 && f !== input.logements) out.push(`La répartition par financement (${f}) ne correspond pas au nombre de logements (${input.logements}).`);
  const t = Object.values(input.types ?? {}).reduce((s, v) => s + (v ?? 0), 0);
  if (t > 0 && t !== input.logements) out.push(`La répartition par type (${t}) ne correspond pas au nombre de logements (${input.logements}).`);
  return out;
}

/** The date columns a state sets, so counts per period read them without walking the events. */
export function stateDateColumn(state: ProgrammeState): string | undefined {
  return ({ pc_depose: 'date_depot', pc_accorde: 'date_autorisation', chantier_ouvert: 'date_chantier', livre: 'date_livraison' } as Record<string, string>)[state];
}

/** The pipeline dates a programme entering `state` on `date` implies: entering "chantier ouvert" does not invent a permit date. */
function datesFor(state: ProgrammeState, date: string): Record<string, string> {
  const col = stateDateColumn(state);
  return col ? { [col]: date } : {};
}

async function assertCommune(db: Db, code: string) {
  const c = await db.selectFrom('commune').select('code').where('code', '=', code).executeTakeFirst();
  if (!c) throw new AppError('construction.commune_inconnue', `La commune ${code} est inconnue du code officiel géographique.`, 422);
}

function mixColumns(input: ProgrammeInput): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of FINANCINGS) out[k] = input.financement?.[k] ?? 0;
  for (const k of BUILDING_TYPES) out[k] = input.types?.[k] ?? 0;
  // A programme entered without its financing split counts as free-market housing, never as social by accident.
  if (!Object.values(input.financement ?? {}).some((v) => (v ?? 0) > 0)) out.libre = input.logements;
  return out;
}

export async function createProgramme(db: Db, input: ProgrammeInput, actor: Actor, sourceRef?: string): Promise<{ programme: Programme; changes: LiveChange[] }> {
  const problems = mixProblems(input);
  if (problems.length) throw new AppError('construction.repartition', problems.join(' '), 422);
  await assertCommune(db, input.code_commune);
  const id = randomUUID();
  const changes = await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('construction_programme')
      .values({
        id,
        name: input.nom,
        commune_code: input.code_commune,
        address: input.adresse ?? null,
        lat: input.lat ?? null,
        lon: input.lon ?? null,
        state: input.etat,
        state_since: input.date_etat,
        source: actor.source,
        source_ref: sourceRef ?? null,
        organisation_id: actor.organisationId ?? null,
        maitre_ouvrage: input.maitre_ouvrage ?? null,
        units: input.logements,
        ...mixColumns(input),
        ...(input.dates_etapes ?? {}),
        ...datesFor(input.etat, input.date_etat),
      })
      .execute();
    await trx
      .insertInto('construction_event')
      .values({ programme_id: id, kind: 'creation', to_state: input.etat, event_date: input.date_etat, source: actor.source, author: actor.author })
      .execute();
    const out: LiveChange[] = [{ type: 'programme', id, commune: input.code_commune, etat: input.etat, source: actor.source, detail: 'création', organisation: actor.organisationId ?? null, at: new Date().toISOString() }];
    const match = await findMatch(trx, { id, source: actor.source, communeCode: input.code_commune, permits: input.permis ?? [], address: input.adresse, lat: input.lat, lon: input.lon, units: input.logements });
    if (match) await recordMatch(trx, id, actor.source, match, actor.author);
    return out;
  });
  return { programme: (await getProgramme(db, id))!, changes };
}

export async function updateProgramme(db: Db, id: string, patch: Partial<Omit<ProgrammeInput, 'etat' | 'date_etat'>>, actor: Actor): Promise<{ programme: Programme; changes: LiveChange[] }> {
  const current = await getProgramme(db, id);
  if (!current) throw notFound('Programme');
  const merged: ProgrammeInput = {
    nom: patch.nom ?? current.nom,
    code_commune: patch.code_commune ?? current.code_commune,
    adresse: patch.adresse !== undefined ? patch.adresse : current.adresse,
    lat: patch.lat !== undefined ? patch.lat : current.lat,
    lon: patch.lon !== undefined ? patch.lon : current.lon,
    etat: current.etat,
    date_etat: current.etat_depuis,
    maitre_ouvrage: patch.maitre_ouvrage !== undefined ? patch.maitre_ouvrage : current.maitre_ouvrage,
    logements: patch.logements ?? current.logements,
    financement: patch.financement ?? (patch.logements !== undefined ? undefined : current.financement),
    types: patch.types ?? (patch.logements !== undefined ? undefined : current.types),
  };
  const problems = mixProblems(merged);
  if (problems.length) throw new AppError('construction.repartition', problems.join(' '), 422);
  if (patch.code_commune) await assertCommune(db, patch.code_commune);
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('construction_programme')
      .set({
        name: merged.nom,
        commune_code: merged.code_commune,
        address: merged.adresse ?? null,
        lat: merged.lat ?? null,
        lon: merged.lon ?? null,
        maitre_ouvrage: merged.maitre_ouvrage ?? null,
        units: merged.logements,
        ...mixColumns(merged),
        updated_at: sql`now()`,
      })
      .where('id', '=', id)
      .execute();
    await trx
      .insertInto('construction_event')
      .values({ programme_id: id, kind: 'modification', event_date: sql`current_date`, source: actor.source, author: actor.author, detail: JSON.stringify({ champs: Object.keys(patch) }) })
      .execute();
  });
  return {
    programme: (await getProgramme(db, id))!,
    changes: [{ type: 'programme', id, commune: merged.code_commune, etat: current.etat, source: actor.source, detail: 'modification', organisation: current.organisation_id, at: new Date().toISOString() }],
  };
}

/** Moves a programme along its pipeline; refuses a move the state rules forbid, with the reason in French. */
export async function changeState(db: Db, id: string, to: ProgrammeState, date: string, actor: Actor): Promise<{ programme: Programme; changes: LiveChange[] }> {
  const changes = await db.transaction().execute(async (trx) => {
    const cur = await trx.selectFrom('construction_programme').select(['state', 'commune_code', 'organisation_id']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!cur) throw notFound('Programme');
    const from = cur.state as ProgrammeState;
    const refusal = transitionRefusal(from, to);
    if (refusal) throw new AppError('construction.transition_interdite', refusal, 409);
    await applyState(trx, id, from, to, date, actor);
    return [{ type: 'programme', id, commune: cur.commune_code, de: from, etat: to, source: actor.source, organisation: cur.organisation_id ?? null, at: new Date().toISOString() }] as LiveChange[];
  });
  return { programme: (await getProgramme(db, id))!, changes };
}

export async function applyState(trx: Db, id: string, from: ProgrammeState, to: ProgrammeState, date: string, actor: Actor, detail?: unknown) {
  if (!canTransition(from, to)) throw new Error(`transition ${from} -> ${to}`);
  await trx
    .updateTable('construction_programme')
    .set({ state: to, state_since: date, ...datesFor(to, date), updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
  await trx
    .insertInto('construction_event')
    .values({ programme_id: id, kind: 'etat', from_state: from, to_state: to, event_date: date, source: actor.source, author: actor.author, detail: detail === undefined ? null : JSON.stringify(detail) })
    .execute();
}

// ---------------------------------------------------------------------------------------------------------------
// Duplicates across sources

type Candidate = MatchCandidate & { id: string; source: Source };

export async function matchCandidates(
  db: Db,
  communeCodes: string[] | undefined,
  opts: { excludeSource?: Source; units?: [number, number]; ids?: string[] } = {},
): Promise<Candidate[]> {
  if (communeCodes && !communeCodes.length) return [];
  let q = db
    .selectFrom('construction_programme as p')
    .select(['p.id', 'p.source', 'p.commune_code', 'p.address', 'p.lat', 'p.lon', 'p.units'])
    .select(sql<string[]>`coalesce((select array_agg(num_dau) from construction_permit cp where cp.programme_id = p.id), '{}')`.as('permits'))
    .where('p.duplicate_of', 'is', null)
    .where('p.state', '!=', 'abandonne');
  if (communeCodes) q = q.where('p.commune_code', 'in', communeCodes);
  if (opts.excludeSource) q = q.where('p.source', '!=', opts.excludeSource);
  if (opts.units) q = q.where('p.units', '>=', opts.units[0]).where('p.units', '<=', opts.units[1]);
  if (opts.ids) q = q.where('p.id', 'in', opts.ids);
  const rows = await q.execute();
  return rows.map((r: any) => ({
    id: r.id,
    source: r.source,
    communeCode: r.commune_code,
    address: r.address,
    lat: r.lat,
    lon: r.lon,
    units: r.units,
    permits: typeof r.permits === 'string' ? parsePgArray(r.permits) : r.permits,
  }));
}

/** Permit numbers compared without their type ("PC 0315…" and "0315…" are the same number). */
const bareNumber = (p: string) => p.replace(/^(PC|DP|PA)\s+/i, '').toUpperCase();

export function firstMatch(c: MatchCandidate & { source: Source; id?: string }, pool: Candidate[]): { other: Candidate; reason: string } | undefined {
  const me = { ...c, permits: c.permits.map(bareNumber) };
  for (const other of pool) {
    // Two Sitadel permits are two permits; any other pair (even two entries by agents) may be one operation.
    if ((other.source === 'sitadel' && c.source === 'sitadel') || other.id === c.id) continue;
    const reason = matchReason(me, { ...other, permits: other.permits.map(bareNumber) });
    if (reason) return { other, reason };
  }
  return undefined;
}

/** Only the programmes that could match: sharing a permit number, or in the commune with a unit count in range. */
async function findMatch(db: Db, c: MatchCandidate & { id: string; source: Source }) {
  const lo = Math.floor(Math.min(c.units - 2, c.units * 0.9));
  const hi = Math.ceil(Math.max(c.units + 2, c.units / 0.9));
  const numbers = c.permits.map(bareNumber);
  let pool = await matchCandidates(db, [c.communeCode], { units: [lo, hi] });
  if (numbers.length) {
    const byPermit = await db.selectFrom('construction_permit').select('programme_id').where('num_dau', 'in', numbers).execute();
    const ids = byPermit.map((r) => r.programme_id as string).filter((id) => !pool.some((p) => p.id === id));
    if (ids.length) pool = [...(await matchCandidates(db, undefined, { ids })), ...pool];
  }
  return firstMatch(c, pool);
}

/**
 * Links two programmes found to be one operation. Sitadel, the official count of permits, stays the counted one;
 * between partners and manual entry, the older one does. The other points to it and leaves the counts.
 */
export async function recordMatch(trx: Db, newId: string, newSource: Source, match: { other: Candidate; reason: string }, author: string) {
  const newIsCanonical = newSource === 'sitadel' && match.other.source !== 'sitadel';
  const [dup, canonical] = newIsCanonical ? [match.other.id, newId] : [newId, match.other.id];
  const status = match.reason.startsWith('même permis') ? 'confirme' : 'suggere';
  await trx.updateTable('construction_programme').set({ duplicate_of: canonical, match_status: status, match_reason: match.reason }).where('id', '=', dup).execute();
  // Whatever pointed to the programme that just became a duplicate now points to the counted one.
  await trx.updateTable('construction_programme').set({ duplicate_of: canonical }).where('duplicate_of', '=', dup).execute();
  await trx
    .insertInto('construction_event')
    .values({ programme_id: dup, kind: 'rapprochement', event_date: sql`current_date`, source: newSource, author, detail: JSON.stringify({ avec: canonical, motif: match.reason, statut: status }) })
    .execute();
}

/** An agent confirms a suggested match, or rejects it (both programmes are then counted). */
export async function decideMatch(db: Db, id: string, decision: 'confirme' | 'rejete', author: string): Promise<Programme> {
  const p = await getProgramme(db, id);
  if (!p) throw notFound('Programme');
  if (!p.rapprochement) throw new AppError('construction.pas_de_rapprochement', 'Ce programme n’a pas de rapprochement à confirmer ou rejeter.', 409);
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('construction_programme').set({ match_status: decision, updated_at: sql`now()` }).where('id', '=', id).execute();
    await trx
      .insertInto('construction_event')
      .values({ programme_id: id, kind: 'rapprochement', event_date: sql`current_date`, source: 'saisie', author, detail: JSON.stringify({ avec: p.rapprochement!.programme_id, statut: decision }) })
      .execute();
  });
  return (await getProgramme(db, id))!;
}

/** SQL condition: the programme is counted (not abandoned, not the duplicate side of a match). */
export const countedProgramme = sql<boolean>`(p.state <> 'abandonne' and (p.duplicate_of is null or p.match_status = 'rejete'))`;
