// The price portal's pure rules: map classes, price distribution, what a sale is, period windows, and the tables
// every figure is published in (JSON with its method and source beside, or CSV with them as comment lines). No I/O
// here: service.ts gathers the figures (store.ts) and shapes them with these.
import { toCsv as writeCsv } from '../../platform/csv.ts';
import type { Cell, Column, DataTable, IndicatorCells, LatestSale, PortalType, SaleRow, Window } from './contract.ts';
import { PORTAL_TYPES } from './contract.ts';
import { isPrimary, type Status } from '../../platform/secrecy.ts';
import { describeHeldWindow } from './period.ts';
import { cellKey, publicIndicator, type IndicatorRow, type Method, type PropertyType, type PublicIndicator } from './model.ts';

export function yearWindow(year: number, window: Window): { from: number; to: number } {
  return window === 'five_years' ? { from: year - 4, to: year } : { from: year, to: year };
}

/** The window's label; with the years the lake holds, it never claims more of them than are loaded (period.ts). */
export function describeWindow(year: number, window: Window, years?: readonly number[]): string {
  if (years) return describeHeldWindow(year, window, years);
  return window === 'five_years' ? `${year - 4} à ${year} (5 ans cumulés)` : String(year);
}

export const PORTAL_METHOD: Record<Method, string> = {
  habitat:
    'Ventes, ventes en l’état futur d’achèvement et adjudications d’un seul bien (une maison, un appartement ou un local ; dépendances non comptées), prix au m² = prix de vente / surface habitable déclarée, ventes au-delà de 100 000 €/m² écartées ; deux lots d’un même immeuble vendus ensemble ne comptent pas. Médiane : la moitié des ventes s’est faite en dessous, la moitié au-dessus. Terrains à bâtir : ventes sans bâtiment, prix au m² de terrain. Détails : /prix/methode.',
  etalab:
    'Méthode des « Statistiques DVF » de data.gouv.fr : ventes, VEFA et adjudications d’un seul bien, prix au m² = valeur foncière / surface réelle bâtie, inférieur à 100 000 €/m², médianes arrondies à l’euro (moitiés vers le pair).',
};

export const TYPE_LABEL: Record<PropertyType, string> = {
  maison: 'Maisons',
  appartement: 'Appartements',
  maison_appartement: 'Maisons et appartements',
  local: 'Locaux d’activité',
  terrain_a_batir: 'Terrains à bâtir',
};

// ---------- map classes ----------

export interface PriceClass {
  min: number;
  max: number;
  color: string;
  label: string;
}

/** Sequential purples (ColorBrewer), distinguishable by colour-blind readers and in grey print. */
const CLASS_COLORS = ['#f2f0f7', '#cbc9e2', '#9e9ac8', '#756bb1', '#54278f'];

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
  sales_count: number;
}

/** A readable bin width for this spread of prices: 1, 2 or 5 × a power of ten (1 €/m² at least), about `target` bins. */
function binWidth(min: number, max: number, target = 12): number {
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
  const bins: Bin[] = Array.from({ length: n }, (_, i) => ({ min: (k0 + i) * w, max: (k0 + i + 1) * w, sales_count: 0 }));
  for (const x of xs) bins[Math.min(n - 1, Math.max(0, Math.floor(x / w) - k0))].sales_count++;
  return bins;
}

// ---------- sales ----------

export type SaleKind = 'maison' | 'appartement' | 'local' | 'terrain' | 'dépendance' | 'plusieurs biens';

const SALE_KIND_LABELS: Record<SaleKind, string> = {
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
export function describeSale(s: LatestSale): { type: SaleKind; price_m2: number | null } {
  const dwellings = s.houses_count + s.flats_count;
  let type: SaleKind;
  if (dwellings + s.premises_count > 1) type = 'plusieurs biens';
  else if (s.houses_count === 1) type = 'maison';
  else if (s.flats_count === 1) type = 'appartement';
  else if (s.premises_count === 1) type = 'local';
  else if (s.outbuildings_count > 0) type = 'dépendance';
  else type = 'terrain';
  const single = type === 'maison' || type === 'appartement';
  const price_m2 =
    single && s.valeur_fonciere !== null && s.surface_reelle_bati && s.surface_reelle_bati > 0
      ? Math.round(s.valeur_fonciere / s.surface_reelle_bati)
      : null;
  return { type, price_m2 };
}

const FIGURES_OF: Partial<Record<SaleKind, PropertyType[]>> = {
  maison: ['maison', 'maison_appartement'],
  appartement: ['appartement', 'maison_appartement'],
  local: ['local'],
  terrain: ['terrain_a_batir'],
};

/**
 * The commune's finest figures (`type|period` cells) a listed sale may be counted in: its own type for its year and
 * its month. A sale of several properties or of outbuildings only is in none. Deliberately wide (a house sold without
 * a surface is not in the medians). Houses-and-flats is not a cell of its own here: when it is withheld, one of its
 * two parts is too (platform/secrecy.ts never leaves a lone withheld cell in a relation), and leaving out that part's
 * sales is enough for the list not to complete it.
 */
export function saleCells(s: LatestSale): string[] {
  const type = FIGURES_OF[describeSale(s).type]?.[0];
  return type ? [cellKey(type, s.date_mutation.slice(0, 4)), cellKey(type, s.date_mutation.slice(0, 7))] : [];
}

/**
 * The one rule for public lists of sales (`/api/market/communes/:code/sales`, « Dernières ventes », the sales of a
 * period): a sale counted in a withheld figure is not listed, or the list would give back the count and the median
 * the secrecy withholds (four flats listed for a month whose flat figure is withheld). `cellsOf` names the figures a
 * sale is counted in (saleCells: its type for its year and its month; a page adds its own: the period's type, its
 * section, its number of rooms); `withheld` says which of them are not published. `reason` says, in French, how many
 * sales are left out and why.
 */
export function publicSaleList<S>(sales: readonly S[], cellsOf: (s: S) => string[], withheld: (cell: string) => boolean, min: number): { rows: S[]; withheld_count: number; reason: string | null } {
  const rows = sales.filter((s) => !cellsOf(s).some(withheld));
  const n = sales.length - rows.length;
  const reason = n
    ? `${n} vente${n > 1 ? 's ne sont pas listées' : ' n’est pas listée'} : ${n > 1 ? 'elles entrent' : 'elle entre'} dans un chiffre couvert par le secret statistique (moins de ${min} ventes, ou masqué pour protéger un chiffre voisin), que la liste permettrait de recalculer.`
    : null;
  return { rows, withheld_count: n, reason };
}

/** The portal types a sale counts in (its section's figures on the commune page). */
export function saleTypes(s: LatestSale): PortalType[] {
  return (FIGURES_OF[describeSale(s).type] ?? []).filter((t): t is PortalType => (PORTAL_TYPES as string[]).includes(t));
}

/** Sale points are shown at about 100 m: enough to see where the market is, not which house was sold. */
export const roundCoordinate = (x: number | null): number | null => (x === null || !Number.isFinite(x) ? null : Math.round(x * 1000) / 1000);

// ---------- published tables ----------

export function secrecyNote(min: number): string {
  return `Secret statistique : un chiffre calculé sur moins de ${min} ventes n’est pas publié (colonne « withheld » = oui, raison donnée) ; un chiffre qui le ferait retrouver par différence avec un total publié ne l’est pas non plus (secret secondaire).`;
}

/** The columns of an indicator row; `withheld` and `reason` say when and why a figure is not published. */
const INDICATOR_COLUMNS: Column[] = [
  { key: 'withheld', label: 'Chiffre non publié (secret statistique)' },
  { key: 'reason', label: 'Raison du secret' },
  { key: 'sales_count', label: 'Nombre de ventes', unit: 'ventes' },
  { key: 'price_m2_q1', label: 'Prix au m², premier quartile', unit: '€/m²' },
  { key: 'price_m2_median', label: 'Prix au m² médian', unit: '€/m²' },
  { key: 'price_m2_q3', label: 'Prix au m², troisième quartile', unit: '€/m²' },
  { key: 'price_median', label: 'Prix de vente médian', unit: '€' },
];

/** The columns of each published table. */
export const COLUMNS = {
  map: [
    { key: 'code', label: 'Code INSEE' },
    { key: 'name', label: 'Commune' },
    { key: 'epci_siren', label: 'SIREN de l’intercommunalité' },
    { key: 'epci_name', label: 'Intercommunalité' },
    ...INDICATOR_COLUMNS,
  ],
  series: [{ key: 'period', label: 'Période' }, { key: 'type', label: 'Type de bien (code)' }, { key: 'type_label', label: 'Type de bien' }, ...INDICATOR_COLUMNS],
  volumes: [
    { key: 'period', label: 'Année' },
    { key: 'type', label: 'Type de bien (code)' },
    { key: 'type_label', label: 'Type de bien' },
    { key: 'withheld', label: 'Chiffre non publié (secret statistique)' },
    { key: 'sales_count', label: 'Nombre de ventes', unit: 'ventes' },
  ],
  distribution: [
    { key: 'price_m2_min', label: 'De (inclus)', unit: '€/m²' },
    { key: 'price_m2_max', label: 'À (exclu)', unit: '€/m²' },
    { key: 'sales_count', label: 'Nombre de ventes', unit: 'ventes' },
  ],
  comparison: [{ key: 'level', label: 'Niveau' }, { key: 'code', label: 'Code' }, { key: 'name', label: 'Nom' }, ...INDICATOR_COLUMNS],
  sections: [{ key: 'section', label: 'Section cadastrale' }, ...INDICATOR_COLUMNS],
  sales: [
    { key: 'date', label: 'Date de la vente' },
    { key: 'type', label: 'Bien vendu' },
    { key: 'surface', label: 'Surface habitable', unit: 'm²' },
    { key: 'rooms', label: 'Pièces principales' },
    { key: 'surface_terrain', label: 'Surface de terrain', unit: 'm²' },
    { key: 'price', label: 'Prix de vente', unit: '€' },
    { key: 'price_m2', label: 'Prix au m² (vente d’un seul logement)', unit: '€/m²' },
    { key: 'section', label: 'Section cadastrale' },
    { key: 'longitude', label: 'Longitude (arrondie)', unit: '°' },
    { key: 'latitude', label: 'Latitude (arrondie)', unit: '°' },
  ],
} satisfies Record<string, Column[]>;

/**
 * A group's figures as a table publishes them, given the status its table gave it. A group with no sale at all has
 * nothing to show: withheld as from too few sales.
 */
export function figureCells(f: IndicatorRow | undefined, at: { code: string; period: string; type: PropertyType }, status: Status, minCount: number): IndicatorCells {
  if (!f) return indicatorCells(publicIndicator({ ...at, sales_count: 0, price_m2_q1: 0, price_m2_median: 0, price_m2_q3: 0, price_median: 0 }, 'primary', minCount));
  return indicatorCells(publicIndicator({ ...f, ...at }, isPrimary(f.sales_count, minCount) ? 'primary' : status, minCount));
}

/** Flattens a public indicator for a table: withheld figures become empty cells with the reason. */
export function indicatorCells(i: PublicIndicator): IndicatorCells {
  if (i.withheld) return { withheld: true, reason: i.reason, sales_count: null, price_m2_q1: null, price_m2_median: null, price_m2_q3: null, price_median: null };
  return { withheld: false, reason: null, sales_count: i.sales_count, price_m2_q1: i.price_m2_q1, price_m2_median: i.price_m2_median, price_m2_q3: i.price_m2_q3, price_median: i.price_median };
}

/** A sale of the latest-sales table: no address, a readable type, a price per m² for one dwelling, a rounded position. */
export function saleRow(s: LatestSale, point: { lon: number; lat: number } | undefined): SaleRow {
  const d = describeSale(s);
  return {
    date: s.date_mutation,
    type: SALE_KIND_LABELS[d.type],
    surface: s.surface_reelle_bati,
    rooms: s.nombre_pieces_principales,
    surface_terrain: s.surface_terrain,
    price: s.valeur_fonciere,
    price_m2: d.price_m2,
    section: s.section,
    longitude: roundCoordinate(point?.lon ?? null),
    latitude: roundCoordinate(point?.lat ?? null),
  };
}

/**
 * CSV (RFC 4180, comma, UTF-8, `.` decimals) preceded by `#` comment lines carrying the title, period, method,
 * source, date of the data, secrecy rule and each column's meaning and unit: a file that travels alone still says
 * what it holds. Readers skip them with e.g. csv-parse `comment: '#'`, pandas `comment='#'`, R `comment.char='#'`.
 */
export function toCsv<Row extends object>(t: DataTable<Row>): string {
  const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ');
  const notes = [
    t.meta.title,
    `Période : ${t.meta.period}`,
    `Méthode : ${t.meta.method}`,
    `Source : ${t.meta.source}`,
    `Données : ventes jusqu’au ${t.meta.data_until ?? 'inconnu'}${t.meta.imported_at ? `, importées le ${t.meta.imported_at.slice(0, 10)}` : ''}`,
    t.meta.secret_statistique,
    ...t.columns.map((c) => `Colonne ${c.key} : ${c.label}${c.unit ? ` (${c.unit})` : ''}`),
  ];
  // A `#` anywhere is quoted (csv-parse reads an unquoted one as the start of a comment), and so are edge spaces.
  const cells = (r: Row) => r as Record<string, Cell>;
  const rows = [t.columns.map((c) => c.key), ...t.rows.map((r) => t.columns.map((c) => cells(r)[c.key] ?? null))];
  return notes.map((n) => `# ${oneLine(n)}\r\n`).join('') + writeCsv(rows, { quoteAlso: [/#/, /^\s|\s$/] });
}
