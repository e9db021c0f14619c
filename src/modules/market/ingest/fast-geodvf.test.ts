// The SQL fast path must write exactly the lake the line-by-line reader writes, from the real files.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { openLake, type Lake } from '../../../platform/lake.ts';
import { LAKE_COLUMNS } from '../model.ts';
import { dvfRelation, readManifest } from '../lake.ts';
import { importDvf } from './import.ts';

const DEMO = join(import.meta.dirname, '..', '..', '..', '..', 'data', 'demo', 'dvf');
const ABZAC = join(DEMO, 'geodvf_commune_33001_Abzac_2021.csv');
const DEP69 = join(DEMO, 'geodvf_dep69_2018_partial_chunk.csv');
const HENDAYE = join(DEMO, 'dvf_variant_64260_Hendaye_2019-2023_apt_maison.csv');

const tmp = mkdtempSync(join(tmpdir(), 'habitat-dvf-fast-'));
const lakes: Lake[] = [];
afterAll(() => {
  for (const l of lakes) l.close();
  rmSync(tmp, { recursive: true, force: true });
});

let n = 0;
async function importAndFingerprint(files: string[], lecture: 'auto' | 'ligne') {
  const dataDir = join(tmp, `d${++n}`);
  const summary = await importDvf(join(dataDir, 'lake'), files, { lecture });
  const lake = await openLake(dataDir);
  lakes.push(lake);
  const cols = LAKE_COLUMNS.map(([c]) => c).join(', ');
  const [r] = await lake.query<{ n: number; h: string }>(`SELECT count(*) AS n, CAST(sum(hash(${cols})) AS VARCHAR) AS h FROM ${dvfRelation(lake.dir)}`);
  return { summary, lines: r.n, hash: r.h, manifest: readManifest(lake.dir).files.map((f) => ({ ...f, importedAt: '' })) };
}

describe('fast path (DuckDB SQL) for clean Etalab files', () => {
  it('writes the same lake, counts and manifest as the line-by-line reader on the real files', async () => {
    const gz = join(tmp, 'abzac.csv.gz');
    writeFileSync(gz, gzipSync(readFileSync(ABZAC)));
    const files = [ABZAC, DEP69, HENDAYE];
    const slow = await importAndFingerprint(files, 'ligne');
    const fast = await importAndFingerprint(files, 'auto');
    expect(fast.summary.files.map((f) => f.lecture)).toEqual(['sql', 'sql', 'sql']);
    expect(slow.summary.files.map((f) => f.lecture)).toEqual(['ligne', 'ligne', 'ligne']);
    expect(fast.lines).toBe(slow.lines);
    expect(fast.hash).toBe(slow.hash);
    expect(fast.manifest).toEqual(slow.manifest);
    for (const k of ['lus', 'gardes', 'doublons', 'rejetes'] as const) expect(fast.summary[k]).toBe(slow.summary[k]);
    const fastGz = await importAndFingerprint([gz], 'auto');
    const slowGz = await importAndFingerprint([gz], 'ligne');
    expect(fastGz.summary.files[0].lecture).toBe('sql');
    expect(fastGz.hash).toBe(slowGz.hash);
    expect(fastGz.summary.gardes).toBe(159);
  });

  it('hands a file with a faulty line to the line-by-line reader, which reports it', async () => {
    const lines = readFileSync(ABZAC, 'utf8').split('\n');
    const cells = lines[5].split(',');
    cells[1] = '2021-13-45';
    lines[5] = cells.join(',');
    const file = join(tmp, 'abzac-une-faute.csv');
    writeFileSync(file, lines.join('\n'));
    const r = await importAndFingerprint([file], 'auto');
    expect(r.summary.files[0].lecture).toBe('ligne');
    expect(r.summary.rejetes).toBe(1);
    expect(r.summary.rejets[0]).toMatchObject({ line: 6, column: 'date_mutation', rule: 'date_invalide', value: '2021-13-45' });
  });
});
