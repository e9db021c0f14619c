// Reader of INSEE's « comparateur de territoires » CSV (base_cc_comparateur.csv): `;`-separated, UTF-8, one line per
// commune (CODGEO) with its figures. Streaming; each bad line gives typed rejects (file, line, column, rule, value,
// French message) and is left out whole, so a commune never has half of its figures.
import { parse } from 'csv-parse';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import type { InputProblem } from '../../../platform/errors.ts';
import { COMMUNE_CODE, editionOf, parseInseeCell } from '../model.ts';

export interface InseeCommune {
  line: number;
  code: string;
  libelle: string | null;
  figures: Record<string, number>;
  secrets: string[];
}

export interface InseeReadResult {
  file: string;
  edition: string | null;
  header: string[];
  lines: number;
  communes: InseeCommune[];
  problems: InputProblem[];
  /** The file itself is unusable (no CODGEO column, not CSV): nothing may be imported. */
  broken: boolean;
}

/** Columns that are labels, not figures (INSEE's xlsx version carries LIBGEO; the csv does not). */
const TEXT_COLUMNS = new Set(['LIBGEO', 'REG', 'DEP']);

export async function readInseeFile(path: string, name = basename(path)): Promise<InseeReadResult> {
  const out: InseeReadResult = { file: name, edition: null, header: [], lines: 0, communes: [], problems: [], broken: false };
  const parser = createReadStream(path).pipe(parse({ delimiter: ';', bom: true, relax_column_count: true, skip_empty_lines: true, info: true }));
  const seen = new Map<string, number>();
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const line = info.lines;
      if (!out.header.length) {
        out.header = record.map((h) => h.trim());
        if (!out.header.includes('CODGEO')) {
          out.broken = true;
          out.problems.push({ file: name, line, column: 'CODGEO', rule: 'insee.format', value: out.header.slice(0, 3).join(';'), message: 'colonne CODGEO absente : ce n’est pas un fichier du comparateur de territoires de l’Insee (séparateur « ; » attendu).' });
          return out;
        }
        out.edition = editionOf(name, out.header);
        continue;
      }
      out.lines++;
      const problems: InputProblem[] = [];
      if (record.length !== out.header.length) {
        out.problems.push({ file: name, line, rule: 'insee.nombre_de_colonnes', value: String(record.length), message: `la ligne a ${record.length} colonnes au lieu de ${out.header.length}.` });
        continue;
      }
      const code = record[out.header.indexOf('CODGEO')].trim();
      if (!COMMUNE_CODE.test(code)) problems.push({ file: name, line, column: 'CODGEO', rule: 'insee.codgeo', value: code, message: 'code commune INSEE attendu (5 caractères, ex. 69123, 2A004).' });
      else if (seen.has(code)) problems.push({ file: name, line, column: 'CODGEO', rule: 'insee.doublon', value: code, message: `cette commune figure déjà ligne ${seen.get(code)}.` });
      const figures: Record<string, number> = {};
      const secrets: string[] = [];
      let libelle: string | null = null;
      out.header.forEach((column, i) => {
        if (column === 'CODGEO') return;
        if (column === 'LIBGEO') libelle = record[i].trim() || null;
        if (TEXT_COLUMNS.has(column)) return;
        const cell = parseInseeCell(record[i]);
        if (!cell)
          problems.push({ file: name, line, column, rule: 'insee.nombre', value: record[i], message: 'nombre attendu (virgule ou point décimal), « s » (secret statistique) ou case vide.' });
        else if (cell.kind === 'nombre') figures[column] = cell.value;
        else if (cell.kind === 'secret') secrets.push(column);
      });
      if (problems.length) {
        out.problems.push(...problems);
        continue;
      }
      seen.set(code, line);
      out.communes.push({ line, code, libelle, figures, secrets });
    }
  } catch (err) {
    const e = err as { lines?: number; message?: string }; // csv-parse's errors carry the line
    out.broken = true;
    out.problems.push({ file: name, line: e?.lines ?? out.lines + 1, rule: 'csv.syntaxe', message: `fichier CSV illisible : ${e?.message ?? err}.` });
    return out;
  }
  if (!out.header.length) {
    out.broken = true;
    out.problems.push({ file: name, line: 1, rule: 'insee.vide', message: 'fichier vide.' });
  }
  return out;
}
