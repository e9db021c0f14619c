// Loads the legal tables (JSON files under tables/, one per scheme and year) once, validated, so a bad edit
// of a table stops the process at start with the file and the field named instead of giving wrong answers.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type {
  CeilingTable,
  CommuneZone,
  DpeTable,
  PtzTable,
  TableSet,
  Verification,
} from './model.ts';

export const TABLES_DIR = join(import.meta.dirname, 'tables');

const verification = z.enum(['officiel', 'calcule', 'secondaire', 'deduit']) satisfies z.ZodType<Verification>;
const source = z.object({ titre: z.string().min(1), url: z.string().url().optional() });
const row = z.record(z.string(), z.number().int().positive());

const ceilingSchema = z.object({
  dispositif: z.string().min(1),
  annee: z.number().int().min(2000).max(2100),
  en_vigueur_depuis: z.string().optional(),
  comparaison: z.enum(['inferieur_ou_egal', 'strictement_inferieur']),
  unite: z.string(),
  verification,
  verification_note: z.string(),
  sources: z.array(source).min(1),
  valeurs: z.record(z.string(), row),
});
const ptzSchema = ceilingSchema.extend({ cout_operation: z.record(z.string(), row) });
const zonageSchema = z.object({
  titre: z.string(),
  verification,
  verification_note: z.string(),
  sources: z.array(source),
  communes: z.array(
    z.object({
      code: z.string().regex(/^[0-9][0-9AB][0-9]{3}$/),
      nom: z.string(),
      epci_siren: z.string().regex(/^[0-9]{9}$/),
      zone_abc: z.enum(['Abis', 'A', 'B1', 'B2', 'C']),
      zone_logement_social: z.enum(['paris_communes_limitrophes', 'ile_de_france', 'autres_regions']),
      ile_de_france: z.boolean(),
      note: z.string().optional(),
    }),
  ),
});
const classBounds = z.object({ A: z.number(), B: z.number(), C: z.number(), D: z.number(), E: z.number(), F: z.number() });
const dpeSchema = z.object({
  titre: z.string(),
  verification,
  verification_note: z.string(),
  sources: z.array(source),
  seuils_energie_primaire_kwhep_m2_an: classBounds,
  seuils_ges_kgco2eq_m2_an: classBounds,
  interdiction_location: z.array(
    z.object({ classe: z.enum(['E', 'F', 'G']), depuis: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), texte: z.string() }),
  ),
  gel_des_loyers: z.object({ classes: z.array(z.string()), depuis: z.string(), texte: z.string() }),
});

function parseFile<T>(schema: z.ZodType<T>, file: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`Table d'aides illisible : ${file} — ${(e as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`Table d'aides invalide : ${file}, champ « ${issue.path.join('.')} » : ${issue.message}`);
  }
  return parsed.data;
}

function readCeilings(root: string, folder: string): CeilingTable[] {
  const dir = join(root, folder);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && /^[A-Za-z]+-\d{4}\.json$/.test(f) && !f.startsWith('PTZ') && !f.startsWith('MPR'))
    .sort()
    .map((f) => ({ ...parseFile(ceilingSchema, join(dir, f)), fichier: `${folder}/${f}` }));
}

export function loadTables(root = TABLES_DIR): TableSet {
  const ptzDir = join(root, 'accession');
  const ptz: PtzTable[] = readdirSync(ptzDir)
    .filter((f) => /^PTZ-\d{4}\.json$/.test(f))
    .sort()
    .map((f) => ({ ...parseFile(ptzSchema, join(ptzDir, f)), fichier: `accession/${f}` }));
  const mprDir = join(root, 'renovation');
  const mpr = readdirSync(mprDir)
    .filter((f) => /^MPR-\d{4}\.json$/.test(f))
    .sort()
    .map((f) => ({ ...parseFile(mprSchema, join(mprDir, f)), fichier: `renovation/${f}` }));
  const zonage = parseFile(zonageSchema, join(root, 'zonage', 'communes-demo.json'));
  const dpe: DpeTable = { ...parseFile(dpeSchema, join(root, 'renovation', 'dpe.json')), fichier: 'renovation/dpe.json' };
  return {
    ceilings: [...readCeilings(root, 'logement-social'), ...readCeilings(root, 'accession')],
    ptz,
    mpr,
    communes: zonage.communes as CommuneZone[],
    zonage: { titre: zonage.titre, verification: zonage.verification, verification_note: zonage.verification_note, sources: zonage.sources, fichier: 'zonage/communes-demo.json' },
    dpe,
  };
}

// MaPrimeRénov' tables nest one level deeper: region -> category -> persons.
const mprSchema = z.object({
  dispositif: z.string(),
  annee: z.number().int(),
  comparaison: z.literal('inferieur_ou_egal'),
  unite: z.string(),
  verification,
  verification_note: z.string(),
  sources: z.array(source),
  valeurs: z.object({
    ile_de_france: z.object({ tres_modeste: row, modeste: row, intermediaire: row }),
    hors_ile_de_france: z.object({ tres_modeste: row, modeste: row, intermediaire: row }),
  }),
});

let cached: TableSet | undefined;
/** The tables of this process, read once. */
export function tables(): TableSet {
  cached ??= loadTables();
  return cached;
}
