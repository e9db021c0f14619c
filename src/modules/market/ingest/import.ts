// `habitat import dvf`: reads DVF files, keeps the valid lines, and swaps new lake partitions in.
//
// Flow: each file is streamed line by line (csv-parse for the rare quoted line, see read.ts), normalised, and
// written to one tab-separated staging file per (département, année) partition; then, département by département
// (two at a time), DuckDB merges the new lines with the old lines the import does not replace, removes exact
// duplicates and writes one new Parquet file per partition; then the swap (../lake.ts).
// Memory: Node holds a line at a time plus 64 KiB of pending text per partition (streams with backpressure);
// DuckDB one département at a time, under a memory limit beyond which it spills to the staging folder.
//
// Replacement rule: an import replaces, for every (commune, année) it brings, the lines the lake held; lines of
// other communes and years stay. DVF is published per commune and year, so importing a newer edition replaces
// the older one instead of adding to it, and importing the same file twice changes nothing.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { createWriteStream, existsSync, mkdirSync, readdirSync, rmSync, statSync, type WriteStream } from 'node:fs';
import { basename, join } from 'node:path';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { LAKE_COLUMNS, type DvfLine } from '../model.ts';
import { detectFormat, dgfipMapper, geodvfMapper, missingColumns, type DvfFormat } from './formats.ts';
import { listDvfFiles, readDvfFile, readHeaderLine, sha256File } from './read.ts';
import {
  acquireLock,
  applySwap,
  nextManifest,
  readManifest,
  recoverStaging,
  sqlString,
  stagingRoot,
  writeReady,
  partitionFile,
  type ManifestEntry,
  type ReadyJournal,
} from '../lake.ts';

export interface ImportProblem {
  file: string;
  line: number;
  column?: string;
  rule: string;
  value?: string;
  message: string;
}

export interface FileSummary {
  file: string;
  format?: DvfFormat;
  encoding?: string;
  status: 'importé' | 'déjà importé' | 'refusé';
  lus: number;
  valides: number;
  rejetes: number;
}

export interface ImportSummary {
  files: FileSummary[];
  /** Data lines read (header excluded). */
  lus: number;
  /** Lines written to the lake from these files (after duplicates). */
  gardes: number;
  /** Exact duplicate lines removed (same line twice in the files of this import). */
  doublons: number;
  rejetes: number;
  rejetsParMotif: Record<string, number>;
  /** The first rejects in full (file, line, column, rule, value); all are counted in rejetsParMotif. */
  rejets: ImportProblem[];
  partitions: string[];
  dureeMs: number;
}

export interface ImportOptions {
  /** How many rejects are kept in full in the summary. */
  maxRejectsListed?: number;
  /** Import even when the manifest says a file is already in the lake. */
  force?: boolean;
  onProgress?(p: { file: string; bytes: number; totalBytes: number; lines: number }): void;
  /** Every reject as it happens (the summary keeps only the first ones in full). */
  onReject?(p: ImportProblem): void;
  /** Test hook: runs after the new partitions are staged and before the import commits (READY.json). */
  beforeSwap?(): void | Promise<void>;
  /** Test hook: runs between the commit point and the renames. */
  afterCommit?(): void | Promise<void>;
  /** DuckDB memory limit for the merge (it spills to the staging folder beyond it). */
  memoryLimit?: string;
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

/**
 * Routes normalised lines into one tab-separated staging file per (département, année) partition, so the final
 * merge handles one partition at a time and its memory is bounded by the largest partition, not by the import.
 * Open files are capped (least recently used closed, reopened in append mode).
 */
class PartitionStaging {
  private open = new Map<string, WriteStream>();
  /** Text waiting to be written, per partition: one write call per 64 KiB instead of one per line. */
  private pending = new Map<string, { parts: string[]; size: number }>();
  readonly partitions = new Map<string, { departement: string; annee: number; tsv: string; lines: number }>();
  constructor(
    private dir: string,
    private maxOpen = 1024,
    private flushAt = 1 << 16,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  /** Returns a promise only when the disk asks us to wait (backpressure). */
  write(line: DvfLine): void | Promise<void> {
    const key = `${line.departement}-${line.annee}`;
    let part = this.partitions.get(key);
    if (!part) {
      part = { departement: line.departement, annee: line.annee, tsv: join(this.dir, `${key}.tsv`), lines: 0 };
      this.partitions.set(key, part);
    }
    part.lines++;
    let buf = this.pending.get(key);
    if (!buf) {
      buf = { parts: [], size: 0 };
      this.pending.set(key, buf);
    }
    const text = toTsv(line);
    buf.parts.push(text);
    buf.size += text.length;
    if (buf.size < this.flushAt) return;
    const out = this.stream(key, part.tsv);
    const ok = out.write(buf.parts.join(''));
    buf.parts = [];
    buf.size = 0;
    if (!ok) return once(out, 'drain').then(() => undefined);
  }

  private stream(key: string, path: string): WriteStream {
    let out = this.open.get(key);
    if (out) {
      // Keep the map in recency order for the LRU.
      this.open.delete(key);
      this.open.set(key, out);
      return out;
    }
    if (this.open.size >= this.maxOpen) {
      const [oldest, stream] = this.open.entries().next().value!;
      this.open.delete(oldest);
      stream.end();
    }
    out = createWriteStream(path, { flags: 'a', highWaterMark: 1 << 18 });
    this.open.set(key, out);
    return out;
  }

  async finish() {
    for (const [key, buf] of this.pending) if (buf.size) this.stream(key, this.partitions.get(key)!.tsv).write(buf.parts.join(''));
    this.pending.clear();
    const closing = [...this.open.values()].map((s) => {
      s.end();
      return once(s, 'close');
    });
    this.open.clear();
    await Promise.all(closing);
    return [...this.partitions.values()].sort((x, y) => x.departement.localeCompare(y.departement) || x.annee - y.annee);
  }
}

function readStagingTsv(paths: string[]): string {
  const columns = `{${LAKE_COLUMNS.map(([c, t]) => `'${c}': '${t}'`).join(', ')}}`;
  return `read_csv([${paths.map(sqlString).join(', ')}], delim = '\t', header = false, quote = '', escape = '', nullstr = '', auto_detect = false, columns = ${columns})`;
}

function mutationPrefix(sha: string) {
  return 'D' + sha.slice(0, 8);
}

/** Imports DVF files into the lake. Never half-writes: see the header comment of ../lake.ts. */
export async function importDvf(lakeDir: string, paths: string[], opts: ImportOptions = {}): Promise<ImportSummary> {
  const started = Date.now();
  const maxListed = opts.maxRejectsListed ?? 1000;
  const release = acquireLock(lakeDir);
  const stagingDir = join(stagingRoot(lakeDir), `dvf-${Date.now()}-${randomUUID().slice(0, 8)}`);
  const summary: ImportSummary = {
    files: [],
    lus: 0,
    gardes: 0,
    doublons: 0,
    rejetes: 0,
    rejetsParMotif: {},
    rejets: [],
    partitions: [],
    dureeMs: 0,
  };
  const reject = (p: ImportProblem) => {
    summary.rejetes++;
    summary.rejetsParMotif[p.rule] = (summary.rejetsParMotif[p.rule] ?? 0) + 1;
    if (summary.rejets.length < maxListed) summary.rejets.push(p);
    opts.onReject?.(p);
  };
  let instance: DuckDBInstance | undefined;
  let conn: DuckDBConnection | undefined;
  let conn2: DuckDBConnection | undefined;
  try {
    recoverStaging(lakeDir);
    mkdirSync(stagingDir, { recursive: true });
    instance = await DuckDBInstance.create(':memory:', {
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      threads: '2',
      memory_limit: opts.memoryLimit ?? '1GB',
      temp_directory: join(stagingDir, 'spill'),
      preserve_insertion_order: 'false',
    });
    conn = await instance.connect();
    const staging = new PartitionStaging(join(stagingDir, 'lignes'));
    const manifest = readManifest(lakeDir);
    const added: ManifestEntry[] = [];
    const files = listDvfFiles(paths);
    const totalBytes = files.reduce((n, f) => n + statSync(f).size, 0);
    let bytesBefore = 0;

    for (const file of files) {
      const name = basename(file);
      const size = statSync(file).size;
      const header = await readHeaderLine(file);
      const format = detectFormat(header);
      if (!format) {
        reject({ file: name, line: 1, rule: 'format_inconnu', value: header.slice(0, 80), message: "l'en-tête n'est ni celui du DVF géolocalisé d'Etalab ni celui du fichier brut de la DGFiP" });
        summary.files.push({ file: name, status: 'refusé', lus: 0, valides: 0, rejetes: 1 });
        bytesBefore += size;
        continue;
      }
      // A full hash before reading is only worth it when a file of that size was imported already.
      if (!opts.force && manifest.files.some((e) => e.size === size)) {
        const sha = await sha256File(file);
        if (manifest.files.some((e) => e.sha256 === sha)) {
          summary.files.push({ file: name, format, status: 'déjà importé', lus: 0, valides: 0, rejetes: 0 });
          bytesBefore += size;
          continue;
        }
      }
      let map: ((record: string[], lineNo: number) => ReturnType<ReturnType<typeof geodvfMapper>>) | undefined;
      const fileSummary: FileSummary = { file: name, format, status: 'importé', lus: 0, valides: 0, rejetes: 0 };
      const communeYears = new Set<string>();
      const prefixSha = format === 'dgfip' ? await sha256File(file) : '';
      let headerProblem = false;
      let sinceReport = 0;
      let fileBytes = 0;
      const result = await readDvfFile(file, format, {
        header(fields) {
          const missing = missingColumns(format, fields);
          if (missing.length) {
            headerProblem = true;
            reject({ file: name, line: 1, column: missing[0], rule: 'colonne_manquante', value: missing.join(', '), message: 'colonnes obligatoires absentes de l’en-tête' });
            return;
          }
          map = format === 'geodvf' ? geodvfMapper(fields) : dgfipMapper(fields, mutationPrefix(prefixSha));
          (map as any).width = fields.length;
        },
        record(fields, lineNo) {
          if (headerProblem || !map) return;
          summary.lus++;
          fileSummary.lus++;
          if (++sinceReport >= 10_000) {
            sinceReport = 0;
            opts.onProgress?.({ file: name, bytes: bytesBefore + fileBytes, totalBytes, lines: summary.lus });
          }
          const width = (map as any).width as number;
          if (fields.length !== width) {
            fileSummary.rejetes++;
            reject({ file: name, line: lineNo, rule: 'nombre_de_colonnes', value: String(fields.length), message: `${width} colonnes attendues` });
            return;
          }
          const r = map(fields, lineNo);
          if (!r.ok) {
            fileSummary.rejetes++;
            reject({ file: name, ...r.reject });
            return;
          }
          fileSummary.valides++;
          communeYears.add(`${r.line.code_commune}:${r.line.annee}`);
          return staging.write(r.line);
        },
        malformed(lineNo, message) {
          summary.lus++;
          fileSummary.lus++;
          fileSummary.rejetes++;
          reject({ file: name, line: lineNo, rule: 'csv_illisible', message: `ligne illisible (${message})` });
        },
        progress(bytes) {
          fileBytes = bytes;
          opts.onProgress?.({ file: name, bytes: bytesBefore + bytes, totalBytes, lines: summary.lus });
        },
      });
      bytesBefore += size;
      fileSummary.encoding = result.encoding;
      if (headerProblem) fileSummary.status = 'refusé';
      summary.files.push(fileSummary);
      if (!headerProblem) {
        added.push({ sha256: result.sha256, file: name, size, importedAt: new Date().toISOString(), lines: fileSummary.valides, communeYears: [...communeYears].sort() });
      }
    }

    const staged = await staging.finish();
    conn2 = await instance.connect();
    const partitions = await mergePartitions([conn, conn2], lakeDir, stagingDir, staged, summary);
    summary.partitions = partitions.map((p) => `${p.departement}/${p.annee}`);
    const journal = { partitions, manifest: nextManifest(manifest, added) };
    await opts.beforeSwap?.();
    // The commit point: from here on, a crash is completed by the next import instead of undone.
    writeReady(stagingDir, journal);
    await opts.afterCommit?.();
    applySwap(lakeDir, journal);
    summary.dureeMs = Date.now() - started;
    return summary;
  } finally {
    conn?.closeSync();
    conn2?.closeSync();
    instance?.closeSync();
    // Before READY.json this drops the attempt; after it the swap is done (or will be rolled forward).
    if (existsSync(join(stagingDir, 'READY.json'))) {
      try {
        recoverStaging(lakeDir);
      } catch {
        /* left for the next import to roll forward */
      }
    } else rmSync(stagingDir, { recursive: true, force: true });
    release();
  }
}

/**
 * For each touched département: the new lines, plus the old lines of the touched years whose commune-year this
 * import does not bring, exact duplicates removed, into one new Parquet file per year beside the live ones.
 * One statement per département (not per partition) keeps DuckDB's fixed cost per statement low on a national
 * import (about 100 statements instead of 500), and memory bounded by one département.
 */
async function mergePartitions(
  conns: DuckDBConnection[],
  lakeDir: string,
  stagingDir: string,
  staged: { departement: string; annee: number; tsv: string; lines: number }[],
  summary: ImportSummary,
) {
  const cols = LAKE_COLUMNS.map(([c]) => c).join(', ');
  const out: ReadyJournal['partitions'] = [];
  type Part = { departement: string; annee: number; tsv?: string; lines: number };
  const byDep = new Map<string, Part[]>();
  const add = (p: Part) => {
    const list = byDep.get(p.departement) ?? [];
    const same = list.find((x) => x.annee === p.annee);
    if (same) {
      same.lines += p.lines;
      same.tsv ??= p.tsv;
    } else list.push({ ...p });
    byDep.set(p.departement, list);
  };
  for (const p of staged) add(p);
  mkdirSync(join(stagingDir, 'partitions'), { recursive: true });
  let incoming = 0;
  const mergeOne = async (conn: DuckDBConnection, departement: string, parts: Part[]) => {
    incoming += parts.reduce((n, p) => n + p.lines, 0);
    const depDir = join(stagingDir, 'partitions', `dep-${departement}`);
    const tsvs = parts.flatMap((p) => (p.tsv ? [p.tsv] : []));
    const fresh = `(SELECT ${cols} FROM ${readStagingTsv(tsvs)})`;
    const live = parts.map((p) => partitionFile(lakeDir, p.departement, p.annee)).filter((f) => existsSync(f));
    let kept = 0;
    let keptSql = '';
    if (live.length) {
      keptSql = `SELECT ${cols} FROM read_parquet([${live.map(sqlString).join(', ')}]) o
        WHERE NOT EXISTS (SELECT 1 FROM (SELECT DISTINCT code_commune, annee FROM ${fresh}) f WHERE f.code_commune = o.code_commune AND f.annee = o.annee)`;
      kept = Number((await conn.runAndReadAll(`SELECT count(*) FROM (${keptSql})`)).getRows()[0][0]);
    }
    const union = keptSql ? `SELECT * FROM ${fresh} UNION ALL ${keptSql}` : `SELECT * FROM ${fresh}`;
    const reader = await conn.runAndReadAll(
      `COPY (SELECT DISTINCT * FROM (${union})) TO ${sqlString(depDir)}
       (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (annee), WRITE_PARTITION_COLUMNS true, FILENAME_PATTERN 'data_{i}')`,
    );
    summary.gardes += Number(reader.getRows()[0]?.[0] ?? 0) - kept;
    for (const p of parts) {
      if (p.tsv) rmSync(p.tsv);
      out.push({ departement, annee: p.annee, staged: await singleFile(conn, join(depDir, `annee=${p.annee}`)) });
    }
  };
  // Départements are independent: one worker per connection, so the fixed cost of each statement overlaps.
  const queue = [...byDep];
  await Promise.all(
    conns.map(async (conn) => {
      for (let next = queue.shift(); next; next = queue.shift()) await mergeOne(conn, next[0], next[1]);
    }),
  );
  summary.doublons = incoming - summary.gardes;
  return out.sort((x, y) => x.departement.localeCompare(y.departement) || x.annee - y.annee);
}

/** The one Parquet file of a staged partition (DuckDB may split a large one: then they are merged). */
async function singleFile(conn: DuckDBConnection, dir: string): Promise<string> {
  const files = readdirSync(dir).filter((f) => f.endsWith('.parquet')).map((f) => join(dir, f));
  if (files.length === 1) return files[0];
  const merged = join(dir, 'merged.parquet');
  await conn.run(`COPY (SELECT * FROM read_parquet([${files.map(sqlString).join(', ')}])) TO ${sqlString(merged)} (FORMAT parquet, COMPRESSION zstd)`);
  for (const f of files) rmSync(f);
  return merged;
}
