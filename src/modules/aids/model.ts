// Household aids: types and pure rules around the publicodes models (table look-ups, household category,
// DPE class, rental calendar). No I/O: the tables are passed in.
import { DPE_CLASSES, classUnder, isRentalBanned, rentalBanDate, worseClass, type ClassBounds, type DpeClass } from '../stock/index.ts';

export type Verification = 'officiel' | 'calcule' | 'secondaire' | 'deduit' | 'a_verifier';

/** What the page shows beside a figure, so a household knows which figures are not verified. */
export const VERIFICATION_LABEL: Record<Verification, string> = {
  officiel: 'Vérifié : valeur d’un texte officiel',
  calcule: 'Calculé selon la règle officielle (tableau non relu dans le texte)',
  secondaire: 'Non vérifié : source secondaire (presse, sites d’information)',
  deduit: 'Non vérifié : déduction, le texte officiel n’a pas été lu',
  a_verifier: 'Non vérifié : règle connue mais texte officiel non relu',
};

export const isVerified = (v: Verification) => v === 'officiel' || v === 'calcule';

/** From the most to the least trustworthy: a figure built from several is only as sure as its weakest part. */
export const VERIFICATION_ORDER: Verification[] = ['officiel', 'calcule', 'secondaire', 'deduit', 'a_verifier'];
export function weakest(vs: Verification[]): Verification {
  return vs.reduce((a, b) => (VERIFICATION_ORDER.indexOf(b) > VERIFICATION_ORDER.indexOf(a) ? b : a), 'officiel' as Verification);
}

export interface Source {
  titre: string;
  url?: string;
}

export type ZoneAbc = 'Abis' | 'A' | 'B1' | 'B2' | 'C';
export const ZONES_ABC: ZoneAbc[] = ['Abis', 'A', 'B1', 'B2', 'C'];
export const ZONE_ABC_LABEL: Record<ZoneAbc, string> = { Abis: 'A bis', A: 'A', B1: 'B1', B2: 'B2', C: 'C' };

/** The three geographic columns of the HLM ceilings (arrêté du 29 juillet 1987). */
export type ZoneHlm = 'paris_communes_limitrophes' | 'ile_de_france' | 'autres_regions';
export const ZONES_HLM: ZoneHlm[] = ['paris_communes_limitrophes', 'ile_de_france', 'autres_regions'];
export const ZONE_HLM_LABEL: Record<ZoneHlm, string> = {
  paris_communes_limitrophes: 'Paris et communes limitrophes',
  ile_de_france: 'Île-de-France hors Paris et communes limitrophes',
  autres_regions: 'autres régions',
};

export interface TableInfo {
  fichier: string;
  verification: Verification;
  verification_note: string;
  sources: Source[];
}

/** One ceilings table of one scheme and year: zone -> row ("1".."6", "par_personne_supplementaire", "8_et_plus"). */
export interface CeilingTable extends TableInfo {
  dispositif: string;
  annee: number;
  en_vigueur_depuis?: string;
  comparaison: 'inferieur_ou_egal' | 'strictement_inferieur';
  unite: string;
  valeurs: Record<string, Record<string, number>>;
  /** Cells less sure than the table as a whole (e.g. PLAI 2025: categories 5 and 6 deduced), zone -> key -> level. */
  verification_valeurs?: Record<string, Record<string, Verification>>;
}

export interface PtzTable extends CeilingTable {
  cout_operation: Record<string, Record<string, number>>;
}

export type MprCategory = 'tres_modeste' | 'modeste' | 'intermediaire' | 'superieur';
export const MPR_CATEGORIES: MprCategory[] = ['tres_modeste', 'modeste', 'intermediaire', 'superieur'];
export const MPR_CATEGORY_LABEL: Record<MprCategory, string> = {
  tres_modeste: 'très modestes (bleu)',
  modeste: 'modestes (jaune)',
  intermediaire: 'intermédiaires (violet)',
  superieur: 'supérieurs (rose)',
};

type MprRows = Record<Exclude<MprCategory, 'superieur'>, Record<string, number>>;
export interface MprTable extends TableInfo {
  dispositif: string;
  annee: number;
  comparaison: 'inferieur_ou_egal';
  unite: string;
  valeurs: { ile_de_france: MprRows; hors_ile_de_france: MprRows };
}

export interface CommuneZone {
  code: string;
  nom: string;
  epci_siren: string;
  zone_abc: ZoneAbc;
  zone_logement_social: ZoneHlm;
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
  titre: string;
  seuils_energie_primaire_kwhep_m2_an: Bounds;
  seuils_ges_kgco2eq_m2_an: Bounds;
  interdiction_location: { classe: 'E' | 'F' | 'G'; depuis: string; texte: string }[];
  gel_des_loyers: { classes: string[]; depuis: string; texte: string };
}

/**
 * The national ABC zoning (every commune of the file in force) and the two other geographic facts the
 * ceilings need: Île-de-France or not, and the « Paris et communes limitrophes » column of the HLM ceilings.
 */
export interface NationalZoning {
  /** INSEE code -> zone, as in the zoning file. */
  zones: Map<string, ZoneAbc>;
  /** COG codes created after the file (code changes, restored communes) -> zone and the 2024 code it comes from. */
  recoded: Map<string, { zone: ZoneAbc; code_2024: string; mouvement: string }>;
  parisLimitrophes: Set<string>;
  info: TableInfo & { titre: string };
  recodedInfo: TableInfo & { titre: string };
  parisInfo: TableInfo & { titre: string };
}

export interface TableSet {
  ceilings: CeilingTable[];
  ptz: PtzTable[];
  mpr: MprTable[];
  /** Named communes offered in the forms: the demo territory by default, the instance's communes in the API. */
  communes: CommuneZone[];
  zonage: TableInfo & { titre: string };
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
 * increment per extra person (`par_personne_supplementaire`) or an open last size (`8_et_plus`).
 * Returns undefined when the table does not give the figure (partial tables).
 */
export function ceilingFor(row: Record<string, number> | undefined, n: number): CeilingLookup | undefined {
  if (!row || !Number.isInteger(n) || n < 1) return undefined;
  const exact = row[String(n)];
  if (exact !== undefined) return { value: exact, keys: [String(n)] };
  const open = Object.keys(row)
    .map((k) => /^(\d+)_et_plus$/.exec(k))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => Number(m[1]))
    .filter((k) => k <= n)
    .sort((a, b) => b - a)[0];
  if (open !== undefined) return { value: row[`${open}_et_plus`]!, how: `plafond « ${open} personnes et plus »`, keys: [`${open}_et_plus`] };
  const extra = row.par_personne_supplementaire;
  const sizes = Object.keys(row).filter((k) => /^\d+$/.test(k)).map(Number);
  const last = Math.max(...sizes);
  if (extra === undefined || !sizes.length || n <= last) return undefined;
  // Extrapolation only from the last explicit size: a partial row (e.g. only size 1) gives nothing.
  if (sizes.length < 2) return undefined;
  const value = row[String(last)]! + (n - last) * extra;
  return {
    value,
    how: `plafond pour ${last} + ${n - last} × ${euros(extra)} par personne supplémentaire`,
    keys: [String(last), 'par_personne_supplementaire'],
  };
}

/** How sure a looked-up figure is: the table's level, lowered by any of its cells marked less sure. */
export function cellVerification(table: CeilingTable, zone: string, lookup: CeilingLookup | undefined): Verification {
  const cells = table.verification_valeurs?.[zone] ?? {};
  return weakest([table.verification, ...(lookup?.keys ?? []).map((k) => cells[k] ?? table.verification)]);
}

/** The table of a scheme for a year: that year's, or else the latest earlier one (flagged `exact: false`). */
export function pickTable<T extends { dispositif: string; annee: number }>(
  all: T[],
  dispositif: string,
  year: number,
): { table: T; exact: boolean } | undefined {
  const mine = all.filter((t) => t.dispositif === dispositif && t.annee <= year).sort((a, b) => b.annee - a.annee);
  const table = mine[0];
  return table ? { table, exact: table.annee === year } : undefined;
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
  zone_logement_social: ZoneHlm;
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
    note = `${r.mouvement} : zone de l’ancienne commune ${r.code_2024}`;
    verification = z.recodedInfo.verification;
  }
  const ile_de_france = ILE_DE_FRANCE_DEPARTEMENTS.includes(key.slice(0, 2));
  const zone_logement_social: ZoneHlm = z.parisLimitrophes.has(key)
    ? 'paris_communes_limitrophes'
    : ile_de_france
      ? 'ile_de_france'
      : 'autres_regions';
  return { zone_abc: zone, zone_logement_social, ile_de_france, note, verification };
}

/** Column of the PTZ, BRS and PSLA tables for a zone. The PTZ has a single A column, also used for A bis. */
export function ptzColumn(zone: ZoneAbc): 'A' | 'B1' | 'B2' | 'C' {
  return zone === 'Abis' ? 'A' : zone;
}

// ---------------------------------------------------------------- household category (arrêté 29/07/1987 art. 2)

export interface Household {
  personnes: number;
  /** A single adult living with one or more dependants (children or others). */
  personneSeuleAvecCharge?: boolean;
  /** Couple without dependants whose ages add up to 55 or less. */
  jeuneMenage?: boolean;
  /** At least one person of the household is disabled. */
  handicap?: boolean;
}

export interface HouseholdCategory {
  /** Category 1 to 6 of the arrêté. */
  categorie: number;
  /** Persons beyond category 6 (each adds the « par personne supplémentaire » amount). */
  supplementaires: number;
  /** Category rank used for the look-up: categorie + supplementaires. */
  rang: number;
  motif: string;
}

/**
 * Category of a household for the HLM ceilings. A single parent with dependants, a disabled member, or a
 * young couple count one rank higher than their size; these raise the rank once, not cumulatively, as in
 * the arrêté's wording (« trois personnes dont au moins une en situation de handicap » = catégorie 4).
 */
export function householdCategory(h: Household): HouseholdCategory {
  const n = Math.max(1, Math.floor(h.personnes));
  let rang = n;
  let motif = n === 1 ? 'une personne seule' : `${n} personnes`;
  if (h.handicap) {
    rang = n + 1;
    motif += ' dont au moins une en situation de handicap';
  } else if (n >= 2 && h.personneSeuleAvecCharge) {
    rang = n + 1;
    motif = `une personne seule avec ${n - 1} personne${n > 2 ? 's' : ''} à charge`;
  } else if (n === 2 && h.jeuneMenage) {
    rang = 3;
    motif = 'jeune ménage sans personne à charge';
  }
  return { categorie: Math.min(rang, 6), supplementaires: Math.max(rang - 6, 0), rang, motif };
}

// ---------------------------------------------------------------- DPE

/** Final class of a dwelling of 40 m² or more: the worse of its energy class and its climate (GES) class. */
export function dpeClass(energieKwhEp: number, gesKgCo2: number, table: DpeTable): {
  classe: DpeClass;
  energie: DpeClass;
  climat: DpeClass;
} {
  const energie = classUnder(energieKwhEp, table.seuils_energie_primaire_kwhep_m2_an);
  const climat = classUnder(gesKgCo2, table.seuils_ges_kgco2eq_m2_an);
  return { classe: worseClass(energie, climat), energie, climat };
}

export interface RentalStatus {
  /** Date from which the dwelling may no longer be rented (non-decent), if any. */
  interditDepuis?: string;
  /** True when, at the reference date, the dwelling may no longer be offered for rent. */
  interdit: boolean;
  /** True when rents may not be raised (F and G). */
  gelDesLoyers: boolean;
  texte?: string;
}

/** Rental calendar of the loi Climat et Résilience: G from 2025, F from 2028, E from 2034. */
export function rentalStatus(classe: DpeClass, date: string, table: DpeTable): RentalStatus {
  const depuis = rentalBanDate(classe);
  const gel = table.gel_des_loyers.classes.includes(classe) && date >= table.gel_des_loyers.depuis;
  if (!depuis) return { interdit: false, gelDesLoyers: gel };
  const texte = table.interdiction_location.find((s) => s.classe === classe)?.texte;
  return { interditDepuis: depuis, interdit: isRentalBanned(classe, date), gelDesLoyers: gel, texte };
}

// ---------------------------------------------------------------- EPCI local aids

export type LocalAidKind = 'accession' | 'renovation';
/** The national ceilings an EPCI may reuse for its own first-time-buyer aid. */
export type IncomeReference = 'aucun' | 'PSLA' | 'BRS' | 'PTZ';
export const INCOME_REFERENCES: IncomeReference[] = ['aucun', 'PSLA', 'BRS', 'PTZ'];
export type HousingType = 'neuf' | 'ancien_avec_travaux' | 'ancien_sans_travaux';
export const HOUSING_TYPE_LABEL: Record<HousingType, string> = {
  neuf: 'logement neuf',
  ancien_avec_travaux: 'logement ancien avec travaux',
  ancien_sans_travaux: 'logement ancien sans travaux',
};

/** An aid the EPCI grants on its own budget, as its council voted it. */
export interface LocalAid {
  id: string;
  epci_siren: string;
  kind: LocalAidKind;
  nom: string;
  description: string;
  /** Amount in euros when fixed; null when it varies (the description says how). */
  montant_euros: number | null;
  /** Accession: the ceilings the household's income is checked against. */
  plafond_reference: IncomeReference;
  /** Accession: first-time buyers only. */
  primo_accedant_requis: boolean;
  /** Accession: eligible kinds of dwelling; empty = all. */
  types_logement: HousingType[];
  /** Renovation: eligible MaPrimeRénov' categories; empty = all. */
  categories_mpr: MprCategory[];
  /** Renovation: DPE classes of the dwelling before works; empty = all. */
  classes_dpe: DpeClass[];
  /** Communes where the aid applies; empty = every commune of the EPCI. */
  communes: string[];
  contact: string;
  /** The council's deliberation, shown as the source of the aid. */
  deliberation: string | null;
  actif: boolean;
}

// ---------------------------------------------------------------- answers

export type Verdict = 'eligible' | 'non_eligible' | 'inconnu';
export type ConditionStatus = 'remplie' | 'non_remplie' | 'inconnue';

export interface Condition {
  id: string;
  statut: ConditionStatus;
  /** The condition with its figures, e.g. « revenu fiscal de référence 2024 : 24 000 € ≤ plafond … : 31 254 € ». */
  texte: string;
  valeur?: number | string;
  seuil?: number | string;
  table?: { fichier: string; verification: Verification; verification_libelle: string; note: string; sources: Source[] };
}

export interface AidAnswer {
  id: string;
  nom: string;
  verdict: Verdict;
  resume: string;
  conditions: Condition[];
  informations: string[];
  /** Missing answers that would settle an unknown verdict. */
  manque: string[];
  contact?: { nom: string; texte: string; url?: string };
  /** Replaces « éligible / non éligible » where the answer is not an aid (e.g. « peut être loué »). */
  libelle_verdict?: string;
  /** Source of a local aid (the EPCI council's deliberation). */
  source?: string;
}

export interface SimulationAnswer {
  simulateur: string;
  titre: string;
  date: string;
  annee: number;
  aides: AidAnswer[];
  /** Facts the answer rests on: commune and zones, household category, years of the tables. */
  contexte: string[];
  avertissements: string[];
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
    fichier: t.fichier,
    verification,
    verification_libelle: VERIFICATION_LABEL[verification],
    note: t.verification_note,
    sources: t.sources,
  };
}
