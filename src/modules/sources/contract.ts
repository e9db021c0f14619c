// Schemas of the sources module's answers (the routes validate with them, OpenAPI comes from them, the web page takes
// its types from here). No personal data: these are facts about public data sets and the platform's runs.
import { z } from 'zod';

const catalogueEntryZ = z.object({
  id: z.string(),
  nom: z.string(),
  editeur: z.string(),
  licence: z.string(),
  url: z.string(),
  rythme: z.string(),
  canal: z.enum(['connecteur', 'fichier transmis']),
  usage: z.string(),
  commande: z.string(),
  edition: z.string().nullable(),
  charge_le: z.string().nullable(),
  communes_couvertes: z.number().nullable(),
  periode: z.string().nullable(),
  dernier_passage: z.object({ resultat: z.string(), debut: z.string() }).nullable(),
  /** The loaded edition is (or includes) a demo extract of data/demo: real but partial data, the pages say so. */
  demo: z.boolean(),
});
export type CatalogueEntry = z.infer<typeof catalogueEntryZ>;

export const sourcesAnswerZ = z.object({
  communes_du_territoire: z.number(),
  sources: z.array(catalogueEntryZ),
});
export type SourcesAnswer = z.infer<typeof sourcesAnswerZ>;

const runZ = z.object({
  id: z.string(),
  source: z.string(),
  declenchement: z.enum(['commande', 'planification']),
  edition: z.string().nullable(),
  debut: z.string(),
  fin: z.string().nullable(),
  lignes: z.number().nullable(),
  resultat: z.enum(['en-cours', 'importe', 'inchange', 'echec']),
  message: z.string().nullable(),
});

export const historyQueryZ = z.object({
  source: z.string().max(20).optional(),
  limite: z.coerce.number().int().min(1).max(500).default(100),
});
export const historyAnswerZ = z.object({ passages: z.array(runZ) });
export type HistoryAnswer = z.infer<typeof historyAnswerZ>;
