// Household aids: types and pure rules around the publicodes models (table look-ups, household category,
// DPE class, rental calendar). No I/O: the tables are passed in.
import { DPE_CLASSES, classUnder, isRentalBanned, rentalBanDate, worseClass, type ClassBounds, type DpeClass } from '../stock/index.ts';

export type Verification = 'official' | 'computed' | 'secondary' | 'deduced' | 'unverified';

/** What the page shows beside a figure, so a household knows which figures are not verified. */
export const VERIFICATION_LABEL: Record<Verification, string> = {
  official: 'Vérifié : valeur d’un texte officiel',
  computed: 'Calculé selon la règle officielle (tableau non relu dans le texte)',
  secondary: 'Non vérifié : source secondaire (presse, sites d’information)',
  deduced: 'Non vérifié : déduction, le texte officiel n’a pas été lu',
  unverified: 'Non vérifié : règle connue mais texte officiel non relu',
};

export const isVerified = (v: Verification) => v === 'official' || v === 'computed';

/** From the most to the least trustworthy: a figure built from several is only as sure as its weakest part. */
export const VERIFICATION_ORDER: Verification[] = ['official', 'computed', 'secondary', 'deduced', 'unverified'];
export function weakest(vs: Verification[]): Verification {
  return vs.reduce((a, b) => (VERIFICATION_ORDER.indexOf(b) > VERIFICATION_ORDER.indexOf(a) ? b : a), 'official' as Verification);
}

export interface Source {
  title: string;
  url?: string;
}

export type ZoneAbc = 'Abis' | 'A' | 'B1' | 'B2' | 'C';
export const ZONES_ABC: ZoneAbc[] = ['Abis', 'A', 'B1', 'B2', 'C'];
export const ZONE_ABC_LABEL: Record<ZoneAbc, string> = { Abis: 'A bis', A: 'A', B1: 'B1', B2: 'B2', C: 'C' };

/** The three geographic columns of the HLM ceilings (arrêté du 29 juillet 1987). */
export type ZoneHlm = 'paris_and_neighbours' | 'ile_de_france' | 'other_regions';
export const ZONES_HLM: ZoneHlm[] = ['paris_and_neighbours', 'ile_de_france', 'other_regions'];
export const ZONE_HLM_LABEL: Record<ZoneHlm, string> = {
  paris_and_neighbours: 'Paris et communes limitrophes',
  ile_de_france: 'Île-de-France hors Paris et communes limitrophes',
  other_regions: 'autres régions',
};

export interface TableInfo {
  file: string;
  verification: Verification;
  verification_note: string;
  sources: Source[];
}

/** One ceilings table of one scheme and year: zone -> row ("1".."6", "per_extra_person", "8_and_more"). */
export interface CeilingTable extends TableInfo {
  scheme: string;
  year: number;
  in_force_since?: string;
  comparison: 'less_or_equal' | 'strictly_less';
  unit: string;
  values: Record<string, Record<string, number>>;
  /** Cells less sure than the table as a whole (e.g. PLAI 2025: categories 5 and 6 deduced), zone -> key -> level. */
  verification_values?: Record<string, Record<string, Verification>>;
}

export interface PtzTable extends CeilingTable {
  operation_cost: Record<string, Record<string, number>>;
}

export type MprCategory = 'very_modest' | 'modest' | 'intermediate' | 'higher';
export const MPR_CATEGORIES: MprCategory[] = ['very_modest', 'modest', 'intermediate', 'higher'];
export const MPR_CATEGORY_LABEL: Record<MprCategory, string> = {
  very_modest: 'très modestes (bleu)',
  modest: 'modestes (jaune)',
  intermediate: 'intermédiaires (violet)',
  higher: 'supérieurs (rose)',
};

type MprRows = Record<Exclude<MprCategory, 'higher'>, Record<string, number>>;
export interface MprTable extends TableInfo {
  scheme: string;
  year: number;
  comparison: 'less_or_equal';
  unit: string;
  values: { ile_de_france: MprRows; outside_ile_de_france: MprRows };
}

export interface CommuneZone {
  code: string;
  name: string;
  epci_siren: string;
  zone_abc: ZoneAbc;
  social_housing_zone: ZoneHlm;
  ile_de_france: boolean;
  note?: string;
  /** How sure the zone is, when less than the zoning file (a recoded commune). */
  verification?: Verification;
}

// The DPE classes and the rental-ban calendar are the stock module's rule, the platform's one copy; the table gives
// the thresholds the page shows and the texts of each step.
export { DPE_CLASSES, classUnder as classOf, type DpeClass };
type Bounds = ClassBounds;

export interface DpeTable extends TableInfo {
  title: string;
  energy_bounds_kwhep_m2_year: Bounds;
  ghg_bounds_kgco2eq_m2_year: Bounds;
  rental_bans: { class: 'E' | 'F' | 'G'; from: string; text: string }[];
  rent_freeze: { classes: string[]; from: string; text: string };
}

/**
 * The national ABC zoning (every commune of the file in force) and the two other geographic facts the
 * ceilings need: Île-de-France or not, and the « Paris et communes limitrophes » column of the HLM ceilings.
 */
export interface NationalZoning {
  /** INSEE code -> zone, as in the zoning file. */
  zones: Map<string, ZoneAbc>;
  /** COG codes created after the file (code changes, restored communes) -> zone and the 2024 code it comes from. */
  recoded: Map<string, { zone: ZoneAbc; code_2024: string; change: string }>;
  parisNeighbours: Set<string>;
  info: TableInfo & { title: string };
  recodedInfo: TableInfo & { title: string };
  parisInfo: TableInfo & { title: string };
}

export interface TableSet {
  ceilings: CeilingTable[];
  ptz: PtzTable[];
  mpr: MprTable[];
  /** Named communes offered in the forms: the demo territory by default, the instance's communes in the API. */
  communes: CommuneZone[];
  demoZoning: TableInfo & { title: string };
  national: NationalZoning;
  /** IRL of the 3rd quarter, by year: the yearly revaluation of the HLM and BRS ceilings (CCH R441-1). */
  irl: Record<number, number>;
  dpe: DpeTable;
}

// ---------------------------------------------------------------- table look-ups

export interface CeilingLookup {
  value: number;
  /** How the figure was obtained, in French, e.g. « plafond 6 personnes + 2 × 6 710 € ». */
  how?: string;
  /** The cells of the row the figure comes from, so their verification can be told. */
  keys: string[];
}

/**
 * The ceiling of a row for `n` (persons or household rank). Rows list explicit sizes, then either an
 * increment per extra person (`per_extra_person`) or an open last size (`8_and_more`).
 * Returns undefined when the table does not give the figure (partial tables).
 */
export function ceilingFor(row: Record<string, number> | undefined, n: number): CeilingLookup | undefined {
  if (!row || !Number.isInteger(n) || n < 1) return undefined;
  const exact = row[String(n)];
  if (exact !== undefined) return { value: exact, keys: [String(n)] };
  const open = Object.keys(row)
    .map((k) => /^(\d+)_and_more$/.exec(k))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => Number(m[1]))
    .filter((k) => k <= n)
    .sort((a, b) => b - a)[0];
  if (open !== undefined) return { value: row[`${open}_and_more`]!, how: `plafond « ${open} personnes et plus »`, keys: [`${open}_and_more`] };
  const extra = row.per_extra_person;
  const sizes = Object.keys(row).filter((k) => /^\d+$/.test(k)).map(Number);
  const last = Math.max(...sizes);
  if (extra === undefined || !sizes.length || n <= last) return undefined;
  // Extrapolation only from the last explicit size: a partial row (e.g. only size 1) gives nothing.
  if (sizes.length < 2) return undefined;
  const value = row[String(last)]! + (n - last) * extra;
  return {
    value,
    how: `plafond pour ${last} + ${n - last} × ${euros(extra)} par personne supplémentaire`,
    keys: [String(last), 'per_extra_person'],
  };
}

/** How sure a looked-up figure is: the table's level, lowered by any of its cells marked less sure. */
export function cellVerification(table: CeilingTable, zone: string, lookup: CeilingLookup | undefined): Verification {
  const cells = table.verification_values?.[zone] ?? {};
  return weakest([table.verification, ...(lookup?.keys ?? []).map((k) => cells[k] ?? table.verification)]);
}

/** The table of a scheme for a year: that year's, or else the latest earlier one (flagged `exact: false`). */
export function pickTable<T extends { scheme: string; year: number }>(
  all: T[],
  scheme: string,
  year: number,
): { table: T; exact: boolean } | undefined {
  const mine = all.filter((t) => t.scheme === scheme && t.year <= year).sort((a, b) => b.year - a.year);
  const table = mine[0];
  return table ? { table, exact: table.year === year } : undefined;
}

// ---------------------------------------------------------------- places

const ILE_DE_FRANCE_DEPARTEMENTS = ['75', '77', '78', '91', '92', '93', '94', '95'];

/** Paris, Lyon and Marseille for their municipal arrondissements. */
export function parentCommune(code: string): string | undefined {
  if (/^751(0[1-9]|1\d|20)$/.test(code)) return '75056';
  if (/^6938[1-9]$/.test(code)) return '69123';
  if (/^132(0[1-9]|1[0-6])$/.test(code)) return '13055';
  return undefined;
}

export interface CommunePlace {
  zone_abc: ZoneAbc;
  social_housing_zone: ZoneHlm;
  ile_de_france: boolean;
  /** Why the zone is not read directly under this code (arrondissement, recoded commune). */
  note?: string;
  verification: Verification;
}

/**
 * The zones of any commune of the national file, by INSEE code. An arrondissement takes its city's zone;
 * a commune whose code changed after the file takes the zone of the code it replaced. Undefined when the
 * file does not know the code (overseas collectivities, a typo): the household is then asked for the zone.
 */
export function placeOfCommune(code: string, z: NationalZoning): CommunePlace | undefined {
  const parent = parentCommune(code);
  const key = parent ?? code;
  let zone = z.zones.get(key);
  let note = parent ? `arrondissement : zone de la commune ${parent}` : undefined;
  let verification: Verification = z.info.verification;
  if (!zone) {
    const r = z.recoded.get(key);
    if (!r) return undefined;
    zone = r.zone;
    note = `${r.change} : zone de l’ancienne commune ${r.code_2024}`;
    verification = z.recodedInfo.verification;
  }
  const ile_de_france = ILE_DE_FRANCE_DEPARTEMENTS.includes(key.slice(0, 2));
  const social_housing_zone: ZoneHlm = z.parisNeighbours.has(key)
    ? 'paris_and_neighbours'
    : ile_de_france
      ? 'ile_de_france'
      : 'other_regions';
  return { zone_abc: zone, social_housing_zone, ile_de_france, note, verification };
}

/** Column of the PTZ, BRS and PSLA tables for a zone. The PTZ has a single A column, also used for A bis. */
export function ptzColumn(zone: ZoneAbc): 'A' | 'B1' | 'B2' | 'C' {
  return zone === 'Abis' ? 'A' : zone;
}

// ---------------------------------------------------------------- household category (arrêté 29/07/1987 art. 2)

export interface Household {
  persons: number;
  /** A single adult living with one or more dependants (children or others). */
  singleWithDependants?: boolean;
  /** Couple without dependants whose ages add up to 55 or less. */
  youngCouple?: boolean;
  /** At least one person of the household is disabled. */
  disability?: boolean;
}

export interface HouseholdCategory {
  /** Category 1 to 6 of the arrêté. */
  category: number;
  /** Persons beyond category 6 (each adds the « par personne supplémentaire » amount). */
  extraPersons: number;
  /** Category rank used for the look-up: categorie + supplementaires. */
  rank: number;
  reason: string;
}

/**
 * Category of a household for the HLM ceilings. A single parent with dependants, a disabled member, or a
 * young couple count one rank higher than their size; these raise the rank once, not cumulatively, as in
 * the arrêté's wording (« trois personnes dont au moins une en situation de handicap » = catégorie 4).
 */
export function householdCategory(h: Household): HouseholdCategory {
  const n = Math.max(1, Math.floor(h.persons));
  let rank = n;
  let reason = n === 1 ? 'une personne seule' : `${n} personnes`;
  if (h.disability) {
    rank = n + 1;
    reason += ' dont au moins une en situation de handicap';
  } else if (n >= 2 && h.singleWithDependants) {
    rank = n + 1;
    reason = `une personne seule avec ${n - 1} personne${n > 2 ? 's' : ''} à charge`;
  } else if (n === 2 && h.youngCouple) {
    rank = 3;
    reason = 'jeune ménage sans personne à charge';
  }
  return { category: Math.min(rank, 6), extraPersons: Math.max(rank - 6, 0), rank, reason };
}

// ---------------------------------------------------------------- DPE

/** Final class of a dwelling of 40 m² or more: the worse of its energy class and its climate (GES) class. */
export function dpeClass(energyKwhEp: number, ghgKgCo2: number, table: DpeTable): {
  class: DpeClass;
  energy: DpeClass;
  climate: DpeClass;
} {
  const energy = classUnder(energyKwhEp, table.energy_bounds_kwhep_m2_year);
  const climate = classUnder(ghgKgCo2, table.ghg_bounds_kgco2eq_m2_year);
  return { class: worseClass(energy, climate), energy, climate };
}

export interface RentalStatus {
  /** Date from which the dwelling may no longer be rented (non-decent), if any. */
  bannedFrom?: string;
  /** True when, at the reference date, the dwelling may no longer be offered for rent. */
  banned: boolean;
  /** True when rents may not be raised (F and G). */
  rentFreeze: boolean;
  text?: string;
}

/** Rental calendar of the loi Climat et Résilience: G from 2025, F from 2028, E from 2034. */
export function rentalStatus(dpeClass: DpeClass, date: string, table: DpeTable): RentalStatus {
  const from = rentalBanDate(dpeClass);
  const freeze = table.rent_freeze.classes.includes(dpeClass) && date >= table.rent_freeze.from;
  if (!from) return { banned: false, rentFreeze: freeze };
  const text = table.rental_bans.find((s) => s.class === dpeClass)?.text;
  return { bannedFrom: from, banned: isRentalBanned(dpeClass, date), rentFreeze: freeze, text };
}

// ---------------------------------------------------------------- EPCI local aids

export type LocalAidKind = 'accession' | 'renovation';
/** The national ceilings an EPCI may reuse for its own first-time-buyer aid. */
export type IncomeReference = 'none' | 'PSLA' | 'BRS' | 'PTZ';
export const INCOME_REFERENCES: IncomeReference[] = ['none', 'PSLA', 'BRS', 'PTZ'];
export type HousingType = 'new_build' | 'existing_with_works' | 'existing_without_works';
export const HOUSING_TYPE_LABEL: Record<HousingType, string> = {
  new_build: 'logement neuf',
  existing_with_works: 'logement ancien avec travaux',
  existing_without_works: 'logement ancien sans travaux',
};

/** An aid the EPCI grants on its own budget, as its council voted it. */
export interface LocalAid {
  id: string;
  epci_siren: string;
  kind: LocalAidKind;
  name: string;
  description: string;
  /** Amount in euros when fixed; null when it varies (the description says how). */
  amount_euros: number | null;
  /** Accession: the ceilings the household's income is checked against. */
  ceiling_reference: IncomeReference;
  /** Accession: first-time buyers only. */
  primo_accedant_required: boolean;
  /** Accession: eligible kinds of dwelling; empty = all. */
  housing_types: HousingType[];
  /** Renovation: eligible MaPrimeRénov' categories; empty = all. */
  mpr_categories: MprCategory[];
  /** Renovation: DPE classes of the dwelling before works; empty = all. */
  dpe_classes: DpeClass[];
  /** Communes where the aid applies; empty = every commune of the EPCI. */
  communes: string[];
  contact: string;
  /** The council's deliberation, shown as the source of the aid. */
  deliberation: string | null;
  active: boolean;
}

// ---------------------------------------------------------------- answers

export type Verdict = 'eligible' | 'not_eligible' | 'unknown';
export type ConditionStatus = 'met' | 'not_met' | 'unknown';

export interface Condition {
  id: string;
  status: ConditionStatus;
  /** The condition with its figures, e.g. « revenu fiscal de référence 2024 : 24 000 € ≤ plafond … : 31 254 € ». */
  text: string;
  value?: number | string;
  threshold?: number | string;
  table?: { file: string; verification: Verification; verification_label: string; note: string; sources: Source[] };
}

export interface AidAnswer {
  id: string;
  name: string;
  verdict: Verdict;
  summary: string;
  conditions: Condition[];
  notes: string[];
  /** Missing answers that would settle an unknown verdict. */
  missing: string[];
  contact?: { name: string; text: string; url?: string };
  /** Replaces « éligible / non éligible » where the answer is not an aid (e.g. « peut être loué »). */
  verdict_label?: string;
  /** Source of a local aid (the EPCI council's deliberation). */
  source?: string;
}

export interface SimulationAnswer {
  simulator: string;
  title: string;
  date: string;
  year: number;
  aids: AidAnswer[];
  /** Facts the answer rests on: commune and zones, household category, years of the tables. */
  context: string[];
  warnings: string[];
}

// ---------------------------------------------------------------- formatting

/** « 31 254 € »: French grouping with plain spaces, so answers read the same in every browser and test. */
export function euros(n: number): string {
  const rounded = Math.round(n);
  const s = String(Math.abs(rounded)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return `${rounded < 0 ? '-' : ''}${s} €`;
}

export function frenchDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  const months = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];
  return `${d === 1 ? '1er' : d} ${months[m! - 1]} ${y}`;
}

/** The table a figure comes from, as the answer shows it; `verification` overrides the table's level for one cell. */
export function tableRef(t: TableInfo, verification: Verification = t.verification): NonNullable<Condition['table']> {
  return {
    file: t.file,
    verification,
    verification_label: VERIFICATION_LABEL[verification],
    note: t.verification_note,
    sources: t.sources,
  };
}
