// What the routes and the CLI show, assembled from the store and the pure rules: the applicant's page, the published
// grid, the simulation of a new grid, the statistics and the pseudonymised export.
import { sql } from 'kysely';
import type { Db } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import { protectTotal, SECONDARY_REASON, type Status } from '../../platform/secrecy.ts';
import { describeCondition } from './conditions.ts';
import {
  compareScores,
  type ComparisonSummary,
  type Demand,
  FACT_FIELDS,
  type Grid,
  GridError,
  parseGrid,
  scoreDemand,
  scoreDistribution,
  type ScoreResult,
  SECTION_MODES,
  TYPOLOGIES,
  waitingTimes,
} from './model.ts';
import { pseudonymisedCsv } from './pseudonymise.ts';
import * as store from './store.ts';

/** How far back attributions count for the observed waiting time. */
export const WAITING_WINDOW_MONTHS = 36;

function monthsBefore(iso: string, months: number): string {
  const [y, m, d] = iso.split('-').map(Number);
  const total = y * 12 + (m - 1) - months;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}-${String(Math.min(d, 28)).padStart(2, '0')}`;
}

export async function communeNames(db: Db, codes: string[]): Promise<Record<string, string>> {
  if (!codes.length) return {};
  const rows = await db.selectFrom('commune').select(['code', 'nom']).where('code', 'in', codes).execute();
  return Object.fromEntries(rows.map((r: any) => [r.code, r.nom]));
}

/** The grid as published: every criterion with its condition in words. */
export function publishGrid(g: Grid) {
  return {
    name: g.name,
    version: g.version,
    validFrom: g.validFrom,
    validTo: g.validTo,
    seniority: g.seniority,
    abnormalDelay: g.abnormalDelay,
    refusals: g.refusals,
    sections: g.sections.map((s) => ({
      id: s.id,
      label: s.label,
      mode: s.mode,
      modeLabel: SECTION_MODES[s.mode],
      cap: s.cap,
      criteria: s.criteria.map((c) => ({ id: c.id, label: c.label, points: c.points, conditionText: describeCondition(c.condition, FACT_FIELDS) })),
    })),
    provenance: g.provenance ?? null,
  };
}

export interface ApplicantView {
  numero: string;
  epciSiren: string;
  status: string;
  typology: string;
  communes: { code: string; nom: string }[];
  grid: { name: string; version: number } | null;
  score: ScoreResult | null;
  distribution: ReturnType<typeof scoreDistribution> | null;
  waiting: ReturnType<typeof waitingTimes>;
  waitingWindowMonths: number;
  secrecyMinCount: number;
}

/** The applicant's letter (R441-2-17): score with its lines, position among similar demands, observed waiting time. */
export async function applicantView(db: Db, d: Demand, minCount: number, refDate = store.todayIso()): Promise<ApplicantView> {
  const grid = await store.gridInForce(db, d.epciSiren, refDate);
  const score = grid ? scoreDemand(grid.definition, d, refDate) : null;
  const distribution = grid && score ? scoreDistribution(await store.similarScores(db, grid.id, d), score.total, minCount) : null;
  const atts = await store.attributionsFor(db, { epciSiren: d.epciSiren, typology: d.typology, communes: d.communes, since: monthsBefore(refDate, WAITING_WINDOW_MONTHS) });
  const names = await communeNames(db, d.communes);
  return {
    numero: d.numero,
    epciSiren: d.epciSiren,
    status: d.status,
    typology: d.typology,
    communes: d.communes.map((code) => ({ code, nom: names[code] ?? code })),
    grid: grid ? { name: grid.name, version: grid.version } : null,
    score,
    distribution,
    waiting: waitingTimes(atts, minCount),
    waitingWindowMonths: WAITING_WINDOW_MONTHS,
    secrecyMinCount: minCount,
  };
}

/** Both grids on the EPCI's active demands, today: who goes up, who goes down. */
export async function simulate(db: Db, epciSiren: string, before: Grid, after: Grid, refDate = store.todayIso()): Promise<ComparisonSummary> {
  const demands = await store.loadDemands(db, { epciSiren, status: 'active' });
  return compareScores(
    demands.map((d) => ({ numero: d.numero, before: scoreDemand(before, d, refDate).total, after: scoreDemand(after, d, refDate).total })),
  );
}

export async function gridForSimulation(db: Db, epciSiren: string, ref: string | unknown): Promise<Grid> {
  if (typeof ref === 'string') {
    const g = await store.getGrid(db, ref);
    if (!g) throw new AppError('not_found', 'Grille introuvable.', 404);
    if (g.epciSiren !== epciSiren) throw new AppError('demand.grid_other_epci', 'Cette grille appartient à un autre EPCI.', 400);
    return g.definition;
  }
  return parseGridOrProblem(ref);
}

export function parseGridOrProblem(input: unknown): Grid {
  try {
    return parseGrid(input);
  } catch (e) {
    if (e instanceof GridError) throw new AppError('demand.grid_invalid', e.message, 422, { problemes: e.problems });
    throw e;
  }
}

/**
 * Statistics for the EPCI and its partners: no personal data, and secrecy below the threshold. Both the demands and
 * the attributions are published per typology and in total, so each is protected as a table with its total
 * (platform/secrecy.ts): a lone small typology would otherwise be the total minus the others.
 */
export async function statistics(db: Db, epciSiren: string, minCount: number, refDate = store.todayIso()) {
  const grid = await store.gridInForce(db, epciSiren, refDate);
  const byTypology = await db
    .selectFrom('demand as d')
    .leftJoin('demand_score as s', (j) => j.onRef('s.demand_id', '=', 'd.id').on('s.grid_id', '=', grid?.id ?? '00000000-0000-0000-0000-000000000000'))
    .select(['d.typologie', sql<number>`count(*)::int`.as('n'), sql<number[]>`array_agg(s.total) filter (where s.total is not null)`.as('scores')])
    .where('d.epci_siren', '=', epciSiren)
    .where('d.statut', '=', 'active')
    .groupBy('d.typologie')
    .execute();
  const atts = await store.attributionsFor(db, { epciSiren, since: monthsBefore(refDate, WAITING_WINDOW_MONTHS) });
  const rows = TYPOLOGIES.map((t) => {
    const r: any = byTypology.find((x: any) => x.typologie === t);
    return { typology: t, n: (r?.n ?? 0) as number, scores: (r?.scores ?? []) as number[], atts: atts.filter((a) => a.typology === t) };
  });
  const demands = protectTotal(rows.map((r) => r.n), { min: minCount });
  const attributions = protectTotal(rows.map((r) => r.atts.length), { min: minCount });
  const reason = (s: Status) =>
    s === 'primary' ? `Moins de ${minCount} cas : le chiffre n’est pas publié (secret statistique).` : s === 'secondary' ? SECONDARY_REASON : null;
  return {
    epciSiren,
    refDate,
    grid: grid ? { name: grid.name, version: grid.version } : null,
    secrecyMinCount: minCount,
    activeDemands: demands.total === 'published' ? rows.reduce((a, r) => a + r.n, 0) : null,
    attributions: attributions.total === 'published' ? atts.length : null,
    byTypology: rows.map((r, i) => {
      const dist = scoreDistribution(r.scores, 0, minCount);
      const waiting = waitingTimes(r.atts, minCount);
      return {
        typology: r.typology,
        activeDemands: demands.parts[i] === 'published' ? r.n : null,
        activeDemandsReason: reason(demands.parts[i]),
        // Quartiles of a group of at least the threshold reveal no count: kept even when the count is withheld.
        scoreQuartiles: dist.withheld ? null : dist.quartiles,
        waiting: attributions.parts[i] === 'secondary' ? { withheld: true as const, reason: SECONDARY_REASON } : waiting,
      };
    }),
  };
}

export async function exportCsv(db: Db, epciSiren: string | undefined, refDate = store.todayIso()): Promise<{ csv: string; count: number }> {
  const rows = await store.exportRows(db, epciSiren);
  const scores = new Map<string, number>();
  for (const e of new Set(rows.map((r) => r.epciSiren))) {
    const g = await store.gridInForce(db, e, refDate);
    if (!g) continue;
    for (const r of rows) if (r.epciSiren === e) scores.set(r.numero, scoreDemand(g.definition, r, refDate).total);
  }
  const secret = await store.instanceSecret(db);
  return { csv: pseudonymisedCsv(rows.map((r) => ({ ...r, score: scores.get(r.numero) ?? null })), secret, refDate), count: rows.length };
}
