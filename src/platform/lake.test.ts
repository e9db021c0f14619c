// The lake's readers: bound parameters (text, numbers, lists, quotes) and a pool whose connections run side by side.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lakePool, openLake, parquetRelation, sqlString, type Lake } from './lake.ts';

let dataDir: string;
let lake: Lake;
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'habitat-lake-'));
  lake = await openLake(dataDir);
  await lake.query(`COPY (SELECT * FROM (VALUES ('69123', 'Lyon', 10), ('2A004', 'Ajaccio', 3), ('33001', 'l''Abzac', 7)) t(code, nom, n))
    TO ${sqlString(join(lake.dir, 'essai.parquet'))} (FORMAT parquet)`);
});
afterAll(() => {
  lake.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const rel = () => parquetRelation([join(lake.dir, 'essai.parquet')], [['code', 'VARCHAR'], ['nom', 'VARCHAR'], ['n', 'INTEGER']]);

describe('lake queries', () => {
  it('bind values and lists as parameters, quotes and all, and give numbers back as numbers', async () => {
    const rows = await lake.query<{ code: string; n: number }>(`SELECT code, n FROM ${rel()} WHERE list_contains($codes, code) ORDER BY code`, {
      codes: ['2A004', '69123', "x' OR 1=1 --"],
    });
    expect(rows).toEqual([{ code: '2A004', n: 3 }, { code: '69123', n: 10 }]);
    expect(await lake.query(`SELECT code FROM ${rel()} WHERE nom = $nom`, { nom: "l'Abzac" })).toEqual([{ code: '33001' }]);
    expect(await lake.query(`SELECT count(*) AS c FROM ${rel()} WHERE list_contains($codes, code)`, { codes: [] })).toEqual([{ c: 0 }]);
    expect(await lake.query(`SELECT sum(n) AS s FROM ${rel()} WHERE n >= $min`, { min: 7 })).toEqual([{ s: 17 }]);
  });

  it('read no file as an empty relation with the same columns', async () => {
    expect(await lake.query(`SELECT code, n FROM ${parquetRelation([], [['code', 'VARCHAR'], ['n', 'INTEGER']])}`)).toEqual([]);
  });

  it('a pool answers reads made together, each with its own parameters', async () => {
    const pool = await lakePool(lake, 3);
    try {
      const answers = await Promise.all(['69123', '2A004', '33001'].map((code) => pool.query<{ nom: string }>(`SELECT nom FROM ${rel()} WHERE code = $code`, { code })));
      expect(answers.map((a) => a[0].nom)).toEqual(['Lyon', 'Ajaccio', "l'Abzac"]);
    } finally {
      pool.close();
    }
  });
});
