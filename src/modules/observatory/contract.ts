// The observatory's contract: the answers of the portrait of a commune or an EPCI, the comparisons between communes
// (one indicator everywhere, with legend classes chosen from the data), the comparable communes and the coverage of
// each source. No I/O: routes validate with these schemas, OpenAPI is generated from them, the web pages import their
// types from here. Names follow docs/decisions/0004-naming.md. Once published, changes here are additive only.
import { z } from 'zod';
import { communeCode, siren } from '../territory/index.ts';

// ---------- requests ----------

export const communePortraitParams = z.object({ code: communeCode.describe('Code INSEE de la commune (ex. 69266)') });
export const epciPortraitParams = z.object({ siren: siren.describe('SIREN de l’EPCI (ex. 200046977)') });
export const indicatorParams = z.object({ indicator: z.string().min(1).max(60).describe('Clé de l’indicateur (voir /api/observatory/indicators)') });
export const indicatorQuery = z.object({
  epci: siren.optional().describe('Limiter aux communes de cet EPCI (par défaut : toutes les communes de l’instance)'),
  classes: z.coerce.number().int().min(2).max(7).default(5).describe('Nombre de classes de la légende (quantiles)'),
});

// ---------- figures ----------

/** Why a figure is missing: its source is not loaded, it is withheld by statistical secrecy, or it has no meaning here. */
export const noDataReason = z.enum(['not_loaded', 'secrecy', 'not_applicable']);
export type NoDataReason = z.infer<typeof noDataReason>;

/** « pas de donnée » and why, in French for the page. */
export const noData = z.object({
  status: z.literal('no_data'),
  reason: noDataReason,
  message: z.string().describe('Pourquoi il n’y a pas de donnée, en français'),
});
export type NoData = z.infer<typeof noData>;

/** Where a figure comes from: the source's name, its edition and the edition's date when known. */
const provenance = {
  source: z.string().describe('Source (ex. « Insee, comparateur de territoires »)'),
  edition: z.string().nullable().describe('Édition ou millésime de la source (ex. 2025)'),
  edition_date: z.string().nullable().describe('Date de l’édition ou du chargement (AAAA-MM-JJ)'),
};
const figureHead = {
  key: z.string().describe('Clé stable de l’indicateur (ex. population, price_m2_median_apartment)'),
  label: z.string().describe('Libellé en français'),
  unit: z.string().describe('Unité (habitants, %, €/m², logements, années…)'),
  ...provenance,
  period: z.string().nullable().describe('Période du chiffre (ex. 2022, 2016-2022, 2018)'),
};

/** One figure of the portrait: a value with its unit, source, edition and secrecy status, or « pas de donnée » and why. */
export const figure = z.discriminatedUnion('status', [
  z.object({
    ...figureHead,
    status: z.literal('ok'),
    value: z.number(),
    secrecy: z.literal('published').describe('Chiffre publié (secret statistique vérifié)'),
    note: z.string().nullable().describe('Précision de lecture ou de méthode, en français'),
  }),
  z.object({ ...figureHead, ...noData.shape, secrecy: z.enum(['withheld', 'none']).describe('withheld : retenu par le secret statistique') }),
]);
export type Figure = z.infer<typeof figure>;

/** One point of a series (a year): its value, or null when withheld or missing (then `withheld` says which). */
const seriesPoint = z.object({
  period: z.string().describe('Période (année)'),
  value: z.number().nullable(),
  withheld: z.boolean().describe('Valeur retenue par le secret statistique'),
});

/** A series for a chart (trend of prices, dwellings per year…), drawn with its data table. */
export const series = z.discriminatedUnion('status', [
  z.object({ key: z.string(), label: z.string(), unit: z.string(), ...provenance, status: z.literal('ok'), points: z.array(seriesPoint) }),
  z.object({ key: z.string(), label: z.string(), unit: z.string(), ...provenance, ...noData.shape }),
]);
export type Series = z.infer<typeof series>;

export const SECTION_KEYS = ['population', 'market', 'construction', 'social_housing', 'demand', 'energy'] as const;
export type SectionKey = (typeof SECTION_KEYS)[number];

/** One section of the portrait, in the order; `module_path` is the web page of the module that details it. */
export const portraitSection = z.object({
  key: z.enum(SECTION_KEYS),
  title: z.string().describe('Titre de la section, en français'),
  module_path: z.string().describe('Adresse de la page du module qui détaille la section (ex. /marche/communes/69266)'),
  figures: z.array(figure),
  series: z.array(series),
  method: z.string().nullable().describe('Méthode de calcul à afficher (ex. ratio d’accessibilité)'),
});
export type PortraitSection = z.infer<typeof portraitSection>;

/** A commune close to the portrait's commune on population, median income and price (standardised distance). */
export const comparableCommune = z.object({
  code: z.string(),
  name: z.string(),
  epci_siren: z.string().nullable(),
  distance: z.number().describe('Distance standardisée (0 = identique)'),
  population: z.number().nullable(),
  median_income: z.number().nullable().describe('Revenu disponible médian par unité de consommation (€/an)'),
  price_m2: z.number().nullable().describe('Prix médian au m² (€/m², tous logements)'),
});
export type ComparableCommune = z.infer<typeof comparableCommune>;

export const comparables = z.discriminatedUnion('status', [
  z.object({ status: z.literal('ok'), method: z.string(), communes: z.array(comparableCommune) }),
  noData,
]);

export const portraitAnswer = z.object({
  level: z.enum(['commune', 'epci']),
  code: z.string().describe('Code INSEE de la commune ou SIREN de l’EPCI'),
  name: z.string(),
  epci: z.object({ siren: z.string(), name: z.string() }).nullable().describe('L’EPCI de la commune (null pour un EPCI)'),
  communes: z.array(z.object({ code: z.string(), name: z.string() })).describe('Les communes agrégées (la commune seule pour une commune)'),
  demo: z.boolean().describe('Les données chargées sont celles de la démonstration (extraits partiels)'),
  sections: z.array(portraitSection),
  comparables: comparables.describe('Les cinq communes les plus proches (commune seulement ; not_applicable pour un EPCI)'),
  sheet: z.object({ pdf: z.string(), docx: z.string() }).describe('Adresses de la fiche à télécharger'),
});
export type PortraitAnswer = z.infer<typeof portraitAnswer>;

// ---------- comparisons ----------

export const indicatorDefinition = z.object({
  key: z.string(),
  label: z.string(),
  unit: z.string(),
  source: z.string(),
  section: z.enum(SECTION_KEYS),
  description: z.string().nullable(),
});
export type IndicatorDefinition = z.infer<typeof indicatorDefinition>;
export const indicatorsListAnswer = z.object({ indicators: z.array(indicatorDefinition) });
export type IndicatorsListAnswer = z.infer<typeof indicatorsListAnswer>;

/** A value of the comparison table: a number, or null with the reason. */
const comparedValue = {
  value: z.number().nullable(),
  reason: noDataReason.nullable().describe('Pourquoi la valeur manque (null quand elle est là)'),
};

/** A legend class: [min, max] of the values, how many communes fall in it. */
export const legendClass = z.object({ index: z.number(), min: z.number(), max: z.number(), count: z.number(), label: z.string() });
export type LegendClass = z.infer<typeof legendClass>;

export const indicatorAnswer = z.object({
  indicator: indicatorDefinition,
  edition: z.string().nullable(),
  edition_date: z.string().nullable(),
  scope: z.object({ epci: z.string().nullable(), name: z.string() }),
  instance: z.object({ name: z.string(), ...comparedValue }),
  epcis: z.array(z.object({ siren: z.string(), name: z.string(), ...comparedValue })),
  communes: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      epci_siren: z.string().nullable(),
      ...comparedValue,
      rank: z.number().nullable().describe('Rang (1 = valeur la plus forte) parmi les communes qui ont une valeur'),
      class_index: z.number().nullable().describe('Classe de la légende (index dans classes)'),
    }),
  ),
  classes: z.array(legendClass).describe('Classes de la légende (quantiles des valeurs), avec leurs effectifs'),
  no_data_count: z.number().describe('Communes sans valeur'),
});
export type IndicatorAnswer = z.infer<typeof indicatorAnswer>;

// ---------- sources and coverage ----------

export const coverageAnswer = z.object({
  communes_total: z.number(),
  sources: z.array(
    z.object({
      key: z.string().describe('Identifiant de la source (celui de /api/sources)'),
      name: z.string(),
      edition: z.string().nullable(),
      edition_date: z.string().nullable(),
      period: z.string().nullable().describe('Période couverte (ex. 2018, 2014-2024)'),
      communes_covered: z.number(),
      communes: z.array(z.object({ code: z.string(), name: z.string() })).describe('Communes de l’instance couvertes'),
      module_path: z.string().nullable(),
    }),
  ),
});
export type CoverageAnswer = z.infer<typeof coverageAnswer>;
