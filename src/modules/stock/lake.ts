// The RPLS part of the lake: one Parquet file per vintage, replaced whole by an atomic rename.
//
//   <lake>/rpls/millesime=2019/data.parquet   the cells of that vintage (commune × year × class × rooms × type × QPV)
//   <lake>/rpls/manifest.json                 per vintage: source file, sha256, lines, dwellings, perimeter
//   <lake>/.staging/rpls-<id>/                an import in progress (dropped if the process dies before the rename)
import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { sha256File } from '../../platform/files.ts';
import { basename, join } from 'node:path';
import { once } from 'node:events';
import type { Lake } from '../../platform/lake.ts';
import type { InputProblem } from '../../platform/errors.ts';
import { DPE_CLASSES, emptyCounts, type ClassCounts } from './model.ts';
import { readRplsFile, type RplsCell } from './ingest/rpls.ts';

export const rplsDir = (lakeDir: string) => join(lakeDir, 'rpls');
const manifestPath = (lakeDir: string) => join(rplsDir(lakeDir), 'manifest.json');
export const rplsPartition = (lakeDir: string, millesime: number) => join(rplsDir(lakeDir), `millesime=${millesime}`, 'data.parquet');

export interface RplsManifestEntry {
  millesime: number;
  file: string;
  sha256: string;
  importedAt: string;
  lines: number;
  cells: number;
  dwellings: number;
  /** 'france': every commune of the file; otherwise only the listed EPCIs' communes (the demo's quick load). */
  perimetre: 'france' | { epci: string[] };
}

export function readRplsManifest(lakeDir: string): Record<string, RplsManifestEntry> {
  const p = manifestPath(lakeDir);
  return existsSync(p) ? JSON.parse(readFileSync(p, 'utf8')) : {};
}

function writeManifest(lakeDir: string, m: Record<string, RplsManifestEntry>) {
  writeFileSync(manifestPath(lakeDir) + '.tmp', JSON.stringify(m, null, 1));
  renameSync(manifestPath(lakeDir) + '.tmp', manifestPath(lakeDir));
}


export function millesimeFromName(path: string): number | null {
  const m = /(?:^|[^0-9])((?:19|20)\d{2})(?:[^0-9]|$)/.exec(basename(path));
  return m ? Number(m[1]) : null;
}

export interface RplsImportResult {
  status: 'importe' | 'deja-importe' | 'refuse';
  millesime: number;
  lines: number;
  cells: number;
  dwellings: number;
  problems: InputProblem[];
}

const csvCell = (v: string | number | boolean | null) => (v === null ? '' : String(v));

/**
 * Imports an RPLS aggregate into the lake. Re-importing the same file for the same perimeter is a no-op; a file with
 * a syntax error writes nothing; bad lines are skipped and reported.
 */
export async function importRpls(
  lake: Lake,
  path: string,
  opts: {
    millesime?: number;
    communes?: Set<string>;
    perimetre?: RplsManifestEntry['perimetre'];
    force?: boolean;
    /** The demo's partial load must not replace a national import of the same vintage. */
    keepIfFrance?: boolean;
  } = {},
): Promise<RplsImportResult> {
  const name = basename(path);
  const millesime = opts.millesime ?? millesimeFromName(path);
  const base = { millesime: millesime ?? 0, lines: 0, cells: 0, dwellings: 0 };
  if (!millesime)
    return { ...base, status: 'refuse', problems: [{ file: name, line: 0, rule: 'rpls.millesime', message: "Millésime introuvable dans le nom du fichier : précisez-le avec --millesime (ex. 2019)." }] };
  const perimetre = opts.perimetre ?? 'france';
  const manifest = readRplsManifest(lake.dir);
  const known = manifest[millesime];
  const present = known && existsSync(rplsPartition(lake.dir, millesime));
  if (present && opts.keepIfFrance && known.perimetre === 'france')
    return { ...base, status: 'deja-importe', lines: known.lines, cells: known.cells, dwellings: known.dwellings, problems: [] };
  const sha256 = await sha256File(path);
  if (!opts.force && present && known.sha256 === sha256 && JSON.stringify(known.perimetre) === JSON.stringify(perimetre))
    return { ...base, status: 'deja-importe', lines: known.lines, cells: known.cells, dwellings: known.dwellings, problems: [] };

  const staging = join(lake.dir, '.staging', `rpls-${randomUUID()}`);
  mkdirSync(staging, { recursive: true });
  try {
    const csvPath = join(staging, 'cells.csv');
    const out = createWriteStream(csvPath);
    out.write('commune_code,annee_construction,dpe_energie,dpe_ges,nb_pieces,type,qpv,n\n');
    let cells = 0;
    let dwellings = 0;
    let pending = '';
    const onCell = (c: RplsCell) => {
      if (opts.communes && !opts.communes.has(c.commune_code)) return;
      cells++;
      dwellings += c.n;
      pending += [c.commune_code, c.annee_construction, c.dpe_energie, c.dpe_ges, c.nb_pieces, c.type, c.qpv, c.n].map(csvCell).join(',') + '\n';
      if (pending.length > 1 << 16) {
        out.write(pending);
        pending = '';
      }
    };
    const read = await readRplsFile(path, onCell, name);
    out.end(pending);
    await once(out, 'finish');
    if (read.broken) return { ...base, status: 'refuse', lines: read.lines, problems: read.problems };
    const parquet = join(staging, 'data.parquet');
    const q = (p: string) => `'${p.replace(/'/g, "''")}'`;
    await lake.query(
      `copy (select * from read_csv(${q(csvPath)}, header = true, columns = {
          'commune_code': 'varchar', 'annee_construction': 'smallint', 'dpe_energie': 'varchar', 'dpe_ges': 'varchar',
          'nb_pieces': 'tinyint', 'type': 'varchar', 'qpv': 'boolean', 'n': 'integer'})
        order by commune_code) to ${q(parquet)} (format parquet, compression zstd)`,
    );
    const target = rplsPartition(lake.dir, millesime);
    mkdirSync(join(target, '..'), { recursive: true });
    renameSync(parquet, target);
    manifest[millesime] = { millesime, file: name, sha256, importedAt: new Date().toISOString(), lines: read.lines, cells, dwellings, perimetre };
    writeManifest(lake.dir, manifest);
    return { status: 'importe', millesime, lines: read.lines, cells, dwellings, problems: read.problems };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** The newest vintage in the lake, or null. */
export function latestMillesime(lakeDir: string): number | null {
  const years = Object.keys(readRplsManifest(lakeDir)).map(Number).filter((y) => existsSync(rplsPartition(lakeDir, y)));
  return years.length ? Math.max(...years) : null;
}

export interface RplsCommuneFigures {
  commune_code: string;
  total: number;
  collectifs: number;
  individuels: number;
  qpv: number;
  classes: ClassCounts;
}

/** Commune codes are checked against their pattern before being inlined (the DuckDB binding has no text[] here). */
function sqlCodeList(codes: string[]): string {
  const ok = codes.filter((c) => /^[0-9][0-9AB][0-9]{3}$/.test(c));
  return ok.length ? ok.map((c) => `'${c}'`).join(',') : "''";
}

/** Dwellings per commune and energy class (RPLS "dpeenergie") for a list of communes. */
export async function rplsByCommune(lake: Lake, communes: string[], millesime: number): Promise<RplsCommuneFigures[]> {
  const file = rplsPartition(lake.dir, millesime);
  if (!existsSync(file) || !communes.length) return [];
  const rows = await lake.query<{ commune_code: string; dpe: string | null; type: string; qpv: boolean; n: number }>(
    `select commune_code, dpe_energie as dpe, type, qpv, sum(n)::bigint as n
       from read_parquet('${file.replace(/'/g, "''")}')
      where commune_code in (${sqlCodeList(communes)})
      group by all`,
  );
  const by = new Map<string, RplsCommuneFigures>();
  for (const r of rows) {
    let f = by.get(r.commune_code);
    if (!f) by.set(r.commune_code, (f = { commune_code: r.commune_code, total: 0, collectifs: 0, individuels: 0, qpv: 0, classes: emptyCounts() }));
    f.total += r.n;
    if (r.type === 'collectif') f.collectifs += r.n;
    else f.individuels += r.n;
    if (r.qpv) f.qpv += r.n;
    const c = (DPE_CLASSES as readonly string[]).includes(r.dpe ?? '') ? (r.dpe as keyof ClassCounts) : 'inconnu';
    f.classes[c] += r.n;
  }
  return [...by.values()].sort((a, b) => a.commune_code.localeCompare(b.commune_code));
}
