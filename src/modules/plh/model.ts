// PLH steering: types and pure rules (SRU obligations, triennial periods, targets against achievements). No I/O.
// Legal sources are in ../shared/data/rules/sru_rules_and_example.json and plh_rules.json (copied in docs/plh.md).
import type { SruLine } from './contract.ts';

export const CATEGORIES = ['logements', 'logements_sociaux', 'accession_aidee', 'renovation', 'hebergement'] as const;
export type Category = (typeof CATEGORIES)[number];
export const CATEGORY_LABELS: Record<Category, string> = {
  logements: 'Logements produits (tous types)',
  logements_sociaux: 'Logements locatifs sociaux financés',
  accession_aidee: 'Accessions aidées',
  renovation: 'Logements rénovés avec aide',
  hebergement: 'Places d’hébergement et d’accueil',
};

export const ACTION_STATUSES = ['a_engager', 'en_cours', 'realisee', 'abandonnee'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];
export const ACTION_STATUS_LABELS: Record<ActionStatus, string> = {
  a_engager: 'À engager',
  en_cours: 'En cours',
  realisee: 'Réalisée',
  abandonnee: 'Abandonnée',
};

export const AID_TYPES = ['logement_social', 'accession', 'renovation', 'gens_du_voyage', 'hebergement_urgence'] as const;
export type AidType = (typeof AID_TYPES)[number];
export const AID_LABELS: Record<AidType, string> = {
  logement_social: 'Financement du logement social (par opération)',
  accession: 'Accession aidée (primo-accédants)',
  renovation: 'Rénovation des logements occupés',
  gens_du_voyage: 'Accueil des gens du voyage',
  hebergement_urgence: 'Hébergement d’urgence',
};

export const LAND_STATUSES = ['identifie', 'etudie', 'maitrise', 'engage', 'realise', 'abandonne'] as const;
export type LandStatus = (typeof LAND_STATUSES)[number];
export const LAND_STATUS_LABELS: Record<LandStatus, string> = {
  identifie: 'Identifié',
  etudie: 'À l’étude',
  maitrise: 'Maîtrisé',
  engage: 'Projet engagé',
  realise: 'Réalisé',
  abandonne: 'Abandonné',
};

// ---------------------------------------------------------------------------------------------------------------
// SRU (CCH L302-5, L302-7, L302-8)

/** General catch-up rate of the deficit per triennial period (loi 3DS art. 68). */
export const DEFAULT_CATCH_UP_RATE = 0.33;
/** L302-8: at least 30 % PLAI and at most 30 % PLS of the social dwellings to produce. */
const PLAI_SHARE_MIN = 0.3;
const PLS_SHARE_MAX = 0.3;

export interface SruInputs {
  mainResidences: number;
  socialDwellings: number;
  legalRate: number;
  /** Share of the deficit to catch up per period; DEFAULT_TAUX_RATTRAPAGE when absent. */
  catchUpRate?: number;
}

export interface SruSituation {
  currentRate: number;
  requiredDwellings: number;
  deficit: number;
  /** Triennial objective in dwellings, rounded up (rounding rule not verified in the texts: see docs/plh.md). */
  triennialTarget: number;
  plaiMin: number;
  plsMax: number;
  met: boolean;
}

// Floating-point products such as 0.33 × 700 = 231.00000000000003 must not round up to 232.
const ceilSafe = (x: number) => Math.ceil(x - 1e-9) || 0; // `|| 0` turns -0 into 0

export function sruSituation(i: SruInputs): SruSituation {
  if (!(i.mainResidences > 0)) throw new RangeError('residencesPrincipales must be > 0');
  const taux = i.catchUpRate ?? DEFAULT_CATCH_UP_RATE;
  const requiredDwellings = ceilSafe(i.legalRate * i.mainResidences);
  const deficit = Math.max(0, requiredDwellings - i.socialDwellings);
  const triennialTarget = ceilSafe(deficit * taux);
  return {
    currentRate: i.socialDwellings / i.mainResidences,
    requiredDwellings,
    deficit,
    triennialTarget,
    plaiMin: triennialTarget * PLAI_SHARE_MIN,
    plsMax: triennialTarget * PLS_SHARE_MAX,
    met: deficit === 0,
  };
}

export interface SruLevyInputs {
  deficit: number;
  fiscalPotentialPerInhabitant: number;
  operatingExpenses: number;
  deductibleExpenses?: number;
}

/** L302-7 levy: 25 % of the fiscal potential per inhabitant × deficit, capped at 5 % of operating expenses, less deductible expenses. */
export function sruLevy(i: SruLevyInputs): { gross: number; cap: number; cappedGross: number; net: number } {
  const brut = 0.25 * i.fiscalPotentialPerInhabitant * i.deficit;
  const plafond = 0.05 * i.operatingExpenses;
  const brutPlafonne = Math.min(brut, plafond);
  const net = Math.max(0, brutPlafonne - (i.deductibleExpenses ?? 0));
  return { gross: brut, cap: plafond, cappedGross: brutPlafonne, net };
}

/** Triennial periods run in 3-year tranches from 1 January 2002 (L302-8 I). */
export function triennialPeriod(year: number): { start: number; end: number } {
  const debut = 2002 + Math.floor((year - 2002) / 3) * 3;
  return { start: debut, end: debut + 2 };
}

export interface SocialProduction {
  plai: number;
  plus: number;
  pls: number;
}

export interface SruProgress {
  produced: number;
  target: number;
  achievementRate: number | null;
  plaiShare: number | null;
  plsShare: number | null;
  plaiMet: boolean;
  plsMet: boolean;
}

/** What has been produced in a period against the triennial objective, with the PLAI/PLS mix rules. */
export function sruProgress(target: number, p: SocialProduction): SruProgress {
  const produits = p.plai + p.plus + p.pls;
  const plaiShare = produits > 0 ? p.plai / produits : null;
  const plsShare = produits > 0 ? p.pls / produits : null;
  return {
    produced: produits,
    target,
    achievementRate: target > 0 ? produits / target : null,
    plaiShare,
    plsShare,
    // The mix rules apply to the objective: PLAI counted against at least 30 % of it, PLS at most 30 % of it.
    plaiMet: p.plai >= target * PLAI_SHARE_MIN - 1e-9,
    plsMet: p.pls <= target * PLS_SHARE_MAX + 1e-9 || target === 0,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Targets against achievements

export interface ProgrammeTarget {
  communeCode: string;
  category: Category;
  startYear: number;
  endYear: number;
  value: number;
  actionCode?: string | null;
}

export interface AchievementRow {
  communeCode: string;
  category: Category;
  year: number;
  value: number;
  source: string;
}

export interface GrantedAid {
  reference: string;
  type: AidType;
  communeCode: string;
  year: number;
  amountEuros: number;
  dwellingsCount: number;
  plaiCount: number;
  plusCount: number;
  plsCount: number;
  energyGainPct?: number | null;
  operation?: string;
  actionCode?: string | null;
}

const SOURCE_AIDS = 'Registre des aides accordées par l’EPCI (Habitat Commun)';

/** Which achievement category an aid counts in, and how many dwellings (or places) it brings. */
function aidAchievement(a: GrantedAid): { category: Category; value: number } | null {
  switch (a.type) {
    case 'logement_social':
      return { category: 'logements_sociaux', value: a.plaiCount + a.plusCount + a.plsCount || a.dwellingsCount };
    case 'accession':
      return { category: 'accession_aidee', value: a.dwellingsCount || 1 };
    case 'renovation':
      return { category: 'renovation', value: a.dwellingsCount || 1 };
    case 'gens_du_voyage':
    case 'hebergement_urgence':
      return { category: 'hebergement', value: a.dwellingsCount };
  }
}

/**
 * All achievements per commune, category and year: aids granted, figures from other modules, entered rows. An entered row for the same
 * commune, category and year replaces the aids' figure, so a figure is never counted twice (the agent's row wins,
 * e.g. an official count that already includes the operations the EPCI financed).
 */
export function mergeAchievements(entered: AchievementRow[], aids: GrantedAid[], platform: AchievementRow[] = []): AchievementRow[] {
  const key = (c: string, k: Category, y: number) => `${c}|${k}|${y}`;
  const out = new Map<string, AchievementRow>();
  for (const a of aids) {
    const got = aidAchievement(a);
    if (!got) continue;
    const k = key(a.communeCode, got.category, a.year);
    const prev = out.get(k);
    out.set(k, { communeCode: a.communeCode, category: got.category, year: a.year, value: (prev?.value ?? 0) + got.value, source: SOURCE_AIDS });
  }
  // Figures other modules compute (e.g. dwellings authorised from Sitadel) come next; an agent's entry still wins.
  for (const r of [...platform, ...entered]) out.set(key(r.communeCode, r.category, r.year), r);
  return [...out.values()];
}

export interface TargetStatus {
  communeCode: string;
  category: Category;
  startYear: number;
  endYear: number;
  target: number;
  /** Achieved from the start of the target's period up to `jusqua` (inclusive). */
  achieved: number;
  /** The share of the period elapsed at `jusqua`: the pace an on-track commune would show. */
  expectedProgress: number;
  achievementRate: number | null;
  sources: string[];
  actionCode?: string | null;
}

export function targetStatus(o: ProgrammeTarget, achievements: AchievementRow[], upTo: number): TargetStatus {
  const last = Math.min(upTo, o.endYear);
  const rows = achievements.filter(
    (r) => r.communeCode === o.communeCode && r.category === o.category && r.year >= o.startYear && r.year <= last,
  );
  const achieved = rows.reduce((s, r) => s + r.value, 0);
  const years = o.endYear - o.startYear + 1;
  const elapsed = Math.max(0, Math.min(years, upTo - o.startYear + 1));
  return {
    communeCode: o.communeCode,
    category: o.category,
    startYear: o.startYear,
    endYear: o.endYear,
    target: o.value,
    achieved,
    expectedProgress: elapsed / years,
    achievementRate: o.value > 0 ? achieved / o.value : null,
    sources: [...new Set(rows.map((r) => r.source))].sort(),
    actionCode: o.actionCode ?? null,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Formatting shared by the bilans (HTML, DOCX, PDF) and the web: French, plain spaces (the PDF's standard font has
// no narrow no-break space), no locale data needed.

export function formatInt(n: number): string {
  const s = Math.round(Math.abs(n)).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return n < 0 && Math.round(Math.abs(n)) !== 0 ? `-${s}` : s;
}

export function formatEuros(n: number): string {
  return `${formatInt(n)} €`;
}

export function formatPct(x: number | null, digits = 1): string {
  if (x === null || !Number.isFinite(x)) return '—';
  return `${(x * 100).toFixed(digits).replace('.', ',')} %`;
}

/** Where the dwellings authorised read from the construction module come from (a bilan names its sources). */
export const SOURCE_SITADEL = 'Sitadel, logements autorisés (permis de construire, module construction de Habitat Commun)';

/** A commune's SRU inventory for one year (as notified by the State). */
export interface SruInventory {
  communeCode: string;
  year: number;
  population: number | null;
  mainResidences: number;
  socialDwellings: number;
  legalRate: number;
  exempt: boolean;
  fiscalPotentialPerInhabitant: number | null;
  operatingExpenses: number | null;
  deductibleExpenses: number | null;
  source: string;
}

// ---------------------------------------------------------------------------------------------------------------
// The API's views (docs/decisions/0004-naming.md: JSON in English beside the glossary's words)

/**
 * A commune's SRU line for a year: its inventory, the obligation its EPCI's catch-up rate gives, and the social
 * dwellings its aids financed in the triennial period. An exempt commune owes no triennial target.
 */
export function sruLine(
  s: SruInventory & { name: string },
  catchUpRate: number | undefined,
  aids: Pick<GrantedAid, 'communeCode' | 'year' | 'plaiCount' | 'plusCount' | 'plsCount'>[],
  period: { start: number; end: number },
): SruLine {
  const situation = sruSituation({ mainResidences: s.mainResidences, socialDwellings: s.socialDwellings, legalRate: s.legalRate, catchUpRate });
  const mine = aids.filter((a) => a.communeCode === s.communeCode && a.year >= period.start && a.year <= period.end);
  const produced = { plai: mine.reduce((x, a) => x + a.plaiCount, 0), plus: mine.reduce((x, a) => x + a.plusCount, 0), pls: mine.reduce((x, a) => x + a.plsCount, 0) };
  const target = s.exempt ? 0 : situation.triennialTarget;
  const progress = sruProgress(target, produced);
  return {
    commune_code: s.communeCode,
    name: s.name,
    inventory_year: s.year,
    population: s.population,
    main_residences: s.mainResidences,
    social_dwellings: s.socialDwellings,
    legal_rate: s.legalRate,
    exempt: s.exempt,
    current_rate: situation.currentRate,
    required_dwellings: situation.requiredDwellings,
    deficit: situation.deficit,
    period: `${period.start}-${period.end}`,
    triennial_target: target,
    plai_min: s.exempt ? 0 : situation.plaiMin,
    pls_max: s.exempt ? 0 : situation.plsMax,
    produced: { ...produced, total: progress.produced },
    rate: progress.achievementRate,
    plai_met: progress.plaiMet,
    pls_met: progress.plsMet,
    source: s.source,
  };
}

/** The estimated net SRU levy of a commune, or null when its inventory lacks the fiscal figures or it is exempt. */
export function sruNetLevy(s: SruInventory, deficit: number): number | null {
  if (s.fiscalPotentialPerInhabitant === null || s.operatingExpenses === null || s.exempt) return null;
  return sruLevy({ deficit, fiscalPotentialPerInhabitant: s.fiscalPotentialPerInhabitant, operatingExpenses: s.operatingExpenses, deductibleExpenses: s.deductibleExpenses ?? 0 }).net;
}

/** A target as the API answers it. */
export function targetLine(t: TargetStatus, communeName: string) {
  return {
    commune_code: t.communeCode,
    commune: communeName,
    category: t.category,
    start_year: t.startYear,
    end_year: t.endYear,
    target: t.target,
    achieved: t.achieved,
    rate: t.achievementRate,
    expected_progress: t.expectedProgress,
    sources: t.sources,
    action_code: t.actionCode ?? null,
  };
}

/** Targets and achievements summed per category (the club compares EPCIs this way), in the categories' order. */
export function targetsByCategory(targets: TargetStatus[]) {
  const byCat = new Map<Category, { target: number; achieved: number }>();
  for (const t of targets) {
    const c = byCat.get(t.category) ?? { target: 0, achieved: 0 };
    c.target += t.target;
    c.achieved += t.achieved;
    byCat.set(t.category, c);
  }
  return CATEGORIES.filter((c) => byCat.has(c)).map((category) => {
    const c = byCat.get(category)!;
    return { category, target: c.target, achieved: c.achieved, rate: c.target ? c.achieved / c.target : null };
  });
}

/** An EPCI's SRU lines summed: communes in deficit (exempt ones left out), total deficit and triennial target. */
export function sruSummary(lines: SruLine[]) {
  if (!lines.length) return null;
  return {
    communes: lines.length,
    in_deficit: lines.filter((l) => l.deficit > 0 && !l.exempt).length,
    deficit: lines.reduce((x, l) => x + l.deficit, 0),
    triennial_target: lines.reduce((x, l) => x + l.triennial_target, 0),
  };
}

/** Why an aid cannot be saved (a French sentence), or null: a social housing aid is for at least one dwelling. */
export function aidProblem(a: Pick<GrantedAid, 'type' | 'dwellingsCount' | 'plaiCount' | 'plusCount' | 'plsCount'>): string | null {
  if (a.type === 'logement_social' && a.plaiCount + a.plusCount + a.plsCount === 0 && a.dwellingsCount === 0)
    return 'Une aide au logement social porte sur au moins un logement (PLAI, PLUS ou PLS).';
  return null;
}

/** Why a land site cannot be saved, or null: its parcel lies in its commune; longitude and latitude go together. */
export function landProblem(f: { communeCode: string; parcel: string | null; longitude: number | null; latitude: number | null }): { code: string; message: string } | null {
  if (f.parcel && !f.parcel.startsWith(f.communeCode))
    return { code: 'plh.parcel_outside_commune', message: `La parcelle ${f.parcel} n’est pas dans la commune ${f.communeCode} (ses 5 premiers caractères sont le code INSEE).` };
  if ((f.longitude === null) !== (f.latitude === null)) return { code: 'plh.coordinates', message: 'Indiquez la longitude et la latitude ensemble, ou aucune des deux.' };
  return null;
}
