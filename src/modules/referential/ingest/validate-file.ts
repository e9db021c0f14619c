// Validates a delivered file (CSV or JSON bytes) against a compiled schema, row by row.
// Valid rows are handed to `onValidRow` as they come (awaited, so a slow store slows the reader instead of
// filling memory); whether they are finally kept depends on the report's status, decided at the end.
import { parse } from 'csv-parse';
import { Readable } from 'node:stream';
import { csvErrorInFrench, jsonErrorInFrench, nulPath, textFileProblem } from '../../../platform/text-input.ts';
import { createValidator, type CompiledSchema, type Row, type ValidationContext, type ValidationReport, type Validator } from '../model.ts';
import { decodeBytes, detectDelimiter, ENCODING_LABELS, looksLikeJson } from './decode.ts';

export interface FileMeta {
  filename?: string;
  contentType?: string;
}

export interface ValidateOptions {
  onValidRow?: (row: Row, line: number) => void | Promise<void>;
  maxProblems?: number;
}

const CHUNK = 1 << 16;

export async function validateFile(
  bytes: Uint8Array,
  meta: FileMeta,
  compiled: CompiledSchema,
  ctx: ValidationContext = {},
  opts: ValidateOptions = {},
): Promise<ValidationReport> {
  const v = createValidator(compiled, ctx, { maxProblems: opts.maxProblems });
  const decoded = decodeBytes(bytes);
  const encoding = ENCODING_LABELS[decoded.encoding];
  // Not text (gzip, xlsx, PDF) or text with a NUL in it (PostgreSQL refuses U+0000): refused as a whole, with where.
  const notText = textFileProblem(bytes, decoded.text, { utf16Decoded: decoded.bom && decoded.encoding !== 'utf-8' });
  if (notText) {
    v.fileProblem({
      line: notText.line,
      rule: 'format-fichier',
      message: `Le fichier n'a pas pu être lu : ${notText.message}.`,
      fix: 'Envoyez un fichier texte CSV (enregistré en « CSV UTF-8 » depuis le tableur) ou JSON, non compressé.',
    });
    return v.report({ name: meta.filename, format: 'csv', encoding });
  }
  if (decoded.text.trim() === '') {
    v.fileProblem({ rule: 'fichier-vide', message: 'Le fichier est vide.', fix: "Envoyez un fichier dont la première ligne contient les noms des colonnes." });
    return v.report({ name: meta.filename, format: 'csv', encoding });
  }
  if (looksLikeJson(decoded.text, meta.filename, meta.contentType)) {
    await readJson(decoded.text, v, opts);
    return v.report({ name: meta.filename, format: 'json', encoding });
  }
  const delimiter = detectDelimiter(decoded.text);
  await readCsv(decoded.text, delimiter, v, opts);
  return v.report({ name: meta.filename, format: 'csv', encoding, delimiter: delimiter === '\t' ? 'tabulation' : delimiter });
}

function* chunks(text: string) {
  for (let i = 0; i < text.length; i += CHUNK) yield text.slice(i, i + CHUNK);
}

async function readCsv(text: string, delimiter: string, v: Validator, opts: ValidateOptions): Promise<void> {
  // No `info: true` (it doubles csv-parse's time): lines are counted here, from the newlines inside quoted values.
  const parser = Readable.from(chunks(text)).pipe(parse({ delimiter, relax_column_count: true, bom: true }));
  let first = true;
  let nextLine = 1;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      const line = nextLine;
      nextLine = line + 1 + newlinesIn(record);
      if (record.length === 1 && record[0] === '') continue; // an empty line
      if (first) {
        first = false;
        v.header(record);
        continue;
      }
      if (record.every((c) => c.trim() === '')) continue; // a line of only separators, as spreadsheets leave
      const outcome = v.row(record, line);
      if (outcome.valid && opts.onValidRow) {
        const pending = opts.onValidRow(outcome.data, line);
        if (pending) await pending; // a microtask per row is measurable at 200,000 rows
      }
    }
  } catch (e) {
    const fault = csvErrorInFrench(e, { text, delimiter });
    v.fileProblem({
      line: fault.line,
      rule: 'format-fichier',
      message: `Le fichier n'a pas pu être lu comme un CSV : ${fault.message}.`,
      fix: 'Vérifiez les guillemets : une valeur qui commence par " doit se terminer par ", et un " à l’intérieur d’une valeur s’écrit "".',
    });
    parser.destroy();
    return;
  }
  if (first) v.fileProblem({ rule: 'fichier-vide', message: 'Le fichier ne contient aucune ligne.', fix: 'Envoyez un fichier dont la première ligne contient les noms des colonnes.' });
}

function newlinesIn(record: string[]): number {
  let n = 0;
  for (const cell of record) {
    if (cell.indexOf('\n') < 0) continue;
    for (let i = cell.indexOf('\n'); i >= 0; i = cell.indexOf('\n', i + 1)) n++;
  }
  return n;
}

async function readJson(text: string, v: Validator, opts: ValidateOptions): Promise<void> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    v.fileProblem({ rule: 'format-fichier', message: `Le fichier n'est pas un JSON valide : ${jsonErrorInFrench(text) ?? 'structure invalide'}.`, fix: 'Envoyez un tableau d’objets JSON, un objet par ligne de données : [{"colonne": "valeur", …}, …].' });
    return;
  }
  const data = (doc as { data?: unknown } | null)?.data;
  const list: unknown[] | null = Array.isArray(doc) ? doc : Array.isArray(data) ? data : null;
  if (!list || list.some((r) => typeof r !== 'object' || r === null || Array.isArray(r))) {
    v.fileProblem({ rule: 'format-fichier', message: 'Le JSON doit être un tableau d’objets (ou un objet dont la clé « data » est ce tableau).', fix: 'Envoyez [{"colonne": "valeur", …}, …], un objet par ligne de données.' });
    return;
  }
  const records = list as Record<string, unknown>[];
  // An escaped NUL (\u0000) in a value: PostgreSQL could not keep the row.
  const nul = nulPath(records, 'objet');
  if (nul) {
    const index = Number(/^objet\.(\d+)/.exec(nul)?.[1] ?? 0);
    v.fileProblem({ line: index + 1, rule: 'format-fichier', message: `Le fichier contient un caractère nul (\\u0000) dans « ${nul.replace(/^objet\.\d+\.?/, '') || 'une clé'} » de l’objet n° ${index + 1}.`, fix: 'Retirez ce caractère des données, puis livrez le fichier à nouveau.' });
    return;
  }
  // Keys in order of first appearance, over all records: a key missing from a record is an empty value.
  const keys = new Map<string, number>();
  for (const r of records) for (const k of Object.keys(r)) if (!keys.has(k)) keys.set(k, keys.size);
  const names = [...keys.keys()];
  v.header(names);
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    const cells = names.map((k) => cellText(r[k]));
    const outcome = v.row(cells, i + 1);
    if (outcome.valid && opts.onValidRow) await opts.onValidRow(outcome.data, i + 1);
  }
}

function cellText(x: unknown): string {
  if (x === null || x === undefined) return '';
  if (typeof x === 'string') return x;
  if (typeof x === 'number' || typeof x === 'boolean') return String(x);
  return JSON.stringify(x);
}
