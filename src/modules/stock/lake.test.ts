import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLake, type Lake } from '../../platform/lake.ts';
import { DEMO_RPLS } from './demo.ts';
import { latestVintage, readRplsManifest, rplsByCommune, rplsIndex, rplsPartition } from './lake.ts';
import { importRpls } from './service.ts';

let dir: string;
let lake: Lake;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stock-lake-'));
  lake = await openLake(dir);
});
afterAll(() => {
  lake.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('RPLS in the lake', () => {
  it('imports the demo extract and answers per commune with the real 2019 figures', async () => {
    const r = await importRpls(lake, DEMO_RPLS, { vintage: 2019 });
    expect(r).toMatchObject({ status: 'imported', vintage: 2019, lines: 16_366, cells: 16_366, dwellings: 217_525, problems: [] });
    expect(latestVintage(lake.dir)).toBe(2019);
    const [lyon] = await rplsByCommune(lake, ['69123'], 2019);
    expect(lyon).toMatchObject({ total: 51_865, collective: 51_660, individual: 205, qpv: 12_433 });
    expect(lyon.classes.F + lyon.classes.G).toBe(1918);
  });

  it('the per-commune summary written by the import holds what the cells of the vintage sum to', async () => {
    const folder = join(rplsPartition(lake.dir, 2019), '..');
    const summaries = readdirSync(folder).filter((f) => f.startsWith('communes-'));
    expect(summaries).toEqual([`communes-${readRplsManifest(lake.dir)['2019'].sha256.slice(0, 16)}.parquet`]);
    // Read apart from the summary: every cell of the data file, summed here per commune and class.
    const cells = await lake.query<{ commune_code: string; dpe_energie: string | null; n: number }>(
      `select commune_code, dpe_energie, n from read_parquet('${rplsPartition(lake.dir, 2019)}')`,
    );
    const raw = new Map<string, Record<string, number>>();
    for (const c of cells) {
      const k = ['A', 'B', 'C', 'D', 'E', 'F', 'G'].includes(c.dpe_energie ?? '') ? c.dpe_energie! : 'unknown';
      const m = raw.get(c.commune_code) ?? {};
      m[k] = (m[k] ?? 0) + Number(c.n);
      raw.set(c.commune_code, m);
    }
    const index = await rplsIndex(lake, 2019);
    expect([...index.keys()].sort()).toEqual([...raw.keys()].sort());
    for (const [code, counts] of raw) {
      const got = Object.fromEntries(Object.entries(index.get(code)!.classes).filter(([, n]) => n > 0));
      expect(got, code).toEqual(counts);
    }
  });

  it('re-importing the same file does nothing; a broken file leaves the lake as it was', async () => {
    const file = rplsPartition(lake.dir, 2019);
    const before = statSync(file).mtimeMs;
    expect((await importRpls(lake, DEMO_RPLS, { vintage: 2019 })).status).toBe('already_imported');
    expect(statSync(file).mtimeMs).toBe(before);

    const broken = join(dir, 'rpls_2019_casse.csv');
    writeFileSync(broken, '"DEPCOM","construct","dpeenergie","dpeserre","nbpiece","typeconst","qpv","n"\n"69123",1970,"C","D","3","Logements collectifs","En QPV",4\n"69123,1970\n');
    const r = await importRpls(lake, broken);
    expect(r.status).toBe('refused');
    expect(r.problems[0].rule).toBe('stock.csv_syntax');
    expect(statSync(file).mtimeMs).toBe(before);
    expect(readRplsManifest(lake.dir)['2019'].dwellings).toBe(217_525);
    // The refused file left the summary of the vintage's import alone.
    expect(readdirSync(join(file, '..')).filter((f) => f.startsWith('communes-'))).toHaveLength(1);
  });

  it('skips and reports bad lines in French, with line, column and value', async () => {
    const f = join(dir, 'rpls_par_date_2020.csv');
    writeFileSync(
      f,
      '"DEPCOM","construct","dpeenergie","dpeserre","nbpiece","typeconst","qpv","n"\n' +
        '"69123",1970,"C","D","3","Logements collectifs","En QPV",4\n' +
        '"69123",1970,"H","D","3","Logements collectifs","En QPV",4\n' +
        '"69123",1970,"C","D","3","Logements collectifs","Peut-être",4\n',
    );
    const r = await importRpls(lake, f);
    expect(r).toMatchObject({ status: 'imported', vintage: 2020, lines: 3, cells: 1, dwellings: 4 });
    expect(r.problems.map((p) => [p.line, p.column, p.value])).toEqual([
      [3, 'dpeenergie', 'H'],
      [4, 'qpv', 'Peut-être'],
    ]);
    expect(r.problems[1].message).toBe('Valeur attendue : « En QPV » ou « Hors QPV ».');
    expect(JSON.parse(readFileSync(join(lake.dir, 'rpls', 'manifest.json'), 'utf8'))['2020'].dwellings).toBe(4);
  });

  it('a demo load never replaces a national import of the same vintage', async () => {
    const f = join(dir, 'rpls_national_2021.csv');
    writeFileSync(f, '"DEPCOM","construct","dpeenergie","dpeserre","nbpiece","typeconst","qpv","n"\n"31555",1990,"G","G","2","Logements collectifs","Hors QPV",7\n');
    await importRpls(lake, f);
    const demo = await importRpls(lake, DEMO_RPLS, { vintage: 2021, perimeter: { epci: ['243100518'] }, keepIfFrance: true });
    expect(demo.status).toBe('already_imported');
    expect((await rplsByCommune(lake, ['31555'], 2021))[0].total).toBe(7);
  });
});
