// The demand module's use cases, shared by the routes and the CLI: import a demand file, record a demand or an
// attribution, adopt a grid and rescore, purge, the applicant's page, the simulation of a grid, the statistics and
// the pseudonymised export. Readers (ingest/) and the store meet here, in one transaction when something is written.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { TypedDb } from '../../platform/db.ts';
import { AppError, inputRefused, type InputProblem, notFound } from '../../platform/errors.ts';
import { protectTotal, SECONDARY_REASON, type Status } from '../../platform/secrecy.ts';
import { decodeUserText } from '../../platform/text-input.ts';
import { audit, findOrganisation, listOrganisations } from '../access/index.ts';
import { findEpci, placesByCode } from '../territory/index.ts';
import type { ApplicantView, Grant, PublicGridsAnswer, StatisticsAnswer } from './contract.ts';
import { type ImportedDemand, readDemandCsv } from './ingest/sne-csv.ts';
import {
  type Attribution,
  compareScores,
  type ComparisonSummary,
  type Demand,
  type Grid,
  GridError,
  inForce,
  monthsBefore,
  monthsBetween,
  overlapping,
  parseGrid,
  publishGrid,
  scoreDemand,
  scoreDistribution,
  TYPOLOGIES,
  type Typology,
  WAITING_WINDOW_MONTHS,
  waitingTimes,
  YEAR_WAITING_MONTHS,
  yearWaiting,
} from './model.ts';
import { pseudonymisedCsv } from './pseudonymise.ts';
import * as store from './store.ts';

export const todayIso = () => new Date().toISOString().slice(0, 10);

// ---- grids ------------------------------------------------------------------------------------------------

export async function gridInForce(db: TypedDb, epciSiren: string, date = todayIso()): Promise<store.StoredGrid | undefined> {
  return inForce((await store.listGrids(db, epciSiren)).filter((g) => g.status === 'adopted'), date);
}

/** A grid document checked for the API: its problems as a 422 with the list. */
export function parseGridOrProblem(input: unknown): Grid {
  try {
    return parseGrid(input);
  } catch (e) {
    if (e instanceof GridError) throw new AppError('demand.grid_invalid', e.message, 422, { problems: e.problems });
    throw e;
  }
}

/** A new version of an EPCI's grid, as a draft. */
export async function createGrid(db: TypedDb, epciSiren: string, grid: Grid): Promise<store.StoredGrid> {
  if (await store.gridVersionTaken(db, epciSiren, grid.version))
    throw new AppError('demand.grid_version_taken', `La version ${grid.version} de la grille existe déjà pour cet EPCI.`, 409);
  return (await store.getGrid(db, await store.insertGrid(db, epciSiren, grid)))!;
}

export async function updateDraftGrid(db: TypedDb, id: string, grid: Grid): Promise<store.StoredGrid> {
  const g = await store.getGrid(db, id);
  if (!g) throw notFound('Grille');
  if (g.status !== 'draft') throw new AppError('demand.grid_adopted', 'Une grille adoptée ne se modifie plus : créez une nouvelle version.', 409);
  if (grid.version !== g.version) throw new AppError('demand.grid_version_fixed', 'Le numéro de version d’un brouillon ne change pas.', 400);
  await store.updateGrid(db, id, g.epci_siren, grid);
  return (await store.getGrid(db, id))!;
}

/**
 * Adopts a draft: an open-ended adopted version that starts earlier is closed the day the new one starts; an overlap
 * with any other adopted version is refused; every demand of the EPCI is rescored. One transaction.
 */
export async function adoptGrid(db: TypedDb, id: string, refDate = todayIso()): Promise<store.StoredGrid> {
  return db.transaction().execute(async (trx) => {
    const g = await store.getGrid(trx, id);
    if (!g) throw notFound('Grille');
    if (g.status === 'adopted') return g;
    const adopted = (await store.listGrids(trx, g.epci_siren)).filter((x) => x.status === 'adopted');
    for (const prev of adopted) {
      if (prev.valid_to === null && prev.valid_from < g.valid_from) {
        await store.closeGrid(trx, prev.id, g.valid_from);
        prev.valid_to = g.valid_from;
      }
    }
    const clash = overlapping(adopted, g);
    if (clash) throw new AppError('demand.grid_overlap', `Cette grille chevauche la version ${clash.version} (du ${clash.valid_from} au ${clash.valid_to ?? '…'}).`, 409);
    await store.markGridAdopted(trx, id);
    await rescore(trx, { epciSiren: g.epci_siren, refDate });
    return (await store.getGrid(trx, id))!;
  });
}

/** The grid in force of each EPCI of the instance, as published. */
export async function publicGrids(db: TypedDb, epciSirens: string[]): Promise<PublicGridsAnswer> {
  const grids = [];
  for (const e of epciSirens) {
    const g = await gridInForce(db, e);
    if (!g) continue;
    grids.push({ epci_siren: e, epci_name: (await findEpci(db, e))?.name ?? e, grid: publishGrid(g.definition) });
  }
  return { grids };
}

// ---- scores -----------------------------------------------------------------------------------------------

/** Scores the chosen demands with the grid in force for their EPCI at `refDate`; demands without a grid keep none. */
export async function rescore(db: TypedDb, f: { epciSiren?: string; numbers?: string[]; refDate?: string }): Promise<number> {
  const refDate = f.refDate ?? todayIso();
  const demands = await store.loadDemands(db, f);
  const grids = new Map<string, store.StoredGrid | undefined>();
  const rows: store.ScoreRow[] = [];
  for (const d of demands) {
    if (!grids.has(d.epci_siren)) grids.set(d.epci_siren, await gridInForce(db, d.epci_siren, refDate));
    const g = grids.get(d.epci_siren);
    if (!g) continue;
    const r = scoreDemand(g.definition, d, refDate);
    rows.push({ demand_id: d.id, grid_id: g.id, total: r.total, sections: JSON.stringify(r.sections), ref_date: refDate });
  }
  await store.writeScores(db, rows);
  return rows.length;
}

/** The stored total of a demand under the grid in force today, or null without a grid. */
export async function currentScore(db: TypedDb, s: store.StoredDemand): Promise<number | null> {
  const g = await gridInForce(db, s.demand.epci_siren);
  return g ? ((await store.scoreTotal(db, s.id, g.id)) ?? null) : null;
}

// ---- demands ----------------------------------------------------------------------------------------------

/** Writes demands (insert or update by number) and rescores those that changed, in one transaction. */
export async function saveDemands(db: TypedDb, rows: ImportedDemand[], refDate = todayIso()): Promise<{ created: number; updated: number; unchanged: number }> {
  return db.transaction().execute(async (trx) => {
    const { changed, ...counts } = await store.writeDemands(trx, rows);
    for (let i = 0; i < changed.length; i += 500) await rescore(trx, { numbers: changed.slice(i, i + 500), refDate });
    return counts;
  });
}

export interface ImportOptions {
  defaultEpci?: string;
  refDate?: string;
  /** The EPCIs the importer acts for: a line of another EPCI, or whose number is another EPCI's demand, is refused. */
  allowedEpcis?: string[];
}

/** Imports a demand file (UTF-8 or Latin-1): nothing is written unless every line is valid. */
export async function importDemandFile(db: TypedDb, file: string, opts: ImportOptions = {}) {
  return importDemandText(db, decodeUserText(readFileSync(file), basename(file)), basename(file), opts);
}

/** Imports CSV text all or nothing: the refusal (422, `demand.import_refused`) lists every problem. */
export async function importDemandText(db: TypedDb, text: string, name: string, opts: ImportOptions = {}) {
  const { rows, problems } = await readDemandCsv(text, name, opts);
  problems.push(...(await unknownReferences(db, rows, name)));
  if (opts.allowedEpcis) problems.push(...(await outsidePerimeter(db, rows, name, opts.allowedEpcis)));
  if (problems.length) throw inputRefused('demand.import_refused', problems);
  return saveDemands(db, rows, opts.refDate);
}

/** EPCIs and attribution communes must exist in the territory's COG, or the line is refused by name. */
async function unknownReferences(db: TypedDb, rows: ImportedDemand[], file: string): Promise<InputProblem[]> {
  const knownEpcis = new Set<string>();
  for (const e of new Set(rows.map((r) => r.demand.epci_siren))) if (await findEpci(db, e)) knownEpcis.add(e);
  const places = await placesByCode(db, rows.flatMap((r) => (r.attribution ? [r.attribution.commune_code] : [])));
  const problems: InputProblem[] = [];
  for (const r of rows) {
    const line = r.line ?? 0;
    if (!knownEpcis.has(r.demand.epci_siren))
      problems.push({ file, line, column: 'epci_siren', rule: 'epci_connu', value: r.demand.epci_siren, message: 'aucun EPCI de ce SIREN dans le référentiel des territoires' });
    if (r.attribution && !places.has(r.attribution.commune_code))
      problems.push({ file, line, column: 'commune_attribution', rule: 'commune_connue', value: r.attribution.commune_code, message: 'commune inconnue du code officiel géographique' });
  }
  return problems;
}

/** Lines of an EPCI the importer does not act for, or that would overwrite another EPCI's demand of the same number. */
async function outsidePerimeter(db: TypedDb, rows: ImportedDemand[], file: string, allowed: string[]): Promise<InputProblem[]> {
  const owners = await store.demandOwners(db, rows.map((r) => r.demand.number));
  const problems: InputProblem[] = [];
  for (const r of rows) {
    const line = r.line ?? 0;
    if (!allowed.includes(r.demand.epci_siren))
      problems.push({ file, line, column: 'epci_siren', rule: 'perimetre', value: r.demand.epci_siren, message: 'cet EPCI est hors de votre périmètre : vous n’importez que les demandes de votre EPCI' });
    const owner = owners.get(r.demand.number);
    if (owner && !allowed.includes(owner))
      problems.push({ file, line, column: 'numero_unique', rule: 'perimetre', value: r.demand.number, message: 'ce numéro est celui d’une demande d’un autre EPCI' });
  }
  return problems;
}

/** The demand leaves the queue with its attribution; the commune must be in the COG. One transaction. */
export async function recordAttribution(
  db: TypedDb,
  demandNumber: string,
  a: { attribution_date: string; commune_code: string; typology: Typology; bailleur_id?: string | null },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const s = await store.getDemand(trx, demandNumber);
    if (!s) throw notFound('Demande');
    if (a.attribution_date < s.demand.filing_date) throw new AppError('demand.attribution_before_filing', 'La date d’attribution précède le dépôt de la demande.', 400);
    if (!(await placesByCode(trx, [a.commune_code])).has(a.commune_code))
      throw new AppError('demand.unknown_commune', `Commune ${a.commune_code} inconnue du code officiel géographique.`, 400);
    const attribution: Attribution = { filing_date: s.demand.filing_date, attribution_date: a.attribution_date, commune_code: a.commune_code, typology: a.typology };
    await store.markAttributed(trx, s, attribution, a.bailleur_id ?? null);
  });
}

/** Attributed or struck-off demands past their retention period (months after attribution, or after the last change). */
export async function purgeDemands(db: TypedDb, opts: { months: number; refDate?: string; dryRun?: boolean }): Promise<{ numbers: string[] }> {
  const refDate = opts.refDate ?? todayIso();
  const numbers = (await store.closedDemands(db))
    .filter((c) => monthsBetween(c.status === 'attribuee' && c.attribution_date ? c.attribution_date : c.updated, refDate) >= opts.months)
    .map((c) => c.number)
    .sort();
  if (!opts.dryRun && numbers.length) {
    await db.transaction().execute(async (trx) => {
      await store.deleteDemands(trx, numbers);
      await audit(trx, null, { action: 'purge', entity: 'demand', detail: { count: numbers.length, months: opts.months, ref_date: refDate }, epci: null });
    });
  }
  return { numbers };
}

// ---- the applicant's access code --------------------------------------------------------------------------------

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const normaliseCode = (code: string) => code.toUpperCase().replace(/[^0-9A-Z]/g, '');
const hashCode = (code: string) => createHash('sha256').update(normaliseCode(code)).digest('hex');

/** A new access code (XXXX-XXXX-XXXX), shown once: only its hash is kept, the previous one stops working. */
export async function newAccessCode(db: TypedDb, demandNumber: string): Promise<string> {
  const raw = [...randomBytes(12)].map((b) => CROCKFORD[b % 32]).join('');
  const code = `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8, 12)}`;
  if (!(await store.setAccessCodeHash(db, demandNumber, hashCode(code)))) throw notFound('Demande');
  return code;
}

export async function checkAccessCode(db: TypedDb, demandNumber: string, code: string): Promise<boolean> {
  const hash = await store.accessCodeHash(db, demandNumber);
  if (!hash) return false;
  return timingSafeEqual(Buffer.from(hash, 'hex'), Buffer.from(hashCode(code), 'hex'));
}

// ---- what the applicant is told, simulation, statistics, export ---------------------------------------------------

/** The applicant's letter (R441-2-17): score with its lines, position among similar demands, observed waiting time. */
export async function applicantView(db: TypedDb, d: Demand, minCount: number, refDate = todayIso()): Promise<ApplicantView> {
  const grid = await gridInForce(db, d.epci_siren, refDate);
  const score = grid ? scoreDemand(grid.definition, d, refDate) : null;
  const distribution = grid && score ? scoreDistribution(await store.similarScores(db, grid.id, d), score.total, minCount) : null;
  const atts = await store.attributionsFor(db, { epciSiren: d.epci_siren, typology: d.typology, communes: d.communes, since: monthsBefore(refDate, WAITING_WINDOW_MONTHS) });
  const places = await placesByCode(db, d.communes);
  return {
    number: d.number,
    epci_siren: d.epci_siren,
    status: d.status,
    typology: d.typology,
    communes: d.communes.map((code) => ({ code, name: places.get(code)?.name ?? code })),
    grid: grid ? { name: grid.name, version: grid.version } : null,
    score,
    distribution,
    waiting: waitingTimes(atts, minCount),
    waiting_window_months: WAITING_WINDOW_MONTHS,
    secrecy_min_count: minCount,
  };
}

/** A grid to compare: a stored version of this EPCI (by id) or a definition sent as is. */
export async function gridForSimulation(db: TypedDb, epciSiren: string, ref: string | unknown): Promise<Grid> {
  if (typeof ref === 'string') {
    const g = await store.getGrid(db, ref);
    if (!g) throw notFound('Grille');
    if (g.epci_siren !== epciSiren) throw new AppError('demand.grid_other_epci', 'Cette grille appartient à un autre EPCI.', 400);
    return g.definition;
  }
  return parseGridOrProblem(ref);
}

/** Both grids on the EPCI's active demands, today: who goes up, who goes down. */
export async function simulate(db: TypedDb, epciSiren: string, before: Grid, after: Grid, refDate = todayIso()): Promise<ComparisonSummary> {
  const demands = await store.loadDemands(db, { epciSiren, status: 'active' });
  return compareScores(demands.map((d) => ({ number: d.number, before: scoreDemand(before, d, refDate).total, after: scoreDemand(after, d, refDate).total })));
}

/**
 * Statistics for the EPCI and its partners: no personal data, and secrecy below the threshold. Both the demands and
 * the attributions are published per typology and in total, so each is protected as a table with its total
 * (platform/secrecy.ts): a lone small typology would otherwise be the total minus the others.
 */
export async function statistics(db: TypedDb, epciSiren: string, minCount: number, refDate = todayIso()): Promise<StatisticsAnswer[number]> {
  const grid = await gridInForce(db, epciSiren, refDate);
  const byTypology = await store.activeByTypology(db, epciSiren, grid?.id);
  const atts = await store.attributionsFor(db, { epciSiren, since: monthsBefore(refDate, WAITING_WINDOW_MONTHS) });
  const rows = TYPOLOGIES.map((t) => {
    const r = byTypology.find((x) => x.typology === t);
    return { typology: t, n: r?.n ?? 0, scores: r?.scores ?? [], atts: atts.filter((a) => a.typology === t) };
  });
  const demands = protectTotal(rows.map((r) => r.n), { min: minCount });
  const attributions = protectTotal(rows.map((r) => r.atts.length), { min: minCount });
  const reason = (s: Status) =>
    s === 'primary' ? `Moins de ${minCount} cas : le chiffre n’est pas publié (secret statistique).` : s === 'secondary' ? SECONDARY_REASON : null;
  return {
    epci_siren: epciSiren,
    ref_date: refDate,
    grid: grid ? { name: grid.name, version: grid.version } : null,
    secrecy_min_count: minCount,
    active_demands: demands.total === 'published' ? rows.reduce((a, r) => a + r.n, 0) : null,
    attributions: attributions.total === 'published' ? atts.length : null,
    by_typology: rows.map((r, i) => {
      const dist = scoreDistribution(r.scores, 0, minCount);
      const waiting = waitingTimes(r.atts, minCount);
      return {
        typology: r.typology,
        active_demands: demands.parts[i] === 'published' ? r.n : null,
        active_demands_reason: reason(demands.parts[i]),
        // Quartiles of a group of at least the threshold reveal no count: kept even when the count is withheld.
        score_quartiles: dist.withheld ? null : dist.quartiles,
        waiting: attributions.parts[i] === 'secondary' ? { withheld: true as const, reason: SECONDARY_REASON } : waiting,
      };
    }),
  };
}

/**
 * The median waiting time of the demands attributed in these communes over the year up to `refDate` (a commune, or
 * every commune of an EPCI: recomputed from its attributions, never from its communes' medians), with secrecy.
 */
export async function attributedWaiting(db: TypedDb, communes: string[], minCount: number, refDate = todayIso()) {
  const from = monthsBefore(refDate, YEAR_WAITING_MONTHS);
  return { from, to: refDate, ...yearWaiting(await store.attributionDatesIn(db, communes, from, refDate), minCount) };
}

/** The pseudonymised export (CSV): no name or contact, ages and incomes in bands, the score under the grid in force. */
export async function exportCsv(db: TypedDb, epciSiren: string | undefined, refDate = todayIso()): Promise<{ csv: string; count: number }> {
  const rows = await store.exportRows(db, epciSiren);
  const scores = new Map<string, number>();
  for (const e of new Set(rows.map((r) => r.epci_siren))) {
    const g = await gridInForce(db, e, refDate);
    if (!g) continue;
    for (const r of rows) if (r.epci_siren === e) scores.set(r.number, scoreDemand(g.definition, r, refDate).total);
  }
  const secret = await store.instanceSecret(db);
  return { csv: pseudonymisedCsv(rows.map((r) => ({ ...r, score: scores.get(r.number) ?? null })), secret, refDate), count: rows.length };
}

// ---- organisations an EPCI authorises to read its demands ------------------------------------------------------

/** A landlord prepares its allocation committees; a commune reads the demands naming it; the club's operator reads them only when an EPCI asks it to (support, audit). */
export async function grantPartner(db: TypedDb, organisationId: string, epciSiren: string): Promise<void> {
  const org = await findOrganisation(db, organisationId);
  if (!org) throw notFound('Organisation');
  if (!['bailleur', 'commune', 'club'].includes(org.kind))
    throw new AppError('demand.partner_not_bailleur', 'Seuls un bailleur social, une commune (pour les demandes qui la citent) ou l’opérateur du club peuvent être autorisés à lire les demandes.', 400);
  await store.insertGrant(db, organisationId, epciSiren);
}

/** The grants of these EPCIs, with the organisations' names, by name. */
export async function listPartners(db: TypedDb, epciSirens: string[]): Promise<Grant[]> {
  const grants = (await store.listGrants(db)).filter((g) => epciSirens.includes(g.epci_siren));
  const names = new Map((await listOrganisations(db, [...new Set(grants.map((g) => g.organisation_id))])).map((o) => [o.id, o.name]));
  return grants
    .map((g) => ({ organisation_id: g.organisation_id, name: names.get(g.organisation_id) ?? g.organisation_id, epci_siren: g.epci_siren, granted_at: g.granted_at }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.epci_siren.localeCompare(b.epci_siren));
}
