// The market's contract: the requests and answers of its routes (indicators, latest sales, what the lake holds, the
// price portal's map and commune page). No I/O: routes validate with these schemas, OpenAPI is generated from them,
// and the web pages import their types from here. Names follow docs/decisions/0004-naming.md; DVF's own columns
// (id_mutation, date_mutation, valeur_fonciere…) keep their names.
import { z } from 'zod';
import { cadastralSection, communeCode, siren } from '../territory/index.ts';
import { PROPERTY_TYPES, type PropertyType } from './model.ts';

// ---------- indicators ----------

const propertyType = z.enum(PROPERTY_TYPES as [PropertyType, ...PropertyType[]]);
const method = z.enum(['habitat', 'etalab']);
const year = z.coerce.number().int().min(2000).max(2100);

export const communeParams = z.object({ code: communeCode.describe('Code INSEE de commune ou d’arrondissement') });
export const epciParams = z.object({ siren });
export const departementParams = z.object({ code: z.string().regex(/^([0-9]{2}|2A|2B|97[0-9])$/, 'Code de département (ex. 69, 2A, 974)') });
export const sectionParams = z.object({ code: cadastralSection });

export const indicatorQuery = z.object({
  period: z.enum(['year', 'month']).default('year').describe('Regroupement par année (year) ou par mois (month)'),
  types: z
    .string()
    .regex(new RegExp(`^(${PROPERTY_TYPES.join('|')})(,(${PROPERTY_TYPES.join('|')}))*$`), `Types possibles, séparés par des virgules : ${PROPERTY_TYPES.join(', ')}`)
    .default('maison,appartement,maison_appartement')
    .describe(`Types de biens, séparés par des virgules : ${PROPERTY_TYPES.join(', ')}`),
  method: method.default('habitat').describe('habitat (par défaut) ou etalab (statistiques DVF de data.gouv.fr)'),
  from: year.optional().describe('Première année (incluse)'),
  to: year.optional().describe('Dernière année (incluse)'),
});
export type IndicatorQuery = z.infer<typeof indicatorQuery>;

const figures = {
  sales_count: z.number().describe('Nombre de ventes'),
  price_m2_q1: z.number().describe('Premier quartile du prix au m² (€)'),
  price_m2_median: z.number().describe('Prix au m² médian (€)'),
  price_m2_q3: z.number().describe('Troisième quartile du prix au m² (€)'),
  price_median: z.number().describe('Prix de vente médian (€)'),
};
const head = { code: z.string(), period: z.string(), type: propertyType };
const publicIndicator = z.union([
  z.object({ ...head, withheld: z.literal(false), ...figures }),
  z.object({ ...head, withheld: z.literal(true), reason: z.string().describe('Pourquoi le chiffre n’est pas publié (secret statistique)') }),
]);
export const indicatorsAnswer = z.object({
  level: z.enum(['commune', 'epci', 'departement', 'section', 'territory']),
  code: z.string(),
  name: z.string().nullable(),
  period: z.enum(['year', 'month']),
  method,
  method_description: z.string(),
  secrecy_min_count: z.number().describe('Nombre de ventes minimal pour publier un chiffre'),
  source: z.string(),
  indicators: z.array(publicIndicator),
});
export type IndicatorsAnswer = z.infer<typeof indicatorsAnswer>;

// ---------- latest sales, lake ----------

export const salesQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });

/** One mutation of a commune, without address or parcel number (DVF's columns keep their names). */
const latestSale = z.object({
  id_mutation: z.string(),
  date_mutation: z.string(),
  nature_mutation: z.string(),
  valeur_fonciere: z.number().nullable(),
  code_commune: z.string(),
  section: z.string(),
  lines_count: z.number(),
  houses_count: z.number(),
  flats_count: z.number(),
  outbuildings_count: z.number(),
  premises_count: z.number(),
  surface_reelle_bati: z.number().nullable(),
  nombre_pieces_principales: z.number().nullable(),
  surface_terrain: z.number().nullable(),
});
export type LatestSale = z.infer<typeof latestSale>;
export const salesAnswer = z.object({ code: z.string(), source: z.string(), sales: z.array(latestSale) });

export const lakeAnswer = z.object({
  partitions: z.array(z.object({ departement: z.string(), year: z.number(), lines: z.number(), mutations: z.number() })),
  files: z.array(z.object({ file: z.string(), imported_at: z.string(), lines: z.number() })),
});
export type LakeAnswer = z.infer<typeof lakeAnswer>;

// ---------- the price portal ----------

export type PortalType = 'maison' | 'appartement' | 'maison_appartement';
export const PORTAL_TYPES: PortalType[] = ['maison', 'appartement', 'maison_appartement'];
/** `year`: the chosen year only; `five_years`: the five years ending with it, pooled. */
export type Window = 'year' | 'five_years';

export const portalQuery = z.object({
  type: z.enum(PORTAL_TYPES as [PortalType, ...PortalType[]]).default('maison_appartement').describe('maison, appartement ou maison_appartement (les deux)'),
  year: year.optional().describe('Année (par défaut : la dernière des données)'),
  window: z.enum(['year', 'five_years']).default('year').describe('year : l’année choisie ; five_years : les cinq ans qui finissent avec elle, cumulés'),
  method: method.default('habitat'),
});
export type PortalQuery = z.infer<typeof portalQuery>;
export const downloadQuery = portalQuery.extend({
  format: z.enum(['csv', 'json']).default('csv').describe('csv (avec méthode et source en lignes de commentaire #) ou json (avec meta)'),
});

const tableMeta = z.object({
  title: z.string(),
  period: z.string(),
  method: z.string(),
  source: z.string(),
  data_until: z.string().nullable().describe('Date de la dernière vente présente dans les données (AAAA-MM-JJ)'),
  imported_at: z.string().nullable(),
  secrecy_min_count: z.number(),
  secret_statistique: z.string().describe('La règle du secret statistique, en français'),
});
export type TableMeta = z.infer<typeof tableMeta>;
const column = z.object({ key: z.string(), label: z.string(), unit: z.string().optional() });
export type Column = z.infer<typeof column>;

/** A published table: its rows, what each column means and in which unit, and the method and source beside. */
const dataTable = <R extends z.ZodType>(row: R) => z.object({ name: z.string(), meta: tableMeta, columns: z.array(column), rows: z.array(row) });
export type Cell = string | number | boolean | null;
export interface DataTable<Row extends object = Record<string, Cell>> {
  name: string;
  meta: TableMeta;
  columns: Column[];
  rows: Row[];
}

/** A figure as a table publishes it: withheld ones are null, with the reason. */
const indicatorCells = {
  withheld: z.boolean(),
  reason: z.string().nullable(),
  sales_count: z.number().nullable(),
  price_m2_q1: z.number().nullable(),
  price_m2_median: z.number().nullable(),
  price_m2_q3: z.number().nullable(),
  price_median: z.number().nullable(),
};
const indicatorCellsRow = z.object(indicatorCells);
export type IndicatorCells = z.infer<typeof indicatorCellsRow>;
const mapRow = z.object({ code: z.string(), name: z.string(), epci_siren: z.string(), epci_name: z.string(), ...indicatorCells });
const seriesRow = z.object({ period: z.string(), type: propertyType, type_label: z.string(), ...indicatorCells });
const volumesRow = z.object({ period: z.string(), type: propertyType, type_label: z.string(), withheld: z.boolean(), sales_count: z.number().nullable() });
const distributionRow = z.object({ price_m2_min: z.number(), price_m2_max: z.number(), sales_count: z.number() });
const comparisonRow = z.object({ level: z.string(), code: z.string(), name: z.string(), ...indicatorCells });
const sectionRow = z.object({ section: z.string(), ...indicatorCells });
const saleRow = z.object({
  date: z.string(),
  type: z.string(),
  surface: z.number().nullable(),
  rooms: z.number().nullable(),
  surface_terrain: z.number().nullable(),
  price: z.number().nullable(),
  price_m2: z.number().nullable(),
  section: z.string(),
  longitude: z.number().nullable(),
  latitude: z.number().nullable(),
});
export type MapRow = z.infer<typeof mapRow>;
export type SeriesRow = z.infer<typeof seriesRow>;
export type SaleRow = z.infer<typeof saleRow>;

export const mapAnswer = z.object({
  years: z.array(z.number()),
  year: z.number().nullable(),
  type: z.enum(PORTAL_TYPES as [PortalType, ...PortalType[]]),
  window: z.enum(['year', 'five_years']),
  period: z.string(),
  epcis: z.array(z.object({ siren: z.string(), name: z.string() })),
  classes: z.array(z.object({ min: z.number(), max: z.number().nullable().describe('null : classe ouverte'), color: z.string(), label: z.string() })),
  table: dataTable(mapRow),
});
export type MapAnswer = z.infer<typeof mapAnswer>;

const communeTables = z.object({
  yearly_series: dataTable(seriesRow),
  monthly_series: dataTable(seriesRow),
  distribution: dataTable(distributionRow),
  volumes: dataTable(volumesRow),
  building_land: dataTable(seriesRow),
  comparison: dataTable(comparisonRow),
  sections: dataTable(sectionRow),
  sales: dataTable(saleRow),
});
export type CommuneTable = keyof z.infer<typeof communeTables>;
const COMMUNE_TABLES = Object.keys(communeTables.shape) as CommuneTable[];

export const communeTableParams = communeParams.extend({
  table: z.enum(COMMUNE_TABLES as [CommuneTable, ...CommuneTable[]]).describe(`Tableau : ${COMMUNE_TABLES.join(', ')}`),
});

export const communePageAnswer = z.object({
  commune: z.object({
    code: z.string(),
    name: z.string(),
    departement_code: z.string().nullable(),
    departement_name: z.string().nullable(),
    epci_siren: z.string().nullable(),
    epci_name: z.string().nullable(),
    postal_codes: z.array(z.string()),
  }),
  years: z.array(z.number()),
  year: z.number().nullable(),
  type: z.enum(PORTAL_TYPES as [PortalType, ...PortalType[]]),
  window: z.enum(['year', 'five_years']),
  period: z.string(),
  tables: communeTables,
});
export type CommunePageAnswer = z.infer<typeof communePageAnswer>;
