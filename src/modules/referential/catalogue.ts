// The published referential read from disk: every schema version under referential/<name>/<version>/schema.json,
// their example files, and the charters. Read and checked once; a malformed file stops the start with its name.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileSchema, type CompiledSchema } from './model.ts';
import { compareVersions, schemaInconsistencies, tableSchemaZ, type TableSchema } from './schema.ts';
import { charterInconsistencies, chartersZ, type Charters } from './compliance.ts';
import { AppError } from '../../platform/errors.ts';

export const REFERENTIAL_DIR = join(import.meta.dirname, '..', '..', '..', 'referential');

export interface SchemaEntry {
  schema: TableSchema;
  compiled: CompiledSchema;
  dir: string;
}

export interface Catalogue {
  /** name -> versions, newest first. */
  schemas: Map<string, SchemaEntry[]>;
  charters: Charters;
  dir: string;
}

export function loadCatalogue(dir = REFERENTIAL_DIR): Catalogue {
  const schemas = new Map<string, SchemaEntry[]>();
  for (const name of readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    const versions: SchemaEntry[] = [];
    for (const version of readdirSync(join(dir, name))) {
      const vdir = join(dir, name, version);
      const file = join(vdir, 'schema.json');
      if (!existsSync(file)) continue;
      const parsed = tableSchemaZ.safeParse(JSON.parse(readFileSync(file, 'utf8')));
      if (!parsed.success) throw new Error(`${file} : schéma mal formé — ${parsed.error.message}`);
      const schema = parsed.data;
      const problems = schemaInconsistencies(schema);
      if (schema.name !== name) problems.push(`le nom « ${schema.name} » diffère du dossier « ${name} »`);
      if (schema.version !== version) problems.push(`la version ${schema.version} diffère du dossier ${version}`);
      if (problems.length) throw new Error(`${file} : ${problems.join(' ; ')}`);
      versions.push({ schema, compiled: compileSchema(schema), dir: vdir });
    }
    if (versions.length) schemas.set(name, versions.sort((a, b) => compareVersions(b.schema.version, a.schema.version)));
  }
  const chartersFile = join(dir, 'chartes.json');
  const charters = chartersZ.parse(JSON.parse(readFileSync(chartersFile, 'utf8')));
  const problems = charterInconsistencies(charters, new Set(schemas.keys()));
  if (problems.length) throw new Error(`${chartersFile} : ${problems.join(' ; ')}`);
  return { schemas, charters, dir };
}

/** The asked version, or the newest; a French 404 otherwise. */
export function findSchema(cat: Catalogue, name: string, version?: string): SchemaEntry {
  const versions = cat.schemas.get(name);
  if (!versions) throw new AppError('referential.unknown_schema', `Le schéma « ${name} » n'existe pas dans le référentiel.`, 404);
  if (!version) return versions[0];
  const found = versions.find((v) => v.schema.version === version);
  if (!found)
    throw new AppError(
      'referential.unknown_version',
      `La version ${version} du schéma « ${name} » n'existe pas ; versions publiées : ${versions.map((v) => v.schema.version).join(', ')}.`,
      404,
    );
  return found;
}

export function exampleFile(entry: SchemaEntry, which: 'valide' | 'invalide'): Buffer {
  return readFileSync(join(entry.dir, 'exemples', `${which}.csv`));
}

let catalogue: Catalogue | undefined;
/** The catalogue, read once per process: the schemas are files of the repository, they change with a deployment. */
export const referentialCatalogue = () => (catalogue ??= loadCatalogue());
