// Schemas of the sources module's answers (the routes validate with them, OpenAPI comes from them, the web page takes
// its types from here). No personal data: these are facts about public data sets and the platform's runs.
import { z } from 'zod';

const catalogueEntryZ = z.object({
  id: z.string(),
  name: z.string(),
  publisher: z.string(),
  licence: z.string(),
  url: z.string(),
  frequency: z.string(),
  channel: z.enum(['connector', 'transmitted_file']),
  usage: z.string(),
  command: z.string(),
  edition: z.string().nullable(),
  loaded_at: z.string().nullable(),
  communes_covered: z.number().nullable(),
  period: z.string().nullable(),
  last_run: z.object({ result: z.string(), started_at: z.string() }).nullable(),
  /** The loaded edition is (or includes) a demo extract of data/demo: real but partial data, the pages say so. */
  demo: z.boolean(),
});
export type CatalogueEntry = z.infer<typeof catalogueEntryZ>;

export const sourcesAnswerZ = z.object({
  communes_total: z.number(),
  sources: z.array(catalogueEntryZ),
});
export type SourcesAnswer = z.infer<typeof sourcesAnswerZ>;

const runZ = z.object({
  id: z.string(),
  source: z.string(),
  trigger: z.enum(['command', 'schedule']),
  edition: z.string().nullable(),
  started_at: z.string(),
  ended_at: z.string().nullable(),
  lines: z.number().nullable(),
  result: z.enum(['running', 'imported', 'unchanged', 'failed']),
  message: z.string().nullable(),
});

export const historyQueryZ = z.object({
  source: z.string().max(20).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export const historyAnswerZ = z.object({ runs: z.array(runZ) });
export type HistoryAnswer = z.infer<typeof historyAnswerZ>;
