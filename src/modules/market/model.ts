// DVF market model: the normalised sale line kept in the lake, the parsers that build it from both published
// formats, the lake's manifest, and the pure rules of the indicators (types, secrecy). No I/O here. The portal's
// tables are portal-model.ts.
import type { LakeColumnType } from '../../platform/lake.ts';
import { protect, SECONDARY_REASON, type Relation, type Status } from '../../platform/secrecy.ts';
import { COMMUNE_CODE } from '../territory/index.ts';

/** One DVF line as stored in the lake (one lot × parcel × culture of a mutation; the price repeats). */
export interface DvfLine {
  id_mutation: string;
  date_mutation: string; // ISO YYYY-MM-DD
  numero_disposition: number | null;
  nature_mutation: string;
  valeur_fonciere: number | null;
  adresse_numero: string;
  adresse_suffixe: string;
  adresse_nom_voie: string;
  adresse_code_voie: string;
  code_postal: string;
  /** As published: Paris/Lyon/Marseille sales carry their arrondissement code. */
  code_commune: string;
  /** The commune the line rolls up to: the arrondissement's city (the COG's parent), else code_commune. */
  code_commune_parent: string;
  nom_commune: string;
  id_parcelle: string;
  numero_volume: string;
  lot1_numero: string;
  lot1_surface_carrez: number | null;
  lot2_numero: string;
  lot2_surface_carrez: number | null;
  lot3_numero: string;
  lot3_surface_carrez: number | null;
  lot4_numero: string;
  lot4_surface_carrez: number | null;
  lot5_numero: string;
  lot5_surface_carrez: number | null;
  nombre_lots: number | null;
  code_type_local: number | null;
  type_local: string;
  surface_reelle_bati: number | null;
  nombre_pieces_principales: number | null;
  code_nature_culture: string;
  nature_culture: string;
  code_nature_culture_speciale: string;
  nature_culture_speciale: string;
  surface_terrain: number | null;
  longitude: number | null;
  latitude: number | null;
  /** Partition keys. */
  departement: string;
  annee: number;
}

/** Column order and DuckDB types of the lake files (and of the staging TSV written during an import). */
export const LAKE_COLUMNS: ReadonlyArray<readonly [keyof DvfLine, LakeColumnType]> = [
  ['id_mutation', 'VARCHAR'],
  ['date_mutation', 'DATE'],
  ['numero_disposition', 'INTEGER'],
  ['nature_mutation', 'VARCHAR'],
  ['valeur_fonciere', 'DOUBLE'],
  ['adresse_numero', 'VARCHAR'],
  ['adresse_suffixe', 'VARCHAR'],
  ['adresse_nom_voie', 'VARCHAR'],
  ['adresse_code_voie', 'VARCHAR'],
  ['code_postal', 'VARCHAR'],
  ['code_commune', 'VARCHAR'],
  ['code_commune_parent', 'VARCHAR'],
  ['nom_commune', 'VARCHAR'],
  ['id_parcelle', 'VARCHAR'],
  ['numero_volume', 'VARCHAR'],
  ['lot1_numero', 'VARCHAR'],
  ['lot1_surface_carrez', 'DOUBLE'],
  ['lot2_numero', 'VARCHAR'],
  ['lot2_surface_carrez', 'DOUBLE'],
  ['lot3_numero', 'VARCHAR'],
  ['lot3_surface_carrez', 'DOUBLE'],
  ['lot4_numero', 'VARCHAR'],
  ['lot4_surface_carrez', 'DOUBLE'],
  ['lot5_numero', 'VARCHAR'],
  ['lot5_surface_carrez', 'DOUBLE'],
  ['nombre_lots', 'INTEGER'],
  ['code_type_local', 'INTEGER'],
  ['type_local', 'VARCHAR'],
  ['surface_reelle_bati', 'DOUBLE'],
  ['nombre_pieces_principales', 'INTEGER'],
  ['code_nature_culture', 'VARCHAR'],
  ['nature_culture', 'VARCHAR'],
  ['code_nature_culture_speciale', 'VARCHAR'],
  ['nature_culture_speciale', 'VARCHAR'],
  ['surface_terrain', 'DOUBLE'],
  ['longitude', 'DOUBLE'],
  ['latitude', 'DOUBLE'],
  ['departement', 'VARCHAR'],
  ['annee', 'INTEGER'],
];

// ---------- parsers (pure, property-tested) ----------

/** A cell that failed a rule: the rule's stable code and a French explanation. */
export class CellError extends Error {
  constructor(
    readonly rule: string,
    message: string,
  ) {
    super(message);
  }
}

const DECIMAL = /^-?(\d+|\d*[.,]\d+)$/;

/**
 * Reads a decimal written either way: `505.5` (Etalab) or `1234,56` (DGFiP). Empty means absent (null).
 * Thousands separators are not used in DVF, so a number with both `.` and `,` is refused rather than guessed.
 */
export function parseDecimal(raw: string): number | null {
  const s = raw.trim();
  if (s === '') return null;
  if (!DECIMAL.test(s)) throw new CellError('nombre_invalide', "ce n'est pas un nombre décimal");
  const n = Number(s.replace(',', '.'));
  if (!Number.isFinite(n)) throw new CellError('nombre_invalide', "ce n'est pas un nombre décimal");
  return n;
}

/** A non-negative decimal (prices, surfaces). */
export function parseAmount(raw: string): number | null {
  const n = parseDecimal(raw);
  if (n !== null && n < 0) throw new CellError('nombre_negatif', 'un montant ou une surface ne peut pas être négatif');
  return n;
}

export function parseInteger(raw: string): number | null {
  const s = raw.trim();
  if (s === '') return null;
  if (!/^\d{1,9}$/.test(s)) throw new CellError('entier_invalide', "ce n'est pas un nombre entier positif");
  return Number(s);
}

function checkCalendar(y: number, m: number, d: number): string {
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d || y < 1900 || y > 2199) {
    throw new CellError('date_invalide', "cette date n'existe pas");
  }
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Etalab writes `2021-01-06`. */
export function parseIsoDate(raw: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw.trim());
  if (!m) throw new CellError('date_invalide', 'date attendue au format AAAA-MM-JJ');
  return checkCalendar(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** DGFiP writes `06/01/2021`. */
export function parseFrenchDate(raw: string): string {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(raw.trim());
  if (!m) throw new CellError('date_invalide', 'date attendue au format JJ/MM/AAAA');
  return checkCalendar(Number(m[3]), Number(m[2]), Number(m[1]));
}

/**
 * Rebuilds the 5-character INSEE code from the DGFiP columns, which drop leading zeros:
 * département `1` + commune `4` → `01004`; overseas départements have 3 digits and 2-digit communes
 * (`971` + `1` → `97101`); Corsica keeps its letters (`2A` + `4` → `2A004`).
 */
export function rebuildCommuneCode(departementRaw: string, communeRaw: string): string {
  const dep = departementRaw.trim().toUpperCase();
  const com = communeRaw.trim();
  if (!/^\d{1,3}$/.test(com)) throw new CellError('code_commune_invalide', 'le numéro de commune doit avoir 1 à 3 chiffres');
  let code: string;
  if (/^97\d$/.test(dep)) {
    // Overseas: the DGFiP commune number may carry the département's last digit (101) or not (1).
    const c = com.padStart(3, '0');
    if (c[0] !== dep[2] && Number(com) > 99) throw new CellError('code_commune_invalide', 'le numéro de commune ne correspond pas au département');
    code = dep + c.slice(1);
  } else if (/^(\d{1,2}|2A|2B)$/.test(dep)) {
    code = dep.padStart(2, '0') + com.padStart(3, '0');
  } else {
    throw new CellError('code_departement_invalide', 'code département inconnu');
  }
  if (!COMMUNE_CODE.test(code)) throw new CellError('code_commune_invalide', 'code commune impossible à reconstituer');
  return code;
}

/** Etalab's code is already 5 characters; a spreadsheet may have dropped the leading zero, which we restore. */
export function normaliseCommuneCode(raw: string): string {
  let s = raw.trim().toUpperCase();
  if (/^\d{4}$/.test(s)) s = '0' + s;
  if (!COMMUNE_CODE.test(s)) throw new CellError('code_commune_invalide', 'code commune INSEE à 5 caractères attendu');
  return s;
}

/** The département of a commune code: 3 characters overseas (971…976), else 2. */
export function departementOf(code: string): string {
  return code.startsWith('97') ? code.slice(0, 3) : code.slice(0, 2);
}

/** Arrondissement → its commune (Paris, Lyon, Marseille), from the COG (the territory's `arrondissementParents`). */
export type ArrondissementParents = ReadonlyMap<string, string>;

/** The commune a line rolls up to: an arrondissement's city, else the code itself. */
export const parentCommune = (parents: ArrondissementParents, code: string): string => parents.get(code) ?? code;

// ---------- the lake's manifest ----------

/** A file already imported: the import skips it when it comes again (same sha256). */
export interface ManifestEntry {
  sha256: string;
  file: string;
  size: number;
  importedAt: string;
  lines: number;
  /** `code_commune:annee` pairs the file brought; a later file that replaces one of them supersedes this entry. */
  communeYears: string[];
}

export interface Manifest {
  files: ManifestEntry[];
}

/**
 * The manifest after an import: entries whose commune-years the new files replaced are dropped (their data is
 * no longer what the lake holds, so importing them again must not be skipped).
 */
export function nextManifest(old: Manifest, added: ManifestEntry[]): Manifest {
  // Nothing to supersede: no set of the new commune-years (a national file has ≈ 170 000; the set costs 0,2 s).
  if (!old.files.length) return { files: added };
  const replaced = new Set(added.flatMap((e) => e.communeYears));
  const addedHashes = new Set(added.map((e) => e.sha256));
  const kept = old.files.filter((e) => !addedHashes.has(e.sha256) && !e.communeYears.some((cy) => replaced.has(cy)));
  return { files: [...kept, ...added] };
}

// ---------- indicators ----------

/**
 * The départements whose published indicators must be computed again: those whose lines do not come from where their
 * indicators were computed from (`before`, null when unknown: every one), the folders their lines are in or were
 * carried from (departementOrigins in store.ts). A folder is never changed once in the lake (an import writes a new
 * one and takes the replaced ones out), so the same origins mean the same lines.
 */
export function departementsToCompute(before: Readonly<Record<string, string>> | null, now: Readonly<Record<string, string>>): string[] {
  return Object.keys(now)
    .filter((d) => !before || before[d] !== now[d])
    .sort();
}

export type PropertyType = 'maison' | 'appartement' | 'maison_appartement' | 'local' | 'terrain_a_batir';
export const PROPERTY_TYPES: PropertyType[] = ['maison', 'appartement', 'maison_appartement', 'local', 'terrain_a_batir'];

/**
 * `etalab`: the method of data.gouv.fr's « Statistiques DVF », reproduced rule for rule (see docs/market.md).
 * `habitat`: the same selection, but duplicates removed on whole lines only, and arrondissements rolled up.
 */
export type Method = 'etalab' | 'habitat';

export const METHOD_DESCRIPTION: Record<Method, string> = {
  etalab:
    'Méthode des « Statistiques DVF » de data.gouv.fr : ventes, VEFA et adjudications d’un seul bien (maison, appartement ou local), prix au m² = valeur foncière / surface réelle bâtie, inférieur à 100 000 €/m², médianes arrondies à l’euro.',
  habitat:
    'Méthode Habitat Commun : celle d’Etalab, mais deux lots distincts d’un même immeuble vendus ensemble ne comptent pas comme une vente d’un seul bien. Terrains à bâtir : ventes sans local bâti, prix au m² de terrain.',
};

export const SOURCE_DVF =
  'DGFiP, Demandes de valeurs foncières (DVF), édition géolocalisée d’Etalab ; calculs Habitat Commun. Réutilisation soumise aux conditions générales d’utilisation de la DGFiP.';

/** The natures of mutation that are market sales for both methods. */
export const SALE_NATURES = ['Vente', "Vente en l'état futur d'achèvement", 'Adjudication'];
/** Land sales also include this nature, which has no built premises by definition. */
export const LAND_NATURES = [...SALE_NATURES, 'Vente terrain à bâtir'];
export const MAX_PRICE_PER_M2 = 100_000;


/** Where to compute: one geographic unit, given by its code or the communes it covers. */
export type Scope =
  | { level: 'commune'; code: string }
  | { level: 'section'; code: string }
  | { level: 'departement'; code: string }
  /** EPCI or the instance's territory: the member communes come from the territory module. */
  | { level: 'epci' | 'territory'; code: string; communes: string[] };

/** The figures of a group of sales. */
interface FigureValues {
  sales_count: number;
  price_m2_q1: number;
  price_m2_median: number;
  price_m2_q3: number;
  price_median: number;
}

export interface IndicatorRow extends FigureValues {
  code: string;
  period: string; // `2021` or `2021-03`
  type: PropertyType;
}

export type PublicIndicator =
  | ({ code: string; period: string; type: PropertyType; withheld: false } & FigureValues)
  | { code: string; period: string; type: PropertyType; withheld: true; reason: string };

/** Primary secrecy alone: a figure from fewer sales than the threshold is withheld, and the answer says why. */
export function applySecrecy(row: IndicatorRow, minCount: number): PublicIndicator {
  return publicIndicator(row, row.sales_count < minCount ? 'primary' : 'published', minCount);
}

// ---------- secondary secrecy of the published figures ----------
//
// The figures of one area obey two kinds of totals that readers can use: maison_appartement = maison + appartement
// (same sales, same period), and a year = the sum of its months (same type). A flat count withheld while the houses
// and the total are published is a subtraction away (Abzac 2021: 31 − 27 = 4 flats). So the cells of one area and
// one year (the year and its twelve months × the five types) are protected together as one table with those
// relations (platform/secrecy.ts). Each year is a table of its own: the same year always gets the same pattern,
// whichever route or page publishes it. For a year the classic rule holds (the smallest part goes with the withheld
// one: the yearly houses-and-flats figure is the map's). For a month the total goes first: a month's few houses
// would otherwise take the month's flats with them in every city (Lyon: 1 to 5 houses, 19 to 177 flats a month),
// while houses-and-flats adds nothing to the flats but the withheld houses.

const MONTHS = ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12'];

/** `type|period`, period being `2021` or `2021-03`. */
export const cellKey = (type: PropertyType, period: string) => `${type}|${period}`;

/** The status of every cell (type × year and months) of these years, from the area's sale counts (missing = 0). */
export function protectYears(counts: ReadonlyMap<string, number>, years: readonly number[], minCount: number): Map<string, Status> {
  const out = new Map<string, Status>();
  for (const y of years) {
    const periods = [String(y), ...MONTHS.map((m) => `${y}-${m}`)];
    const keys = periods.flatMap((p) => PROPERTY_TYPES.map((t) => cellKey(t, p)));
    const at = new Map(keys.map((k, i) => [k, i]));
    const ix = (t: PropertyType, p: string) => at.get(cellKey(t, p))!;
    const relations: Relation[] = [
      ...periods.map((p) => ({
        total: ix('maison_appartement', p),
        parts: [ix('maison', p), ix('appartement', p)],
        prefer: p.length > 4 ? ('total' as const) : ('parts' as const),
      })),
      ...PROPERTY_TYPES.map((t) => ({ total: ix(t, String(y)), parts: MONTHS.map((m) => ix(t, `${y}-${m}`)) })),
    ];
    const status = protect(keys.map((k) => counts.get(k) ?? 0), relations, { min: minCount });
    keys.forEach((k, i) => out.set(k, status[i]));
  }
  return out;
}

/**
 * The status of figures pooled over several years (the portal's five-year window), the yearly ones being decided by
 * `protectYears`: a pooled figure is withheld when it would give back a withheld year (it is their sum) or a withheld
 * type (maison_appartement = maison + appartement over the pool too).
 */
export function protectPooled(
  counts: ReadonlyMap<string, number>,
  yearly: ReadonlyMap<string, Status>,
  years: readonly number[],
  minCount: number,
): Record<PropertyType, Status> {
  const keys = [...PROPERTY_TYPES.flatMap((t) => years.map((y) => cellKey(t, String(y)))), ...PROPERTY_TYPES.map((t) => cellKey(t, 'pool'))];
  const at = new Map(keys.map((k, i) => [k, i]));
  const ix = (t: PropertyType, p: string) => at.get(cellKey(t, p))!;
  const values = keys.map((k) => {
    const [t, p] = k.split('|') as [PropertyType, string];
    return p === 'pool' ? years.reduce((s, y) => s + (counts.get(cellKey(t, String(y))) ?? 0), 0) : (counts.get(k) ?? 0);
  });
  const relations: Relation[] = [
    ...PROPERTY_TYPES.map((t) => ({ total: ix(t, 'pool'), parts: years.map((y) => ix(t, String(y))) })),
    { total: ix('maison_appartement', 'pool'), parts: [ix('maison', 'pool'), ix('appartement', 'pool')] },
  ];
  const known = keys.map((k) => (k.endsWith('|pool') ? undefined : (yearly.get(k) ?? 'published')));
  const status = protect(values, relations, { min: minCount, known });
  return Object.fromEntries(PROPERTY_TYPES.map((t) => [t, status[ix(t, 'pool')]])) as Record<PropertyType, Status>;
}

/**
 * The status of an area's figure of one type over a window of years: the year's own (protectYears), or, for
 * several years pooled, protectPooled's.
 */
export function windowStatus(
  area: { counts: ReadonlyMap<string, number>; status: ReadonlyMap<string, Status> },
  type: PropertyType,
  window: { from: number; to: number },
  minCount: number,
): Status {
  return windowStatuses(area, window, minCount)[type];
}

/** `windowStatus` of every type at once (the pooled window is decided for all types together anyway). */
export function windowStatuses(
  area: { counts: ReadonlyMap<string, number>; status: ReadonlyMap<string, Status> },
  window: { from: number; to: number },
  minCount: number,
): Record<PropertyType, Status> {
  if (window.from !== window.to) return protectPooled(area.counts, area.status, yearRange(window), minCount);
  return Object.fromEntries(PROPERTY_TYPES.map((t) => [t, area.status.get(cellKey(t, String(window.from))) ?? 'published'])) as Record<PropertyType, Status>;
}

/** The sale counts of indicator rows, by `type|period`. */
export function countsOf(rows: readonly Pick<IndicatorRow, 'type' | 'period' | 'sales_count'>[]): Map<string, number> {
  return new Map(rows.map((r) => [cellKey(r.type, r.period), r.sales_count]));
}

/** The years (YYYY) of indicator rows, yearly or monthly. */
export const yearsOf = (rows: readonly { period: string }[]) => [...new Set(rows.map((r) => Number(r.period.slice(0, 4))))].sort();

/** Every year from `from` to `to`. */
export const yearRange = (w: { from: number; to: number }) => Array.from({ length: w.to - w.from + 1 }, (_, i) => w.from + i);

function withheldReason(status: Exclude<Status, 'published'>, minCount: number): string {
  return status === 'primary' ? `Moins de ${minCount} ventes sur la période (secret statistique) : le chiffre n'est pas publié.` : SECONDARY_REASON;
}

/** A row as published, once its status is known. */
export function publicIndicator(row: IndicatorRow, status: Status, minCount: number): PublicIndicator {
  if (status === 'published') return { ...row, withheld: false };
  return { code: row.code, period: row.period, type: row.type, withheld: true, reason: withheldReason(status, minCount) };
}

/** numpy's `round` (half to even), which Etalab applies to its medians. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

// ---------- precision of a median (issue 17) ----------

/** Up to this many sales the ranks come from the exact binomial law; beyond, from its normal approximation. */
export const EXACT_RANKS_UP_TO = 1000;

/**
 * The ranks (1-based, in the sorted sample) of the bounds of a 95 % confidence interval of a median by order
 * statistics, without any assumption on the distribution: the number of values below the true median follows
 * Binomial(n, ½), so [x(j), x(n+1−j)] covers it with probability 1 − 2·P(B < j). `j` is the largest rank keeping that
 * probability at least 95 % (exact up to EXACT_RANKS_UP_TO values; beyond, j = floor(n/2 − 1.96·√n/2)). Below 6 values
 * no pair of ranks reaches 95 %: the interval is then the whole range and `coverage` says how much less it covers.
 * The one rule: statistics.ts uses it (answers from the sales; the precomputed indicators store no interval).
 */
export function medianConfidenceRanks(n: number, level = 0.95): { lower: number; upper: number; coverage: number } {
  if (n < 1) return { lower: 0, upper: 0, coverage: 0 };
  const alpha = (1 - level) / 2;
  let j = 0;
  let tail = 0;
  if (n <= EXACT_RANKS_UP_TO) {
    // P(B = k) walked by the ratio pmf(k+1)/pmf(k) = (n−k)/(k+1); j grows while P(B <= j−1) stays within alpha.
    let pmf = Math.exp(n * Math.log(0.5));
    let below = 0;
    for (let k = 0; k < n; k++) {
      if (below + pmf > alpha) break;
      below += pmf;
      j = k + 1;
      tail = below;
      pmf = (pmf * (n - k)) / (k + 1);
    }
  } else {
    j = Math.floor(n / 2 - (1.959964 * Math.sqrt(n)) / 2);
    tail = alpha;
  }
  if (j < 1) return { lower: 1, upper: n, coverage: 1 - 2 * 0.5 ** n };
  return { lower: j, upper: n + 1 - j, coverage: 1 - 2 * tail };
}

