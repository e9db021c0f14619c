// PLH steering: types and pure rules (SRU obligations, triennial periods, targets against achievements). No I/O.
// Legal sources are in ../shared/data/rules/sru_rules_and_example.json and plh_rules.json (copied in docs/plh.md).
import type { SruLine } from './contract.ts';

export const CATEGORIES = ['logements', 'logements_sociaux', 'accession_aidee', 'renovation', 'hebergement'] as const;
export type Categorie = (typeof CATEGORIES)[number];
export const CATEGORIE_LABELS: Record<Categorie, string> = {
  logements: 'Logements produits (tous types)',
  logements_sociaux: 'Logements locatifs sociaux financés',
  accession_aidee: 'Accessions aidées',
  renovation: 'Logements rénovés avec aide',
  hebergement: 'Places d’hébergement et d’accueil',
};

export const ACTION_STATUTS = ['a_engager', 'en_cours', 'realisee', 'abandonnee'] as const;
export type ActionStatut = (typeof ACTION_STATUTS)[number];
export const STATUT_LABELS: Record<ActionStatut, string> = {
  a_engager: 'À engager',
  en_cours: 'En cours',
  realisee: 'Réalisée',
  abandonnee: 'Abandonnée',
};

export const AIDE_TYPES = ['logement_social', 'accession', 'renovation', 'gens_du_voyage', 'hebergement_urgence'] as const;
export type AideType = (typeof AIDE_TYPES)[number];
export const AIDE_LABELS: Record<AideType, string> = {
  logement_social: 'Financement du logement social (par opération)',
  accession: 'Accession aidée (primo-accédants)',
  renovation: 'Rénovation des logements occupés',
  gens_du_voyage: 'Accueil des gens du voyage',
  hebergement_urgence: 'Hébergement d’urgence',
};

export const FONCIER_STATUTS = ['identifie', 'etudie', 'maitrise', 'engage', 'realise', 'abandonne'] as const;
export type FoncierStatut = (typeof FONCIER_STATUTS)[number];
export const FONCIER_STATUT_LABELS: Record<FoncierStatut, string> = {
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
export const DEFAULT_TAUX_RATTRAPAGE = 0.33;
/** L302-8: at least 30 % PLAI and at most 30 % PLS of the social dwellings to produce. */
const PART_PLAI_MIN = 0.3;
const PART_PLS_MAX = 0.3;

export interface SruInputs {
  residencesPrincipales: number;
  logementsSociaux: number;
  tauxLegal: number;
  /** Share of the deficit to catch up per period; DEFAULT_TAUX_RATTRAPAGE when absent. */
  tauxRattrapage?: number;
}

export interface SruSituation {
  tauxActuel: number;
  logementsRequis: number;
  deficit: number;
  /** Triennial objective in dwellings, rounded up (rounding rule not verified in the texts: see docs/plh.md). */
  objectifTriennal: number;
  plaiMin: number;
  plsMax: number;
  atteint: boolean;
}

// Floating-point products such as 0.33 × 700 = 231.00000000000003 must not round up to 232.
const ceilSafe = (x: number) => Math.ceil(x - 1e-9) || 0; // `|| 0` turns -0 into 0

export function sruSituation(i: SruInputs): SruSituation {
  if (!(i.residencesPrincipales > 0)) throw new RangeError('residencesPrincipales must be > 0');
  const taux = i.tauxRattrapage ?? DEFAULT_TAUX_RATTRAPAGE;
  const logementsRequis = ceilSafe(i.tauxLegal * i.residencesPrincipales);
  const deficit = Math.max(0, logementsRequis - i.logementsSociaux);
  const objectifTriennal = ceilSafe(deficit * taux);
  return {
    tauxActuel: i.logementsSociaux / i.residencesPrincipales,
    logementsRequis,
    deficit,
    objectifTriennal,
    plaiMin: objectifTriennal * PART_PLAI_MIN,
    plsMax: objectifTriennal * PART_PLS_MAX,
    atteint: deficit === 0,
  };
}

export interface SruLevyInputs {
  deficit: number;
  potentielFiscalParHabitant: number;
  depensesReellesFonctionnement: number;
  depensesDeductibles?: number;
}

/** L302-7 levy: 25 % of the fiscal potential per inhabitant × deficit, capped at 5 % of operating expenses, less deductible expenses. */
export function sruLevy(i: SruLevyInputs): { brut: number; plafond: number; brutPlafonne: number; net: number } {
  const brut = 0.25 * i.potentielFiscalParHabitant * i.deficit;
  const plafond = 0.05 * i.depensesReellesFonctionnement;
  const brutPlafonne = Math.min(brut, plafond);
  const net = Math.max(0, brutPlafonne - (i.depensesDeductibles ?? 0));
  return { brut, plafond, brutPlafonne, net };
}

/** Triennial periods run in 3-year tranches from 1 January 2002 (L302-8 I). */
export function triennialPeriod(year: number): { debut: number; fin: number } {
  const debut = 2002 + Math.floor((year - 2002) / 3) * 3;
  return { debut, fin: debut + 2 };
}

export interface SocialProduction {
  plai: number;
  plus: number;
  pls: number;
}

export interface SruProgress {
  produits: number;
  objectif: number;
  tauxRealisation: number | null;
  partPlai: number | null;
  partPls: number | null;
  plaiRespecte: boolean;
  plsRespecte: boolean;
}

/** What has been produced in a period against the triennial objective, with the PLAI/PLS mix rules. */
export function sruProgress(objectif: number, p: SocialProduction): SruProgress {
  const produits = p.plai + p.plus + p.pls;
  const partPlai = produits > 0 ? p.plai / produits : null;
  const partPls = produits > 0 ? p.pls / produits : null;
  return {
    produits,
    objectif,
    tauxRealisation: objectif > 0 ? produits / objectif : null,
    partPlai,
    partPls,
    // The mix rules apply to the objective: PLAI counted against at least 30 % of it, PLS at most 30 % of it.
    plaiRespecte: p.plai >= objectif * PART_PLAI_MIN - 1e-9,
    plsRespecte: p.pls <= objectif * PART_PLS_MAX + 1e-9 || objectif === 0,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Targets against achievements

export interface Objectif {
  communeCode: string;
  categorie: Categorie;
  anneeDebut: number;
  anneeFin: number;
  valeur: number;
  actionCode?: string | null;
}

export interface AchievementRow {
  communeCode: string;
  categorie: Categorie;
  annee: number;
  valeur: number;
  source: string;
}

export interface AideAccordee {
  reference: string;
  type: AideType;
  communeCode: string;
  annee: number;
  montantEuros: number;
  nbLogements: number;
  nbPlai: number;
  nbPlus: number;
  nbPls: number;
  gainEnergetiquePct?: number | null;
  operation?: string;
  actionCode?: string | null;
}

const SOURCE_AIDES = 'Registre des aides accordées par l’EPCI (Habitat Commun)';

/** Which achievement category an aid counts in, and how many dwellings (or places) it brings. */
function aidAchievement(a: AideAccordee): { categorie: Categorie; valeur: number } | null {
  switch (a.type) {
    case 'logement_social':
      return { categorie: 'logements_sociaux', valeur: a.nbPlai + a.nbPlus + a.nbPls || a.nbLogements };
    case 'accession':
      return { categorie: 'accession_aidee', valeur: a.nbLogements || 1 };
    case 'renovation':
      return { categorie: 'renovation', valeur: a.nbLogements || 1 };
    case 'gens_du_voyage':
    case 'hebergement_urgence':
      return { categorie: 'hebergement', valeur: a.nbLogements };
  }
}

/**
 * All achievements per commune, category and year: aids granted, figures from other modules, entered rows. An entered row for the same
 * commune, category and year replaces the aids' figure, so a figure is never counted twice (the agent's row wins,
 * e.g. an official count that already includes the operations the EPCI financed).
 */
export function mergeAchievements(entered: AchievementRow[], aids: AideAccordee[], platform: AchievementRow[] = []): AchievementRow[] {
  const key = (c: string, k: Categorie, y: number) => `${c}|${k}|${y}`;
  const out = new Map<string, AchievementRow>();
  for (const a of aids) {
    const got = aidAchievement(a);
    if (!got) continue;
    const k = key(a.communeCode, got.categorie, a.annee);
    const prev = out.get(k);
    out.set(k, { communeCode: a.communeCode, categorie: got.categorie, annee: a.annee, valeur: (prev?.valeur ?? 0) + got.valeur, source: SOURCE_AIDES });
  }
  // Figures other modules compute (e.g. dwellings authorised from Sitadel) come next; an agent's entry still wins.
  for (const r of [...platform, ...entered]) out.set(key(r.communeCode, r.categorie, r.annee), r);
  return [...out.values()];
}

export interface TargetStatus {
  communeCode: string;
  categorie: Categorie;
  anneeDebut: number;
  anneeFin: number;
  objectif: number;
  /** Achieved from the start of the target's period up to `jusqua` (inclusive). */
  realise: number;
  /** The share of the period elapsed at `jusqua`: the pace an on-track commune would show. */
  avancementAttendu: number;
  tauxRealisation: number | null;
  sources: string[];
  actionCode?: string | null;
}

export function targetStatus(o: Objectif, achievements: AchievementRow[], jusqua: number): TargetStatus {
  const last = Math.min(jusqua, o.anneeFin);
  const rows = achievements.filter(
    (r) => r.communeCode === o.communeCode && r.categorie === o.categorie && r.annee >= o.anneeDebut && r.annee <= last,
  );
  const realise = rows.reduce((s, r) => s + r.valeur, 0);
  const years = o.anneeFin - o.anneeDebut + 1;
  const elapsed = Math.max(0, Math.min(years, jusqua - o.anneeDebut + 1));
  return {
    communeCode: o.communeCode,
    categorie: o.categorie,
    anneeDebut: o.anneeDebut,
    anneeFin: o.anneeFin,
    objectif: o.valeur,
    realise,
    avancementAttendu: elapsed / years,
    tauxRealisation: o.valeur > 0 ? realise / o.valeur : null,
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
export interface SruInventaire {
  communeCode: string;
  annee: number;
  population: number | null;
  residencesPrincipales: number;
  logementsSociaux: number;
  tauxLegal: number;
  exemptee: boolean;
  potentielFiscalParHabitant: number | null;
  depensesReellesFonctionnement: number | null;
  depensesDeductibles: number | null;
  source: string;
}

// ---------------------------------------------------------------------------------------------------------------
// The API's views (docs/decisions/0004-naming.md: JSON in English beside the glossary's words)

/**
 * A commune's SRU line for a year: its inventory, the obligation its EPCI's catch-up rate gives, and the social
 * dwellings its aids financed in the triennial period. An exempt commune owes no triennial target.
 */
export function sruLine(
  s: SruInventaire & { nom: string },
  catchUpRate: number | undefined,
  aids: Pick<AideAccordee, 'communeCode' | 'annee' | 'nbPlai' | 'nbPlus' | 'nbPls'>[],
  period: { debut: number; fin: number },
): SruLine {
  const situation = sruSituation({ residencesPrincipales: s.residencesPrincipales, logementsSociaux: s.logementsSociaux, tauxLegal: s.tauxLegal, tauxRattrapage: catchUpRate });
  const mine = aids.filter((a) => a.communeCode === s.communeCode && a.annee >= period.debut && a.annee <= period.fin);
  const produced = { plai: mine.reduce((x, a) => x + a.nbPlai, 0), plus: mine.reduce((x, a) => x + a.nbPlus, 0), pls: mine.reduce((x, a) => x + a.nbPls, 0) };
  const target = s.exemptee ? 0 : situation.objectifTriennal;
  const progress = sruProgress(target, produced);
  return {
    commune_code: s.communeCode,
    name: s.nom,
    inventory_year: s.annee,
    population: s.population,
    main_residences: s.residencesPrincipales,
    social_dwellings: s.logementsSociaux,
    legal_rate: s.tauxLegal,
    exempt: s.exemptee,
    current_rate: situation.tauxActuel,
    required_dwellings: situation.logementsRequis,
    deficit: situation.deficit,
    period: `${period.debut}-${period.fin}`,
    triennial_target: target,
    plai_min: s.exemptee ? 0 : situation.plaiMin,
    pls_max: s.exemptee ? 0 : situation.plsMax,
    produced: { ...produced, total: progress.produits },
    rate: progress.tauxRealisation,
    plai_met: progress.plaiRespecte,
    pls_met: progress.plsRespecte,
    source: s.source,
  };
}

/** The estimated net SRU levy of a commune, or null when its inventory lacks the fiscal figures or it is exempt. */
export function sruNetLevy(s: SruInventaire, deficit: number): number | null {
  if (s.potentielFiscalParHabitant === null || s.depensesReellesFonctionnement === null || s.exemptee) return null;
  return sruLevy({ deficit, potentielFiscalParHabitant: s.potentielFiscalParHabitant, depensesReellesFonctionnement: s.depensesReellesFonctionnement, depensesDeductibles: s.depensesDeductibles ?? 0 }).net;
}

/** A target as the API answers it. */
export function targetLine(t: TargetStatus, communeName: string) {
  return {
    commune_code: t.communeCode,
    commune: communeName,
    category: t.categorie,
    start_year: t.anneeDebut,
    end_year: t.anneeFin,
    target: t.objectif,
    achieved: t.realise,
    rate: t.tauxRealisation,
    expected_progress: t.avancementAttendu,
    sources: t.sources,
    action_code: t.actionCode ?? null,
  };
}

/** Targets and achievements summed per category (the club compares EPCIs this way), in the categories' order. */
export function targetsByCategory(targets: TargetStatus[]) {
  const byCat = new Map<Categorie, { target: number; achieved: number }>();
  for (const t of targets) {
    const c = byCat.get(t.categorie) ?? { target: 0, achieved: 0 };
    c.target += t.objectif;
    c.achieved += t.realise;
    byCat.set(t.categorie, c);
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
export function aidProblem(a: Pick<AideAccordee, 'type' | 'nbLogements' | 'nbPlai' | 'nbPlus' | 'nbPls'>): string | null {
  if (a.type === 'logement_social' && a.nbPlai + a.nbPlus + a.nbPls === 0 && a.nbLogements === 0)
    return 'Une aide au logement social porte sur au moins un logement (PLAI, PLUS ou PLS).';
  return null;
}

/** Why a land site cannot be saved, or null: its parcel lies in its commune; longitude and latitude go together. */
export function landProblem(f: { communeCode: string; parcelle: string | null; longitude: number | null; latitude: number | null }): { code: string; message: string } | null {
  if (f.parcelle && !f.parcelle.startsWith(f.communeCode))
    return { code: 'plh.parcel_outside_commune', message: `La parcelle ${f.parcelle} n’est pas dans la commune ${f.communeCode} (ses 5 premiers caractères sont le code INSEE).` };
  if ((f.longitude === null) !== (f.latitude === null)) return { code: 'plh.coordinates', message: 'Indiquez la longitude et la latitude ensemble, ou aucune des deux.' };
  return null;
}
