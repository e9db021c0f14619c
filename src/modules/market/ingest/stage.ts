// Reads the DVF files of one import into its folder of the staging tree, with DuckDB: never the live lake.
//
//   1. each file is recognised (header), hashed (sha256, to skip a file already imported) and checked for UTF-8 (a
//      compressed geo-DVF file is decompressed by this pass into the staging tree, once: DuckDB reads that copy);
//      a raw DGFiP file is first turned into normalised lines by the Node mapper (its mutation ids depend on the
//      order of the lines), an Etalab geo-DVF file is read by DuckDB directly (the SQL is in sql.ts);
//   2. per file, one DuckDB statement reads, casts, normalises, checks and hashes every line and writes it to one file
//      of the import's folder in the staging tree (decision 0008: one folder per import); rejected lines are written
//      with them, flagged (readers skip them: sql.ts LIVE_LINE); this is the one reading of the file by DuckDB;
//      DuckDB's own reject table gives the line number of every cell that does not cast, and a
//      line that breaks a rule after casting is explained by the Node mapper (a second reading, only of files that
//      have such lines);
//   3. the hashes that repeat are found in the written files (one column of Parquet, not the CSV once more); those
//      lines are listed under the folder (sql.ts REPEATS_FILE: readers leave them out) and made distinct (exact
//      duplicates removed on every column) into a file of the folder.
// The service (../service.ts) then adds the live lines the import does not replace and swaps the folder in.
// Memory: DuckDB works under a memory limit (it spills to the staging folder beyond it); Node holds a line at a time.
import type { DuckDBConnection } from '@duckdb/node-api';
import { createWriteStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { once } from 'node:events';
import { parse as parseCsv } from 'csv-parse/sync';
import type { InputProblem } from '../../../platform/errors.ts';
import { sqlFileList as fileList, sqlString } from '../../../platform/lake.ts';
import { LAKE_COLUMNS, type ArrondissementParents, type DvfLine } from '../model.ts';
import { contentOf, type LotContent } from '../store.ts';
import { detectFormat, dgfipMapper, geodvfMapper, missingColumns, type DvfFormat } from './formats.ts';
import { listDvfFiles, readDvfFile, readHeaderLine, scanFile } from './read.ts';
import { castRule, geodvfLines, geodvfReader, LINE_HASH, MOTIF, REPEATS_FILE, stagedLines, stagedReader, stageLines } from './sql.ts';

export interface FileSummary {
  file: string;
  format?: DvfFormat;
  encoding?: string;
  status: 'imported' | 'already_imported' | 'refused';
  linesRead: number;
  linesValid: number;
  linesRejected: number;
}

export interface StageSummary {
  files: FileSummary[];
  /** Data lines read (header excluded). */
  linesRead: number;
  /** Lines these files bring to the lake (after duplicates). */
  linesKept: number;
  /** Exact duplicate lines removed (same line twice in the files of this import). */
  duplicates: number;
  linesRejected: number;
  rejectsByRule: Record<string, number>;
  /** The first rejects in full (file, line, column, rule, value); all are counted in rejectsByRule. */
  rejects: InputProblem[];
}

export interface StageOptions {
  /** The import's folder in the staging tree (its lines go there). */
  dir: string;
  /** Arrondissement → commune, from the COG: lines roll up to their commune. */
  parents: ArrondissementParents;
  /** The sha256 of the files the lake already holds: skipped unless `force`. */
  known: ReadonlySet<string>;
  force?: boolean;
  /** How many rejects are kept in full in the summary. */
  maxRejectsListed?: number;
  onProgress?(p: { file: string; bytes: number; totalBytes: number; lines: number }): void;
  /** Every reject as it happens (the summary keeps only the first ones in full). */
  onReject?(p: InputProblem): void;
}

/** A file of the import that was read: what the manifest records of it. */
interface StagedFile {
  sha256: string;
  name: string;
  size: number;
  lines: number;
  communeYears: string[];
}

export interface Staged {
  summary: StageSummary;
  files: StagedFile[];
  /** The `departement/annee` pairs the new lines fall in, sorted (what the import replaces, for the summary). */
  departementYears: string[];
  /** What the new lines hold, per département and year (the description of the import's folder, with its other parts). */
  content: LotContent[];
}

/** Cast reject lines above which a file is refused whole: it is not the layout its header claims. */
const MAX_CAST_REJECTS = 100_000;

/** One file of the import, recognised and ready to be read by DuckDB. */
interface Source {
  index: number;
  file: string;
  name: string;
  size: number;
  format: DvfFormat;
  header: string[];
  sha256: string;
  summary: FileSummary;
  /** The lines as a DuckDB relation (lake columns + rule column + line hash). */
  lines: string;
  communeYears: string[];
  /** `departement/annee` pairs of its lines. */
  departementYears: string[];
  /** The decompressed copy DuckDB reads, for a compressed geo-DVF file. */
  inflated?: string;
  /** Its lines that passed the rules, per département and year (repeated lines included). */
  content: LotContent[];
}

const num = (v: unknown) => Number(v ?? 0);

/**
 * Reads the files at `paths` into the import's folder `opts.dir`; `scratch` holds the DGFiP files' normalised lines and
 * the decompressed copies of compressed geo-DVF files.
 */
export async function stageDvfFiles(db: DuckDBConnection, paths: string[], scratch: string, opts: StageOptions): Promise<Staged> {
  const { dir } = opts;
  mkdirSync(dir, { recursive: true });
  const fileOf = (s: Source) => join(dir, `f${s.index}.parquet`);
  const maxListed = opts.maxRejectsListed ?? 1000;
  const { parents } = opts;
  const summary: StageSummary = { files: [], linesRead: 0, linesKept: 0, duplicates: 0, linesRejected: 0, rejectsByRule: {}, rejects: [] };
  const reject = (p: InputProblem, counted = true) => {
    if (counted) {
      summary.linesRejected++;
      summary.rejectsByRule[p.rule] = (summary.rejectsByRule[p.rule] ?? 0) + 1;
    }
    if (summary.rejects.length < maxListed) summary.rejects.push(p);
    opts.onReject?.(p);
  };
  const files = listDvfFiles(paths);
  const totalBytes = files.reduce((n, f) => n + statSync(f).size, 0);
  const progress = (file: string, bytes: number) => opts.onProgress?.({ file, bytes, totalBytes, lines: summary.linesRead });

  // 1. Recognise every file; raw DGFiP files go through the Node mapper into a staging file.
  const sources: Source[] = [];
  let bytesBefore = 0;
  for (const file of files) {
    const name = basename(file);
    const size = statSync(file).size;
    const source = await recognise(file, name, size, sources.length);
    bytesBefore += size;
    if (source) sources.push(source);
  }

  // 2. Each file, read once, into its file of the import's folder.
  let rowsStaged = 0;
  let rulesRejected = 0;
  bytesBefore = 0;
  for (const s of sources) {
    progress(s.name, bytesBefore);
    const written = await withProgress(db, () => db.runAndReadAll(stageLines(s.lines, fileOf(s))), (pct) =>
      progress(s.name, bytesBefore + (s.format === 'geodvf' ? (s.size * pct) / 100 : s.size)),
    );
    const rows = num(written.getRows()[0]?.[0]);
    const castRejects = s.format === 'geodvf' ? await readCastRejects(db, s) : [];
    // Read once: its decompressed copy would otherwise hold the disk until the end of the import.
    if (s.inflated) rmSync(s.inflated, { force: true });
    if (castRejects.length >= MAX_CAST_REJECTS) {
      // Not the layout its header claims: the whole file is refused, none of its lines are kept.
      rmSync(fileOf(s));
      s.summary.status = 'refused';
      reject({ file: s.name, line: 1, rule: 'fichier_illisible', value: String(castRejects.length), message: `plus de ${MAX_CAST_REJECTS.toLocaleString('fr-FR')} lignes illisibles : le fichier est refusé en entier` });
      bytesBefore += s.size;
      continue;
    }
    for (const p of castRejects) reject(p);
    const motifs = await ruleRejectCounts(db, fileOf(s));
    const ruleCount = motifs.reduce((n, m) => n + m.n, 0);
    for (const m of motifs) {
      const rule = m.motif.split(':')[0];
      summary.rejectsByRule[rule] = (summary.rejectsByRule[rule] ?? 0) + m.n;
      summary.linesRejected += m.n;
    }
    if (ruleCount) await explainRuleRejects(db, fileOf(s), s, parents, new Set(castRejects.map((p) => p.line)), (p) => reject(p, false));
    rowsStaged += rows;
    rulesRejected += ruleCount;
    s.summary.linesRead += rows + castRejects.length;
    s.summary.linesValid += rows - ruleCount;
    s.summary.linesRejected += castRejects.length + ruleCount;
    summary.linesRead += rows + castRejects.length;
    Object.assign(s, await contentOfFile(db, fileOf(s)));
    bytesBefore += s.size;
    progress(s.name, bytesBefore);
  }

  // 3. Repeated lines: found from the files' hash column, listed apart, made distinct.
  const staged = sources.filter((s) => s.summary.status === 'imported').map(fileOf);
  const { repeatedRows, repeatedKept, corrections } = staged.length ? await setRepeatedLinesApart(db, staged, dir) : { repeatedRows: 0, repeatedKept: 0, corrections: [] };
  summary.linesKept = rowsStaged - rulesRejected - repeatedRows + repeatedKept;
  summary.duplicates = repeatedRows - repeatedKept;
  const imported = sources.filter((s) => s.summary.status === 'imported');
  return {
    summary,
    files: imported.map((s) => ({ sha256: s.sha256, name: s.name, size: s.size, lines: s.summary.linesValid, communeYears: s.communeYears })),
    departementYears: sortedDepartementYears(imported.flatMap((s) => s.departementYears)),
    content: [...imported.flatMap((s) => s.content), ...corrections],
  };

  /** Reads the header, skips a file already imported, and prepares its DuckDB relation. */
  async function recognise(file: string, name: string, size: number, index: number): Promise<Source | undefined> {
    const headerLine = await readHeaderLine(file);
    const format = detectFormat(headerLine);
    if (!format) {
      reject({ file: name, line: 1, rule: 'format_inconnu', value: headerLine.slice(0, 80), message: "l'en-tête n'est ni celui du DVF géolocalisé d'Etalab ni celui du fichier brut de la DGFiP" });
      summary.files.push({ file: name, status: 'refused', linesRead: 0, linesValid: 0, linesRejected: 1 });
      return;
    }
    const delimiter = format === 'dgfip' ? '|' : ',';
    const header = headerLine.replace(/^\uFEFF/, '').split(delimiter).map((h) => h.trim());
    const missing = missingColumns(format, header);
    if (missing.length) {
      reject({ file: name, line: 1, column: missing[0], rule: 'colonne_manquante', value: missing.join(', '), message: 'colonnes obligatoires absentes de l’en-tête' });
      summary.files.push({ file: name, format, status: 'refused', linesRead: 0, linesValid: 0, linesRejected: 1 });
      return;
    }
    progress(name, bytesBefore);
    // A compressed geo-DVF file is decompressed once, by the scan, into the scratch folder: DuckDB reads that copy.
    const inflated = join(scratch, `geodvf-${index}.csv`);
    const scan = await scanFile(file, format === 'geodvf' ? { inflateTo: inflated } : {});
    if (!opts.force && opts.known.has(scan.sha256)) {
      summary.files.push({ file: name, format, status: 'already_imported', linesRead: 0, linesValid: 0, linesRejected: 0 });
      return;
    }
    const fileSummary: FileSummary = { file: name, format, encoding: scan.encoding, status: 'imported', linesRead: 0, linesValid: 0, linesRejected: 0 };
    summary.files.push(fileSummary);
    const base = { index, file, name, size, format, header, sha256: scan.sha256, summary: fileSummary, communeYears: [], departementYears: [], content: [] };
    if (format === 'geodvf') {
      const encoding = scan.encoding === 'latin1' ? ('latin-1' as const) : ('utf-8' as const);
      return {
        ...base,
        inflated: scan.gzip ? inflated : undefined,
        lines: geodvfLines(geodvfReader(scan.gzip ? inflated : file, header, { encoding, rejects: true }), header, parents),
      };
    }
    const tsv = join(scratch, `dgfip-${index}.tsv`);
    await mapDgfip(file, name, scan.sha256, tsv, fileSummary);
    return { ...base, lines: stagedLines(stagedReader(tsv)) };
  }

  /** The raw DGFiP layout, through the Node mapper, into a staging file of normalised lines. */
  async function mapDgfip(file: string, name: string, sha256: string, tsv: string, fileSummary: FileSummary) {
    const out = createWriteStream(tsv, { highWaterMark: 1 << 20 });
    // Node counts the lines it rejects; the lines it keeps are counted by the DuckDB write, as for geo-DVF.
    const rejected = (p: InputProblem) => {
      summary.linesRead++;
      fileSummary.linesRead++;
      fileSummary.linesRejected++;
      reject(p);
    };
    let map: ReturnType<typeof dgfipMapper> | undefined;
    let width = 0;
    let sinceReport = 0;
    await readDvfFile(file, 'dgfip', {
      header(fields) {
        width = fields.length;
        map = dgfipMapper(fields, 'D' + sha256.slice(0, 8), parents);
      },
      record(fields, lineNo) {
        if (++sinceReport >= 10_000) {
          sinceReport = 0;
          progress(name, bytesBefore);
        }
        if (fields.length !== width) {
          return rejected({ file: name, line: lineNo, rule: 'nombre_de_colonnes', value: String(fields.length), message: `${width} colonnes attendues` });
        }
        const r = map!(fields, lineNo);
        if (!r.ok) return rejected({ file: name, ...r.reject });
        if (!out.write(toTsv(r.line))) return once(out, 'drain').then(() => undefined);
      },
      malformed(lineNo, message) {
        rejected({ file: name, line: lineNo, rule: 'csv_illisible', message: `ligne illisible (${message})` });
      },
      progress(bytes) {
        progress(name, bytesBefore + bytes);
      },
    });
    out.end();
    await once(out, 'close');
  }
}

const TSV_NULL = '';

function toTsv(line: DvfLine): string {
  let s = '';
  for (let i = 0; i < LAKE_COLUMNS.length; i++) {
    const v = line[LAKE_COLUMNS[i][0]];
    if (i) s += '\t';
    s += v === null || v === undefined ? TSV_NULL : String(v);
  }
  return s + '\n';
}

/** HABITAT_TRACE_DVF=1 (`opts.trace`) prints each DuckDB statement's duration (to find where an import spends its time). */
export function traced(conn: DuckDBConnection, trace?: (line: string) => void): DuckDBConnection {
  if (!trace) return conn;
  const wrap = <A extends unknown[], R>(f: (...a: A) => Promise<R>) => async (...a: A) => {
    const t = performance.now();
    try {
      return await f.apply(conn, a);
    } finally {
      trace(`[dvf] ${((performance.now() - t) / 1000).toFixed(2)} s  ${String(a[0]).replace(/\s+/g, ' ').slice(0, 90)}`);
    }
  };
  return Object.assign(Object.create(conn), { run: wrap(conn.run), runAndReadAll: wrap(conn.runAndReadAll) });
}

/**
 * The lines of the import whose hash appears more than once: their commune, year and hash are listed under the folder
 * (REPEATS_FILE), and their distinct copies are written to `distinctes.parquet` without a hash (so no listing leaves
 * them out). The hashes are read from the written files: one column, against a second reading of the CSV files.
 * `corrections`: per département and year, the distinct copies less the repeated lines, for the folder's description.
 */
async function setRepeatedLinesApart(db: DuckDBConnection, staged: string[], dir: string): Promise<{ repeatedRows: number; repeatedKept: number; corrections: LotContent[] }> {
  const files = `read_parquet(${fileList(staged)})`;
  await db.run(`CREATE TEMP TABLE repeated_hashes AS SELECT ${LINE_HASH} AS h FROM ${files} WHERE ${MOTIF} IS NULL GROUP BY 1 HAVING count(*) > 1`);
  const repeated = `SELECT * FROM ${files} WHERE ${MOTIF} IS NULL AND ${LINE_HASH} IN (SELECT h FROM repeated_hashes)`;
  await db.run(`CREATE TEMP TABLE repeated_lines AS ${repeated}`);
  const repeatedRows = num((await db.runAndReadAll('SELECT count(*) FROM repeated_lines')).getRows()[0][0]);
  let repeatedKept = 0;
  let corrections: LotContent[] = [];
  if (repeatedRows) {
    mkdirSync(join(dir, REPEATS_FILE[0]));
    // Sorted by département: a reader of some départements skips the row groups of the others.
    await db.run(`COPY (SELECT DISTINCT departement, code_commune, annee, ${LINE_HASH} FROM repeated_lines ORDER BY ALL)
      TO ${sqlString(join(dir, ...REPEATS_FILE))} (FORMAT parquet, COMPRESSION snappy)`);
    const distinct = await db.runAndReadAll(`COPY (SELECT DISTINCT * EXCLUDE (${LINE_HASH}) FROM repeated_lines) TO ${sqlString(join(dir, 'distinctes.parquet'))} (FORMAT parquet, COMPRESSION snappy)`);
    repeatedKept = num(distinct.getRows()[0]?.[0]);
    const counts = await db.runAndReadAll(`SELECT departement, annee, sum(n) AS n FROM (
        SELECT departement, annee, count(*) AS n FROM read_parquet(${sqlString(join(dir, 'distinctes.parquet'))}) GROUP BY ALL
        UNION ALL SELECT departement, annee, -count(*) FROM repeated_lines GROUP BY ALL
      ) GROUP BY ALL`);
    corrections = (counts.getRowObjectsJS() as { departement: string; annee: number; n: bigint }[]).map((r) => ({ departement: r.departement, annee: Number(r.annee), lines: num(r.n), communes: [] }));
  }
  await db.run('DROP TABLE repeated_lines; DROP TABLE repeated_hashes');
  return { repeatedRows, repeatedKept, corrections };
}

/** Runs a long statement while reporting DuckDB's own progress estimate (percent) every quarter second. */
async function withProgress<T>(db: DuckDBConnection, run: () => Promise<T>, report: (pct: number) => void): Promise<T> {
  const timer = setInterval(() => {
    const pct = db.progress.percentage;
    if (pct >= 0) report(Math.min(100, pct));
  }, 250);
  try {
    return await run();
  } finally {
    clearInterval(timer);
  }
}

/** Cells DuckDB could not cast and lines with a wrong number of cells, one problem per line, first cell first. */
async function readCastRejects(db: DuckDBConnection, s: Source): Promise<InputProblem[]> {
  const exists = (await db.runAndReadAll(`SELECT count(*) FROM duckdb_tables() WHERE table_name = 'reject_errors'`)).getRows()[0][0];
  if (!num(exists)) return [];
  const rows = (
    await db.runAndReadAll(`SELECT line, column_idx, column_name, error_type, csv_line FROM reject_errors ORDER BY line, column_idx`)
  ).getRowObjectsJS() as { line: bigint; column_idx: bigint; column_name: string; error_type: string; csv_line: string }[];
  await db.run('DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans');
  // One problem per line: a wrong number of cells first (it shifts every cell after it), else the first cell.
  const byLine = new Map<number, (typeof rows)[number]>();
  for (const r of rows) {
    const line = Number(r.line);
    const seen = byLine.get(line);
    if (!seen || (isColumnCount(r.error_type) && !isColumnCount(seen.error_type))) byLine.set(line, r);
  }
  const out: InputProblem[] = [];
  for (const [line, r] of byLine) {
    const cells = splitCsvLine(r.csv_line);
    // DuckDB may report a shifted cell that fails to cast rather than the extra cell: count them here too.
    if (isColumnCount(r.error_type) || cells.length !== s.header.length) {
      out.push({ file: s.name, line, rule: 'nombre_de_colonnes', value: String(cells.length), message: `${s.header.length} colonnes attendues` });
    } else if (r.error_type === 'CAST') {
      const { rule, message } = castRule(r.column_name);
      out.push({ file: s.name, line, column: r.column_name, rule, value: cells[Number(r.column_idx) - 1] ?? '' /* DuckDB counts columns from 1 */, message });
    } else {
      out.push({ file: s.name, line, rule: 'csv_illisible', value: r.csv_line.slice(0, 80), message: `ligne illisible (${r.error_type.toLowerCase()})` });
    }
  }
  return out;
}

const isColumnCount = (errorType: string) => errorType === 'MISSING COLUMNS' || errorType === 'TOO MANY COLUMNS';

function splitCsvLine(line: string): string[] {
  if (line.indexOf('"') < 0) return line.split(',');
  try {
    return (parseCsv(line, { relax_quotes: true, relax_column_count: true }) as string[][])[0] ?? [];
  } catch {
    return line.split(',');
  }
}

/** Lines of one source that broke a rule after casting, counted by rule. */
async function ruleRejectCounts(db: DuckDBConnection, file: string) {
  const rows = await db.runAndReadAll(`SELECT ${MOTIF} AS motif, count(*) AS n FROM read_parquet(${sqlString(file)}) WHERE ${MOTIF} IS NOT NULL GROUP BY 1 ORDER BY 1`);
  return (rows.getRowObjectsJS() as { motif: string; n: bigint }[]).map((r) => ({ motif: r.motif, n: Number(r.n) }));
}

/**
 * DuckDB has no line number for a line that casts but breaks a rule: the file is read once more in Node, and the
 * lines of the rejected mutations go through the Node mapper, which names the line, column, rule and value.
 * Only files with such lines pay for this second reading.
 */
async function explainRuleRejects(db: DuckDBConnection, file: string, s: Source, parents: ArrondissementParents, castLines: Set<number>, report: (p: InputProblem) => void) {
  const ids = new Set(
    ((await db.runAndReadAll(`SELECT DISTINCT coalesce(id_mutation, '') AS id FROM read_parquet(${sqlString(file)}) WHERE ${MOTIF} IS NOT NULL`)).getRowObjectsJS() as { id: string }[]).map((r) => r.id),
  );
  const idColumn = s.header.indexOf('id_mutation');
  const map = geodvfMapper(s.header, parents);
  await readDvfFile(s.file, 'geodvf', {
    header() {},
    record(fields, lineNo) {
      if (castLines.has(lineNo) || !ids.has((fields[idColumn] ?? '').trim())) return;
      // DuckDB reads a line with one empty cell too many at its end as if it were not there (docs/market.md): read the
      // same way here, such a line, when a rule rejects it, is listed for its number of cells (it was counted already).
      const trailing = fields.length === s.header.length + 1 && fields.at(-1) === '';
      const cells = trailing ? fields.slice(0, -1) : fields;
      if (cells.length !== s.header.length) return;
      const r = map(cells, lineNo);
      if (r.ok) return;
      report(trailing ? { file: s.name, line: lineNo, rule: 'nombre_de_colonnes', value: String(fields.length), message: `${s.header.length} colonnes attendues` } : { file: s.name, ...r.reject });
    },
    malformed() {},
  });
}

/**
 * What one source brought: its lines per département and year with their communes, its `code_commune:annee` pairs
 * (the manifest uses them to supersede older files) and its `departement/annee` pairs. One reading of three columns.
 */
async function contentOfFile(db: DuckDBConnection, file: string): Promise<{ content: LotContent[]; communeYears: string[]; departementYears: string[] }> {
  const content = await contentOf(db, `(SELECT departement, annee, code_commune FROM read_parquet(${sqlString(file)}) WHERE ${MOTIF} IS NULL)`);
  return {
    content,
    communeYears: content.flatMap((r) => r.communes.map((c) => `${c}:${r.annee}`)),
    departementYears: content.map((r) => `${r.departement}/${r.annee}`),
  };
}

/** `departement/annee` pairs, each once, sorted by département then year. */
function sortedDepartementYears(pairs: string[]): string[] {
  return [...new Set(pairs)].sort((a, b) => {
    const [da, ya] = a.split('/');
    const [db, yb] = b.split('/');
    return da.localeCompare(db) || Number(ya) - Number(yb);
  });
}
