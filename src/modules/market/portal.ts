// The public price portal's pure rules: map classes, price distribution, what a sale is, period windows, and the
// tables every figure is published in (JSON with its method and source beside, or CSV with them as comment lines).
// No I/O here; the lake queries are in portal-queries.ts.
import { toCsv as writeCsv } from '../../platform/csv.ts';
import type { SaleRow } from './indicators.ts';
import { cellKey, type IndicatorRow, type Method, type PropertyType, type PublicIndicator } from './model.ts';

/** The types shown on the map and the commune page's price charts. */
export type PortalType = 'maison' | 'appartement' | 'maison_appartement';
export const PORTAL_TYPES: PortalType[] = ['maison', 'appartement', 'maison_appartement'];

/** `annee`: the chosen year only; `5ans`: the five years ending with the chosen one, pooled. */
export type Window = 'annee' | '5ans';

export function yearWindow(annee: number, fenetre: Window): { debut: number; fin: number } {
  return fenetre === '5ans' ? { debut: annee - 4, fin: annee } : { debut: annee, fin: annee };
}

export function describeWindow(annee: number, fenetre: Window): string {
  return fenetre === '5ans' ? `${annee - 4} à ${annee} (5 ans cumulés)` : String(annee);
}

// ---------- map classes ----------

export interface PriceClass {
  min: number;
  max: number;
  color: string;
  label: string;
}

/** Sequential purples (ColorBrewer), distinguishable by colour-blind readers and in grey print. */
export const CLASS_COLORS = ['#f2f0f7', '#cbc9e2', '#9e9ac8', '#756bb1', '#54278f'];

const fmt = (n: number) => Math.round(n).toLocaleString('fr-FR').replace(/\u202f|\u00a0/g, ' ');

/**
 * Up to five classes of price per m² from the published medians: breaks at their quintiles, rounded to 100 €/m²
 * so the legend reads easily, duplicates merged (few communes give fewer classes). Each value falls in exactly one
 * class: `min <= v < max`, the last class open-ended.
 */
export function priceClasses(values: number[], count = 5): PriceClass[] {
  const xs = values.filter((v) => Number.isFinite(v) && v >= 0).sort((a, b) => a - b);
  if (!xs.length) return [];
  const breaks: number[] = [];
  for (let i = 1; i < count; i++) {
    const b = Math.round(quantile(xs, i / count) / 100) * 100;
    if (b > 0 && b > (breaks.at(-1) ?? 0) && b <= xs[xs.length - 1]) breaks.push(b);
  }
  const bounds = [0, ...breaks, Infinity];
  const colors = CLASS_COLORS.length === bounds.length - 1 ? CLASS_COLORS : spread(CLASS_COLORS, bounds.length - 1);
  return bounds.slice(0, -1).map((min, i) => {
    const max = bounds[i + 1];
    const label =
      i === 0 ? `moins de ${fmt(max)} €/m²` : max === Infinity ? `${fmt(min)} €/m² et plus` : `${fmt(min)} à ${fmt(max)} €/m²`;
    return { min, max, color: colors[i], label: bounds.length === 2 ? 'toutes les communes publiées' : label };
  });
}

function spread<T>(xs: T[], n: number): T[] {
  if (n <= 1) return [xs[Math.floor(xs.length / 2)]];
  return Array.from({ length: n }, (_, i) => xs[Math.round((i * (xs.length - 1)) / (n - 1))]);
}

/** Linear interpolation between order statistics (DuckDB's quantile_cont, numpy's default). */
export function quantile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export function classOf(classes: PriceClass[], v: number): PriceClass | undefined {
  return classes.find((c) => v >= c.min && v < c.max);
}

// ---------- distribution ----------

export interface Bin {
  min: number;
  max: number;
  nb_ventes: number;
}

/** A readable bin width for this spread of prices: 1, 2 or 5 × a power of ten (1 €/m² at least), about `target` bins. */
export function binWidth(min: number, max: number, target = 12): number {
  const raw = Math.max((max - min) / target, 1);
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

/**
 * Histogram of prices per m². The extreme 1 % on each side go into the first and last bins rather than stretching
 * the axis (a single 40 000 €/m² sale would otherwise flatten the chart); every sale is counted exactly once.
 */
export function histogram(values: number[], target = 12): Bin[] {
  const xs = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!xs.length) return [];
  const lo = quantile(xs, 0.01);
  const hi = quantile(xs, 0.99);
  const w = binWidth(lo, hi, target);
  // Bin indices from the same floor(x / w) everywhere, so float rounding cannot drop a sale between two bins.
  const k0 = Math.floor(lo / w);
  const n = Math.max(1, Math.floor(hi / w) - k0 + 1);
  const bins: Bin[] = Array.from({ length: n }, (_, i) => ({ min: (k0 + i) * w, max: (k0 + i + 1) * w, nb_ventes: 0 }));
  for (const x of xs) bins[Math.min(n - 1, Math.max(0, Math.floor(x / w) - k0))].nb_ventes++;
  return bins;
}

// ---------- sales ----------

export type SaleKind = 'maison' | 'appartement' | 'local' | 'terrain' | 'dépendance' | 'plusieurs biens';

export const SALE_KIND_LABELS: Record<SaleKind, string> = {
  maison: 'Maison',
  appartement: 'Appartement',
  local: 'Local d’activité',
  terrain: 'Terrain',
  dépendance: 'Dépendance seule',
  'plusieurs biens': 'Plusieurs biens',
};

/**
 * What a mutation sold, for the latest-sales table. A price per m² is given only for the sale of a single house or
 * flat (its outbuildings aside) with a built surface: the rule of the indicators, so the table and the medians agree.
 */
export function describeSale(s: SaleRow): { type: SaleKind; prix_m2: number | null } {
  const dwellings = s.nb_maisons + s.nb_appartements;
  let type: SaleKind;
  if (dwellings + s.nb_locaux > 1) type = 'plusieurs biens';
  else if (s.nb_maisons === 1) type = 'maison';
  else if (s.nb_appartements === 1) type = 'appartement';
  else if (s.nb_locaux === 1) type = 'local';
  else if (s.nb_dependances > 0) type = 'dépendance';
  else type = 'terrain';
  const single = type === 'maison' || type === 'appartement';
  const prix_m2 =
    single && s.valeur_fonciere !== null && s.surface_reelle_bati && s.surface_reelle_bati > 0
      ? Math.round(s.valeur_fonciere / s.surface_reelle_bati)
      : null;
  return { type, prix_m2 };
}

const FIGURES_OF: Partial<Record<SaleKind, PropertyType[]>> = {
  maison: ['maison', 'maison_appartement'],
  appartement: ['appartement', 'maison_appartement'],
  local: ['local'],
  terrain: ['terrain_a_batir'],
};

/**
 * The commune's finest figures (`type|periode` cells) a listed sale may be counted in: its own type for its year and
 * its month. A sale of several properties or of outbuildings only is in none. Deliberately wide (a house sold without
 * a surface is not in the medians). Houses-and-flats is not a cell of its own here: when it is withheld, one of its
 * two parts is too (platform/secrecy.ts never leaves a lone withheld cell in a relation), and leaving out that part's
 * sales is enough for the list not to complete it.
 */
export function saleCells(s: SaleRow): string[] {
  const type = FIGURES_OF[describeSale(s).type]?.[0];
  return type ? [cellKey(type, s.date_mutation.slice(0, 4)), cellKey(type, s.date_mutation.slice(0, 7))] : [];
}

/** The portal types a sale counts in (its section's figures on the commune page). */
export function saleTypes(s: SaleRow): PortalType[] {
  return (FIGURES_OF[describeSale(s).type] ?? []).filter((t): t is PortalType => (PORTAL_TYPES as string[]).includes(t));
}

/** Sale points are shown at about 100 m: enough to see where the market is, not which house was sold. */
export const roundCoordinate = (x: number | null): number | null => (x === null || !Number.isFinite(x) ? null : Math.round(x * 1000) / 1000);

// ---------- published tables ----------

export type Cell = string | number | boolean | null;

export interface Column {
  cle: string;
  libelle: string;
  unite?: string;
}

export interface TableMeta {
  titre: string;
  periode: string;
  methode: string;
  source: string;
  /** Last sale date in the lake for this area, ISO; the honest « date of the data ». */
  donnees_jusqu_au: string | null;
  importe_le: string | null;
  seuil_secret: number;
  secret_statistique: string;
}

export interface DataTable {
  nom: string;
  meta: TableMeta;
  colonnes: Column[];
  lignes: Record<string, Cell>[];
}

export function secrecyNote(seuil: number): string {
  return `Secret statistique : un chiffre calculé sur moins de ${seuil} ventes n’est pas publié (colonne « secret » = oui, raison donnée) ; un chiffre qui le ferait retrouver par différence avec un total publié ne l’est pas non plus (secret secondaire).`;
}

/** The columns of an indicator row; `secret` and `raison` say when and why a figure is withheld. */
export const INDICATOR_COLUMNS: Column[] = [
  { cle: 'secret', libelle: 'Chiffre non publié (secret statistique)' },
  { cle: 'raison', libelle: 'Raison du secret' },
  { cle: 'nb_ventes', libelle: 'Nombre de ventes', unite: 'ventes' },
  { cle: 'prix_m2_q1', libelle: 'Prix au m², premier quartile', unite: '€/m²' },
  { cle: 'prix_m2_median', libelle: 'Prix au m² médian', unite: '€/m²' },
  { cle: 'prix_m2_q3', libelle: 'Prix au m², troisième quartile', unite: '€/m²' },
  { cle: 'prix_median', libelle: 'Prix de vente médian', unite: '€' },
];

/** Flattens a public indicator for a table: withheld figures become empty cells with the reason. */
export function indicatorCells(i: PublicIndicator): Record<string, Cell> {
  if (i.secret) return { secret: true, raison: i.raison, nb_ventes: null, prix_m2_q1: null, prix_m2_median: null, prix_m2_q3: null, prix_median: null };
  return { secret: false, raison: null, nb_ventes: i.nb_ventes, prix_m2_q1: i.prix_m2_q1, prix_m2_median: i.prix_m2_median, prix_m2_q3: i.prix_m2_q3, prix_median: i.prix_median };
}


/**
 * CSV (RFC 4180, comma, UTF-8, `.` decimals) preceded by `#` comment lines carrying the title, period, method,
 * source, date of the data, secrecy rule and each column's meaning and unit: a file that travels alone still says
 * what it holds. Readers skip them with e.g. csv-parse `comment: '#'`, pandas `comment='#'`, R `comment.char='#'`.
 */
export function toCsv(t: DataTable): string {
  const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ');
  const notes = [
    t.meta.titre,
    `Période : ${t.meta.periode}`,
    `Méthode : ${t.meta.methode}`,
    `Source : ${t.meta.source}`,
    `Données : ventes jusqu’au ${t.meta.donnees_jusqu_au ?? 'inconnu'}${t.meta.importe_le ? `, importées le ${t.meta.importe_le.slice(0, 10)}` : ''}`,
    t.meta.secret_statistique,
    ...t.colonnes.map((c) => `Colonne ${c.cle} : ${c.libelle}${c.unite ? ` (${c.unite})` : ''}`),
  ];
  // A `#` anywhere is quoted (csv-parse reads an unquoted one as the start of a comment), and so are edge spaces.
  const rows = [t.colonnes.map((c) => c.cle), ...t.lignes.map((r) => t.colonnes.map((c) => r[c.cle] ?? null))];
  return notes.map((n) => `# ${oneLine(n)}\r\n`).join('') + writeCsv(rows, { quoteAlso: [/#/, /^\s|\s$/] });
}

/** Indicator rows of one commune, indexed for the page: `type|periode` → row. */
export function byTypeAndPeriod<T extends { type: PropertyType; periode: string }>(rows: T[]): Map<string, T> {
  return new Map(rows.map((r) => [`${r.type}|${r.periode}`, r]));
}

export const METHOD_PORTAL: Method = 'habitat';

/** The indicator rows of one commune out of the map's grouped query, shaped as `computeIndicators` returns them. */
export type CommuneIndicatorRow = IndicatorRow & { commune: string };
