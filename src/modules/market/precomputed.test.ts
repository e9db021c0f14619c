// The indicators computed after an import (indicators-store.ts) are the raw lake's figures: each stored figure of the
// demo equals what store.ts `figures` computes on the lake's partitions; an EPCI's median is the median of its
// communes' sales; an import makes them stale until computed again; meanwhile the answers read the raw lake.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLake, type Lake } from '../../platform/lake.ts';
import type { Store } from '../../platform/db.ts';
import { openTestStore } from '../../../test/support/stores.ts';
import { epciCommunes } from '../territory/index.ts';
import { indicatorSource, lakeSource } from './figure-source.ts';
import { indicatorsDir, manifestHash, readIndicators, readIndicatorsMeta } from './indicators-store.ts';
import { PROPERTY_TYPES, type IndicatorRow, type Method } from './model.ts';
import { histogram } from './portal-model.ts';
import { importDvf, marketService, membershipOf, refreshIndicators } from './service.ts';
import { datasetVersion } from '../../platform/lake-swap.ts';
import { dvfDataset, dvfLines, figures, readDvfManifest, salePrices } from './store.ts';

const DEMO = join(import.meta.dirname, '..', '..', '..', 'data', 'demo', 'dvf');
const ABZAC = join(DEMO, 'geodvf_commune_33001_Abzac_2021.csv');
const DEP69 = join(DEMO, 'geodvf_dep69_2018_partial_chunk.csv');
const HENDAYE = join(DEMO, 'dvf_variant_64260_Hendaye_2019-2023_apt_maison.csv');
const LYON_METROPOLE = '200046977';

let dataDir: string;
let lake: Lake;
let store: Store;
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'habitat-dvf-precomputed-'));
  lake = await openLake(dataDir);
  store = await openTestStore('pglite');
  await importDvf({ db: store.db, lake }, [ABZAC, DEP69, HENDAYE]);
  expect(await refreshIndicators(lake.dir, territory)).toBe(true);
});
const territory = (communes: string[]) => membershipOf(store.db, communes);
afterAll(async () => {
  lake.close();
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const key = (r: IndicatorRow) => `${r.code}|${r.type}|${r.period}`;
const byKey = (rows: IndicatorRow[]) => new Map(rows.map((r) => [key(r), r]));
const figuresOnly = ({ code, period, type, sales_count, price_m2_q1, price_m2_median, price_m2_q3, price_median }: IndicatorRow) => ({
  code,
  period,
  type,
  sales_count,
  price_m2_q1: Number(price_m2_q1),
  price_m2_median: Number(price_m2_median),
  price_m2_q3: Number(price_m2_q3),
  price_median: Number(price_median),
});

describe('indicateurs calculés après l’import', () => {
  it('sont ceux du lac brut pour chaque commune, type, année et mois de la démo, par les deux méthodes', async () => {
    const communes = (await lake.query<{ c: string }>(`SELECT DISTINCT code_commune_parent AS c FROM ${dvfLines(lake.dir)}`)).map((r) => r.c);
    expect(communes.length).toBeGreaterThan(50);
    for (const method of ['habitat', 'etalab'] as Method[]) {
      const raw = await figures(lake, { area: { level: 'communes', communes }, by: 'commune', types: PROPERTY_TYPES, method, period: 'year_and_month' });
      const stored = (await readIndicators(lake, method, { levels: ['commune'] })).filter((r) => !r.period.includes('/')).map(figuresOnly);
      expect(stored.length).toBe(raw.length);
      const s = byKey(stored);
      for (const r of raw) expect(s.get(key(r)), key(r)).toEqual(r);
    }
  });

  it('donnent les fenêtres de cinq ans, les sections et la répartition des prix du lac brut', async () => {
    const method: Method = 'habitat';
    const stored = await readIndicators(lake, method, { levels: ['commune', 'section'] });
    for (const to of [2018, 2021, 2023]) {
      const win = { from: to - 4, to };
      const raw = await figures(lake, { area: { level: 'lake' }, by: 'commune', types: ['maison', 'appartement', 'maison_appartement'], method, ...win, period: 'span' });
      const s = byKey(stored.filter((r) => r.level === 'commune' && r.period === `${win.from}/${to}`).map((r) => ({ ...figuresOnly(r), period: 'span' })));
      expect(raw.length).toBeGreaterThan(0);
      for (const r of raw) expect(s.get(key(r)), key(r)).toEqual(r);
    }
    const sections = await figures(lake, { area: { level: 'lake' }, by: 'section', types: ['appartement'], method, from: 2018, to: 2018, period: 'span' });
    const s = byKey(stored.filter((r) => r.level === 'section' && r.period === '2018').map((r) => ({ ...figuresOnly(r), period: 'span' })));
    for (const r of sections) expect(s.get(key(r)), key(r)).toEqual(r);
    // The histogram a commune page draws, from the commune's prices on the raw lake.
    const source = indicatorSource(lake, () => datasetVersion(dvfDataset(lake.dir)));
    for (const [code, type, win] of [
      ['69266', 'appartement', { from: 2018, to: 2018 }],
      ['69123', 'maison_appartement', { from: 2014, to: 2018 }],
      ['33001', 'maison', { from: 2021, to: 2021 }],
      ['64260', 'appartement', { from: 2019, to: 2023 }],
    ] as const) {
      const prices = await salePrices(lake, { area: { level: 'commune', code }, types: [type], method, ...win });
      expect(await source.distribution(code, type, method, win, 1)).toEqual({ sales: prices.length, bins: histogram(prices) });
    }
  });

  it('gardent les dernières ventes de chaque commune et arrondissement, et leur position, comme le lac brut les liste', async () => {
    const places = (await lake.query<{ c: string }>(`SELECT DISTINCT code_commune AS c FROM ${dvfLines(lake.dir)} UNION SELECT DISTINCT code_commune_parent FROM ${dvfLines(lake.dir)}`)).map((r) => r.c);
    expect(places).toContain('69381'); // an arrondissement of Lyon, and Lyon (69123) over all of them
    const stored = indicatorSource(lake, () => datasetVersion(dvfDataset(lake.dir)));
    const raw = lakeSource(lake);
    // Every place as a page first reads it (120), and a longer list, beyond what is kept, for a few.
    for (const code of places) {
      for (const limit of ['69123', '69381', '33001'].includes(code) ? [30, 500] : [120]) {
        const [a, b] = [await stored.latestSales(code, limit), await raw.latestSales(code, limit)];
        expect(a, `${code} ${limit}`).toEqual(b);
        const [pa, pb] = [await stored.salePoints(code, a.map((s) => s.id_mutation)), await raw.salePoints(code, b.map((s) => s.id_mutation))];
        expect(Object.fromEntries([...pa].sort()), `${code} ${limit}`).toEqual(Object.fromEntries([...pb].sort()));
      }
    }
  });

  it('donnent à un EPCI la médiane des ventes de ses communes, pas la médiane de leurs médianes', async () => {
    const members = (await epciCommunes(store.db, LYON_METROPOLE)).map((c) => c.code);
    const win = { from: 2018, to: 2018 };
    const [stored] = (await readIndicators(lake, 'habitat', { levels: ['epci'], codes: [LYON_METROPOLE], types: ['appartement'], periods: ['2018'] })).map(figuresOnly);
    // By hand: every member commune's prices pooled, the middle one (or the mean of the two middle ones).
    const pooled: number[] = [];
    const medians: number[] = [];
    const median = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      const m = s.length >> 1;
      return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
    };
    for (const code of members) {
      const prices = await salePrices(lake, { area: { level: 'commune', code }, types: ['appartement'], method: 'habitat', ...win });
      pooled.push(...prices);
      if (prices.length) medians.push(median(prices));
    }
    expect(stored.sales_count).toBe(pooled.length);
    expect(stored.price_m2_median).toBe(Math.round(median(pooled)));
    expect(Math.round(median(medians))).not.toBe(stored.price_m2_median);
  });

  it('sont recalculés après chaque import qui change le lac ; un import répété ne change rien', async () => {
    const dep = (d: string) => join(indicatorsDir(lake.dir), `departement=${d}`, 'indicators-habitat.parquet');
    const before = readFileSync(dep('33'));
    const meta = readIndicatorsMeta(lake.dir)!;
    expect(meta.manifestHash).toBe(manifestHash(readDvfManifest(lake.dir)));
    expect(meta.computed.sort()).toEqual(['33', '64', '69']);
    expect(meta.dataUntil['69']).toBe('2018-12-31');
    // The same files again: skipped, nothing changes, the indicators stay those of the lake.
    await importDvf({ db: store.db, lake }, [ABZAC, DEP69, HENDAYE]);
    expect(readIndicatorsMeta(lake.dir)).toEqual(meta);
    expect(await refreshIndicators(lake.dir, territory)).toBe(true);
    expect(readIndicatorsMeta(lake.dir)).toEqual(meta);
    // A new edition of Abzac (the same sales, its file changed by one byte): a new manifest. Until the indicators
    // are computed again they are stale, and the answers read the raw lake (the same figures).
    const copy = join(dataDir, 'abzac-bis.csv');
    writeFileSync(copy, readFileSync(ABZAC, 'utf8') + '\n');
    await importDvf({ db: store.db, lake }, [copy]);
    expect(readIndicatorsMeta(lake.dir)!.manifestHash).not.toBe(manifestHash(readDvfManifest(lake.dir)));
    const q = { type: 'maison', window: 'year', method: 'etalab', year: 2021 } as const;
    const stale = await marketService({ db: store.db, lake, secrecyMinCount: 11 }).communePage('33001', q);
    expect(stale).toEqual(await marketService({ db: store.db, lake, secrecyMinCount: 11, source: 'lake' }).communePage('33001', q));
    const untouched = { '64': statSync(dep('64')).ino, '69': statSync(dep('69')).ino };
    expect(await refreshIndicators(lake.dir, territory)).toBe(true);
    const after = readIndicatorsMeta(lake.dir)!;
    expect(after.builtAt).not.toBe(meta.builtAt);
    expect(after.manifestHash).toBe(manifestHash(readDvfManifest(lake.dir)));
    // Only Abzac's département is computed again; the others' files stay those computed before.
    expect(after.computed).toEqual(['33']);
    expect(after.origins!['33']).not.toBe(meta.origins!['33']);
    expect(after.origins!['69']).toBe(meta.origins!['69']);
    expect({ '64': statSync(dep('64')).ino, '69': statSync(dep('69')).ino }).toEqual(untouched);
    expect(readFileSync(dep('33')).equals(before)).toBe(true);
    expect(after.dataUntil).toEqual(meta.dataUntil);
    const abzac = async () => (await readIndicators(lake, 'etalab', { levels: ['commune'], codes: ['33001'] })).filter((r) => !r.period.includes('/')).map(figuresOnly).sort((a, b) => key(a).localeCompare(key(b)));
    const raw = await figures(lake, { area: { level: 'commune', code: '33001' }, types: PROPERTY_TYPES, method: 'etalab', period: 'year_and_month' });
    expect(await abzac()).toEqual(raw.sort((a, b) => key(a).localeCompare(key(b))).map(figuresOnly));
    // Then a new edition of the Rhône file: its folder carries Abzac's and Hendaye's lines over from the previous one,
    // whose own Hendaye lines were carried: only the Rhône is computed again, and its figures are the raw lake's.
    const rhone = join(dataDir, 'dep69-bis.csv');
    writeFileSync(rhone, readFileSync(DEP69, 'utf8') + '\n');
    await importDvf({ db: store.db, lake }, [rhone]);
    expect(await refreshIndicators(lake.dir, territory)).toBe(true);
    const third = readIndicatorsMeta(lake.dir)!;
    expect(third.computed).toEqual(['69']);
    expect({ '33': third.origins!['33'], '64': third.origins!['64'] }).toEqual({ '33': after.origins!['33'], '64': meta.origins!['64'] });
    const communes = ['69266', '69123', '69003'];
    for (const code of communes) {
      const raw69 = await figures(lake, { area: { level: 'commune', code }, types: PROPERTY_TYPES, method: 'habitat', period: 'year_and_month' });
      const stored = (await readIndicators(lake, 'habitat', { levels: ['commune'], codes: [code] })).filter((r) => !r.period.includes('/')).map(figuresOnly);
      expect(raw69.length, code).toBeGreaterThan(0);
      expect(byKey(stored), code).toEqual(byKey(raw69.map(figuresOnly)));
    }
  });

  it('une autre composition des EPCI recalcule les EPCI et le territoire, pas les départements', async () => {
    const meta = readIndicatorsMeta(lake.dir)!;
    // Abzac alone in an EPCI of its own: that EPCI's figures are Abzac's sales'.
    const moved = async (communes: string[]) => {
      const m = await territory(communes);
      return { ...m, epciOf: { ...m.epciOf, '33001': '999999999' } };
    };
    expect(await refreshIndicators(lake.dir, moved)).toBe(true);
    const after = readIndicatorsMeta(lake.dir)!;
    expect(after.membershipHash).not.toBe(meta.membershipHash);
    expect(after.computed).toEqual([]);
    const rows = async (level: 'epci' | 'commune', code: string) =>
      (await readIndicators(lake, 'etalab', { levels: [level], codes: [code] })).map(({ level: _l, code: _c, parent: _p, ...r }) => r).sort((a, b) => `${a.type}|${a.period}`.localeCompare(`${b.type}|${b.period}`));
    const abzac = await rows('commune', '33001');
    expect(abzac.length).toBeGreaterThan(0);
    expect(await rows('epci', '999999999')).toEqual(abzac);
    // Back to the real territory: the EPCI of Abzac alone is gone.
    expect(await refreshIndicators(lake.dir, territory)).toBe(true);
    expect(await rows('epci', '999999999')).toEqual([]);
    expect(readIndicatorsMeta(lake.dir)!.membershipHash).toBe(meta.membershipHash);
  });

  it('se recalculent en arrière-plan pour un lac importé sans eux (version antérieure) ; les réponses restent les mêmes', async () => {
    const market = marketService({ db: store.db, lake, secrecyMinCount: 11 });
    const fromLake = marketService({ db: store.db, lake, secrecyMinCount: 11, source: 'lake' });
    const q = { type: 'appartement', window: 'five_years', method: 'etalab', year: 2018 } as const;
    rmSync(indicatorsDir(lake.dir), { recursive: true });
    // The first answer reads the raw lake and starts the computation in the background.
    const page = await market.communePage('69266', q);
    expect(page).toEqual(await fromLake.communePage('69266', q));
    expect(await refreshIndicators(lake.dir, territory)).toBe(true);
    expect(existsSync(join(indicatorsDir(lake.dir), 'areas', 'meta.json'))).toBe(true);
    const fresh = marketService({ db: store.db, lake, secrecyMinCount: 11 });
    expect(await fresh.communePage('69266', q)).toEqual(page);
    expect(await market.mapPage(q)).toEqual(await fromLake.mapPage(q));
    expect(await market.epciIndicators(LYON_METROPOLE, { period: 'month', types: 'maison,appartement', method: 'habitat' })).toEqual(
      await fromLake.epciIndicators(LYON_METROPOLE, { period: 'month', types: 'maison,appartement', method: 'habitat' }),
    );
  });

  it('préparées avant le premier visiteur, les cartes sont celles du lac brut, secret statistique compris', async () => {
    const market = marketService({ db: store.db, lake, secrecyMinCount: 11 });
    const fromLake = marketService({ db: store.db, lake, secrecyMinCount: 11, source: 'lake' });
    expect(await market.prepare()).toBe(true);
    for (const method of ['habitat', 'etalab'] as const)
      for (const window of ['year', 'five_years'] as const)
        for (const type of ['maison', 'appartement', 'maison_appartement'] as const)
          for (const year of [undefined, 2018, 2021]) {
            const q = { type, window, method, ...(year ? { year } : {}) };
            const map = await market.mapPage(q);
            expect(map, JSON.stringify(q)).toEqual(await fromLake.mapPage(q));
            if (type === 'maison' && window === 'five_years' && year === 2021) expect(map.table.rows.some((r) => r.withheld)).toBe(true);
          }
  });
});
