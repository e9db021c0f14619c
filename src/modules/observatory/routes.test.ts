// The portrait and the comparisons over the real demo data, checked against figures this test computes itself from
// the raw files (INSEE's CSV line, the DVF extract with Etalab's selection written out by hand, the Sitadel file).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { constructionModule } from '../construction/index.ts';
import { createProgramme } from '../construction/service.ts';
import { demandModule } from '../demand/index.ts';
import { marketModule, readDvfManifest } from '../market/index.ts';
import { stockModule } from '../stock/index.ts';
import type { Figure, IndicatorAnswer, PortraitAnswer } from './contract.ts';
import { docxParagraphs, docxTableRows, pdfTextLines } from '../plh/report/read-files.test-support.ts';
import { observatoryModule } from './index.ts';
import { portrait as portraitAt } from './portrait.ts';

const DEMO = join(import.meta.dirname, '..', '..', '..', 'data', 'demo');
const LYON = '200046977';

let t: TestApp;
const portraits = new Map<string, PortraitAnswer>();
beforeAll(async () => {
  t = await createTestApp();
  for (const m of [observatoryModule, marketModule, constructionModule, stockModule, demandModule]) await m.loadDemo!(t.ctx);
}, 300_000);
afterAll(() => t?.close());

const get = (url: string) => t.app.inject({ method: 'GET', url });
async function portrait(url: string): Promise<PortraitAnswer> {
  if (!portraits.has(url)) {
    const res = await get(url);
    expect(res.statusCode).toBe(200);
    portraits.set(url, res.json());
  }
  return portraits.get(url)!;
}
const figure = (p: PortraitAnswer, key: string): Figure => p.sections.flatMap((s) => s.figures).find((f) => f.key === key)!;
const value = (p: PortraitAnswer, key: string) => {
  const f = figure(p, key);
  return f.status === 'ok' ? f.value : `no_data:${f.reason}`;
};

// ---- independent readings of the raw files ----

function inseeRow(code: string): Record<string, number> {
  const [head, ...rows] = readFileSync(join(DEMO, 'insee', 'comparateur_territoires_2025_lyon_toulouse.csv'), 'utf8').trim().split('\n');
  const names = head.split(';');
  const row = rows.map((r) => r.split(';')).find((r) => r[0] === code)!;
  return Object.fromEntries(names.map((n, i) => [n, Number(row[i].replace(',', '.'))]));
}

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
const npRound = (x: number) => (Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x));

/** Prices per m² of single-property sales of flats, as data.gouv.fr's « Statistiques DVF » select them, by a key. */
function etalabFlatPrices(rows: Record<string, string>[], keyOf: (r: Record<string, string>) => string | null): Map<string, number[]> {
  const cols = ['id_mutation', 'date_mutation', 'code_departement', 'code_commune', 'id_parcelle', 'nature_mutation', 'code_type_local', 'type_local', 'valeur_fonciere', 'surface_reelle_bati'];
  const seen = new Set<string>();
  const ventes = rows
    .filter((r) => {
      const k = cols.map((c) => r[c] ?? '').join('|');
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .filter((r) => ['Vente', "Vente en l'état futur d'achèvement", 'Adjudication'].includes(r.nature_mutation) && ['1', '2', '4'].includes(r.code_type_local));
  const perMutation = new Map<string, number>();
  for (const r of ventes) perMutation.set(r.id_mutation, (perMutation.get(r.id_mutation) ?? 0) + 1);
  const out = new Map<string, number[]>();
  for (const r of ventes) {
    if (perMutation.get(r.id_mutation) !== 1 || r.code_type_local !== '2' || r.valeur_fonciere === '' || r.surface_reelle_bati === '') continue;
    const price = Number(r.valeur_fonciere) / Number(r.surface_reelle_bati);
    const key = keyOf(r);
    if (!Number.isFinite(price) || !(price < 100000) || key === null) continue;
    out.set(key, [...(out.get(key) ?? []), price]);
  }
  return out;
}
const DEP69 = () => readCsv(join(DEMO, 'dvf', 'geodvf_dep69_2018_partial_chunk.csv'));

/** Dwellings authorised per year in the Sitadel file: permits not cancelled (ETAT_DAU 4), by year of authorisation. */
function sitadelAuthorised(): Map<string, number> {
  const lines = readFileSync(join(DEMO, 'sitadel', 'sitadel_logements_31555_Toulouse_edition2026-01.csv'), 'utf8').trim().split('\n');
  const unq = (s: string) => s.replace(/^"|"$/g, '');
  const names = lines[1].split(';').map(unq);
  const out = new Map<string, number>();
  for (const line of lines.slice(2)) {
    const r = Object.fromEntries(line.split(';').map((v, i) => [names[i], unq(v)]));
    if (r.ETAT_DAU === '4' || !r.DATE_REELLE_AUTORISATION) continue;
    const y = r.DATE_REELLE_AUTORISATION.slice(0, 4);
    out.set(y, (out.get(y) ?? 0) + Number(r.NB_LGT_TOT_CREES));
  }
  return out;
}

describe('the portrait of a commune', () => {
  it('Villeurbanne: INSEE figures from its line of the comparateur, with unit, source and edition', async () => {
    const p = await portrait('/api/territory/communes/69266/portrait');
    expect(p).toMatchObject({ level: 'commune', code: '69266', name: 'Villeurbanne', epci: { siren: LYON } });
    expect(p.sections.map((s) => s.key)).toEqual(['population', 'market', 'construction', 'social_housing', 'demand', 'energy']);
    const row = inseeRow('69266');
    expect(value(p, 'population')).toBe(row.P22_POP);
    expect(value(p, 'population_change')).toBeCloseTo((row.P22_POP / row.P16_POP - 1) * 100, 1);
    expect(value(p, 'vacancy_rate')).toBeCloseTo((row.P22_LOGVAC / row.P22_LOG) * 100, 1);
    expect(value(p, 'owners_share')).toBeCloseTo((row.P22_RP_PROP / row.P22_RP) * 100, 1);
    expect(value(p, 'median_income')).toBe(row.MED21);
    expect(value(p, 'poverty_rate')).toBe(row.TP6021);
    expect(figure(p, 'population')).toMatchObject({ unit: 'habitants', edition: '2025', secrecy: 'published', source: expect.stringContaining('Insee') });
    // Each section says where the module details it.
    expect(p.sections.find((s) => s.key === 'market')!.module_path).toBe('/prix/communes/69266');
  });

  it('Villeurbanne: the median price per m² of flats is that of the DVF extract’s sales (Etalab’s selection)', async () => {
    const p = await portrait('/api/territory/communes/69266/portrait');
    const prices = etalabFlatPrices(DEP69(), (r) => (r.code_commune === '69266' ? '2018' : null)).get('2018')!;
    expect(prices.length).toBeGreaterThanOrEqual(11);
    expect(figure(p, 'price_m2_apartment')).toMatchObject({ status: 'ok', value: npRound(median(prices)), period: '2018', unit: '€/m²' });
    // The DVF figures carry the day their edition was loaded into the lake.
    const loaded = readDvfManifest(t.ctx.lake.dir).files.map((f) => f.importedAt.slice(0, 10)).sort().at(-1);
    expect(figure(p, 'price_m2_apartment').edition_date).toBe(loaded);
    expect(loaded).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // Affordability: the method is stated, the value is a typical price over the median income.
    const market = p.sections.find((s) => s.key === 'market')!;
    expect(market.method).toContain('revenu disponible médian');
    expect(figure(p, 'affordability_ratio').status).toBe('ok');
  });

  it('Toulouse: dwellings authorised per year are those of the Sitadel file; no DVF sale says « pas de donnée »', async () => {
    const p = await portrait('/api/territory/communes/31555/portrait');
    const byHand = sitadelAuthorised();
    const series = p.sections.find((s) => s.key === 'construction')!.series.find((s) => s.key === 'authorised_dwellings')!;
    expect(series.status).toBe('ok');
    if (series.status !== 'ok') return;
    for (const year of ['2020', '2021', '2022', '2023', '2024']) expect(series.points.find((x) => x.period === year)?.value, year).toBe(byHand.get(year));
    expect(value(p, 'population')).toBe(inseeRow('31555').P22_POP);
    // The Rhône extract holds no sale in Toulouse: said, with the reason, never an empty table.
    expect(figure(p, 'price_m2_apartment')).toMatchObject({ status: 'no_data', reason: 'not_loaded', message: expect.stringContaining('DVF') });
    expect(p.sections.find((s) => s.key === 'market')!.series[0]).toMatchObject({ status: 'no_data', reason: 'not_loaded' });
    // No PLH target in the demo, and the demand is followed per EPCI.
    expect(figure(p, 'plh_target_reached')).toMatchObject({ status: 'no_data', reason: 'not_loaded' });
    expect(figure(p, 'pending_demands')).toMatchObject({ status: 'no_data', reason: 'not_applicable' });
  });

  it('withholds a price from too few sales (statistical secrecy) and says so', async () => {
    // Albigny-sur-Saône: fewer than 11 flats sold in the extract (counted here by hand).
    const n = etalabFlatPrices(DEP69(), (r) => (r.code_commune === '69003' ? 'x' : null)).get('x')?.length ?? 0;
    expect(n).toBeLessThan(11);
    const p = await portrait('/api/territory/communes/69003/portrait');
    const f = figure(p, 'price_m2_apartment');
    expect(f.status).toBe('no_data');
    if (n > 0) expect(f).toMatchObject({ reason: 'secrecy', secrecy: 'withheld' });
  });

  it('gives five comparable communes, the commune itself not among them', async () => {
    const p = await portrait('/api/territory/communes/69266/portrait');
    expect(p.comparables.status).toBe('ok');
    if (p.comparables.status !== 'ok') return;
    expect(p.comparables.communes).toHaveLength(5);
    expect(p.comparables.communes.map((c) => c.code)).not.toContain('69266');
    const d = p.comparables.communes.map((c) => c.distance);
    expect(d).toEqual([...d].sort((a, b) => a - b));
  });

  it('answers 404 for a commune the COG does not know', async () => {
    expect((await get('/api/territory/communes/99999/portrait')).statusCode).toBe(404);
  });
});

describe('the portrait of an EPCI', () => {
  it('recomputes the median price from the sales of all its communes, never from their medians', async () => {
    const p = await portrait(`/api/territory/epci/${LYON}/portrait`);
    const members = new Set(p.communes.map((c) => c.code));
    // Lyon's sales are recorded by arrondissement (6938x): they belong to Lyon (69123).
    const inEpci = (code: string) => members.has(/^6938[1-9]$/.test(code) ? '69123' : code);
    const byCommune = etalabFlatPrices(DEP69(), (r) => (inEpci(r.code_commune) ? r.code_commune : null));
    const pooled = [...byCommune.values()].flat();
    expect(figure(p, 'price_m2_apartment')).toMatchObject({ status: 'ok', value: npRound(median(pooled)) });
    const medians = [...byCommune.values()].map(median);
    const averaged = Math.round(medians.reduce((a, b) => a + b, 0) / medians.length);
    expect(npRound(median(pooled))).not.toBe(averaged);
    expect(value(p, 'sales_count')).toBeGreaterThan(value(await portrait('/api/territory/communes/69266/portrait'), 'sales_count') as number);
  });

  it('sums counts and takes rates of the sums; a median income is not derived from the communes’', async () => {
    const p = await portrait(`/api/territory/epci/${LYON}/portrait`);
    const rows = p.communes.map((c) => inseeRow(c.code));
    const sum = (col: string) => rows.reduce((a, r) => a + r[col], 0);
    expect(value(p, 'population')).toBe(sum('P22_POP'));
    expect(value(p, 'vacancy_rate')).toBeCloseTo((sum('P22_LOGVAC') / sum('P22_LOG')) * 100, 1);
    expect(figure(p, 'median_income')).toMatchObject({ status: 'no_data', reason: 'not_applicable' });
    expect(p.comparables).toMatchObject({ status: 'no_data', reason: 'not_applicable' });
    expect(p.sections.find((s) => s.key === 'market')!.module_path).toBe('/prix');
  });
});

/** Filing and attribution dates (ISO) of the demo's attributed demands, with the commune of attribution, read from the CSV. */
function demoAttributions(): { commune: string; filed: string; attributed: string }[] {
  const [head, ...rows] = readFileSync(join(DEMO, 'demandes', 'demandes_synthetiques.csv'), 'utf8').trim().split('\n');
  const names = head.split(';');
  const iso = (d: string) => d.split('/').reverse().join('-');
  return rows
    .map((line) => Object.fromEntries(line.split(';').map((v, i) => [names[i], v])))
    .filter((r) => r.date_attribution)
    .map((r) => ({ commune: r.commune_attribution, filed: iso(r.date_depot), attributed: iso(r.date_attribution) }));
}
/** Whole months from filing to attribution (a month not complete is not counted). */
const wholeMonths = (a: string, b: string) => {
  const [y1, m1, d1] = a.split('-').map(Number);
  const [y2, m2, d2] = b.split('-').map(Number);
  return (y2 - y1) * 12 + (m2 - m1) - (d2 < d1 ? 1 : 0);
};

describe('the demand section: median waiting time of the demands attributed over the year', () => {
  // A fixed day, so that the year of attributions (2025-06-15 to 2026-06-15) is the same whenever the test runs.
  const now = new Date('2026-06-15T12:00:00Z');
  const inYear = (communes: string[]) => demoAttributions().filter((a) => communes.includes(a.commune) && a.attributed >= '2025-06-15' && a.attributed <= '2026-06-15');

  it('an EPCI: the median over the attributions in all its communes, and their count', async () => {
    const p = await portraitAt(t.ctx, 'epci', LYON, now);
    const atts = inYear(p.communes.map((c) => c.code));
    expect(atts.length).toBeGreaterThanOrEqual(11);
    expect(figure(p, 'median_waiting_months')).toMatchObject({ status: 'ok', value: median(atts.map((a) => wholeMonths(a.filed, a.attributed))), unit: 'mois', period: '2025-06-15 – 2026-06-15' });
    expect(figure(p, 'attributions')).toMatchObject({ status: 'ok', value: atts.length });
    expect(p.sections.find((s) => s.key === 'demand')!.method).toContain('demandes attribuées dans les 12 derniers mois');
  });

  it('a commune: fewer attributions than the threshold withhold the median (secrecy); its count is left to the EPCI', async () => {
    const p = await portraitAt(t.ctx, 'commune', '69029', now);
    const n = inYear(['69029']).length;
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(11);
    expect(figure(p, 'median_waiting_months')).toMatchObject({ status: 'no_data', reason: 'secrecy', secrecy: 'withheld' });
    expect(figure(p, 'attributions')).toMatchObject({ status: 'no_data', reason: 'not_applicable' });
  });

  it('a commune without any attribution in the year says so, not secrecy', async () => {
    const lyonCommunes = (await portraitAt(t.ctx, 'epci', LYON, now)).communes.map((c) => c.code);
    const code = lyonCommunes.find((c) => inYear([c]).length === 0)!;
    const p = await portraitAt(t.ctx, 'commune', code, now);
    expect(figure(p, 'median_waiting_months')).toMatchObject({ status: 'no_data', reason: 'not_loaded' });
  });
});

describe('comparisons', () => {
  it('lists the indicators with label, unit and source', async () => {
    const list = (await get('/api/observatory/indicators')).json();
    expect(list.indicators.map((i: { key: string }) => i.key)).toEqual(expect.arrayContaining(['population', 'price_m2_apartment', 'share_fg']));
    for (const i of list.indicators) expect(i).toMatchObject({ label: expect.any(String), unit: expect.any(String), source: expect.any(String) });
  });

  it('gives one indicator for every commune, with its EPCI’s and the instance’s value, ranks and quantile classes', async () => {
    const a = (await get('/api/observatory/indicators/population?classes=4')).json();
    const villeurbanne = a.communes.find((c: { code: string }) => c.code === '69266');
    expect(villeurbanne.value).toBe(inseeRow('69266').P22_POP);
    expect(a.communes.length).toBe(95);
    expect(a.classes).toHaveLength(4);
    expect(a.classes.reduce((n: number, c: { count: number }) => n + c.count, 0)).toBe(95 - a.no_data_count);
    expect(a.communes.filter((c: { class_index: number }) => c.class_index === 0)).toHaveLength(a.classes[0].count);
    const lyon = a.epcis.find((e: { siren: string }) => e.siren === LYON);
    expect(lyon.value).toBe(value(await portrait(`/api/territory/epci/${LYON}/portrait`), 'population'));
    expect(a.instance.value).toBe(a.epcis.reduce((n: number, e: { value: number }) => n + e.value, 0));
    // Lyon (one line in the comparateur, arrondissements together) is the largest commune of the demo.
    expect(a.communes.find((c: { rank: number }) => c.rank === 1).code).toBe('69123');
  });

  it('limits to one EPCI and says why a commune has no value', async () => {
    const a = (await get(`/api/observatory/indicators/price_m2_apartment?epci=${LYON}`)).json();
    expect(a.communes.every((c: { epci_siren: string }) => c.epci_siren === LYON)).toBe(true);
    // Limited to one EPCI, the answer names that EPCI, not « the instance ».
    expect(a.scope).toEqual({ epci: LYON, name: 'Métropole de Lyon' });
    expect(a.instance.name).toBe('Métropole de Lyon');
    expect(a.communes.find((c: { code: string }) => c.code === '69266').value).toBe(value(await portrait('/api/territory/communes/69266/portrait'), 'price_m2_apartment'));
    expect(a.communes.find((c: { code: string }) => c.code === '69003')).toMatchObject({ value: null, reason: 'secrecy', class_index: null });
    expect((await get('/api/observatory/indicators/nope')).statusCode).toBe(404);
  });
});

describe('the printable sheet', () => {
  it('downloads as PDF and DOCX, and reads back the key figures, the charts’ data and the sources', async () => {
    const p = await portrait('/api/territory/communes/69266/portrait');
    const pop = inseeRow('69266').P22_POP.toLocaleString('fr-FR').replace(/\u202f/g, ' ');
    const docx = await get('/api/territory/communes/69266/portrait.docx');
    expect(docx.statusCode).toBe(200);
    expect(docx.headers['content-disposition']).toContain('fiche-commune-69266.docx');
    expect(docxParagraphs(docx.rawPayload)[0]).toBe('Fiche commune — Villeurbanne');
    const rows = docxTableRows(docx.rawPayload).map((r) => r.map((c) => c.replace(/\u202f/g, ' ')));
    expect(rows).toContainEqual(['Population et ménages', 'Population', `${pop} habitants`, '2022']);
    // The rental-ban chart's data table, with the dwellings of each step the portrait gives.
    const ban = p.sections.find((s) => s.key === 'energy')!.series[0];
    if (ban.status === 'ok') expect(rows.some((r) => r[0] === ban.points[0].period)).toBe(true);
    expect(rows.some((r) => r[0].includes('Insee'))).toBe(true);
    const pdf = await get('/api/territory/communes/69266/portrait.pdf');
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const lines = pdfTextLines(pdf.rawPayload);
    expect(lines).toContain('Fiche commune — Villeurbanne');
    expect(lines.some((l) => l.includes(`${pop} habitants`))).toBe(true);
    // One or two pages for an élu.
    expect(pdf.rawPayload.toString('latin1').match(/\/Type \/Page\b(?!s)/g)?.length).toBeLessThanOrEqual(2);
    expect((await get(`/api/territory/epci/${LYON}/portrait.pdf`)).statusCode).toBe(200);
  });
});

describe('sources and coverage', () => {
  it('lists each source with its edition, period and the communes it covers, as the catalogue counts them', async () => {
    const cov = (await get('/api/sources/coverage')).json();
    const cat = (await get('/api/sources')).json();
    expect(cov.communes_total).toBe(95);
    const by = Object.fromEntries(cov.sources.map((s: { key: string }) => [s.key, s]));
    expect(by.insee).toMatchObject({ edition: 'édition 2025', communes_covered: 95 });
    expect(by.sitadel.communes).toEqual([{ code: '31555', name: 'Toulouse' }]);
    const dvf = by.dvf.communes.map((c: { code: string }) => c.code);
    expect(dvf).toContain('69266');
    expect(dvf).not.toContain('31555');
    expect(by.dvf.period).toContain('2018'); // the catalogue's period: every file loaded, in the territory or not
    for (const s of cat.sources) if (s.communes_covered !== null) expect(by[s.id].communes_covered, s.id).toBe(s.communes_covered);
    // The portrait says « démonstration » from the catalogue's per-source flag (demo extracts loaded), not from the
    // instance's setting (this test app runs with loadDemo off).
    expect(t.ctx.config.loadDemo).toBe(false);
    expect(cat.sources.filter((s: { demo: boolean }) => s.demo).map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining(['dvf', 'sitadel', 'insee']));
    expect((await portrait('/api/territory/communes/69266/portrait')).demo).toBe(true);
  });
});

describe('social housing from the SRU inventory', () => {
  it('gives the SRU rate and deficit of the inventory an agent entered', async () => {
    const agent = await t.login('agent', 'epci', await t.epciOrg('243100518'));
    const put = await t.app.inject({
      method: 'PUT',
      url: '/api/plh/sru/31555/2026',
      headers: agent.headers,
      payload: { main_residences: 10_000, social_dwellings: 1800, legal_rate: 0.25, source: 'Inventaire de test' },
    });
    expect(put.statusCode, put.body).toBe(200);
    const p = (await get('/api/territory/communes/31555/portrait')).json() as PortraitAnswer;
    // 1 800 ÷ 10 000 = 18 %; 25 % of 10 000 = 2 500 required, 700 missing.
    expect(figure(p, 'sru_rate')).toMatchObject({ status: 'ok', value: 18, unit: '%' });
    expect(figure(p, 'sru_deficit')).toMatchObject({ status: 'ok', value: 700 });
    expect(figure(p, 'sru_triennial_objective').status).toBe('ok');
  });
});

describe('secondary secrecy across levels: dwellings authorised', () => {
  it('a commune withheld for its few operations cannot be found back as the EPCI total minus its other communes', async () => {
    // 2023 in three communes of the Métropole de Lyon (which has no other permit in the demo): Villeurbanne 3
    // operations (fewer than 11: withheld), Vénissieux 12 and Bron 11 (published on their own). Unit counts far apart,
    // so that no programme is taken for a duplicate of another.
    const actor = { source: 'manual' as const, author: 'test' };
    const sizes = (n: number, first: number) => Array.from({ length: n }, (_, i) => Math.round(first * 1.6 ** i));
    const plan = { '69266': sizes(3, 6), '69259': sizes(12, 5), '69029': sizes(11, 7) };
    for (const [commune, units] of Object.entries(plan))
      for (const [i, dwellings] of units.entries())
        await createProgramme(t.ctx.db, { name: `Test ${commune} ${i}`, commune_code: commune, state: 'permit_granted', state_date: '2023-05-10', dwellings }, actor);
    // Fresh answers: the portraits read by the tests above were taken before these programmes.
    const fresh = async (url: string) => (await get(url)).json() as PortraitAnswer;
    const total = (code: keyof typeof plan) => plan[code].reduce((a, b) => a + b, 0);
    const epci = await fresh(`/api/territory/epci/${LYON}/portrait`);
    expect(figure(epci, 'authorised_dwellings')).toMatchObject({ status: 'ok', period: '2023', value: total('69266') + total('69259') + total('69029') });
    const villeurbanne = await fresh('/api/territory/communes/69266/portrait');
    expect(figure(villeurbanne, 'authorised_dwellings')).toMatchObject({ status: 'no_data', reason: 'secrecy', period: '2023' });
    // The smaller of the two others is withheld with it (secondary secrecy), and says why; the larger is shown.
    const [small, large] = total('69259') < total('69029') ? ['69259', '69029'] : ['69029', '69259'];
    const smallP = await fresh(`/api/territory/communes/${small}/portrait`);
    expect(figure(smallP, 'authorised_dwellings')).toMatchObject({ status: 'no_data', reason: 'secrecy', message: expect.stringContaining('secondaire') });
    const largeP = await fresh(`/api/territory/communes/${large}/portrait`);
    expect(figure(largeP, 'authorised_dwellings')).toMatchObject({ status: 'ok', value: total(large as keyof typeof plan) });
    // The comparison answer shows the same: EPCI total minus the communes shown is not Villeurbanne's count.
    const a = (await get(`/api/observatory/indicators/authorised_dwellings?epci=${LYON}`)).json() as IndicatorAnswer;
    const shown = a.communes.filter((c) => c.value !== null).reduce((s, c) => s + c.value!, 0);
    expect(a.epcis[0].value).toBe(total('69266') + total('69259') + total('69029'));
    expect(a.communes.find((c) => c.code === '69266')).toMatchObject({ value: null, reason: 'secrecy' });
    expect(a.communes.find((c) => c.code === small)).toMatchObject({ value: null, reason: 'secrecy' });
    expect(a.epcis[0].value! - shown).not.toBe(total('69266'));
  });
});
