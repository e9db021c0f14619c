// Deliveries on both databases: kept as received, rows accepted by policy, nothing created twice, readable by others.
import { beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import type { Database, Db } from '../../platform/db.ts';
import { exampleFile, findSchema, loadCatalogue } from './catalogue.ts';
import { acceptDelivery, compliance, territoryCommuneCodes } from './service.ts';
import { acceptedRows, getDeliveryContent, listDeliveries, sha256Hex } from './store.ts';

const cat = loadCatalogue();
const programmes = findSchema(cat, 'programmes-logements');
const permis = findSchema(cat, 'permis-declares');

async function organisation(db: Db, kind: string, name: string): Promise<string> {
  const r = await db.insertInto('organisation').values({ kind, name }).returning('id').executeTakeFirstOrThrow();
  return r.id as string;
}
const count = async (db: Db, table: keyof Database) => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

describeStores('referential deliveries', (getDb) => {
  let communes: Set<string>;
  let promoteur: string;
  let commune: string;
  let bailleur: string;
  beforeAll(async () => {
    const db = getDb();
    communes = await territoryCommuneCodes(db);
    promoteur = await organisation(db, 'promoteur', 'Promoteur des Deux Rives');
    commune = await organisation(db, 'commune', 'Ville de Toulouse');
    bailleur = await organisation(db, 'bailleur', 'Habitat Garonne');
  });

  it('knows the communes of the territory, Lyon arrondissements included, and no others', () => {
    expect(communes.has('31555')).toBe(true);
    expect(communes.has('69123')).toBe(true);
    expect(communes.has('69381')).toBe(true);
    expect(communes.has('33001')).toBe(false);
  });

  it('keeps a valid delivery as received, with its report and every row', async () => {
    const db = getDb();
    const bytes = exampleFile(programmes, 'valide');
    const r = await acceptDelivery(db, { organisationId: promoteur, entry: programmes, bytes, filename: 'programmes.csv', mediaType: 'text/csv', communes });
    expect(r.created).toBe(true);
    expect(r.delivery).toMatchObject({ status: 'acceptee', rowsTotal: 4, rowsAccepted: 4, schemaVersion: '1.0.0', sha256: sha256Hex(bytes) });
    const content = await getDeliveryContent(db, r.delivery.id);
    expect(content!.content.equals(bytes)).toBe(true);
    const rows = await acceptedRows(db, 'programmes-logements', { organisationId: promoteur });
    expect(rows.map((x) => x.data.identifiant_programme)).toEqual(['PRG-2024-017', 'PRG-2024-021', 'PRG-2025-002', 'PRG-2022-009']);
    expect(rows[0].data).toMatchObject({ nb_logements_total: 40, loyer_moyen_m2_social: 6.45, date_mise_en_chantier: null });
  });

  it('creates nothing twice when the same file is sent again, but notes that it was confirmed', async () => {
    const db = getDb();
    const bytes = exampleFile(programmes, 'valide');
    const before = [await count(db, 'referential_delivery'), await count(db, 'referential_delivery_row')];
    const again = await acceptDelivery(db, { organisationId: promoteur, entry: programmes, bytes, communes });
    expect(again.created).toBe(false);
    expect(again.delivery.timesReceived).toBe(2);
    expect([await count(db, 'referential_delivery'), await count(db, 'referential_delivery_row')]).toEqual(before);
  });

  it('returns the first delivery for a repeated Idempotency-Key and refuses the key for another file', async () => {
    const db = getDb();
    const bytes = exampleFile(permis, 'valide');
    const first = await acceptDelivery(db, { organisationId: commune, entry: permis, bytes, idempotencyKey: 'envoi-2025-06', communes });
    const second = await acceptDelivery(db, { organisationId: commune, entry: permis, bytes, idempotencyKey: 'envoi-2025-06', communes });
    expect(second.delivery.id).toBe(first.delivery.id);
    expect(second.created).toBe(false);
    await expect(
      acceptDelivery(db, { organisationId: commune, entry: permis, bytes: exampleFile(permis, 'invalide'), idempotencyKey: 'envoi-2025-06', communes }),
    ).rejects.toMatchObject({ status: 409, code: 'referential.idempotency_conflict' });
  });

  it('all-or-nothing: keeps the refused file and its report, and no row', async () => {
    const db = getDb();
    const r = await acceptDelivery(db, { organisationId: promoteur, entry: programmes, bytes: exampleFile(programmes, 'invalide'), communes });
    expect(r.delivery).toMatchObject({ status: 'refusee', rowsTotal: 4, rowsValid: 0, rowsAccepted: 0 });
    expect(r.report.problems.length).toBeGreaterThan(0);
    const rows = await db.selectFrom('referential_delivery_row').select('line').where('delivery_id', '=', r.delivery.id).execute();
    expect(rows).toEqual([]);
  });

  it('row-by-row: keeps the valid rows of a partly wrong file, under their file line numbers', async () => {
    const db = getDb();
    const r = await acceptDelivery(db, { organisationId: bailleur, entry: permis, bytes: exampleFile(permis, 'invalide'), communes });
    expect(r.delivery.status).toBe('partielle');
    const rows = await acceptedRows(db, 'permis-declares', { organisationId: bailleur });
    expect(rows.map((x) => x.line)).toEqual([2]);
    expect(rows[0].data.numero_dau).toBe('03155521C0924');
  });

  it('gives other modules only the newest accepted delivery of each partner when asked', async () => {
    const db = getDb();
    const text = exampleFile(programmes, 'valide').toString('utf8');
    const smaller = text.split('\n').slice(0, 2).join('\n') + '\n';
    await new Promise((r) => setTimeout(r, 5));
    const r = await acceptDelivery(db, { organisationId: promoteur, entry: programmes, bytes: Buffer.from(smaller), communes });
    expect(r.delivery.rowsAccepted).toBe(1);
    const latest = await acceptedRows(db, 'programmes-logements', { latestPerOrganisation: true });
    expect(latest.map((x) => x.deliveryId)).toEqual([r.delivery.id]);
    const all = await acceptedRows(db, 'programmes-logements');
    expect(all).toHaveLength(5);
    expect(await acceptedRows(db, 'programmes-logements', { since: new Date(Date.now() + 60_000) })).toEqual([]);
  });

  it('writes nothing when the delivery cannot be recorded', async () => {
    const db = getDb();
    const before = await count(db, 'referential_delivery');
    await expect(
      acceptDelivery(db, { organisationId: '00000000-0000-4000-8000-000000000000', entry: permis, bytes: Buffer.from('numero_dau\n'), communes }),
    ).rejects.toThrow();
    expect(await count(db, 'referential_delivery')).toBe(before);
  });

  it('shows each partner what its charter expects and where it stands', async () => {
    const db = getDb();
    const all = await compliance(db, cat, new Date());
    const ofCommune = all.find((p) => p.organisation.id === commune)!;
    expect(ofCommune.feeds).toEqual([
      expect.objectContaining({ schema: 'permis-declares', required: true, frequency: 'mensuelle', freshness: 'up_to_date', valid_share: 1, delivery_count: 1 }),
    ]);
    const ofBailleur = all.find((p) => p.organisation.id === bailleur)!;
    expect(ofBailleur.feeds.find((f) => f.schema === 'parc-social')).toMatchObject({ freshness: 'never_delivered', last_delivery: null });
    // A bailleur delivering permits is outside its charter: shown, but not expected.
    expect(ofBailleur.feeds.find((f) => f.schema === 'permis-declares')).toMatchObject({ expected: false, freshness: null });
    const later = await compliance(db, cat, new Date(Date.now() + 60 * 86_400_000), commune);
    expect(later).toHaveLength(1);
    expect(later[0].feeds[0].freshness).toBe('late');
    expect((await listDeliveries(db, { organisationId: commune })).map((d) => d.schemaName)).toEqual(['permis-declares']);
  });
});

describeStores('referential demo', (getDb) => {
  it('delivers Toulouse’s real permits once, whatever the number of starts', async () => {
    const db = getDb();
    const ctx = { db } as any;
    const { loadReferentialDemo } = await import('./demo.ts');
    await loadReferentialDemo(ctx, cat);
    await loadReferentialDemo(ctx, cat);
    const deliveries = await listDeliveries(db, { schemaName: 'permis-declares' });
    expect(deliveries).toHaveLength(1);
    // Sitadel itself holds one repeated permit number and one completion dated before its start: both reported.
    expect(deliveries[0]).toMatchObject({ organisationName: 'Ville de Toulouse', status: 'partielle', rowsTotal: 3710, rowsAccepted: 3708, timesReceived: 1 });
    const rows = await acceptedRows(db, 'permis-declares');
    // 68,759 dwellings in the Sitadel extract (its PROVENANCE), less the single dwelling of each refused line.
    expect(rows.reduce((s, r) => s + (r.data.nb_logements_crees as number), 0)).toBe(68_757);
  });
});
