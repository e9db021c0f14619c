// Loads the legal tables (JSON files under tables/, one per scheme and year) once, validated, so a bad edit
// of a table stops the process at start with the file and the field named instead of giving wrong answers.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  ZONES_ABC,
  type CeilingTable,
  type CommuneZone,
  type DpeTable,
  type NationalZoning,
  type PtzTable,
  type TableSet,
  type Verification,
  type ZoneAbc,
} from './model.ts';

export const TABLES_DIR = join(import.meta.dirname, 'tables');

const verification = z.enum(['official', 'computed', 'secondary', 'deduced', 'unverified']) satisfies z.ZodType<Verification>;
const source = z.object({ title: z.string().min(1), url: z.string().url().optional() });
const row = z.record(z.string(), z.number().int().positive());

const ceilingSchema = z.object({
  scheme: z.string().min(1),
  year: z.number().int().min(2000).max(2100),
  in_force_since: z.string().optional(),
  comparison: z.enum(['less_or_equal', 'strictly_less']),
  unit: z.string(),
  verification,
  verification_note: z.string(),
  sources: z.array(source).min(1),
  values: z.record(z.string(), row),
  verification_values: z.record(z.string(), z.record(z.string(), verification)).optional(),
});
const ptzSchema = ceilingSchema.extend({ operation_cost: z.record(z.string(), row) });
const demoCommunesSchema = z.object({
  title: z.string(),
  verification,
  verification_note: z.string(),
  sources: z.array(source),
  communes: z.array(
    z.object({
      code: z.string().regex(/^[0-9][0-9AB][0-9]{3}$/),
      name: z.string(),
      epci_siren: z.string().regex(/^[0-9]{9}$/),
      zone_abc: z.enum(['Abis', 'A', 'B1', 'B2', 'C']),
      social_housing_zone: z.enum(['paris_and_neighbours', 'ile_de_france', 'other_regions']),
      ile_de_france: z.boolean(),
      note: z.string().optional(),
    }),
  ),
});
const classBounds = z.object({ A: z.number(), B: z.number(), C: z.number(), D: z.number(), E: z.number(), F: z.number() });
const dpeSchema = z.object({
  title: z.string(),
  verification,
  verification_note: z.string(),
  sources: z.array(source),
  energy_bounds_kwhep_m2_year: classBounds,
  ghg_bounds_kgco2eq_m2_year: classBounds,
  rental_bans: z.array(
    z.object({ class: z.enum(['E', 'F', 'G']), from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), text: z.string() }),
  ),
  rent_freeze: z.object({ classes: z.array(z.string()), from: z.string(), text: z.string() }),
});

const infoSchema = z.object({ title: z.string(), verification, verification_note: z.string(), sources: z.array(source).min(1) });
const recodedSchema = infoSchema.extend({
  communes: z.array(
    z.object({
      code: z.string().regex(/^[0-9][0-9AB][0-9]{3}$/),
      name: z.string(),
      zone_abc: z.enum(['Abis', 'A', 'B1', 'B2', 'C']),
      code_2024: z.string().regex(/^[0-9][0-9AB][0-9]{3}$/),
      change: z.string(),
      date: z.string(),
    }),
  ),
});
const parisSchema = infoSchema.extend({ communes: z.array(z.string().regex(/^[0-9][0-9AB][0-9]{3}$/)).min(1) });
const irlSchema = infoSchema.extend({ values: z.record(z.string().regex(/^\d{4}-T3$/), z.number().positive()) });

/** The national zoning file: `code;zone`, one commune a line, as the arrêté's annex lists them. */
function readZoningCsv(file: string): Map<string, ZoneAbc> {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/).filter(Boolean);
  if (lines[0] !== 'code;zone') throw new Error(`Table d'aides invalide : ${file}, en-tête attendu « code;zone »`);
  const zones = new Map<string, ZoneAbc>();
  lines.slice(1).forEach((line, i) => {
    const [code, zone] = line.split(';');
    if (!code || !/^[0-9][0-9AB][0-9]{3}$/.test(code) || !ZONES_ABC.includes(zone as ZoneAbc) || zones.has(code)) {
      throw new Error(`Table d'aides invalide : ${file}, ligne ${i + 2} : « ${line} »`);
    }
    zones.set(code, zone as ZoneAbc);
  });
  return zones;
}

function loadNationalZoning(root: string): NationalZoning {
  const dir = join(root, 'zonage');
  const recoded = parseFile(recodedSchema, join(dir, 'communes-recodees.json'));
  const paris = parseFile(parisSchema, join(dir, 'paris-communes-limitrophes.json'));
  return {
    zones: readZoningCsv(join(dir, 'zonage-abc-2024.csv')),
    recoded: new Map(recoded.communes.map((c) => [c.code, { zone: c.zone_abc, code_2024: c.code_2024, change: c.change }])),
    parisNeighbours: new Set(paris.communes),
    info: {
      title: 'Zonage ABC de toutes les communes (arrêté du 5 juillet 2024)',
      verification: 'official',
      verification_note:
        'Fichier communal du zonage en vigueur depuis le 5 juillet 2024 (arrêté du 5 juillet 2024 modifiant l’arrêté du 1er août 2014, CCH art. D304-1), repris sans changement par OpenFisca France : code INSEE et zone de ses 34 935 communes.',
      sources: [
        { title: 'Arrêté du 5 juillet 2024 modifiant l’arrêté du 1er août 2014 pris en application de l’article D. 304-1 du CCH (zonage ABC)' },
        {
          title: 'OpenFisca France, openfisca_france/assets/zonage-communes/zonage-abc-juillet-2024.csv',
          url: 'https://github.com/openfisca/openfisca-france/blob/a7038ee49132b842612b2e3d1ca0ba202c6a796d/openfisca_france/assets/zonage-communes/zonage-abc-juillet-2024.csv',
        },
      ],
      file: 'zonage/zonage-abc-2024.csv',
    },
    recodedInfo: { title: recoded.title, verification: recoded.verification, verification_note: recoded.verification_note, sources: recoded.sources, file: 'zonage/communes-recodees.json' },
    parisInfo: { title: paris.title, verification: paris.verification, verification_note: paris.verification_note, sources: paris.sources, file: 'zonage/paris-communes-limitrophes.json' },
  };
}

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
    .map((f) => ({ ...parseFile(ceilingSchema, join(dir, f)), file: `${folder}/${f}` }));
}

export function loadTables(root = TABLES_DIR): TableSet {
  const ptzDir = join(root, 'accession');
  const ptz: PtzTable[] = readdirSync(ptzDir)
    .filter((f) => /^PTZ-\d{4}\.json$/.test(f))
    .sort()
    .map((f) => ({ ...parseFile(ptzSchema, join(ptzDir, f)), file: `accession/${f}` }));
  const mprDir = join(root, 'renovation');
  const mpr = readdirSync(mprDir)
    .filter((f) => /^MPR-\d{4}\.json$/.test(f))
    .sort()
    .map((f) => ({ ...parseFile(mprSchema, join(mprDir, f)), file: `renovation/${f}` }));
  const demo = parseFile(demoCommunesSchema, join(root, 'zonage', 'communes-demo.json'));
  const dpe: DpeTable = { ...parseFile(dpeSchema, join(root, 'renovation', 'dpe.json')), file: 'renovation/dpe.json' };
  const irl = parseFile(irlSchema, join(root, 'irl.json'));
  return {
    ceilings: [...readCeilings(root, 'logement-social'), ...readCeilings(root, 'accession')],
    ptz,
    mpr,
    communes: demo.communes as CommuneZone[],
    demoZoning: { title: demo.title, verification: demo.verification, verification_note: demo.verification_note, sources: demo.sources, file: 'zonage/communes-demo.json' },
    national: loadNationalZoning(root),
    irl: Object.fromEntries(Object.entries(irl.values).map(([k, v]) => [Number(k.slice(0, 4)), v])),
    dpe,
  };
}

// MaPrimeRénov' tables nest one level deeper: region -> category -> persons.
const mprSchema = z.object({
  scheme: z.string(),
  year: z.number().int(),
  comparison: z.literal('less_or_equal'),
  unit: z.string(),
  verification,
  verification_note: z.string(),
  sources: z.array(source),
  values: z.object({
    ile_de_france: z.object({ very_modest: row, modest: row, intermediate: row }),
    outside_ile_de_france: z.object({ very_modest: row, modest: row, intermediate: row }),
  }),
});

let cached: TableSet | undefined;
/** The tables of this process, read once. */
export function tables(): TableSet {
  cached ??= loadTables();
  return cached;
}
