// The EPCI's local aids configuration. Simulations themselves never touch the store.
import type { Db } from '../../platform/db.ts';
import type { LocalAid } from './model.ts';

export type LocalAidInput = Omit<LocalAid, 'id'>;

const COLUMNS = [
  'id', 'epci_siren', 'kind', 'nom', 'description', 'montant_euros', 'plafond_reference', 'primo_accedant_requis',
  'types_logement', 'categories_mpr', 'classes_dpe', 'communes', 'contact', 'deliberation', 'actif',
] as const;

function toRow(a: LocalAidInput) {
  return {
    ...a,
    types_logement: JSON.stringify(a.types_logement),
    categories_mpr: JSON.stringify(a.categories_mpr),
    classes_dpe: JSON.stringify(a.classes_dpe),
    communes: JSON.stringify(a.communes),
  };
}

function fromRow(r: any): LocalAid {
  const list = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : (v ?? []));
  return {
    id: r.id,
    epci_siren: r.epci_siren,
    kind: r.kind,
    nom: r.nom,
    description: r.description,
    montant_euros: r.montant_euros === null ? null : Number(r.montant_euros),
    plafond_reference: r.plafond_reference,
    primo_accedant_requis: r.primo_accedant_requis,
    types_logement: list(r.types_logement),
    categories_mpr: list(r.categories_mpr),
    classes_dpe: list(r.classes_dpe),
    communes: list(r.communes),
    contact: r.contact,
    deliberation: r.deliberation,
    actif: r.actif,
  };
}

export async function listLocalAids(db: Db, opts: { sirens?: string[]; activeOnly?: boolean } = {}): Promise<LocalAid[]> {
  let q = db.selectFrom('aids_local_aid').select([...COLUMNS]).orderBy('epci_siren').orderBy('kind').orderBy('nom');
  if (opts.sirens) {
    if (!opts.sirens.length) return [];
    q = q.where('epci_siren', 'in', opts.sirens);
  }
  if (opts.activeOnly) q = q.where('actif', '=', true);
  return (await q.execute()).map(fromRow);
}

export async function getLocalAid(db: Db, id: string): Promise<LocalAid | undefined> {
  const r = await db.selectFrom('aids_local_aid').select([...COLUMNS]).where('id', '=', id).executeTakeFirst();
  return r ? fromRow(r) : undefined;
}

export async function createLocalAid(db: Db, a: LocalAidInput, userId?: string): Promise<LocalAid> {
  const r = await db
    .insertInto('aids_local_aid')
    .values({ ...toRow(a), updated_by: userId ?? null })
    .returning([...COLUMNS])
    .executeTakeFirstOrThrow();
  return fromRow(r);
}

export async function updateLocalAid(db: Db, id: string, a: LocalAidInput, userId?: string): Promise<LocalAid | undefined> {
  const r = await db
    .updateTable('aids_local_aid')
    .set({ ...toRow(a), updated_by: userId ?? null, updated_at: new Date() })
    .where('id', '=', id)
    .returning([...COLUMNS])
    .executeTakeFirst();
  return r ? fromRow(r) : undefined;
}

export async function deleteLocalAid(db: Db, id: string): Promise<boolean> {
  const r = await db.deleteFrom('aids_local_aid').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Names of EPCIs, for the answers (« aide de Toulouse Métropole »). */
export async function epciNames(db: Db, sirens: string[]): Promise<Record<string, string>> {
  if (!sirens.length) return {};
  const rows = await db.selectFrom('epci').select(['siren', 'nom']).where('siren', 'in', sirens).execute();
  return Object.fromEntries(rows.map((r: any) => [r.siren, r.nom]));
}

/** Communes of the list that are not in the EPCI (so an aid cannot name a commune outside its territory). */
export async function communesOutsideEpci(db: Db, siren: string, codes: string[]): Promise<string[]> {
  if (!codes.length) return [];
  const rows = await db.selectFrom('commune').select('code').where('code', 'in', codes).where('epci_siren', '=', siren).execute();
  const inside = new Set(rows.map((r: any) => r.code));
  return codes.filter((c) => !inside.has(c));
}

/** The instance's communes and municipal arrondissements, named, for the simulators' forms and zones. */
export async function instanceCommunes(db: Db, sirens: string[]): Promise<{ code: string; nom: string; epci_siren: string }[]> {
  if (!sirens.length) return [];
  const rows = await db
    .selectFrom('commune')
    .select(['code', 'nom', 'epci_siren'])
    .where('epci_siren', 'in', sirens)
    .orderBy('code')
    .execute();
  return rows as { code: string; nom: string; epci_siren: string }[];
}
