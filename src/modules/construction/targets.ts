// PLH production targets per commune and period, and the dashboard: authorised / started / delivered against them.
import { sql } from 'kysely';
import type { Db } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import { progress, type Achieved, type Progress, type Target } from './model.ts';
import { countedProgramme } from './store.ts';

export interface TargetInput {
  code_commune: string;
  periode_debut: number;
  periode_fin: number;
  objectif_logements: number;
  objectif_logements_sociaux: number;
  sru?: boolean;
}

/** French reasons a target row cannot be saved (the CSV reader adds file, line and column). */
export function targetProblems(t: TargetInput): { column: string; rule: string; message: string }[] {
  const out: { column: string; rule: string; message: string }[] = [];
  if (!/^[0-9][0-9AB][0-9]{3}$/.test(t.code_commune)) out.push({ column: 'code_commune', rule: 'code_commune', message: 'le code INSEE doit avoir 5 caractères.' });
  if (!Number.isInteger(t.periode_debut) || t.periode_debut < 2000 || t.periode_debut > 2100) out.push({ column: 'periode_debut', rule: 'annee', message: 'l’année de début doit être entre 2000 et 2100.' });
  if (!Number.isInteger(t.periode_fin) || t.periode_fin < t.periode_debut || t.periode_fin - t.periode_debut > 9)
    out.push({ column: 'periode_fin', rule: 'periode', message: 'l’année de fin doit suivre l’année de début, sur dix ans au plus (un PLH dure six ans).' });
  if (!Number.isInteger(t.objectif_logements) || t.objectif_logements < 0) out.push({ column: 'objectif_logements', rule: 'entier_positif', message: 'l’objectif doit être un entier positif ou nul.' });
  if (!Number.isInteger(t.objectif_logements_sociaux) || t.objectif_logements_sociaux < 0 || t.objectif_logements_sociaux > t.objectif_logements)
    out.push({ column: 'objectif_logements_sociaux', rule: 'part_sociale', message: 'l’objectif de logements sociaux doit être un entier entre 0 et l’objectif total.' });
  return out;
}

export async function upsertTargets(db: Db, targets: TargetInput[]): Promise<number> {
  for (const t of targets) {
    const p = targetProblems(t);
    if (p.length) throw new AppError('construction.objectif_invalide', `Objectif ${t.code_commune} ${t.periode_debut} : ${p.map((x) => x.message).join(' ')}`, 422);
  }
  const codes = [...new Set(targets.map((t) => t.code_commune))];
  if (codes.length) {
    const known = new Set((await db.selectFrom('commune').select('code').where('code', 'in', codes).execute()).map((r) => r.code));
    const unknown = codes.filter((c) => !known.has(c));
    if (unknown.length) throw new AppError('construction.commune_inconnue', `Commune(s) inconnue(s) du code officiel géographique : ${unknown.join(', ')}.`, 422);
  }
  await db.transaction().execute(async (trx) => {
    for (const t of targets) {
      await trx
        .insertInto('construction_target')
        .values({ commune_code: t.code_commune, period_start: t.periode_debut, period_end: t.periode_fin, total: t.objectif_logements, social: t.objectif_logements_sociaux, sru: t.sru ?? false })
        .onConflict((oc) =>
          oc.columns(['commune_code', 'period_start']).doUpdateSet({ period_end: t.periode_fin, total: t.objectif_logements, social: t.objectif_logements_sociaux, sru: t.sru ?? false, updated_at: sql`now()` }),
        )
        .execute();
    }
  });
  return targets.length;
}

export async function deleteTarget(db: Db, communeCode: string, periodStart: number): Promise<boolean> {
  const r = await db.deleteFrom('construction_target').where('commune_code', '=', communeCode).where('period_start', '=', periodStart).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export interface DashboardRow {
  code_commune: string;
  commune: string;
  epci: string | null;
  epci_nom: string | null;
  sru: boolean;
  periode_debut: number;
  periode_fin: number;
  objectif_logements: number;
  objectif_logements_sociaux: number;
  autorises: number;
  autorises_sociaux: number;
  commences: number;
  livres: number;
  avancement: Progress;
}

export interface Dashboard {
  date: string;
  communes: DashboardRow[];
  epci: Omit<DashboardRow, 'code_commune' | 'commune' | 'sru' | 'epci'>[] & { epci: string }[];
  note: string;
}

const inPeriod = (col: string) => sql`extract(year from ${sql.ref(`p.${col}`)}) between t.period_start and t.period_end`;
const socialSum = sql`(p.plai + p.plus + p.pls + p.lls_non_ventile)`;

export async function dashboard(db: Db, now: Date, opts: { epci?: string; commune?: string; communes?: string[] } = {}): Promise<Dashboard> {
  let q = db
    .selectFrom('construction_target as t')
    .innerJoin('commune as c', 'c.code', 't.commune_code')
    .leftJoin('epci as e', 'e.siren', 'c.epci_siren')
    .leftJoin('construction_programme as p', (j) => j.onRef('p.commune_code', '=', 't.commune_code').on(countedProgramme))
    .select(['t.commune_code', 'c.nom', 'c.epci_siren', 'e.nom as epci_nom', 't.period_start', 't.period_end', 't.total', 't.social', 't.sru'])
    .select([
      sql<number>`coalesce(sum(p.units) filter (where ${inPeriod('date_autorisation')}), 0)`.as('authorised'),
      sql<number>`coalesce(sum(${socialSum}) filter (where ${inPeriod('date_autorisation')}), 0)`.as('authorised_social'),
      sql<number>`coalesce(sum(p.units) filter (where ${inPeriod('date_chantier')}), 0)`.as('started'),
      sql<number>`coalesce(sum(p.units) filter (where ${inPeriod('date_livraison')}), 0)`.as('delivered'),
    ])
    .groupBy(['t.commune_code', 'c.nom', 'c.epci_siren', 'e.nom', 't.period_start', 't.period_end', 't.total', 't.social', 't.sru']);
  if (opts.epci) q = q.where('c.epci_siren', '=', opts.epci);
  if (opts.commune) q = q.where('t.commune_code', '=', opts.commune);
  if (opts.communes) q = q.where('t.commune_code', 'in', opts.communes.length ? opts.communes : ['']);
  const rows = await q.orderBy('c.nom').orderBy('t.period_start').execute();
  const communes: DashboardRow[] = rows.map((r: any) => {
    const target: Target = { communeCode: r.commune_code, periodStart: r.period_start, periodEnd: r.period_end, total: r.total, social: r.social, sru: r.sru };
    const achieved: Achieved = { authorised: Number(r.authorised), authorisedSocial: Number(r.authorised_social), started: Number(r.started), delivered: Number(r.delivered) };
    return {
      code_commune: r.commune_code,
      commune: r.nom,
      epci: r.epci_siren,
      epci_nom: r.epci_nom,
      sru: r.sru,
      periode_debut: r.period_start,
      periode_fin: r.period_end,
      objectif_logements: r.total,
      objectif_logements_sociaux: r.social,
      autorises: achieved.authorised,
      autorises_sociaux: achieved.authorisedSocial,
      commences: achieved.started,
      livres: achieved.delivered,
      avancement: progress(target, achieved, now),
    };
  });
  // The EPCI line sums its communes' targets and achievements for each period.
  const groups = new Map<string, DashboardRow[]>();
  for (const c of communes) {
    const key = `${c.epci ?? ''}|${c.periode_debut}|${c.periode_fin}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const epci = [...groups.values()].map((g) => {
    const sum = (f: (r: DashboardRow) => number) => g.reduce((s, r) => s + f(r), 0);
    const target: Target = { communeCode: '', periodStart: g[0].periode_debut, periodEnd: g[0].periode_fin, total: sum((r) => r.objectif_logements), social: sum((r) => r.objectif_logements_sociaux), sru: false };
    const achieved: Achieved = { authorised: sum((r) => r.autorises), authorisedSocial: sum((r) => r.autorises_sociaux), started: sum((r) => r.commences), delivered: sum((r) => r.livres) };
    return {
      epci: g[0].epci ?? '',
      epci_nom: g[0].epci_nom,
      periode_debut: target.periodStart,
      periode_fin: target.periodEnd,
      objectif_logements: target.total,
      objectif_logements_sociaux: target.social,
      autorises: achieved.authorised,
      autorises_sociaux: achieved.authorisedSocial,
      commences: achieved.started,
      livres: achieved.delivered,
      avancement: progress(target, achieved, now),
      communes: g.length,
    };
  });
  return {
    date: now.toISOString().slice(0, 10),
    communes,
    epci: epci as any,
    note:
      'Logements comptés par année de l’événement (autorisation, ouverture de chantier, livraison) dans la période de l’objectif ; ' +
      'programmes abandonnés et doublons rapprochés exclus. L’objectif est comparé aux logements autorisés. ' +
      'Sitadel ne précise pas le produit des logements sociaux (PLAI, PLUS, PLS) : ils comptent comme sociaux sans détail.',
  };
}

/** New construction per commune and year, for the public page: aggregated, with statistical secrecy on small counts. */
export async function publicByCommune(db: Db, minCount: number, opts: { epci?: string[] } = {}) {
  const year = (col: string) => sql<number>`extract(year from ${sql.ref(`p.${col}`)})::int`;
  const parts = [
    { measure: 'autorises', col: 'date_autorisation' },
    { measure: 'commences', col: 'date_chantier' },
    { measure: 'livres', col: 'date_livraison' },
  ];
  const out = new Map<string, { code_commune: string; commune: string; annee: number; autorises: number | null; commences: number | null; livres: number | null; secret: string[] }>();
  for (const part of parts) {
    let q = db
      .selectFrom('construction_programme as p')
      .innerJoin('commune as c', 'c.code', 'p.commune_code')
      .select(['p.commune_code', 'c.nom'])
      .select(year(part.col).as('annee'))
      .select(sql<number>`sum(p.units)`.as('units'))
      .select(sql<number>`count(*)`.as('n'))
      .where(sql.ref(`p.${part.col}`), 'is not', null)
      .where(countedProgramme)
      .groupBy(['p.commune_code', 'c.nom'])
      .groupBy(year(part.col));
    if (opts.epci?.length) q = q.where('c.epci_siren', 'in', opts.epci);
    for (const r of (await q.execute()) as any[]) {
      const key = `${r.commune_code}|${r.annee}`;
      const row = out.get(key) ?? { code_commune: r.commune_code, commune: r.nom, annee: r.annee, autorises: 0, commences: 0, livres: 0, secret: [] as string[] };
      // Fewer operations than the threshold: the figure could point at a few households' projects.
      if (Number(r.n) < minCount) {
        (row as any)[part.measure] = null;
        row.secret.push(part.measure);
      } else (row as any)[part.measure] = Number(r.units);
      out.set(key, row);
    }
  }
  return [...out.values()].sort((a, b) => a.commune.localeCompare(b.commune) || a.annee - b.annee);
}

/** Counted dwellings per commune (of all, or of these) and pipeline state, for the map (staff only: no secrecy applied). */
export async function unitsByCommune(db: Db, communes?: string[]) {
  let q = db
    .selectFrom('construction_programme as p')
    .select(['p.commune_code', 'p.state'])
    .select(sql<number>`sum(p.units)`.as('units'))
    .select(sql<number>`count(*)`.as('n'));
  if (communes) q = q.where('p.commune_code', 'in', communes.length ? communes : ['']);
  const rows = await q
    .where(countedProgramme)
    .groupBy(['p.commune_code', 'p.state'])
    .execute();
  const out: Record<string, Record<string, { logements: number; programmes: number }>> = {};
  for (const r of rows as any[]) (out[r.commune_code] ??= {})[r.state] = { logements: Number(r.units), programmes: Number(r.n) };
  return out;
}
