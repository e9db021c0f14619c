import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { readGridDir } from './ingest/grid-files.ts';
import { readDemandCsv } from './ingest/sne-csv.ts';
import { parseGrid, type ScoreResult, scoreDemand } from './model.ts';
import * as service from './service.ts';
import * as store from './store.ts';

const DEMO = join(import.meta.dirname, '..', '..', '..', 'data', 'demo', 'demandes', 'demandes_synthetiques.csv');
const grids = readGridDir();
const REF = '2026-11-01';
const LYON = '200046977';
const TOULOUSE = '243100518';

describeStores('demand service and store', (getDb) => {
  beforeAll(async () => {
    const db = getDb();
    for (const [epci, g] of [[LYON, grids.rhone_lyon_csf69], [TOULOUSE, grids.toulouse_metropole]] as const) {
      const s = await service.createGrid(db, epci, g);
      await service.adoptGrid(db, s.id, REF);
    }
  });

  it('imports the synthetic file, scores every demand, and a second import changes nothing', async () => {
    const db = getDb();
    const { rows } = await readDemandCsv(readFileSync(DEMO, 'utf8'), 'demandes_synthetiques.csv');
    expect(await service.saveDemands(db, rows, REF)).toEqual({ created: 400, updated: 0, unchanged: 0 });
    expect(await service.saveDemands(db, rows, REF)).toEqual({ created: 0, updated: 0, unchanged: 400 });
    const { n } = await db.selectFrom('demand_score').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(n)).toBe(400);
  });

  it('stores a demand and its score lines exactly as the model computes them', async () => {
    const db = getDb();
    const { rows } = await readDemandCsv(readFileSync(DEMO, 'utf8'), 'f.csv');
    const one = rows.find((r) => r.demand.epci_siren === TOULOUSE && r.demand.flags.includes('dalo'))!;
    const s = (await store.getDemand(db, one.demand.number))!;
    expect(s.demand).toEqual(one.demand);
    expect(s.person).toEqual(one.person);
    const g = (await service.gridInForce(db, TOULOUSE, REF))!;
    const score = await db.selectFrom('demand_score').select(['total', 'sections']).where('demand_id', '=', s.id).where('grid_id', '=', g.id).executeTakeFirstOrThrow();
    expect(score.sections).toEqual(scoreDemand(g.definition, one.demand, REF).sections);
    const months = (score.sections as unknown as ScoreResult['sections'])[0].lines[0].points;
    expect(score.total).toBe(months + (months > 36 ? 20 : 0) + 50 + (one.demand.flags.includes('pdalhpd') ? 40 : 0));
  });

  it('updating a demand rescores it', async () => {
    const db = getDb();
    const { rows } = await readDemandCsv(readFileSync(DEMO, 'utf8'), 'f.csv');
    const one = rows.find((r) => r.demand.epci_siren === LYON && !r.demand.flags.includes('menace_expulsion') && r.demand.status === 'active')!;
    const s0 = (await store.getDemand(db, one.demand.number))!;
    const g = (await service.gridInForce(db, LYON, REF))!;
    const before = (await store.scoreTotal(db, s0.id, g.id))!;
    const changed = { ...one, demand: { ...one.demand, flags: [...one.demand.flags, 'menace_expulsion' as const] } };
    expect(await service.saveDemands(db, [changed], REF)).toEqual({ created: 0, updated: 1, unchanged: 0 });
    expect((await store.scoreTotal(db, s0.id, g.id))!).toBe(before + 20);
  });

  it('adopting a new version closes the previous one and rescores with the grid in force', async () => {
    const db = getDb();
    const v2 = parseGrid({ ...grids.toulouse_metropole_v2_projet, valid_from: '2026-06-01' });
    const draft = await service.createGrid(db, TOULOUSE, v2);
    expect(draft.status).toBe('draft');
    expect((await service.gridInForce(db, TOULOUSE, REF))!.version).toBe(1);
    await service.adoptGrid(db, draft.id, REF);
    const versions = await store.listGrids(db, TOULOUSE);
    expect(versions.map((v) => [v.version, v.status, v.valid_from, v.valid_to])).toEqual([
      [1, 'adopted', '2024-01-01', '2026-06-01'],
      [2, 'adopted', '2026-06-01', null],
    ]);
    expect((await service.gridInForce(db, TOULOUSE, '2026-05-31'))!.version).toBe(1);
    const listed = await store.listDemands(db, { epciSiren: TOULOUSE, status: 'active', limit: 500 });
    expect(listed.items.every((d) => d.score !== null)).toBe(true);
    await expect(service.updateDraftGrid(db, draft.id, v2)).rejects.toThrow(/adoptée ne se modifie plus/);
  });

  it('refuses a version that overlaps an adopted one', async () => {
    const db = getDb();
    const bad = await service.createGrid(db, LYON, parseGrid({ ...grids.rhone_lyon_csf69, version: 3, valid_from: '2023-01-01', valid_to: '2025-01-01' }));
    await expect(service.adoptGrid(db, bad.id, REF)).rejects.toThrow(/chevauche la version 1/);
  });

  it('finds similar demands and observed waiting times', async () => {
    const db = getDb();
    const g = (await service.gridInForce(db, LYON, REF))!;
    const all = await store.loadDemands(db, { epciSiren: LYON, status: 'active' });
    const d = all[0];
    const similar = await store.similarScores(db, g.id, d);
    const expected = all.filter((x) => x.typology === d.typology && x.communes.some((c) => d.communes.includes(c)));
    expect(similar.length).toBe(expected.length);
    const atts = await store.attributionsFor(db, { epciSiren: LYON });
    expect(atts.length).toBeGreaterThan(10);
    expect(atts.every((a) => a.attribution_date >= a.filing_date)).toBe(true);
  });

  it('checks the applicant code against its hash only', async () => {
    const db = getDb();
    const [d] = await store.loadDemands(db, { epciSiren: LYON, status: 'active' });
    const code = await service.newAccessCode(db, d.number);
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(await service.checkAccessCode(db, d.number, code.toLowerCase())).toBe(true);
    expect(await service.checkAccessCode(db, d.number, 'AAAA-BBBB-CCCC')).toBe(false);
    const row = await db.selectFrom('demand').selectAll().where('number', '=', d.number).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(code);
  });

  it('records an attribution, then purges it after the retention period but keeps the anonymous waiting time', async () => {
    const db = getDb();
    const [d] = await store.loadDemands(db, { epciSiren: TOULOUSE, status: 'active' });
    await service.recordAttribution(db, d.number, { attribution_date: '2026-10-15', commune_code: d.communes[0], typology: d.typology });
    expect((await store.getDemand(db, d.number))!.demand.status).toBe('attribuee');
    // Not yet 6 months after the attribution.
    expect((await service.purgeDemands(db, { months: 6, refDate: '2027-04-14', dryRun: true })).numbers).not.toContain(d.number);
    const dry = await service.purgeDemands(db, { months: 6, refDate: '2027-04-15', dryRun: true });
    expect(dry.numbers).toContain(d.number);
    expect(await store.getDemand(db, d.number)).toBeDefined();
    const attsBefore = (await store.attributionsFor(db, { epciSiren: TOULOUSE })).length;
    const done = await service.purgeDemands(db, { months: 6, refDate: '2027-04-15' });
    expect(done.numbers).toEqual(dry.numbers);
    expect(await store.getDemand(db, d.number)).toBeUndefined();
    const left = await db.selectFrom('demand_person as p').innerJoin('demand as d', 'd.id', 'p.demand_id').select('d.number').where('d.status', '=', 'attribuee').execute();
    expect(left).toEqual([]);
    expect((await store.attributionsFor(db, { epciSiren: TOULOUSE })).length).toBe(attsBefore);
    const audit = await db.selectFrom('audit_log').selectAll().where('action', '=', 'purge').execute();
    expect(audit).toHaveLength(1);
    // Purging again finds nothing.
    expect((await service.purgeDemands(db, { months: 6, refDate: '2027-04-15' })).numbers).toEqual([]);
  });

  it('deletes a demand on request', async () => {
    const db = getDb();
    const [d] = await store.loadDemands(db, { epciSiren: LYON, status: 'active' });
    expect(await store.deleteDemand(db, d.number)).toBe(true);
    expect(await store.getDemand(db, d.number)).toBeUndefined();
    expect(await store.deleteDemand(db, d.number)).toBe(false);
  });

  it('keeps one instance secret', async () => {
    const db = getDb();
    const a = await store.instanceSecret(db);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(await store.instanceSecret(db)).toBe(a);
  });
});
