// What the market module reads from the store: the member communes of an EPCI and of the instance's territory
// (COG tables of the territory module). Lake queries live in indicators.ts.
import type { Db } from '../../platform/db.ts';

/** Current communes of an EPCI (arrondissements roll up to them in the lake). Empty when the SIREN is unknown. */
export async function epciCommunes(db: Db, siren: string): Promise<{ nom: string; communes: string[] } | undefined> {
  const epci = await db.selectFrom('epci').select(['nom']).where('siren', '=', siren).executeTakeFirst();
  if (!epci) return undefined;
  const rows = await db
    .selectFrom('commune')
    .select(['code'])
    .where('epci_siren', '=', siren)
    .where('type', '=', 'commune-actuelle')
    .orderBy('code')
    .execute();
  return { nom: epci.nom as string, communes: rows.map((r) => r.code as string) };
}

/** Current communes of all the EPCIs the instance serves. */
export async function territoryCommunes(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('commune as c')
    .innerJoin('instance_epci as i', 'i.siren', 'c.epci_siren')
    .select(['c.code'])
    .where('c.type', '=', 'commune-actuelle')
    .orderBy('c.code')
    .execute();
  return rows.map((r) => r.code as string);
}

export async function communeName(db: Db, code: string): Promise<string | undefined> {
  const row = await db.selectFrom('commune').select(['nom']).where('code', '=', code).executeTakeFirst();
  return row?.nom as string | undefined;
}
