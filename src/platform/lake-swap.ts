// How a dataset of the lake is replaced without ever being half-written: the journaled partition swap.
//
//   <lake>/<dataset>/<key>=<value>/…/*.parquet   the live partitions, one folder each, read by DuckDB
//   <dataset manifest>                            what the dataset holds (JSON, the dataset's own shape)
//   <lake>/.staging/<dataset>.lock                one import at a time per dataset (the owner's pid)
//   <lake>/.staging/<dataset>-<id>/new/…          an import in progress: complete new partition folders
//   <lake>/.staging/<dataset>-<id>/READY.json     the commit point: which partitions, and the new manifest
//
// An import writes complete new partition folders under its staging folder, then READY.json, then moves aside the live
// folders it takes out, and each live folder it replaces with the new one in its place (two renames on one file
// system), then rewrites the manifest. If the
// process dies before READY.json, the staging folder is dropped by the next import of that dataset and the lake is
// exactly as before; if it dies after, the next import finishes the renames (roll forward), so the lake never mixes
// half of an import. A reader that lists the files in the instant between the two renames of one partition misses
// that partition for that one query; it never reads a half-written file.
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from './errors.ts';

export interface LakeDataset {
  lakeDir: string;
  name: string;
  /** The live partitions' folder. */
  root: string;
  manifestPath: string;
}

/** A dataset of the lake; its manifest is `<root>/manifest.json` unless a dataset keeps it elsewhere. */
export function lakeDataset(lakeDir: string, name: string, opts: { manifestPath?: string } = {}): LakeDataset {
  const root = join(lakeDir, name);
  return { lakeDir, name, root, manifestPath: opts.manifestPath ?? join(root, 'manifest.json') };
}

export const stagingRoot = (lakeDir: string) => join(lakeDir, '.staging');

/** The dataset's manifest, or `empty` before its first import. */
export function readManifest<M>(ds: LakeDataset, empty: M): M {
  return existsSync(ds.manifestPath) ? (JSON.parse(readFileSync(ds.manifestPath, 'utf8')) as M) : empty;
}

/** Changes whenever a swap completes (the manifest is rewritten last): a key for caches of answers read from it. */
export function datasetVersion(ds: LakeDataset): string {
  if (!existsSync(ds.manifestPath)) return 'empty';
  const s = statSync(ds.manifestPath);
  return `${s.mtimeMs}-${s.size}`;
}

/** The Parquet files of one folder, sorted (none when it does not exist). */
export function parquetFilesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.parquet')).sort().map((f) => join(dir, f));
}

export interface PartitionFile {
  path: string;
  /** The partition's keys, from its folders: `{ departement: '69', annee: '2018' }`. */
  keys: Record<string, string>;
}

/** Every live Parquet file of the dataset with its partition keys (folders named `key=value`), sorted by path. */
export function partitionFiles(ds: LakeDataset): PartitionFile[] {
  const out: PartitionFile[] = [];
  const walk = (dir: string, keys: Record<string, string>) => {
    for (const path of parquetFilesIn(dir)) out.push({ path, keys });
    for (const d of readdirSync(dir).sort()) {
      const m = /^([^=]+)=(.+)$/.exec(d);
      if (m && statSync(join(dir, d)).isDirectory()) walk(join(dir, d), { ...keys, [m[1]]: m[2] });
    }
  };
  if (existsSync(ds.root)) walk(ds.root, {});
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * What READY.json records: the partitions to put in place (paths under the dataset's root), the live partitions to
 * take out (an import whose lines replace all they held, or that carries the lines it keeps), and the new manifest.
 */
interface SwapJournal<M> {
  partitions: string[];
  removed?: string[];
  manifest: M;
}

export interface Swap<M> {
  /** The staging folder: scratch files of the import may go here, they go with it. */
  dir: string;
  /** Where the new partition folders are written, laid out as under the dataset's root. */
  tree: string;
  /** Writes READY.json (the commit point), then puts the partitions in place and the manifest. */
  commit(journal: SwapJournal<M>, hooks?: { afterCommit?(): void | Promise<void> }): Promise<void>;
  /** Always, at the end: drops an import that did not commit, completes one that did, and lets the lock go. */
  close(): void;
}

/**
 * Starts an import of a dataset: takes its lock (refused in French while another process holds it), completes or
 * drops what an earlier, interrupted import left, and opens a staging folder.
 */
export function beginSwap<M>(ds: LakeDataset, label: string): Swap<M> {
  const release = acquireLock(ds, label);
  try {
    recoverStaging(ds);
    const dir = join(stagingRoot(ds.lakeDir), `${ds.name}-${Date.now()}-${randomUUID().slice(0, 8)}`);
    const tree = join(dir, 'new');
    mkdirSync(tree, { recursive: true });
    let applied = false;
    return {
      dir,
      tree,
      async commit(journal, hooks) {
        writeAtomically(join(dir, 'READY.json'), JSON.stringify(journal));
        await hooks?.afterCommit?.();
        applySwap(ds, dir, journal);
        applied = true;
      },
      close() {
        try {
          // Applied here: nothing left to complete (reading READY.json again and rewriting the manifest cost 0,3 s
          // with a national manifest).
          if (applied) rmSync(dir, { recursive: true, force: true });
          else if (existsSync(join(dir, 'READY.json'))) {
            try {
              recoverStaging(ds);
            } catch {
              /* left for the next import to roll forward */
            }
          } else rmSync(dir, { recursive: true, force: true });
        } finally {
          release();
        }
      },
    };
  } catch (err) {
    release();
    throw err;
  }
}

/** Completes every staged import of the dataset whose READY.json exists; drops the others. */
function recoverStaging(ds: LakeDataset): { rolledForward: number; dropped: number } {
  const root = stagingRoot(ds.lakeDir);
  let rolledForward = 0;
  let dropped = 0;
  if (!existsSync(root)) return { rolledForward, dropped };
  for (const name of readdirSync(root)) {
    if (!name.startsWith(`${ds.name}-`)) continue;
    const dir = join(root, name);
    const ready = join(dir, 'READY.json');
    if (existsSync(ready)) {
      applySwap(ds, dir, JSON.parse(readFileSync(ready, 'utf8')) as SwapJournal<unknown>);
      rolledForward++;
    } else dropped++;
    rmSync(dir, { recursive: true, force: true });
  }
  return { rolledForward, dropped };
}

/**
 * Takes out the removed partitions, puts every staged partition folder in place of its live one, then records the
 * manifest. Safe to repeat: a folder already moved by an earlier, interrupted run is skipped.
 */
function applySwap(ds: LakeDataset, stagingDir: string, journal: SwapJournal<unknown>) {
  const moveAside = (partition: string) => {
    const target = join(ds.root, partition);
    if (!existsSync(target)) return;
    const aside = join(stagingDir, 'old', partition);
    mkdirSync(join(aside, '..'), { recursive: true });
    renameSync(target, aside);
  };
  for (const partition of journal.removed ?? []) moveAside(partition);
  for (const partition of journal.partitions) {
    const staged = join(stagingDir, 'new', partition);
    if (!existsSync(staged)) continue;
    const target = join(ds.root, partition);
    mkdirSync(join(target, '..'), { recursive: true });
    moveAside(partition);
    renameSync(staged, target);
  }
  mkdirSync(join(ds.manifestPath, '..'), { recursive: true });
  writeAtomically(ds.manifestPath, JSON.stringify(journal.manifest));
}

function writeAtomically(path: string, text: string) {
  writeFileSync(path + '.tmp', text);
  renameSync(path + '.tmp', path);
}

/** One import at a time per dataset: a lock file holding the owner's pid, taken over when that process is gone. */
function acquireLock(ds: LakeDataset, label: string): () => void {
  mkdirSync(stagingRoot(ds.lakeDir), { recursive: true });
  const p = join(stagingRoot(ds.lakeDir), `${ds.name}.lock`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(p, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(p, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(p, 'utf8'));
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new AppError('platform.lake_busy', `Une importation ${label} est déjà en cours (processus ${pid}).`, 409);
      }
      rmSync(p, { force: true });
    }
  }
  throw new AppError('platform.lake_lock_failed', `Impossible de prendre le verrou du lac pour l’importation ${label}.`, 500);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
