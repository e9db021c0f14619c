// The portrait and the comparisons as kept (answers.ts: bytes per version of their sources, parts shared between
// answers) against the answer computed from the sources at the call, and a new import or a pipeline event that must
// show at once.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { sql } from 'kysely';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { constructionModule } from '../construction/index.ts';
import { createProgramme } from '../construction/service.ts';
import { demandModule } from '../demand/index.ts';
import { marketModule } from '../market/index.ts';
import { importRpls, stockModule } from '../stock/index.ts';
import type { Figure, IndicatorAnswer, PortraitAnswer } from './contract.ts';
import { DEMO_INSEE, importInsee, observatoryModule } from './index.ts';
import { compareIndicator, portraitFromSources } from './portrait.ts';

const LYON = '200046977';
const TOULOUSE = '243100518';
let t: TestApp;
let dir: string;
beforeAll(async () => {
  t = await createTestApp();
  for (const m of [observatoryModule, marketModule, constructionModule, stockModule, demandModule]) await m.loadDemo!(t.ctx);
  dir = mkdtempSync(join(tmpdir(), 'portrait-kept-'));
}, 300_000);
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

const urlOf = (level: 'commune' | 'epci', code: string) => (level === 'commune' ? `/api/territory/communes/${code}/portrait` : `/api/territory/epci/${code}/portrait`);
const get = async (level: 'commune' | 'epci', code: string) => {
  const res = await t.app.inject({ method: 'GET', url: urlOf(level, code) });
  expect(res.statusCode).toBe(200);
  return { body: res.body, etag: res.headers.etag, answer: res.json() as PortraitAnswer };
};
const fromSources = async (level: 'commune' | 'epci', code: string) => JSON.parse(JSON.stringify(await portraitFromSources(t.ctx, level, code))) as PortraitAnswer;
const figure = (p: PortraitAnswer, key: string): Figure => p.sections.flatMap((s) => s.figures).find((f) => f.key === key)!;

describe('the kept portrait', () => {
  // Villeurbanne, Lyon (its arrondissements), two smaller communes, Toulouse, and the two EPCIs.
  const places = [
    ['commune', '69266'],
    ['commune', '69123'],
    ['commune', '69259'],
    ['commune', '31069'],
    ['commune', '31555'],
    ['epci', LYON],
    ['epci', TOULOUSE],
  ] as const;

  it('is, first and again, the portrait computed from the sources', async () => {
    for (const [level, code] of places) {
      const first = await get(level, code);
      expect(first.answer, `${level} ${code}`).toEqual(await fromSources(level, code));
      const again = await get(level, code);
      expect(again.body).toBe(first.body);
      expect(again.etag).toBe(first.etag);
    }
    // Not a trivial equality: the places have figures (and Toulouse its permits).
    expect(figure((await get('commune', '31555')).answer, 'authorised_dwellings').status).toBe('ok');
    expect(figure((await get('epci', LYON)).answer, 'social_housing_stock').status).toBe('ok');
  });

  it('a new RPLS delivery shows at the next request', async () => {
    const before = (await get('commune', '69266')).answer;
    expect(figure(before, 'social_housing_stock')).toMatchObject({ status: 'ok', period: '2019' });
    // A newer vintage: Villeurbanne's 50 dwellings of class G.
    const f = join(dir, 'rpls_2020.csv');
    writeFileSync(f, '"DEPCOM","construct","dpeenergie","dpeserre","nbpiece","typeconst","qpv","n"\n"69266",1990,"G","G","2","Logements collectifs","Hors QPV",50\n');
    expect(await importRpls(t.ctx.lake, f)).toMatchObject({ status: 'imported', vintage: 2020 });
    const after = (await get('commune', '69266')).answer;
    expect(figure(after, 'social_housing_stock')).toMatchObject({ status: 'ok', period: '2020', value: 50 });
    expect(figure(after, 'share_fg')).toMatchObject({ status: 'ok', value: 100 });
    expect(after).toEqual(await fromSources('commune', '69266'));
    // The EPCI's, computed before, follows too.
    expect(figure((await get('epci', LYON)).answer, 'social_housing_stock')).toMatchObject({ status: 'ok', period: '2020', value: 50 });
  });

  it('a new INSEE file of the same edition shows at the next request', async () => {
    const before = (await get('commune', '69266')).answer;
    const population = (figure(before, 'population') as { value: number }).value;
    const lines = readFileSync(DEMO_INSEE, 'utf8').split('\n');
    const changed = lines.map((l) => (l.startsWith('69266;') ? l.replace(`69266;${population};`, `69266;${population + 1000};`) : l));
    expect(changed).not.toEqual(lines);
    const f = join(dir, 'comparateur_territoires_2025_corrige.csv');
    writeFileSync(f, changed.join('\n'));
    expect(await importInsee(t.ctx.db, f, { edition: figure(before, 'population').edition! })).toMatchObject({ status: 'imported' });
    const after = (await get('commune', '69266')).answer;
    expect(figure(after, 'population')).toMatchObject({ status: 'ok', value: population + 1000 });
    expect(after).toEqual(await fromSources('commune', '69266'));
  });

  it('an event of the construction pipeline shows at the next request', async () => {
    const year = new Date().getUTCFullYear() - 1;
    const units = (p: PortraitAnswer) => {
      const f = figure(p, 'authorised_dwellings');
      return f.status === 'ok' && f.period === String(year) ? f.value : 0;
    };
    const before = await get('commune', '31555');
    const actor = { source: 'manual' as const, author: 'test' };
    for (let i = 0; i < 12; i++)
      await createProgramme(t.ctx.db, { name: `Suivi ${i}`, commune_code: '31555', state: 'permit_granted', state_date: `${year}-03-0${1 + (i % 9)}`, dwellings: 7 }, actor);
    const after = await get('commune', '31555');
    expect(after.etag).not.toBe(before.etag);
    expect(units(after.answer)).toBe(units(before.answer) + 12 * 7);
    expect(after.answer).toEqual(await fromSources('commune', '31555'));
  });
});

describe('the kept comparison', () => {
  const url = (key: string, epci?: string) => `/api/observatory/indicators/${key}${epci ? `?epci=${epci}` : ''}`;
  const compare = async (key: string, epci?: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url: url(key, epci), headers });
  const fromSourcesNow = async (key: string, epci?: string) => JSON.parse(JSON.stringify(await compareIndicator(t.ctx, key, { epci, classes: 5 }))) as IndicatorAnswer;
  const toulouse = (a: IndicatorAnswer) => a.communes.find((c) => c.code === '31555')!;

  it('is, first and again, the comparison computed from the sources; a revalidation gets 304', async () => {
    for (const [key, epci] of [['population'], ['authorised_dwellings'], ['price_m2_apartment', LYON], ['share_fg', LYON]] as const) {
      const first = await compare(key, epci);
      expect(first.statusCode).toBe(200);
      expect(first.json(), key).toEqual(await fromSourcesNow(key, epci));
      const again = await compare(key, epci);
      expect(again.body).toBe(first.body);
      expect(first.headers.etag).toBeTruthy();
      expect(again.headers.etag).toBe(first.headers.etag);
      expect((await compare(key, epci, { 'if-none-match': String(first.headers.etag) })).statusCode).toBe(304);
    }
    // Not a trivial equality: Toulouse has permits in the demo's Sitadel file.
    expect(toulouse((await compare('authorised_dwellings')).json()).value).toBeGreaterThan(0);
  });

  it('an event of the construction pipeline shows at the next request', async () => {
    const year = new Date().getUTCFullYear() - 1;
    const before = (await compare('authorised_dwellings')).json() as IndicatorAnswer;
    const actor = { source: 'manual' as const, author: 'test' };
    for (let i = 0; i < 12; i++)
      await createProgramme(t.ctx.db, { name: `Comparée ${i}`, commune_code: '31555', state: 'permit_granted', state_date: `${year}-04-0${1 + (i % 9)}`, dwellings: 5 }, actor);
    const after = (await compare('authorised_dwellings')).json() as IndicatorAnswer;
    expect(after).toEqual(await fromSourcesNow('authorised_dwellings'));
    expect(after).not.toEqual(before);
  });

  it('a computation that failed is not kept: once the store answers again, so does the page', async () => {
    // A new version of the pipeline: the instance-wide secrecy is decided again at the next request, here while the
    // programmes' table is away.
    await createProgramme(t.ctx.db, { name: 'Échec passager', commune_code: '31555', state: 'permit_granted', state_date: '2025-05-02', dwellings: 3 }, { source: 'manual', author: 'test' });
    await sql`ALTER TABLE construction_programme RENAME TO construction_programme_absente`.execute(t.ctx.db);
    try {
      expect((await t.app.inject({ method: 'GET', url: urlOf('commune', '31555') })).statusCode).toBe(500);
      expect((await compare('authorised_dwellings')).statusCode).toBe(500);
    } finally {
      await sql`ALTER TABLE construction_programme_absente RENAME TO construction_programme`.execute(t.ctx.db);
    }
    expect((await get('commune', '31555')).answer).toEqual(await fromSources('commune', '31555'));
    const back = await compare('authorised_dwellings');
    expect(back.statusCode).toBe(200);
    expect(back.json()).toEqual(await fromSourcesNow('authorised_dwellings'));
  });
});
