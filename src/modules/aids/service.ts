// The aids module's use cases: the tables with the instance's communes, a simulation with the EPCIs' own aids, and
// the EPCIs' own aids checked against the territory. Places come from the territory module, never its tables.
import type { AppContext } from '../../platform/context.ts';
import type { TypedDb } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import { epciCommunes, findEpci } from '../territory/index.ts';
import { placeOfCommune, type CommuneZone, type TableSet } from './model.ts';
import type { LocalAidInput } from './store.ts';
import { tables } from './tables.ts';

export { createLocalAid, deleteLocalAid, getLocalAid, listLocalAids, updateLocalAid, type LocalAidInput } from './store.ts';

/** Names of EPCIs, for the answers (« aide de Toulouse Métropole »); an unknown SIREN is left out. */
export async function epciNames(db: TypedDb, sirens: string[]): Promise<Record<string, string>> {
  const names: Record<string, string> = {};
  for (const siren of sirens) {
    const epci = await findEpci(db, siren);
    if (epci) names[siren] = epci.name;
  }
  return names;
}

/** Communes of the list that are not in the EPCI (so an aid cannot name a commune outside its territory). */
export async function communesOutsideEpci(db: TypedDb, siren: string, codes: string[]): Promise<string[]> {
  if (!codes.length) return [];
  const inside = new Set((await epciCommunes(db, siren, { arrondissements: true })).map((c) => c.code));
  return codes.filter((c) => !inside.has(c));
}

/**
 * The tables with the instance's own communes in the forms, zoned from the national file, so an instance
 * configured with other EPCIs gets its communes and their zones without any table to edit.
 */
export async function instanceTables(ctx: AppContext, t: TableSet = tables()): Promise<TableSet> {
  const rows = [];
  for (const siren of ctx.config.epciSirens) rows.push(...(await epciCommunes(ctx.db, siren, { arrondissements: true })));
  rows.sort((a, b) => a.code.localeCompare(b.code));
  const communes: CommuneZone[] = [];
  for (const r of rows) {
    const place = placeOfCommune(r.code, t.national);
    // A commune unknown to the zoning file stays out of the list: the household then gives its zone.
    if (!place || !r.epci_siren) continue;
    communes.push({ code: r.code, name: r.name, epci_siren: r.epci_siren, zone_abc: place.zone_abc, social_housing_zone: place.social_housing_zone, ile_de_france: place.ile_de_france, note: place.note, verification: place.verification });
  }
  return communes.length ? { ...t, communes } : t;
}

/** An EPCI's own aid is for one of the instance's EPCIs, names only its communes, and a renovation aid has no income ceiling. */
export async function checkLocalAid(ctx: AppContext, body: LocalAidInput): Promise<void> {
  if (!ctx.config.epciSirens.includes(body.epci_siren)) {
    throw new AppError('aids.epci_outside_instance', `L’EPCI ${body.epci_siren} n’est pas servi par cette instance.`, 422);
  }
  const outside = await communesOutsideEpci(ctx.db, body.epci_siren, body.communes);
  if (outside.length) {
    throw new AppError('aids.commune_outside_epci', `Communes hors de l’EPCI ${body.epci_siren} : ${outside.join(', ')}.`, 422);
  }
  if (body.kind === 'renovation' && body.ceiling_reference !== 'none') {
    throw new AppError('aids.renovation_ceiling', 'Une aide à la rénovation se règle par catégories MaPrimeRénov’, pas par un plafond d’accession.', 422);
  }
}
