// Imports of demand files, shared by the CLI and the web upload: all or nothing, problems listed in French.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Db } from '../../platform/db.ts';
import { AppError, formatProblem } from '../../platform/errors.ts';
import { decodeText, readDemandCsv } from './ingest/sne-csv.ts';
import * as store from './store.ts';

/** Reads and writes a demand file: nothing is written unless every line is valid. */
export async function importDemandFile(db: Db, file: string, opts: { defaultEpci?: string; refDate?: string } = {}) {
  return importDemandText(db, decodeText(readFileSync(file)), basename(file), opts);
}

/** Imports CSV text: nothing is written unless every line is valid; the error lists the problems in French. */
export async function importDemandText(db: Db, text: string, name: string, opts: { defaultEpci?: string; refDate?: string } = {}) {
  const { rows, problems } = await readDemandCsv(text, name, opts);
  if (problems.length) {
    const shown = problems.slice(0, 20).map(formatProblem);
    const more = problems.length > 20 ? `\n… et ${problems.length - 20} autre(s) problème(s)` : '';
    throw new AppError('demand.import_rejected', `Import refusé, rien n’a été écrit (${problems.length} problème(s)) :\n${shown.join('\n')}${more}`, 400, { problems });
  }
  return store.upsertDemands(db, rows, opts.refDate);
}

