// Streaming reader of the Sitadel permits file: `;`-separated, quoted strings, a line of French labels then a line of
// column codes (the labels line may be missing in some extracts; the codes line is recognised by its column codes).
import { parse } from 'csv-parse';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import type { InputProblem } from '../../../platform/errors.ts';
import { parseSitadelRecord, REQUIRED_COLUMNS, type SitadelPermit } from './sitadel-row.ts';
import { csvErrorInFrench } from '../../../platform/text-input.ts';

export type SitadelItem = { permit: SitadelPermit; problems?: undefined } | { permit?: undefined; problems: InputProblem[] };

export class SitadelFileError extends Error {
  constructor(readonly problem: InputProblem) {
    super(problem.message);
  }
}

/** csv-parse's English errors become a SitadelFileError in French, with the line. */
async function* frenchCsvErrors<T>(records: AsyncIterable<T>, file: string): AsyncGenerator<T> {
  try {
    yield* records;
  } catch (err) {
    if (err instanceof SitadelFileError) throw err;
    const fault = csvErrorInFrench(err);
    throw new SitadelFileError({ file, line: fault.line, rule: 'csv', message: `fichier CSV illisible : ${fault.message}.` });
  }
}

export async function* readSitadel(path: string, name = basename(path)): AsyncGenerator<SitadelItem> {
  const parser = createReadStream(path).pipe(
    parse({ delimiter: ';', bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, info: true }),
  );
  let codes: string[] | undefined;
  for await (const { record, info } of frenchCsvErrors(parser as AsyncIterable<{ record: string[]; info: { lines: number } }>, name)) {
    const line = info.lines;
    if (!codes) {
      const lower = record.map((c) => c.trim().toLowerCase());
      // The codes line is the one made of column codes; a missing code or two must not hide it.
      if (REQUIRED_COLUMNS.filter((c) => lower.includes(c)).length < 3) {
        if (line >= 2) throw new SitadelFileError({ file: name, line, rule: 'entete', message: 'ligne des codes de colonnes (COMM, TYPE_DAU, NUM_DAU…) introuvable dans les deux premières lignes.' });
        continue; // the French labels line
      }
      const missing = REQUIRED_COLUMNS.filter((c) => !lower.includes(c));
      if (missing.length)
        throw new SitadelFileError({ file: name, line, column: missing[0].toUpperCase(), rule: 'colonnes_obligatoires', value: missing.join(', ').toUpperCase(), message: 'colonnes obligatoires absentes.' });
      codes = lower;
      continue;
    }
    if (record.length !== codes.length) {
      yield { problems: [{ file: name, line, rule: 'nombre_de_colonnes', value: String(record.length), message: `la ligne a ${record.length} colonnes au lieu de ${codes.length}.` }] };
      continue;
    }
    const rec: Record<string, string> = {};
    for (let i = 0; i < codes.length; i++) rec[codes[i]] = record[i];
    yield parseSitadelRecord(rec, line, name);
  }
  if (!codes) throw new SitadelFileError({ file: name, line: 1, rule: 'fichier_vide', message: 'le fichier ne contient aucune ligne de codes de colonnes.' });
}
