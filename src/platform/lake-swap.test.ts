// The journaled partition swap, on a small dataset of its own: a swap replaces whole partitions and the manifest,
// an import that never reached its commit point leaves nothing, one that did is completed by the next, and a second
// import of the same dataset is refused while the first one's process lives.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beginSwap, datasetVersion, lakeDataset, partitionFiles, readManifest, stagingRoot, type LakeDataset } from './lake-swap.ts';

const tmp = mkdtempSync(join(tmpdir(), 'habitat-swap-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const freshLake = () => join(tmp, `lake${++n}`);

interface Manifest {
  editions: string[];
}
const EMPTY: Manifest = { editions: [] };

/** Writes one fake Parquet file (the swap moves folders; it never reads them). */
function put(dir: string, name: string, text: string) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), text);
}

/** Everything the dataset holds: each file's partition keys and content. */
const contents = (ds: LakeDataset) => partitionFiles(ds).map((f) => ({ keys: f.keys, text: readFileSync(f.path, 'utf8') }));

async function importEdition(ds: LakeDataset, edition: string, partitions: string[], removed?: string[]) {
  const swap = beginSwap<Manifest>(ds, 'd’essai');
  try {
    for (const p of partitions) put(join(swap.tree, p), 'data.parquet', `${edition} ${p}`);
    await swap.commit({ partitions, removed, manifest: { editions: [...readManifest(ds, EMPTY).editions, edition] } });
  } finally {
    swap.close();
  }
}

describe('lake swap', () => {
  it('replaces the partitions an import brings, keeps the others, and records the manifest last', async () => {
    const ds = lakeDataset(freshLake(), 'essai');
    expect(datasetVersion(ds)).toBe('empty');
    await importEdition(ds, 'v1', ['annee=2020', 'annee=2021']);
    const v1 = datasetVersion(ds);
    await importEdition(ds, 'v2', ['annee=2021', 'annee=2022']);
    expect(contents(ds)).toEqual([
      { keys: { annee: '2020' }, text: 'v1 annee=2020' },
      { keys: { annee: '2021' }, text: 'v2 annee=2021' },
      { keys: { annee: '2022' }, text: 'v2 annee=2022' },
    ]);
    expect(readManifest(ds, EMPTY)).toEqual({ editions: ['v1', 'v2'] });
    expect(datasetVersion(ds)).not.toBe(v1);
    expect(readdirSync(stagingRoot(ds.lakeDir))).toEqual([]); // no staging, no lock left behind
  });

  it('takes out the partitions an import removes, in the same swap', async () => {
    const ds = lakeDataset(freshLake(), 'essai');
    await importEdition(ds, 'v1', ['lot=a', 'lot=b']);
    await importEdition(ds, 'v2', ['lot=c'], ['lot=a', 'lot=absent']);
    expect(contents(ds)).toEqual([
      { keys: { lot: 'b' }, text: 'v1 lot=b' },
      { keys: { lot: 'c' }, text: 'v2 lot=c' },
    ]);
    expect(readdirSync(stagingRoot(ds.lakeDir))).toEqual([]);
  });

  it('reads partition keys from nested folders, and keeps a manifest where the dataset says', async () => {
    const lakeDir = freshLake();
    const ds = lakeDataset(lakeDir, 'ventes', { manifestPath: join(lakeDir, 'ventes-manifest.json') });
    await importEdition(ds, 'v1', ['departement=2A/annee=2021', 'departement=69/annee=2018']);
    expect(contents(ds).map((f) => f.keys)).toEqual([{ departement: '2A', annee: '2021' }, { departement: '69', annee: '2018' }]);
    expect(existsSync(join(lakeDir, 'ventes-manifest.json'))).toBe(true);
  });

  it('an import that fails before its commit point leaves the dataset exactly as before', async () => {
    const ds = lakeDataset(freshLake(), 'essai');
    await importEdition(ds, 'v1', ['annee=2020']);
    const before = contents(ds);
    const swap = beginSwap<Manifest>(ds, 'd’essai');
    put(join(swap.tree, 'annee=2020'), 'data.parquet', 'v2');
    swap.close(); // as after an error: no commit
    expect(contents(ds)).toEqual(before);
    expect(readManifest(ds, EMPTY)).toEqual({ editions: ['v1'] });
    expect(readdirSync(stagingRoot(ds.lakeDir))).toEqual([]);
  });

  it('an import whose process died is dropped before its commit point, completed after it, by the next import', async () => {
    const ds = lakeDataset(freshLake(), 'essai');
    await importEdition(ds, 'v1', ['annee=2020', 'annee=2021']);
    // What a killed process leaves: its lock (a pid that no longer runs) and its staging folders.
    const dead = 2 ** 31 - 2;
    writeFileSync(join(stagingRoot(ds.lakeDir), 'essai.lock'), String(dead));
    const uncommitted = join(stagingRoot(ds.lakeDir), 'essai-1-aaaaaaaa');
    put(join(uncommitted, 'new', 'annee=2020'), 'data.parquet', 'jamais validé');
    const committed = join(stagingRoot(ds.lakeDir), 'essai-2-bbbbbbbb');
    put(join(committed, 'new', 'annee=2021'), 'data.parquet', 'v2 annee=2021');
    writeFileSync(join(committed, 'READY.json'), JSON.stringify({ partitions: ['annee=2021'], manifest: { editions: ['v1', 'v2'] } }));
    // A dataset of another name is not this one's business.
    put(join(stagingRoot(ds.lakeDir), 'autre-3-cccccccc', 'new'), 'x.parquet', 'autre');

    await importEdition(ds, 'v3', ['annee=2022']);
    expect(contents(ds)).toEqual([
      { keys: { annee: '2020' }, text: 'v1 annee=2020' },
      { keys: { annee: '2021' }, text: 'v2 annee=2021' },
      { keys: { annee: '2022' }, text: 'v3 annee=2022' },
    ]);
    expect(readManifest(ds, EMPTY)).toEqual({ editions: ['v1', 'v2', 'v3'] });
    expect(readdirSync(stagingRoot(ds.lakeDir))).toEqual(['autre-3-cccccccc']);
  });

  it('an import that stops between its commit point and the renames is completed when it closes', async () => {
    const ds = lakeDataset(freshLake(), 'essai');
    await importEdition(ds, 'v1', ['annee=2020']);
    const swap = beginSwap<Manifest>(ds, 'd’essai');
    put(join(swap.tree, 'annee=2020'), 'data.parquet', 'v2 annee=2020');
    await expect(
      swap.commit({ partitions: ['annee=2020'], manifest: { editions: ['v1', 'v2'] } }, { afterCommit: () => Promise.reject(new Error('panne simulée')) }),
    ).rejects.toThrow('panne simulée');
    expect(contents(ds)[0].text).toBe('v1 annee=2020'); // committed, not yet in place
    swap.close();
    expect(contents(ds)[0].text).toBe('v2 annee=2020');
    expect(readManifest(ds, EMPTY)).toEqual({ editions: ['v1', 'v2'] });
  });

  it('refuses, in French, a second import of a dataset while the first one’s process lives; other datasets go on', async () => {
    const lakeDir = freshLake();
    const ds = lakeDataset(lakeDir, 'essai');
    mkdirSync(stagingRoot(lakeDir), { recursive: true });
    writeFileSync(join(stagingRoot(lakeDir), 'essai.lock'), String(process.ppid)); // a live process that is not us
    expect(() => beginSwap(ds, 'd’essai')).toThrow(`Une importation d’essai est déjà en cours (processus ${process.ppid}).`);
    await importEdition(lakeDataset(lakeDir, 'autre'), 'v1', ['annee=2020']);
    expect(contents(lakeDataset(lakeDir, 'autre'))).toHaveLength(1);
  });
});
