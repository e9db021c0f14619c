// The PLH module's contract: the Zod schemas of its requests and answers, and their types. No I/O: the routes
// validate with them, OpenAPI is generated from them, and the web pages import their types from here.
import { z } from 'zod';
import { communeCode, parcelId } from '../territory/index.ts';
import { ACTION_STATUTS, AIDE_TYPES, CATEGORIES, FONCIER_STATUTS } from './model.ts';

export const year = z.coerce.number().int().min(2000).max(2100);

export const programmeZ = z.object({
  id: z.string(),
  nom: z.string(),
  annee_debut: z.number(),
  annee_fin: z.number(),
  taux_rattrapage_sru: z.number(),
  orientations: z.array(z.object({ code: z.string(), titre: z.string() })),
  actions: z.array(
    z.object({
      code: z.string(),
      orientation_code: z.string(),
      titre: z.string(),
      pilote: z.string(),
      partenaires: z.string(),
      statut: z.enum(ACTION_STATUTS),
      indicateurs: z.string(),
      indicateur_categorie: z.enum(CATEGORIES).nullable(),
      commentaire: z.string(),
      budgets: z.array(z.object({ annee: z.number(), prevu_euros: z.number(), depense_euros: z.number() })),
    }),
  ),
});

export const sruLineZ = z.object({
  commune_code: z.string(),
  nom: z.string(),
  inventaire_annee: z.number(),
  population: z.number().nullable(),
  residences_principales: z.number(),
  logements_sociaux: z.number(),
  taux_legal: z.number(),
  exemptee: z.boolean(),
  taux_actuel: z.number(),
  logements_requis: z.number(),
  deficit: z.number(),
  periode: z.string(),
  objectif_triennal: z.number(),
  plai_min: z.number(),
  pls_max: z.number(),
  produits: z.object({ plai: z.number(), plus: z.number(), pls: z.number(), total: z.number() }),
  taux_realisation: z.number().nullable(),
  plai_respecte: z.boolean(),
  pls_respecte: z.boolean(),
  source: z.string(),
});

export const aideZ = z.object({
  reference: z.string().trim().min(1).max(60).describe('Référence du dossier ou de l’opération (jamais le nom d’un bénéficiaire)'),
  type: z.enum(AIDE_TYPES),
  commune_code: communeCode,
  annee: year,
  montant_euros: z.number().min(0),
  nb_logements: z.number().int().min(0).default(0),
  nb_plai: z.number().int().min(0).default(0),
  nb_plus: z.number().int().min(0).default(0),
  nb_pls: z.number().int().min(0).default(0),
  gain_energetique_pct: z.number().min(0).max(100).nullable().default(null),
  operation: z.string().max(300).default(''),
  organisation_id: z.uuid().nullable().default(null),
  action_code: z.string().max(20).nullable().default(null),
  commentaire: z.string().max(2000).default(''),
});
export const aideOutZ = aideZ.extend({ id: z.string() });

export const foncierZ = z.object({
  reference: z.string().trim().min(1).max(60),
  nature: z.enum(['gisement', 'friche']),
  commune_code: communeCode,
  parcelle: parcelId.nullable().default(null),
  surface_m2: z.number().positive(),
  zonage: z.string().max(50).default(''),
  logements_potentiels: z.number().int().min(0).default(0),
  statut: z.enum(FONCIER_STATUTS).default('identifie'),
  longitude: z.number().min(-180).max(180).nullable().default(null),
  latitude: z.number().min(-90).max(90).nullable().default(null),
  commentaire: z.string().max(2000).default(''),
});
export const foncierOutZ = foncierZ.extend({ id: z.string() });

export const sruInZ = z.object({
  population: z.number().int().min(0).nullable().default(null),
  residences_principales: z.number().int().positive(),
  logements_sociaux: z.number().int().min(0),
  taux_legal: z.union([z.literal(0.2), z.literal(0.25)]),
  exemptee: z.boolean().default(false),
  potentiel_fiscal_par_habitant: z.number().min(0).nullable().default(null),
  depenses_reelles_fonctionnement: z.number().min(0).nullable().default(null),
  depenses_deductibles: z.number().min(0).nullable().default(null),
  source: z.string().trim().min(1).max(300).describe('Ex. : « Inventaire SRU notifié par la DDT, 1er janvier 2025 »'),
});

export const objectifsAnswer = z.object({
  annee: z.number(),
  objectifs: z.array(
    z.object({
      commune_code: z.string(),
      commune: z.string(),
      categorie: z.enum(CATEGORIES),
      annee_debut: z.number(),
      annee_fin: z.number(),
      objectif: z.number(),
      realise: z.number(),
      taux_realisation: z.number().nullable(),
      avancement_attendu: z.number(),
      sources: z.array(z.string()),
      action_code: z.string().nullable(),
    }),
  ),
});

export const clubAnswer = z.object({
  annee: z.number(),
  epcis: z.array(
    z.object({
      epci: z.string(),
      nom: z.string(),
      partage: z.boolean().describe('false : l’EPCI ne partage pas ses indicateurs avec le club'),
      programme: z.object({ nom: z.string(), annee_debut: z.number(), annee_fin: z.number() }).nullable(),
      objectifs: z.array(z.object({ categorie: z.enum(CATEGORIES), objectif: z.number(), realise: z.number(), taux_realisation: z.number().nullable() })),
      sru: z.object({ communes: z.number(), deficitaires: z.number(), deficit: z.number(), objectif_triennal: z.number() }).nullable(),
    }),
  ),
});

export const sruAnswer = z.object({ annee: z.number(), regles: z.string(), communes: z.array(sruLineZ) });

export type Programme = z.infer<typeof programmeZ>;
export type FoncierSite = z.infer<typeof foncierOutZ>;
export type AideOut = z.infer<typeof aideOutZ>;
export type ObjectifLine = z.infer<typeof objectifsAnswer>['objectifs'][number];
export type ClubLine = z.infer<typeof clubAnswer>['epcis'][number];
export type SruAnswer = z.infer<typeof sruAnswer>;
