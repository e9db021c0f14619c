// The territory's contract: the identifiers every module validates with, and the shapes of the territory's answers.
// No I/O: routes validate with these schemas, OpenAPI is generated from them, the web app imports their types.
import { z } from 'zod';
import { CADASTRAL_SECTION, COMMUNE_CODE, PARCEL_ID, SIREN } from './model.ts';

/** An INSEE commune code (Corsica included: 2A004). The one check of a commune code in the whole platform. */
export const communeCode = z.string().regex(COMMUNE_CODE, 'Code INSEE de commune sur 5 caractères (ex. 69123, 2A004)');
/** A SIREN (EPCI or organisation): 9 digits. */
export const siren = z.string().regex(SIREN, 'SIREN sur 9 chiffres');
/** A cadastral section as in DVF's id_parcelle: 10 characters (ex. 69389000BV). */
export const cadastralSection = z.string().regex(CADASTRAL_SECTION, 'Section cadastrale sur 10 caractères (ex. 69389000BV)');
/** A DVF id_parcelle: 14 characters (ex. 31555000AB0246). */
export const parcelId = z.string().regex(PARCEL_ID, 'Identifiant de parcelle sur 14 caractères (ex. 31555000AB0246)');

export const commune = z.object({
  code: z.string(),
  name: z.string(),
  type: z.string(),
  parent_code: z.string().nullable(),
  departement_code: z.string().nullable(),
  epci_siren: z.string().nullable(),
  population: z.number().nullable(),
  postal_codes: z.array(z.string()),
});

export const epci = z.object({ siren: z.string(), name: z.string(), type: z.string(), population: z.number().nullable() });

export const territoryAnswer = z.object({ epcis: z.array(epci), communes: z.array(commune), source: z.string() });
export type TerritoryAnswer = z.infer<typeof territoryAnswer>;

export const communeCard = commune.extend({
  arrondissements: z.array(z.object({ code: z.string(), name: z.string(), population: z.number().nullable() })),
});

export const communeSearchAnswer = z.object({ communes: z.array(commune) });

/** GeoJSON of the instance's communes (WGS84) with name, population and EPCI; communes without a contour listed apart. */
export const territoryMapAnswer = z.object({
  type: z.literal('FeatureCollection'),
  bbox: z.object({ west: z.number(), south: z.number(), east: z.number(), north: z.number() }).nullable(),
  without_contour: z.array(z.object({ code: z.string(), name: z.string() })),
  source: z.string(),
  features: z.array(
    z.object({
      type: z.literal('Feature'),
      properties: z.object({ code: z.string(), name: z.string(), population: z.number().nullable(), epci: z.string().nullable() }),
      geometry: z.looseObject({ type: z.string(), coordinates: z.unknown() }),
    }),
  ),
});
export type TerritoryMapAnswer = z.infer<typeof territoryMapAnswer>;
