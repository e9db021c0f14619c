// Layout of the DVF part of the lake and its crash-safe partition swap.
//
//   <lake>/dvf/departement=69/annee=2018/*.parquet   one folder per partition (one or a few files), read by DuckDB
//   <lake>/dvf-manifest.json                          files already imported (sha256) and what they hold
//   <lake>/.staging/dvf-<id>/                         an import in progress: new partitions, READY.json
//
// An import writes complete new partition folders under .staging, then writes READY.json, then moves each live
// folder aside and the new one in its place (two renames on one file system). If the process dies before
// READY.json, the staging folder is dropped at the next import and the lake is exactly as before; if it dies
// after, the next import finishes the renames (roll forward), so the lake never mixes half of an import. A reader
// that lists the files in the instant between the two renames of one partition misses that partition for that
// one query; it never reads a half-written file.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { LAKE_COLUMNS } from './model.ts';

export const dvfDir = (lakeDir: string) => join(lakeDir, 'dvf');
export const stagingRoot = (lakeDir: string) => join(lakeDir, '.staging');
export const manifestPath = (lakeDir: string) => join(lakeDir, 'dvf-manifest.json');
const lockPath = (lakeDir: string) => join(stagingRoot(lakeDir), 'dvf.lock');

export const partitionDir = (lakeDir: string, departement: string, annee: number) =>
  join(dvfDir(lakeDir), `departement=${departement}`, `annee=${annee}`);

/** The Parquet files of one partition folder (none when it does not exist). */
export function filesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.parquet')).sort().map((f) => join(dir, f));
}

export interface ManifestEntry {
  sha256: string;
  file: string;
  size: number;
  importedAt: string;
  lines: number;
  /** `code_commune:annee` pairs the file brought; a later file that replaces one of them supersedes this entry. */
  communeYears: string[];
}

export interface Manifest {
  files: ManifestEntry[];
}

export function readManifest(lakeDir: string): Manifest {
  const p = manifestPath(lakeDir);
  if (!existsSync(p)) return { files: [] };
  return JSON.parse(readFileSync(p, 'utf8')) as Manifest;
}

function writeAtomically(path: string, text: string) {
  writeFileSync(path + '.tmp', text);
  renameSync(path + '.tmp', path);
}

/**
 * The manifest after an import: entries whose commune-years the new files replaced are dropped (their data is
 * no longer what the lake holds, so importing them again must not be skipped).
 */
export function nextManifest(old: Manifest, added: ManifestEntry[]): Manifest {
  const replaced = new Set(added.flatMap((e) => e.communeYears));
  const addedHashes = new Set(added.map((e) => e.sha256));
  const kept = old.files.filter((e) => !addedHashes.has(e.sha256) && !e.communeYears.some((cy) => replaced.has(cy)));
  return { files: [...kept, ...added] };
}

export interface ReadyJournal {
  /** `staged`: the new partition folder; `aside`: where the live folder goes before the new one takes its place. */
  partitions: { departement: string; annee: number; staged: string; aside: string }[];
  manifest: Manifest;
}

/** Completes a staged import whose READY.json exists; drops one that never got there. */
export function recoverStaging(lakeDir: string): { rolledForward: number; dropped: number } {
  const root = stagingRoot(lakeDir);
  let rolledForward = 0;
  let dropped = 0;
  if (!existsSync(root)) return { rolledForward, dropped };
  for (const name of readdirSync(root)) {
    if (!name.startsWith('dvf-')) continue;
    const dir = join(root, name);
    const ready = join(dir, 'READY.json');
    if (existsSync(ready)) {
      applySwap(lakeDir, JSON.parse(readFileSync(ready, 'utf8')) as ReadyJournal);
      rolledForward++;
    } else dropped++;
    rmSync(dir, { recursive: true, force: true });
  }
  return { rolledForward, dropped };
}

/** Puts every staged partition folder in place of its live one, then records the manifest. Safe to repeat. */
export function applySwap(lakeDir: string, journal: ReadyJournal) {
  for (const p of journal.partitions) {
    if (!existsSync(p.staged)) continue; // already moved by an earlier, interrupted run
    const target = partitionDir(lakeDir, p.departement, p.annee);
    mkdirSync(join(target, '..'), { recursive: true });
    if (existsSync(target)) {
      mkdirSync(join(p.aside, '..'), { recursive: true });
      renameSync(target, p.aside);
    }
    renameSync(p.staged, target);
  }
  writeAtomically(manifestPath(lakeDir), JSON.stringify(journal.manifest));
}

export function writeReady(stagingDir: string, journal: ReadyJournal) {
  writeAtomically(join(stagingDir, 'READY.json'), JSON.stringify(journal));
}

/** One import at a time per lake: a lock file holding the owner's pid, taken over when that process is gone. */
export function acquireLock(lakeDir: string): () => void {
  mkdirSync(stagingRoot(lakeDir), { recursive: true });
  const p = lockPath(lakeDir);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(p, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(p, { force: true });
    } catch (e: any) {
      if (e.code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(p, 'utf8'));
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new Error(`Une importation DVF est déjà en cours (processus ${pid}).`);
      }
      rmSync(p, { force: true });
    }
  }
  throw new Error('Impossible de prendre le verrou du lac DVF.');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every live partition file. */
export function listPartitionFiles(lakeDir: string): string[] {
  const root = dvfDir(lakeDir);
  if (!existsSync(root)) return [];
  const out: string[] = [];
  for (const d of readdirSync(root)) {
    if (!d.startsWith('departement=')) continue;
    for (const y of readdirSync(join(root, d))) if (y.startsWith('annee=')) out.push(...filesIn(join(root, d, y)));
  }
  return out.sort();
}

// Files of two lake versions (with and without the motif_rejet column) may be read together: union_by_name.
const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** A DuckDB table expression over the whole DVF lake (an empty, typed relation when nothing is imported yet). */
export function dvfRelation(lakeDir: string): string {
  const files = listPartitionFiles(lakeDir);
  const cols = LAKE_COLUMNS.map(([c]) => c).join(', ');
  if (!files.length) {
    return `(SELECT ${LAKE_COLUMNS.map(([c, t]) => `CAST(NULL AS ${t}) AS ${c}`).join(', ')} WHERE false)`;
  }
  return `(SELECT ${cols} FROM read_parquet([${files.map(sqlString).join(', ')}], hive_partitioning = false, union_by_name = true))`;
}

export { sqlString };
