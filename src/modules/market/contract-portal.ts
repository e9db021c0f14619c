// The contract of the price portal's period page and search (routes-portal-extra.ts): any range of months, every
// median with its number of sales, interquartile range and 95 % confidence interval, the cadastral sections with
// their position, the sales of the period on the map, distributions, the repeat-sales index of the EPCI, and the
// search by commune, postal code or street with a type and budget filter. Names follow docs/decisions/0004-naming.md.
import { z } from 'zod';
import { PORTAL_TYPES, mapAnswer, type PortalType } from './contract.ts';

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'Mois au format AAAA-MM');
const portalType = z.enum(PORTAL_TYPES as [PortalType, ...PortalType[]]);

export const periodQuery = z.object({
  type: portalType.default('maison_appartement').describe('maison, appartement ou maison_appartement (les deux)'),
  from: month.optional().describe('Premier mois (inclus), AAAA-MM ; par défaut les 12 derniers mois des données'),
  to: month.optional().describe('Dernier mois (inclus), AAAA-MM'),
  method: z.enum(['habitat', 'etalab']).default('habitat'),
});
export type PeriodQuery = z.infer<typeof periodQuery>;

const period = z.object({ from: z.string(), to: z.string(), label: z.string(), default: z.boolean() });
const edition = z.object({ data_until: z.string().nullable(), imported_at: z.string().nullable(), label: z.string() });

/** The portal's map over a range of months, the commune page's periods (period.ts). */
export const mapPeriodQuery = z.object({
  type: portalType.default('maison_appartement').describe('maison, appartement ou maison_appartement (les deux)'),
  from: month.optional().describe('Premier mois (inclus), AAAA-MM ; par défaut les 12 derniers mois des données'),
  to: month.optional().describe('Dernier mois (inclus), AAAA-MM'),
  method: z.enum(['habitat', 'etalab']).default('habitat'),
});
export type MapPeriodQuery = z.infer<typeof mapPeriodQuery>;
export const mapPeriodDownloadQuery = mapPeriodQuery.extend({
  format: z.enum(['csv', 'json']).default('csv').describe('csv (avec méthode et source en lignes de commentaire #) ou json (avec meta)'),
});

export const mapPeriodAnswer = z.object({
  type: portalType,
  months: z.array(z.string()).describe('Mois présents dans les données du territoire'),
  period: period.nullable(),
  edition,
  epcis: mapAnswer.shape.epcis,
  classes: mapAnswer.shape.classes,
  table: mapAnswer.shape.table,
});
export type MapPeriodAnswer = z.infer<typeof mapPeriodAnswer>;

/** A median as the portal publishes it: with its number of sales, quartiles, interquartile range and 95 % interval. */
const stats = {
  withheld: z.boolean(),
  reason: z.string().nullable(),
  sales_count: z.number().nullable().describe('Nombre de ventes'),
  price_m2_median: z.number().nullable().describe('Prix au m² médian (€/m²)'),
  price_m2_q1: z.number().nullable(),
  price_m2_q3: z.number().nullable(),
  price_m2_iqr: z.number().nullable().describe('Écart interquartile (€/m²)'),
  price_m2_ci_low: z.number().nullable().describe('Intervalle de confiance à 95 % de la médiane, borne basse (€/m²)'),
  price_m2_ci_high: z.number().nullable().describe('Intervalle de confiance à 95 % de la médiane, borne haute (€/m²)'),
  price_median: z.number().nullable().describe('Prix de vente médian (€)'),
};
const statsRow = z.object(stats);
export type Stats = z.infer<typeof statsRow>;

const bins = z.array(z.object({ min: z.number(), max: z.number(), sales_count: z.number() }));
const distribution = z.object({ type: portalType, type_label: z.string(), sales_count: z.number().nullable(), withheld: z.boolean(), bins });

const sale = z.object({
  id: z.string().describe('Identifiant de mutation (DVF)'),
  date: z.string(),
  type: z.string(),
  surface: z.number().nullable(),
  rooms: z.number().nullable(),
  surface_terrain: z.number().nullable(),
  price: z.number().nullable(),
  price_m2: z.number().nullable(),
  section: z.string(),
  parcel: z.string().nullable(),
  street: z.string().nullable().describe('Nom de la voie (sans numéro)'),
  longitude: z.number().nullable(),
  latitude: z.number().nullable(),
  same_parcel: z.array(z.object({ id: z.string(), date: z.string(), type: z.string(), price: z.number().nullable(), surface: z.number().nullable() })).describe('Les autres ventes de la même parcelle, toutes années chargées'),
});
export type PortalSale = z.infer<typeof sale>;

export const periodAnswer = z.object({
  commune: z.object({ code: z.string(), name: z.string(), epci_siren: z.string().nullable(), epci_name: z.string().nullable(), departement_code: z.string(), departement_name: z.string().nullable() }),
  type: portalType,
  type_label: z.string(),
  months: z.array(z.string()).describe('Mois présents dans les données pour cette commune'),
  period: period.nullable(),
  edition,
  method: z.string(),
  statistics_method: z.string(),
  source: z.string(),
  secrecy_min_count: z.number(),
  summary: statsRow,
  comparison: z.object({ rows: z.array(z.object({ level: z.string(), code: z.string(), name: z.string(), ...stats })), grouped: z.string().nullable() }),
  sections: z.object({
    rows: z.array(
      z.object({
        section: z.string(),
        longitude: z.number().nullable(),
        latitude: z.number().nullable(),
        outline: z
          .array(z.tuple([z.number(), z.number()]))
          .nullable()
          .describe('Contour des ventes de la section (enveloppe convexe de leurs positions arrondies, [longitude, latitude]) ; null sous trois points distincts. Pas le contour cadastral.'),
        ...stats,
      }),
    ),
    grouped: z.string().nullable(),
  }),
  sales: z.object({
    rows: z.array(sale),
    total: z.number().describe('Ventes listées'),
    withheld_count: z.number().describe('Ventes de la période non listées : elles entrent dans un chiffre couvert par le secret statistique'),
    withheld_reason: z.string().nullable(),
    note: z.string(),
  }),
  distributions: z.object({
    price_m2: z.array(distribution),
    surface: z.array(distribution),
    rooms: z.array(z.object({ rooms: z.string(), ...stats })),
  }),
  repeat_sales: z.object({
    area: z.string(),
    method: z.string(),
    pairs: z.number(),
    quarters: z.array(z.object({ quarter: z.string(), index: z.number(), pairs: z.number() })).nullable(),
    reason: z.string().nullable(),
  }),
});
export type PeriodAnswer = z.infer<typeof periodAnswer>;

export const searchQuery = z.object({
  q: z.string().trim().min(2).max(100).describe('Commune, code postal ou nom de rue'),
  type: portalType.optional().describe('Type de bien des ventes à lister'),
  rooms: z.coerce.number().int().min(1).max(20).optional().describe('Nombre de pièces principales'),
  max_price: z.coerce.number().int().min(1).optional().describe('Budget maximal (€)'),
});
export type SearchQuery = z.infer<typeof searchQuery>;

export const searchAnswer = z.object({
  communes: z.array(z.object({ code: z.string(), name: z.string(), postal_codes: z.array(z.string()) })),
  streets: z.array(z.object({ street: z.string(), commune_code: z.string(), commune_name: z.string(), postal_code: z.string().nullable(), sales_count: z.number() })),
  /** With a type, rooms or budget: the matching sales of the first street or commune found. */
  sales: z.object({ where: z.string(), rows: z.array(sale.omit({ same_parcel: true })), note: z.string() }).nullable(),
  source: z.string(),
});
export type SearchAnswer = z.infer<typeof searchAnswer>;
