// Social-housing demands and the cotation grid: types and pure rules, no I/O.
// A grid is data (JSON validated here); `scoreDemand` evaluates it and returns one line per criterion,
// so every point of a score can be explained to the household.
import { z } from 'zod';
import { SIREN } from '../territory/model.ts';
import {
  ConditionSchema,
  checkCondition,
  describeCondition,
  evaluateCondition,
  type FactValue,
  type Facts,
} from './conditions.ts';

export { type Facts } from './conditions.ts';

export const TYPOLOGIES = ['T1', 'T2', 'T3', 'T4', 'T5', 'T6'] as const;
export type Typology = (typeof TYPOLOGIES)[number];

/** Current housing situation, as the SNE form (Cerfa 14069) groups it. */
export const HOUSING_SITUATIONS = {
  locataire_hlm: 'Locataire du parc social',
  locataire_prive: 'Locataire du parc privé',
  proprietaire: 'Propriétaire occupant',
  heberge_famille: 'Hébergé par la famille',
  heberge_tiers: 'Hébergé chez un particulier',
  hotel: 'À l’hôtel',
  structure_hebergement: 'En structure d’hébergement',
  sans_abri: 'Sans abri ou habitat de fortune',
  logement_fonction: 'En logement de fonction',
  autre: 'Autre situation',
} as const;
export type HousingSituation = keyof typeof HOUSING_SITUATIONS;

/** Priority situations (CCH L441-1 and the usual SNE motives), each a yes/no fact. */
const PRIORITY_FLAGS = {
  dalo: 'Reconnu prioritaire DALO',
  pdalhpd: 'Public prioritaire du PDALHPD',
  handicap: 'Handicap ou perte d’autonomie',
  violences: 'Violences familiales ou conjugales',
  menace_expulsion: 'Menacé d’expulsion',
  insalubrite: 'Logement insalubre, indigne ou en péril',
  decohabitation: 'Cesser d’habiter dans le même logement qu’une autre personne',
  chez_parents: 'Habite chez ses parents',
} as const;
export type PriorityFlag = keyof typeof PRIORITY_FLAGS;
export const PRIORITY_FLAG_NAMES = Object.keys(PRIORITY_FLAGS) as PriorityFlag[];

/** The SNE's statuses of a demand: waiting, attributed (attribuée), struck off (radiée). */
export const DEMAND_STATUSES = ['active', 'attribuee', 'radiee'] as const;
export type DemandStatus = (typeof DEMAND_STATUSES)[number];

/** The SNE's « numéro unique »: 6 to 20 digits or capital letters. */
export const DEMAND_NUMBER = /^[0-9A-Z]{6,20}$/;

/** A grid version is a draft until an administrator adopts it; an adopted one never changes. */
export const GRID_STATUSES = ['draft', 'adopted'] as const;
export type GridStatus = (typeof GRID_STATUSES)[number];

/** What the score depends on. Identity and contact details live apart (DemandPerson): the score never needs them. */
export interface Demand {
  /** The SNE's « numéro unique ». */
  number: string;
  epci_siren: string;
  /** ISO date of first registration: seniority counts from it, renewals do not reset it. */
  filing_date: string;
  renewal_date: string | null;
  status: DemandStatus;
  adults: number;
  children: number;
  /** Household resources per month, euros. */
  monthly_income: number | null;
  /** Current rent after housing aid, euros per month. */
  residual_rent: number | null;
  housing_situation: HousingSituation;
  /** Living area of the current dwelling, m². */
  current_surface: number | null;
  typology: Typology;
  /** Wished communes, INSEE codes, first choice first. */
  communes: string[];
  /** Already a social tenant asking to move (demande de mutation). */
  mutation: boolean;
  flags: PriorityFlag[];
  /** Refusals of an adapted proposal, counted by the grid's refusal rule. */
  refusals: number;
}

export interface DemandPerson {
  last_name: string;
  first_name: string;
  birth_date: string | null;
  email: string | null;
  phone: string | null;
}

export interface Attribution {
  filing_date: string;
  attribution_date: string;
  commune_code: string;
  typology: Typology;
}

// ---------------------------------------------------------------------------------------------------------
// Facts: the fields a grid's conditions may use, derived from a demand at a reference date.

export type FactType = 'number' | 'boolean' | 'text';
export const FACT_FIELDS: Record<string, { label: string; type: FactType; values?: Record<string, string> }> = {
  anciennete_mois: { label: 'Ancienneté de la demande (mois)', type: 'number' },
  nb_adultes: { label: 'Nombre d’adultes', type: 'number' },
  nb_enfants: { label: 'Nombre d’enfants', type: 'number' },
  nb_personnes: { label: 'Nombre de personnes du ménage', type: 'number' },
  parent_isole: { label: 'Parent isolé', type: 'boolean' },
  ressources_mensuelles: { label: 'Ressources mensuelles du ménage (€)', type: 'number' },
  loyer_residuel: { label: 'Loyer actuel après aides (€ par mois)', type: 'number' },
  taux_effort: { label: 'Taux d’effort (% des ressources consacré au loyer)', type: 'number' },
  surface_logement: { label: 'Surface du logement actuel (m²)', type: 'number' },
  sur_occupation: { label: 'Logement actuel sur-occupé', type: 'boolean' },
  situation_logement: { label: 'Situation de logement actuelle', type: 'text', values: HOUSING_SITUATIONS },
  typologie: { label: 'Typologie demandée', type: 'text', values: Object.fromEntries(TYPOLOGIES.map((t) => [t, t])) },
  mutation: { label: 'Demande de mutation (déjà locataire du parc social)', type: 'boolean' },
  nb_refus: { label: 'Nombre de refus d’un logement adapté', type: 'number' },
  ...Object.fromEntries(PRIORITY_FLAG_NAMES.map((f) => [f, { label: PRIORITY_FLAGS[f], type: 'boolean' as const }])),
};

/** Whole months from `from` to `to` (ISO dates); a month counts once its day is reached. Never negative. */
export function monthsBetween(from: string, to: string): number {
  const [y1, m1, d1] = from.split('-').map(Number);
  const [y2, m2, d2] = to.split('-').map(Number);
  const months = (y2 - y1) * 12 + (m2 - m1) - (d2 < d1 ? 1 : 0);
  return Math.max(0, months);
}

/**
 * Minimum living area for a household (décret décence n° 2002-120 and the CAF rule for housing aid):
 * 16 m² for two people, plus 9 m² per additional person; 9 m² for one person.
 */
export function minimumSurface(persons: number): number {
  return persons <= 1 ? 9 : 16 + 9 * (persons - 2);
}

export function deriveFacts(d: Demand, refDate: string): Facts {
  const persons = d.adults + d.children;
  const effort =
    d.monthly_income && d.monthly_income > 0 && d.residual_rent !== null
      ? Math.round((d.residual_rent / d.monthly_income) * 1000) / 10
      : null;
  const facts: Record<string, FactValue> = {
    anciennete_mois: monthsBetween(d.filing_date, refDate),
    nb_adultes: d.adults,
    nb_enfants: d.children,
    nb_personnes: persons,
    parent_isole: d.adults === 1 && d.children > 0,
    ressources_mensuelles: d.monthly_income,
    loyer_residuel: d.residual_rent,
    taux_effort: effort,
    surface_logement: d.current_surface,
    sur_occupation: d.current_surface !== null && d.current_surface < minimumSurface(persons),
    situation_logement: d.housing_situation,
    typologie: d.typology,
    mutation: d.mutation,
    nb_refus: d.refusals,
  };
  for (const f of PRIORITY_FLAG_NAMES) facts[f] = d.flags.includes(f);
  return facts;
}

// ---------------------------------------------------------------------------------------------------------
// The grid.

const id = z.string().regex(/^[a-z][a-z0-9_]*$/, 'identifiant en minuscules, chiffres et _ (ex. menace_expulsion)');
/** An ISO date (AAAA-MM-JJ): grids, demands and attributions use no other. */
export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date au format AAAA-MM-JJ');

const CriterionSchema = z.object({
  id,
  label: z.string().min(1),
  /** Points when the condition holds. Losses come only from the refusal rule, so sections stay monotone. */
  points: z.number().min(0).max(10000),
  condition: ConditionSchema,
  description: z.string().optional(),
});
export type Criterion = z.infer<typeof CriterionSchema>;

const SECTION_MODES = { meilleur: 'Meilleur critère', somme: 'Somme' } as const;
const SectionSchema = z.object({
  id,
  label: z.string().min(1),
  /** « meilleur »: only the satisfied criterion with the most points counts; « somme »: all satisfied criteria add up. */
  mode: z.enum(['meilleur', 'somme']),
  /** Most points the section may give; null = no cap. */
  cap: z.number().min(0).nullable().default(null),
  criteria: z.array(CriterionSchema).min(1),
});
export type Section = z.infer<typeof SectionSchema>;

/**
 * The keys of a grid written before the naming rule (API 1.0.0): such files are still read, their keys renamed.
 * The conditions' fields and the section modes are the grid's own French vocabulary and did not change.
 */
const LEGACY_GRID_KEYS: Record<string, string> = { epciSiren: 'epci_siren', validFrom: 'valid_from', validTo: 'valid_to', abnormalDelay: 'abnormal_delay' };
const LEGACY_RULE_KEYS: Record<string, string> = { pointsPerMonth: 'points_per_month', pointsPerRefusal: 'points_per_refusal', maxLoss: 'max_loss' };
const renameKeys = (o: unknown, names: Record<string, string>): unknown =>
  o && typeof o === 'object' && !Array.isArray(o) ? Object.fromEntries(Object.entries(o).map(([k, v]) => [names[k] ?? k, v])) : o;
function fromLegacyKeys(input: unknown): unknown {
  if (!input || typeof input !== 'object' || Array.isArray(input) || !Object.keys(input).some((k) => k in LEGACY_GRID_KEYS)) return input;
  const g = renameKeys(input, LEGACY_GRID_KEYS) as Record<string, unknown>;
  return { ...g, seniority: renameKeys(g.seniority, LEGACY_RULE_KEYS), refusals: renameKeys(g.refusals, LEGACY_RULE_KEYS) };
}

/** A cotation grid: the document an EPCI adopts (files, the web form, the API) and the store keeps. */
const gridSchema = z
  .object({
    name: z.string().min(1),
    epci_siren: z.string().regex(SIREN).nullable().default(null),
    version: z.number().int().min(1),
    valid_from: isoDate,
    valid_to: isoDate.nullable().default(null),
    sections: z.array(SectionSchema),
    seniority: z
      .object({
        label: z.string().default('Ancienneté de la demande'),
        points_per_month: z.number().min(0),
        cap: z.number().min(0).nullable().default(null),
      })
      .nullable()
      .default(null),
    abnormal_delay: z
      .object({
        label: z.string().default('Délai anormalement long dépassé'),
        /** The bonus applies when seniority is strictly greater than this many months. */
        months: z.number().int().min(1),
        points: z.number().min(0),
      })
      .nullable()
      .default(null),
    refusals: z
      .object({
        label: z.string().default('Refus d’un logement adapté'),
        /** Points lost per refusal of an adapted proposal. */
        points_per_refusal: z.number().min(0),
        /** Most points the refusals may take away; null = no limit. */
        max_loss: z.number().min(0).nullable().default(null),
      })
      .nullable()
      .default(null),
    provenance: z
      .object({ sources: z.array(z.string()), completeness: z.string(), note: z.string().optional() })
      .optional(),
  })
  .superRefine((g, ctx) => {
    const seen = new Set<string>(RESERVED_SECTIONS);
    for (const [si, s] of g.sections.entries()) {
      if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: ['sections', si, 'id'], message: `identifiant « ${s.id} » déjà utilisé ou réservé` });
      seen.add(s.id);
      for (const [ci, c] of s.criteria.entries()) {
        const path = ['sections', si, 'criteria', ci];
        if (seen.has(c.id)) ctx.addIssue({ code: 'custom', path: [...path, 'id'], message: `identifiant « ${c.id} » déjà utilisé` });
        seen.add(c.id);
        for (const p of checkCondition(c.condition, FACT_FIELDS)) {
          ctx.addIssue({ code: 'custom', path: [...path, 'condition'], message: p });
        }
      }
    }
    if (g.valid_to && g.valid_to <= g.valid_from) {
      ctx.addIssue({ code: 'custom', path: ['valid_to'], message: 'la fin de validité doit suivre le début' });
    }
  });
export type Grid = z.infer<typeof gridSchema>;
const RESERVED_SECTIONS = ['anciennete', 'refus'];

/** Parses a grid, or throws an Error whose message lists every problem in French with its place. */
export function parseGrid(input: unknown): Grid {
  const r = gridSchema.safeParse(fromLegacyKeys(input));
  if (r.success) return r.data;
  throw new GridError(r.error.issues.map((i) => `${i.path.join('.') || 'grille'} : ${i.message}`));
}

export class GridError extends Error {
  constructor(readonly problems: string[]) {
    super(`Grille de cotation invalide : ${problems.join(' ; ')}`);
    this.name = 'GridError';
  }
}

/** The grid as published (R441-2-17): every criterion with its condition in words. */
export function publishGrid(g: Grid) {
  return {
    name: g.name,
    version: g.version,
    valid_from: g.valid_from,
    valid_to: g.valid_to,
    seniority: g.seniority,
    abnormal_delay: g.abnormal_delay,
    refusals: g.refusals,
    sections: g.sections.map((s) => ({
      id: s.id,
      label: s.label,
      mode: s.mode,
      mode_label: SECTION_MODES[s.mode],
      cap: s.cap,
      criteria: s.criteria.map((c) => ({ id: c.id, label: c.label, points: c.points, condition_text: describeCondition(c.condition, FACT_FIELDS) })),
    })),
    provenance: g.provenance ?? null,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Scoring.

interface ScoreLine {
  criterion_id: string;
  label: string;
  /** Whether the demand meets the criterion. */
  satisfied: boolean;
  /** Points this line brings to its section before the section cap (0 when not counted). */
  points: number;
  /** Points the criterion gives when met (negative for losses). */
  potential: number;
  /** Why the line counts or not, in plain French. */
  note: string;
}
export interface SectionScore {
  id: string;
  label: string;
  mode: 'meilleur' | 'somme';
  cap: number | null;
  /** Sum (or best) of the lines before the cap. */
  raw: number;
  points: number;
  capped: boolean;
  lines: ScoreLine[];
}
export interface ScoreResult {
  total: number;
  ref_date: string;
  grid_version: number;
  sections: SectionScore[];
}

const round2 = (x: number) => Math.round(x * 100) / 100;

export function scoreDemand(grid: Grid, demand: Demand, refDate: string): ScoreResult {
  return scoreFacts(grid, deriveFacts(demand, refDate), refDate);
}

function scoreFacts(grid: Grid, facts: Facts, refDate: string): ScoreResult {
  const sections: SectionScore[] = [];
  const seniority = seniorityLines(grid, facts);
  if (seniority.length) sections.push(capSection({ id: 'anciennete', label: 'Ancienneté', mode: 'somme', cap: null }, seniority));
  for (const s of grid.sections) sections.push(scoreSection(s, facts));
  if (grid.refusals) {
    const r = grid.refusals;
    const count = Number(facts.nb_refus ?? 0);
    const loss = Math.min(count * r.points_per_refusal, r.max_loss ?? Infinity);
    const line: ScoreLine = {
      criterion_id: 'refus',
      label: r.label,
      satisfied: count > 0,
      points: -round2(loss),
      potential: -r.points_per_refusal,
      note:
        count > 0
          ? `${count} refus × ${r.points_per_refusal} point(s)${r.max_loss !== null && count * r.points_per_refusal > r.max_loss ? `, limité à ${r.max_loss} points` : ''}.`
          : 'Aucun refus enregistré.',
    };
    sections.push({ id: 'refus', label: 'Refus', mode: 'somme', cap: null, raw: line.points, points: line.points, capped: false, lines: [line] });
  }
  // A score is never negative: refusals lower a score, they do not create a debt.
  const total = Math.max(0, round2(sections.reduce((a, s) => a + s.points, 0)));
  return { total, ref_date: refDate, grid_version: grid.version, sections };
}

function seniorityLines(grid: Grid, facts: Facts): ScoreLine[] {
  const months = Number(facts.anciennete_mois ?? 0);
  const lines: ScoreLine[] = [];
  if (grid.seniority) {
    const s = grid.seniority;
    const raw = months * s.points_per_month;
    const pts = round2(Math.min(raw, s.cap ?? Infinity));
    lines.push({
      criterion_id: 'anciennete_mois',
      label: s.label,
      satisfied: months > 0,
      points: pts,
      potential: s.points_per_month,
      note: `${months} mois × ${s.points_per_month} point(s) par mois${s.cap !== null && raw > s.cap ? `, plafonné à ${s.cap} points` : ''}.`,
    });
  }
  if (grid.abnormal_delay) {
    const a = grid.abnormal_delay;
    const met = months > a.months;
    lines.push({
      criterion_id: 'delai_anormalement_long',
      label: a.label,
      satisfied: met,
      points: met ? a.points : 0,
      potential: a.points,
      note: met ? `Demande de plus de ${a.months} mois.` : `S’applique après ${a.months} mois d’attente.`,
    });
  }
  return lines;
}

export function scoreSection(s: Section, facts: Facts): SectionScore {
  const met = s.criteria.map((c) => evaluateCondition(c.condition, facts));
  let best = -1;
  if (s.mode === 'meilleur') {
    for (let i = 0; i < s.criteria.length; i++) {
      if (met[i] && (best < 0 || s.criteria[i].points > s.criteria[best].points)) best = i;
    }
  }
  const lines: ScoreLine[] = s.criteria.map((c, i) => {
    if (!met[i]) return { criterion_id: c.id, label: c.label, satisfied: false, points: 0, potential: c.points, note: 'Ne s’applique pas à cette demande.' };
    const counted = s.mode === 'somme' || i === best;
    return {
      criterion_id: c.id,
      label: c.label,
      satisfied: true,
      points: counted ? c.points : 0,
      potential: c.points,
      note: counted
        ? s.mode === 'meilleur'
          ? 'Critère retenu : le plus favorable de la rubrique.'
          : 'Critère rempli.'
        : 'Critère rempli, mais seul le critère le plus favorable de la rubrique compte.',
    };
  });
  return capSection(s, lines);
}

function capSection(s: Pick<Section, 'id' | 'label' | 'mode' | 'cap'>, lines: ScoreLine[]): SectionScore {
  const raw = round2(lines.reduce((a, l) => a + l.points, 0));
  const points = s.cap === null ? raw : Math.min(raw, s.cap);
  return { id: s.id, label: s.label, mode: s.mode, cap: s.cap, raw, points, capped: points < raw, lines };
}

// ---------------------------------------------------------------------------------------------------------
// Versions: which grid is in force, and no two adopted versions of one EPCI may overlap.

export interface GridPeriod {
  id: string;
  valid_from: string;
  valid_to: string | null;
}

export function inForce<T extends GridPeriod>(versions: T[], date: string): T | undefined {
  return versions
    .filter((v) => v.valid_from <= date && (v.valid_to === null || date < v.valid_to))
    .sort((a, b) => (a.valid_from < b.valid_from ? 1 : -1))[0];
}

export function overlapping<T extends GridPeriod>(versions: T[], candidate: GridPeriod): T | undefined {
  const end = (v: GridPeriod) => v.valid_to ?? '9999-12-31';
  return versions.find((v) => v.id !== candidate.id && v.valid_from < end(candidate) && candidate.valid_from < end(v));
}

// ---------------------------------------------------------------------------------------------------------
// What the applicant is told: position among similar demands, observed waiting times. Secrecy below a threshold.

/** How far back attributions count for the observed waiting time. */
export const WAITING_WINDOW_MONTHS = 36;

/** The ISO date `months` months before `iso` (day kept, at most the 28th). */
export function monthsBefore(iso: string, months: number): string {
  const [y, m, d] = iso.split('-').map(Number);
  const total = y * 12 + (m - 1) - months;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}-${String(Math.min(d, 28)).padStart(2, '0')}`;
}

/** Similar demands (R441-2-17 « demande analogue »): same typology and at least one wished commune in common. */
export function isSimilar(a: Pick<Demand, 'typology' | 'communes'>, b: Pick<Demand, 'typology' | 'communes'>): boolean {
  return a.typology === b.typology && a.communes.some((c) => b.communes.includes(c));
}

/** A withheld figure says why, and not how many cases there were: a small count is itself what secrecy hides. */
export type Withheld = { withheld: true; reason: string };
const withheldFigure = (min: number): Withheld => ({
  withheld: true,
  reason: `Moins de ${min} cas comparables : le chiffre n’est pas publié, pour protéger la vie privée des personnes concernées.`,
});

export interface Distribution {
  withheld: false;
  count: number;
  /** Share of similar demands with a strictly lower score, in percent. */
  share_below: number;
  quartiles: [number, number, number];
  /** Counts per score band; narrow bands are merged until each holds at least the threshold. */
  bands: { from: number; to: number; count: number }[];
}

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return round2(sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo));
}

export function scoreDistribution(scores: number[], own: number, minCount: number, bandWidth = 20): Distribution | Withheld {
  if (scores.length < minCount) return withheldFigure(minCount);
  const sorted = [...scores].sort((a, b) => a - b);
  const below = sorted.filter((s) => s < own).length;
  // Bands of `bandWidth` points, merged with the next ones until each counts at least `minCount` demands;
  // what is left at the top joins the last band. So no published band is small enough to point at a household.
  const top = Math.floor(sorted[sorted.length - 1] / bandWidth) * bandWidth + bandWidth;
  const bands: Distribution['bands'] = [];
  let from = 0;
  let count = 0;
  for (let lo = 0; lo < top; lo += bandWidth) {
    count += sorted.filter((s) => s >= lo && s < lo + bandWidth).length;
    if (count >= minCount) {
      bands.push({ from, to: lo + bandWidth, count });
      from = lo + bandWidth;
      count = 0;
    }
  }
  if (count > 0) {
    const last = bands[bands.length - 1];
    last.to = top;
    last.count += count;
  }
  return {
    withheld: false,
    count: sorted.length,
    share_below: Math.round((below / sorted.length) * 100),
    quartiles: [quantile(sorted, 0.25), quantile(sorted, 0.5), quantile(sorted, 0.75)],
    bands,
  };
}

export interface WaitingTimes {
  withheld: false;
  count: number;
  median_months: number;
  mean_months: number;
}

export function waitingTimes(attributions: Pick<Attribution, 'filing_date' | 'attribution_date'>[], minCount: number): WaitingTimes | Withheld {
  if (attributions.length < minCount) return withheldFigure(minCount);
  const months = attributions.map((a) => monthsBetween(a.filing_date, a.attribution_date)).sort((a, b) => a - b);
  return {
    withheld: false,
    count: months.length,
    median_months: quantile(months, 0.5),
    mean_months: round2(months.reduce((a, b) => a + b, 0) / months.length),
  };
}

/** The observatory's waiting time looks at the attributions of one year, the usual window of the indicator. */
export const YEAR_WAITING_MONTHS = 12;

/**
 * « Délai d'attente médian des demandes attribuées » of a place over a year: the median, in whole months, of the time
 * from filing to attribution of the demands attributed in its communes. Fewer attributions than the threshold
 * (but some): the count and the median are withheld; none: there is nothing to say.
 */
export function yearWaiting(attributions: Pick<Attribution, 'filing_date' | 'attribution_date'>[], minCount: number): { status: 'none' } | { status: 'secrecy' } | { status: 'published'; count: number; median_months: number } {
  if (!attributions.length) return { status: 'none' };
  const w = waitingTimes(attributions, minCount);
  return w.withheld ? { status: 'secrecy' } : { status: 'published', count: w.count, median_months: w.median_months };
}

// ---------------------------------------------------------------------------------------------------------
// Simulation: two grids on the same demands.

interface Comparison {
  number: string;
  before: number;
  after: number;
  delta: number;
  rank_before: number;
  rank_after: number;
}
export interface ComparisonSummary {
  count: number;
  up: number;
  down: number;
  same: number;
  mean_delta: number;
  max_up: number;
  max_down: number;
  rows: Comparison[];
}

/** Competition ranking (1, 2, 2, 4) by decreasing score: equal scores share a rank. */
export function ranks(scores: number[]): number[] {
  const sorted = [...scores].sort((a, b) => b - a);
  return scores.map((s) => sorted.indexOf(s) + 1);
}

export function compareScores(rows: { number: string; before: number; after: number }[]): ComparisonSummary {
  const rb = ranks(rows.map((r) => r.before));
  const ra = ranks(rows.map((r) => r.after));
  const out: Comparison[] = rows.map((r, i) => ({
    number: r.number,
    before: r.before,
    after: r.after,
    delta: round2(r.after - r.before),
    rank_before: rb[i],
    rank_after: ra[i],
  }));
  const deltas = out.map((r) => r.delta);
  return {
    count: out.length,
    up: deltas.filter((d) => d > 0).length,
    down: deltas.filter((d) => d < 0).length,
    same: deltas.filter((d) => d === 0).length,
    mean_delta: out.length ? round2(deltas.reduce((a, b) => a + b, 0) / out.length) : 0,
    max_up: Math.max(0, ...deltas),
    max_down: Math.min(0, ...deltas),
    rows: out.sort((a, b) => a.delta - b.delta || a.number.localeCompare(b.number)),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Pseudonymised export: no names, bands instead of exact ages and incomes.

export function ageBand(birthDate: string | null, refDate: string): string {
  if (!birthDate) return 'inconnu';
  const age = Math.floor(monthsBetween(birthDate, refDate) / 12);
  if (age < 25) return 'moins de 25 ans';
  if (age < 35) return '25-34 ans';
  if (age < 45) return '35-44 ans';
  if (age < 55) return '45-54 ans';
  if (age < 65) return '55-64 ans';
  return '65 ans ou plus';
}

export function incomeBand(monthly: number | null): string {
  if (monthly === null) return 'inconnu';
  const bands = [500, 1000, 1500, 2000, 3000];
  const upper = bands.find((b) => monthly < b);
  if (upper === undefined) return '3000 € ou plus';
  const lower = bands[bands.indexOf(upper) - 1] ?? 0;
  return `${lower}-${upper} €`;
}
