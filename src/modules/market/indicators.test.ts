// The indicators computed by DuckDB over the lake, checked against an independent plain TypeScript computation
// over the real CSV files (the Etalab method written out by hand, as in data.gouv.fr's pipeline).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLake, type Lake } from '../../platform/lake.ts';
import { openTestStore } from '../../../test/support/stores.ts';
import { arrondissementParents } from '../territory/index.ts';
import { importDvfFiles } from './service.ts';
import { figures, type FigureQuery } from './store.ts';

const DEMO = join(import.meta.dirname, '..', '..', '..', 'data', 'demo', 'dvf');
const ABZAC = join(DEMO, 'geodvf_commune_33001_Abzac_2021.csv');
const DEP69 = join(DEMO, 'geodvf_dep69_2018_partial_chunk.csv');
const HENDAYE = join(DEMO, 'dvf_variant_64260_Hendaye_2019-2023_apt_maison.csv');

let dataDir: string;
let lake: Lake;
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'habitat-dvf-ind-'));
  lake = await openLake(dataDir);
  const store = await openTestStore('pglite');
  await importDvfFiles(lake.dir, [ABZAC, DEP69, HENDAYE], { parents: await arrondissementParents(store.db) });
  await store.close();
});
afterAll(() => {
  lake.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The figures of one area: the computation behind every published indicator (store.ts). */
const computeIndicators = (l: Lake, q: Omit<FigureQuery, 'by'>) => figures(l, q);

// ---- the hand computation: no DuckDB, no code shared with the module ----

function readCsv(path: string): Record<string, string>[] {
  const [head, ...rows] = readFileSync(path, 'utf8').trimEnd().split('\n');
  const names = head.split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [names[i], v])));
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
// numpy rounds halves to even.
const npRound = (x: number) => (Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x));

/** data.gouv.fr's « Statistiques DVF »: prices per m² of single-property sales, by type and a grouping key. */
function etalabByHand(rows: Record<string, string>[], keyOf: (r: Record<string, string>) => string) {
  const cols = ['id_mutation', 'date_mutation', 'code_departement', 'code_commune', 'id_parcelle', 'nature_mutation', 'code_type_local', 'type_local', 'valeur_fonciere', 'surface_reelle_bati'];
  const seen = new Set<string>();
  const dedup = rows.filter((r) => {
    const k = cols.map((c) => r[c] ?? '').join('|');
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const ventes = dedup.filter(
    (r) => ['Vente', "Vente en l'état futur d'achèvement", 'Adjudication'].includes(r.nature_mutation) && ['1', '2', '4'].includes(r.code_type_local),
  );
  const perMutation = new Map<string, number>();
  for (const r of ventes) perMutation.set(r.id_mutation, (perMutation.get(r.id_mutation) ?? 0) + 1);
  const groups = new Map<string, number[]>();
  for (const r of ventes) {
    if (perMutation.get(r.id_mutation) !== 1) continue;
    if (r.valeur_fonciere === '' || r.surface_reelle_bati === '') continue;
    const prix = Number(r.valeur_fonciere) / Number(r.surface_reelle_bati);
    if (!Number.isFinite(prix) || !(prix < 100000)) continue;
    const type = { '1': 'maison', '2': 'appartement', '4': 'local' }[r.code_type_local]!;
    for (const t of type === 'local' ? [type] : [type, 'maison_appartement']) {
      const k = `${keyOf(r)}|${t}`;
      groups.set(k, [...(groups.get(k) ?? []), prix]);
    }
  }
  return new Map([...groups].map(([k, xs]) => [k, { n: xs.length, median: npRound(median(xs)) }]));
}

describe('Etalab method, checked by hand on real files', () => {
  it('Abzac 2021: maison n=27 median 1759 €/m², appartement n=1 median 1530', async () => {
    const byHand = etalabByHand(readCsv(ABZAC), (r) => r.date_mutation.slice(0, 4));
    expect(byHand.get('2021|maison')).toEqual({ n: 27, median: 1759 });
    expect(byHand.get('2021|appartement')).toEqual({ n: 1, median: 1530 });
    const rows = await computeIndicators(lake, {
      area: { level: 'commune', code: '33001' },
      period: 'year',
      types: ['maison', 'appartement', 'maison_appartement'],
      method: 'etalab',
    });
    const got = new Map(rows.map((r) => [`${r.period}|${r.type}`, { n: r.sales_count, median: r.price_m2_median }]));
    expect(got).toEqual(byHand);
  });

  it('Hendaye, every month of 2019–2023 and every type, equals the hand computation', async () => {
    const byHand = etalabByHand(readCsv(HENDAYE), (r) => r.date_mutation.slice(0, 7));
    const rows = await computeIndicators(lake, {
      area: { level: 'commune', code: '64260' },
      period: 'month',
      types: ['maison', 'appartement', 'maison_appartement', 'local'],
      method: 'etalab',
    });
    expect(rows.length).toBeGreaterThan(100);
    const got = new Map(rows.map((r) => [`${r.period}|${r.type}`, { n: r.sales_count, median: r.price_m2_median }]));
    expect(got).toEqual(byHand);
  });

  it('Rhône 2018: every commune and arrondissement by month equals the hand computation', async () => {
    const rows69 = readCsv(DEP69);
    const byHand = etalabByHand(rows69, (r) => `${r.code_commune}|${r.date_mutation.slice(0, 7)}`);
    const communes = [...new Set(rows69.map((r) => r.code_commune))];
    const got = new Map<string, { n: number; median: number }>();
    for (const code of communes.slice(0, 40).concat(['69381', '69389'])) {
      for (const r of await computeIndicators(lake, { area: { level: 'commune', code }, period: 'month', types: ['maison', 'appartement', 'maison_appartement', 'local'], method: 'etalab' })) {
        got.set(`${code}|${r.period}|${r.type}`, { n: r.sales_count, median: r.price_m2_median });
      }
    }
    const expected = new Map([...byHand].filter(([k]) => communes.slice(0, 40).concat(['69381', '69389']).includes(k.split('|')[0])));
    expect(got).toEqual(expected);
  });
});

describe('geographic levels', () => {
  it('Lyon (69123) gathers its arrondissements: its count is the sum of theirs', async () => {
    const q = { period: 'year' as const, types: ['appartement' as const], method: 'etalab' as const };
    const lyon = await computeIndicators(lake, { ...q, area: { level: 'commune', code: '69123' } });
    let sum = 0;
    for (let i = 1; i <= 9; i++) {
      const a = await computeIndicators(lake, { ...q, area: { level: 'commune', code: `6938${i}` } });
      sum += a[0]?.sales_count ?? 0;
    }
    expect(lyon[0].sales_count).toBe(sum);
    expect(sum).toBeGreaterThan(100);
  });

  it('an EPCI or territory is the sum of its member communes; a département covers them all', async () => {
    const q = { period: 'year' as const, types: ['maison' as const], method: 'habitat' as const };
    const members = ['69123', '69266', '69259'];
    const epci = await computeIndicators(lake, { ...q, area: { level: 'epci', code: '200046977', communes: members } });
    let sum = 0;
    for (const code of members) sum += (await computeIndicators(lake, { ...q, area: { level: 'commune', code } }))[0]?.sales_count ?? 0;
    expect(epci[0]?.sales_count ?? 0).toBe(sum);
    const dep = await computeIndicators(lake, { ...q, area: { level: 'departement', code: '69' } });
    expect(dep[0].sales_count).toBeGreaterThanOrEqual(sum);
  });

  it('a cadastral section (id_parcelle[:10]) holds only its own sales', async () => {
    const rows = readCsv(DEP69).filter((r) => r.id_parcelle.startsWith('69389000BV'));
    const byHand = etalabByHand(readCsv(DEP69), (r) => r.id_parcelle.slice(0, 10));
    const got = await computeIndicators(lake, { area: { level: 'section', code: '69389000BV' }, period: 'year', types: ['appartement'], method: 'etalab' });
    expect(rows.length).toBeGreaterThan(0);
    expect(got[0].sales_count).toBe(byHand.get('69389000BV|appartement')!.n);
  });
});

describe('building land', () => {
  it('Abzac 2021: sales with no premises and land « terrain à bâtir », price per m² of land', async () => {
    // By hand: mutations whose lines have no code_type_local and one line with code_nature_culture AB.
    const rows = readCsv(ABZAC);
    const seen = new Set<string>();
    const lines = rows.filter((r) => {
      const k = Object.values(r).join(',');
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    const byMutation = new Map<string, Record<string, string>[]>();
    for (const r of lines) byMutation.set(r.id_mutation, [...(byMutation.get(r.id_mutation) ?? []), r]);
    const prices: number[] = [];
    for (const ls of byMutation.values()) {
      if (!['Vente', "Vente en l'état futur d'achèvement", 'Adjudication', 'Vente terrain à bâtir'].includes(ls[0].nature_mutation)) continue;
      if (ls.some((l) => l.code_type_local !== '')) continue;
      if (!ls.some((l) => l.code_nature_culture === 'AB' || l.nature_mutation === 'Vente terrain à bâtir')) continue;
      const surface = ls.reduce((t, l) => t + Number(l.surface_terrain || 0), 0);
      if (ls[0].valeur_fonciere === '' || surface <= 0) continue;
      prices.push(Number(ls[0].valeur_fonciere) / surface);
    }
    const got = await computeIndicators(lake, { area: { level: 'commune', code: '33001' }, period: 'year', types: ['terrain_a_batir'], method: 'habitat' });
    expect(got[0]).toMatchObject({ type: 'terrain_a_batir', sales_count: prices.length, price_m2_median: Math.round(median(prices)) });
    expect(prices.length).toBeGreaterThan(0);
  });
});
