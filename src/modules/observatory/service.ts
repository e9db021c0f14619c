// Use cases of the observatory: import an INSEE comparateur file (reader + store in one transaction).
import { basename } from 'node:path';
import type { Db } from '../../platform/db.ts';
import type { InputProblem } from '../../platform/errors.ts';
import { sha256File } from '../../platform/files.ts';
import { readInseeFile } from './ingest/insee.ts';
import { findEdition, listEditions, replaceEdition } from './store.ts';

export interface InseeImportResult {
  file: string;
  status: 'imported' | 'already_imported' | 'refused';
  edition: string | null;
  lines: number;
  communes: number;
  problems: InputProblem[];
}

/**
 * Imports one comparateur file as one edition. The same file again changes nothing; another file of the same edition
 * replaces it whole. A file whose layout is not recognised, or whose edition cannot be told, writes nothing.
 */
export async function importInsee(
  db: Db,
  path: string,
  opts: { edition?: string; publishedAt?: string | null; force?: boolean; name?: string } = {},
): Promise<InseeImportResult> {
  const file = opts.name ?? basename(path);
  const sha256 = await sha256File(path);
  // Already taken (the demo loader calls this at every start): answer before reading the file.
  const same = (await listEditions(db)).find((e) => e.sha256 === sha256 && (!opts.edition || e.edition === opts.edition));
  if (same && !opts.force) return { file, status: 'already_imported', edition: same.edition, lines: same.lines, communes: same.communes, problems: [] };
  const read = await readInseeFile(path, file);
  const edition = opts.edition ?? read.edition;
  const base = { file, edition, lines: read.lines, communes: read.communes.length, problems: read.problems };
  if (read.broken) return { ...base, status: 'refused' };
  if (!edition)
    return {
      ...base,
      status: 'refused',
      problems: [...read.problems, { file, line: 1, rule: 'insee.edition', message: 'édition introuvable (ni année dans le nom du fichier, ni colonne Pyy_POP) : précisez-la avec --edition.' }],
    };
  const known = await findEdition(db, edition);
  if (known && known.sha256 === sha256 && !opts.force) return { ...base, status: 'already_imported', communes: known.communes };
  await replaceEdition(
    db,
    { edition, file, sha256, publishedAt: opts.publishedAt ?? null, lines: read.lines, rejected: read.problems.length, columns: read.header.filter((c) => c !== 'CODGEO') },
    read.communes,
  );
  return { ...base, status: 'imported' };
}
