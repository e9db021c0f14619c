// The aids module's contract: the simulators' questions and explained answers, the tables, the EPCIs' own aids.
// No I/O: routes validate with these schemas, OpenAPI is generated from them, and the web pages import their types.
import { z } from 'zod';
import { communeCode, siren } from '../territory/index.ts';
import { DPE_CLASSES, INCOME_REFERENCES, MPR_CATEGORIES } from './model.ts';

const sourceSchema = z.object({ titre: z.string(), url: z.string().optional() });
const verificationSchema = z.enum(['officiel', 'calcule', 'secondaire', 'deduit', 'a_verifier']);
const conditionSchema = z.object({
  id: z.string(),
  statut: z.enum(['remplie', 'non_remplie', 'inconnue']),
  texte: z.string(),
  valeur: z.union([z.number(), z.string()]).optional(),
  seuil: z.union([z.number(), z.string()]).optional(),
  table: z
    .object({
      fichier: z.string(),
      verification: verificationSchema,
      verification_libelle: z.string(),
      note: z.string(),
      sources: z.array(sourceSchema),
    })
    .optional(),
});
export const answerSchema = z.object({
  simulateur: z.string(),
  titre: z.string(),
  date: z.string(),
  annee: z.number(),
  contexte: z.array(z.string()),
  avertissements: z.array(z.string()),
  aides: z.array(
    z.object({
      id: z.string(),
      nom: z.string(),
      verdict: z.enum(['eligible', 'non_eligible', 'inconnu']),
      libelle_verdict: z.string().optional(),
      resume: z.string(),
      conditions: z.array(conditionSchema),
      informations: z.array(z.string()),
      manque: z.array(z.string()),
      contact: z.object({ nom: z.string(), texte: z.string(), url: z.string().optional() }).optional(),
      source: z.string().optional(),
    }),
  ),
});
const questionSchema = z.object({
  id: z.string(),
  libelle: z.string(),
  aide: z.string().optional(),
  type: z.enum(['nombre', 'oui_non', 'choix', 'commune']),
  unite: z.string().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  options: z.array(z.object({ valeur: z.string(), libelle: z.string() })).optional(),
  obligatoire: z.boolean(),
  visibleSi: z
    .object({
      question: z.string(),
      valeurs: z.array(z.union([z.string(), z.boolean()])).optional(),
      min: z.number().optional(),
      egal: z.number().optional(),
    })
    .optional(),
});
export const simulatorSchema = z.object({ id: z.string(), titre: z.string(), description: z.string(), questions: z.array(questionSchema) });

export const localAidBody = z.object({
  epci_siren: siren,
  kind: z.enum(['accession', 'renovation']),
  nom: z.string().trim().min(1, 'Le nom de l’aide est obligatoire.').max(200),
  description: z.string().max(2000).default(''),
  montant_euros: z.number().min(0).max(1_000_000).nullable().default(null),
  plafond_reference: z.enum(INCOME_REFERENCES).default('aucun'),
  primo_accedant_requis: z.boolean().default(false),
  types_logement: z.array(z.enum(['neuf', 'ancien_avec_travaux', 'ancien_sans_travaux'])).max(3).default([]),
  categories_mpr: z.array(z.enum(MPR_CATEGORIES)).max(4).default([]),
  classes_dpe: z.array(z.enum(DPE_CLASSES)).max(7).default([]),
  communes: z.array(communeCode).max(500).default([]),
  contact: z.string().max(500).default(''),
  deliberation: z.string().max(500).nullable().default(null),
  actif: z.boolean().default(true),
});
export const localAidSchema = localAidBody.extend({ id: z.string() });


export const tableRowSchema = z.object({
  fichier: z.string(),
  dispositif: z.string(),
  annee: z.number().nullable(),
  verification: verificationSchema,
  verification_libelle: z.string(),
  note: z.string(),
  sources: z.array(sourceSchema),
  valeurs: z.record(z.string(), z.record(z.string(), z.number())).optional(),
  verification_valeurs: z.record(z.string(), z.record(z.string(), verificationSchema)).optional(),
});
export const simulatorParams = z.object({ simulator: z.string() });
export const localAidParams = z.object({ id: z.uuid('Identifiant d’aide invalide') });

export type Verification = z.infer<typeof verificationSchema>;
export type Question = z.infer<typeof questionSchema>;
export type SimulatorInfo = z.infer<typeof simulatorSchema>;
export type Condition = z.infer<typeof conditionSchema>;
export type SimulationAnswer = z.infer<typeof answerSchema>;
export type AidAnswer = SimulationAnswer['aides'][number];
export type TableRow = z.infer<typeof tableRowSchema>;
export type LocalAidAnswer = z.infer<typeof localAidSchema>;
