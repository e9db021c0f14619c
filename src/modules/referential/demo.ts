// Demo deliveries, so that the dashboard and the other modules have real rows to show: Toulouse's building permits
// (Sitadel, converted) from the city, and the parc-social example (RPLS 2019 totals) from a demo bailleur.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppContext } from '../../platform/context.ts';
import { ensureOrganisation } from '../access/index.ts';
import type { Db } from '../../platform/db.ts';
import { exampleFile, findSchema, type Catalogue } from './catalogue.ts';
import { acceptDelivery, territoryCommuneCodes } from './service.ts';
import { deliveredContent, sha256Hex, type NewDelivery } from './store.ts';

const DEMO_DIR = join(import.meta.dirname, '..', '..', '..', 'data', 'demo', 'referential');
/** The fictitious landlord SIREN of the referential's examples. */
const DEMO_BAILLEUR_SIREN = '999000001';

/** A demo file already delivered is left alone: a restart must change nothing, not even the "last received" date. */
async function deliverOnce(db: Db, d: NewDelivery): Promise<void> {
  if (!(await deliveredContent(db, d.organisationId, sha256Hex(d.bytes)))) await acceptDelivery(db, d);
}

/** Idempotent: see `deliverOnce`. */
export async function loadReferentialDemo(ctx: AppContext, cat: Catalogue): Promise<void> {
  const communes = await territoryCommuneCodes(ctx.db);
  if (communes.has('31555')) {
    const toulouse = await ensureOrganisation(ctx.db, { kind: 'commune', name: 'Ville de Toulouse', communeCode: '31555' });
    const file = 'permis-declares-toulouse.csv';
    await deliverOnce(ctx.db, { organisationId: toulouse, entry: findSchema(cat, 'permis-declares'), bytes: readFileSync(join(DEMO_DIR, file)), filename: file, mediaType: 'text/csv', communes });
  }
  const parc = findSchema(cat, 'parc-social');
  const bailleur = await ensureOrganisation(ctx.db, { kind: 'bailleur', name: 'Bailleur de démonstration', siren: DEMO_BAILLEUR_SIREN });
  await deliverOnce(ctx.db, { organisationId: bailleur, entry: parc, bytes: exampleFile(parc, 'valide'), filename: 'parc-social-2019.csv', mediaType: 'text/csv', communes });
}
