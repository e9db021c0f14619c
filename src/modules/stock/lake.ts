// The lake side of the stock's store: the RPLS, one Parquet file per vintage, replaced whole by an atomic rename.
// Lake queries and writes only: the import use case (reader, filters, re-import check) is in service.ts.
//
//   <lake>/rpls/millesime=2019/data.parquet   the cells of that vintage (commune × year × class × rooms × type × QPV)
//   <lake>/rpls/millesime=2019/communes-<sha>.parquet  the same cells summed per commune × class × type × QPV, written
//                                             by the import in the same swap (issue 16 §1): the public figures read it
//   <lake>/rpls/manifest.json                 per vintage: source file, sha256, lines, dwellings, perimeter
//   <lake>/.staging/rpls-<id>/                an import in progress (dropped if the process dies before the rename)
//
// This layout (the `millesime=` partition key, the manifest's keys, the Parquet columns) is what existing lakes hold:
// it keeps its names, since renaming them means rewriting every partition.
import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Lake } from '../../platform/lake.ts';
import { COMMUNE_CODE } from '../territory/index.ts';
import type { RplsCell } from './ingest/rpls.ts';
import { emptyCounts, parseDpeClass, type ClassCounts } from './model.ts';

const rplsDir = (lakeDir: string) => join(lakeDir, 'rpls');
const manifestPath = (lakeDir: string) => join(rplsDir(lakeDir), 'manifest.json');
export const rplsPartition = (lakeDir: string, vintage: number) => join(rplsDir(lakeDir), `millesime=${vintage}`, 'data.parquet');
/**
 * The per-commune summary of one import of a vintage, named after the file's sha256: after a crash between the renames
 * of the swap, the manifest names the summary of the data it describes, or none (then the data file is read).
 */
const rplsSummary = (lakeDir: string, vintage: number, sha256: string) => join(rplsDir(lakeDir), `millesime=${vintage}`, `communes-${sha256.slice(0, 16)}.parquet`);

/** One vintage in the lake, as manifest.json records it. */
export interface RplsManifestEntry {
  millesime: number;
  file: string;
  sha256: string;
  importedAt: string;
  lines: number;
  cells: number;
  dwellings: number;
  /** 'france': every commune of the file; otherwise only the listed EPCIs' communes (the demo's quick load). */
  perimetre: RplsPerimeter;
}
export type RplsPerimeter = 'france' | { epci: string[] };

export function readRplsManifest(lakeDir: string): Record<string, RplsManifestEntry> {
  const p = manifestPath(lakeDir);
  return existsSync(p) ? JSON.parse(readFileSync(p, 'utf8')) : {};
}

/** A vintage's manifest entry when its partition is in the lake. */
export function rplsVintage(lakeDir: string, vintage: number): RplsManifestEntry | undefined {
  const known = readRplsManifest(lakeDir)[vintage];
  return known && existsSync(rplsPartition(lakeDir, vintage)) ? known : undefined;
}

/** The newest vintage in the lake, or null. */
export function latestVintage(lakeDir: string): number | null {
  const years = Object.keys(readRplsManifest(lakeDir)).map(Number).filter((y) => existsSync(rplsPartition(lakeDir, y)));
  return years.length ? Math.max(...years) : null;
}

// ---------------------------------------------------------------- writing a vintage

export interface RplsPartitionWriter {
  add(cell: RplsCell): void;
  /** Writes the Parquet file and swaps it in with the manifest entry: the lake has the new vintage, whole. */
  commit(entry: RplsManifestEntry): Promise<void>;
  /** Drops what was staged (after a commit, only the staging folder). Always called. */
  close(): void;
}

const csvCell = (v: string | number | boolean | null) => (v === null ? '' : String(v));
const quoted = (p: string) => `'${p.replace(/'/g, "''")}'`;

/** Stages the cells of one vintage beside the lake; nothing is visible until `commit`. */
export function openRplsPartition(lake: Lake): RplsPartitionWriter {
  const staging = join(lake.dir, '.staging', `rpls-${randomUUID()}`);
  mkdirSync(staging, { recursive: true });
  const csvPath = join(staging, 'cells.csv');
  const out: WriteStream = createWriteStream(csvPath);
  // The file opens asynchronously: a refused import closes the writer before it has, and the header written at open
  // would then fail in a callback with no listener (an uncaught exception that ended a test run). Errors are kept
  // here and thrown by `commit`, the only step that needs the file.
  let failed: Error | undefined;
  out.on('error', (e) => (failed = e));
  out.write('commune_code,annee_construction,dpe_energie,dpe_ges,nb_pieces,type,qpv,n\n');
  let pending = '';
  return {
    add(c) {
      pending += [c.commune_code, c.construction_year, c.dpe_energy, c.dpe_climate, c.rooms, c.building_type, c.qpv, c.n].map(csvCell).join(',') + '\n';
      if (pending.length > 1 << 16) {
        out.write(pending);
        pending = '';
      }
    },
    async commit(entry) {
      if (failed) throw failed;
      out.end(pending);
      await once(out, 'finish');
      const parquet = join(staging, 'data.parquet');
      await lake.query(
        `copy (select * from read_csv(${quoted(csvPath)}, header = true, columns = {
            'commune_code': 'varchar', 'annee_construction': 'smallint', 'dpe_energie': 'varchar', 'dpe_ges': 'varchar',
            'nb_pieces': 'tinyint', 'type': 'varchar', 'qpv': 'boolean', 'n': 'integer'})
          order by commune_code) to ${quoted(parquet)} (format parquet, compression zstd)`,
      );
      // What the public figures read (a few rows per commune instead of every cell), computed once here.
      const summary = join(staging, 'communes.parquet');
      await lake.query(`copy (${SUMMARY_SELECT(parquet)} order by commune_code) to ${quoted(summary)} (format parquet, compression zstd)`);
      // The swap: the summary lands under its own name first, the new file replaces the vintage by one rename, then
      // the manifest says so; older summaries go last.
      const target = rplsPartition(lake.dir, entry.millesime);
      const folder = join(target, '..');
      mkdirSync(folder, { recursive: true });
      const kept = rplsSummary(lake.dir, entry.millesime, entry.sha256);
      renameSync(summary, kept);
      renameSync(parquet, target);
      const manifest = readRplsManifest(lake.dir);
      manifest[entry.millesime] = entry;
      writeFileSync(manifestPath(lake.dir) + '.tmp', JSON.stringify(manifest, null, 1));
      renameSync(manifestPath(lake.dir) + '.tmp', manifestPath(lake.dir));
      for (const f of readdirSync(folder)) if (f.startsWith('communes-') && join(folder, f) !== kept) rmSync(join(folder, f), { force: true });
    },
    close() {
      if (!out.closed) out.destroy();
      rmSync(staging, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------- reading

export interface RplsCommuneFigures {
  commune_code: string;
  total: number;
  collective: number;
  individual: number;
  qpv: number;
  classes: ClassCounts;
}

/** Commune codes are checked against the COG's pattern before being inlined (the DuckDB binding has no text[] here). */
function sqlCodeList(codes: string[]): string {
  const ok = codes.filter((c) => COMMUNE_CODE.test(c));
  return ok.length ? ok.map((c) => `'${c}'`).join(',') : "''";
}

/** The cells summed per commune × class × type × QPV: the summary's content, and its fallback over the data file. */
const SUMMARY_SELECT = (file: string, where = '') =>
  `select commune_code, dpe_energie, type, qpv, sum(n)::bigint as n from read_parquet(${quoted(file)}) ${where} group by all`;

/** The summary of the vintage's current import, or its data file when the import predates summaries. */
function summaryOrData(lakeDir: string, vintage: number): string {
  const entry = readRplsManifest(lakeDir)[vintage];
  const summary = entry ? rplsSummary(lakeDir, vintage, entry.sha256) : null;
  return summary && existsSync(summary) ? summary : rplsPartition(lakeDir, vintage);
}

/** Dwellings per commune and energy class (RPLS "dpeenergie") for a list of communes. */
export async function rplsByCommune(lake: Lake, communes: string[], vintage: number): Promise<RplsCommuneFigures[]> {
  if (!existsSync(rplsPartition(lake.dir, vintage)) || !communes.length) return [];
  return figuresOf(await lake.query<SummaryRow>(SUMMARY_SELECT(summaryOrData(lake.dir, vintage), `where commune_code in (${sqlCodeList(communes)})`)));
}

type SummaryRow = { commune_code: string; dpe_energie: string | null; type: string; qpv: boolean; n: number };

/**
 * Every commune's figures of a vintage, read once per import of that vintage and kept in memory (a Map lookup per
 * answer instead of a lake query): keyed on the lake and on the manifest entry, which a new import replaces.
 */
const indexes = new WeakMap<Lake, { key: string; index: Promise<Map<string, RplsCommuneFigures>> }>();
export async function rplsIndex(lake: Lake, vintage: number): Promise<Map<string, RplsCommuneFigures>> {
  const entry = readRplsManifest(lake.dir)[vintage];
  const key = `${vintage}:${entry?.sha256}:${entry?.importedAt}`;
  const known = indexes.get(lake);
  if (known?.key === key) return known.index;
  const index = (async () => {
    if (!existsSync(rplsPartition(lake.dir, vintage))) return new Map<string, RplsCommuneFigures>();
    const rows = await lake.query<SummaryRow>(SUMMARY_SELECT(summaryOrData(lake.dir, vintage)));
    return new Map(figuresOf(rows).map((f) => [f.commune_code, f]));
  })();
  indexes.set(lake, { key, index });
  index.catch(() => indexes.get(lake)?.index === index && indexes.delete(lake));
  return index;
}

function figuresOf(rows: SummaryRow[]): RplsCommuneFigures[] {
  const by = new Map<string, RplsCommuneFigures>();
  for (const r of rows) {
    let f = by.get(r.commune_code);
    if (!f) by.set(r.commune_code, (f = { commune_code: r.commune_code, total: 0, collective: 0, individual: 0, qpv: 0, classes: emptyCounts() }));
    f.total += r.n;
    if (r.type === 'collectif') f.collective += r.n;
    else f.individual += r.n;
    if (r.qpv) f.qpv += r.n;
    f.classes[parseDpeClass(r.dpe_energie) ?? 'unknown'] += r.n;
  }
  return [...by.values()].sort((a, b) => a.commune_code.localeCompare(b.commune_code));
}
