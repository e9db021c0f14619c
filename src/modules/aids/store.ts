// The EPCI's local aids configuration. Simulations themselves never touch the store.
import type { Selectable } from 'kysely';
import type { TypedDb } from '../../platform/db.ts';
import type { AidsLocalAid } from '../../platform/db-schema.ts';
import type { DpeClass, HousingType, IncomeReference, LocalAid, LocalAidKind, MprCategory } from './model.ts';

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

type Row = Pick<Selectable<AidsLocalAid>, (typeof COLUMNS)[number]>;

// The lists are jsonb (parsed by the driver) or, on older rows, JSON text; the checks of the contract wrote them.
const list = <T>(v: unknown): T[] => (typeof v === 'string' ? JSON.parse(v) : ((v ?? []) as T[]));

function fromRow(r: Row): LocalAid {
  return {
    id: r.id,
    epci_siren: r.epci_siren,
    kind: r.kind as LocalAidKind,
    nom: r.nom,
    description: r.description,
    montant_euros: r.montant_euros === null ? null : Number(r.montant_euros),
    plafond_reference: r.plafond_reference as IncomeReference,
    primo_accedant_requis: r.primo_accedant_requis,
    types_logement: list<HousingType>(r.types_logement),
    categories_mpr: list<MprCategory>(r.categories_mpr),
    classes_dpe: list<DpeClass>(r.classes_dpe),
    communes: list<string>(r.communes),
    contact: r.contact,
    deliberation: r.deliberation,
    actif: r.actif,
  };
}

export async function listLocalAids(db: TypedDb, opts: { sirens?: string[]; activeOnly?: boolean } = {}): Promise<LocalAid[]> {
  let q = db.selectFrom('aids_local_aid').select([...COLUMNS]).orderBy('epci_siren').orderBy('kind').orderBy('nom');
  if (opts.sirens) {
    if (!opts.sirens.length) return [];
    q = q.where('epci_siren', 'in', opts.sirens);
  }
  if (opts.activeOnly) q = q.where('actif', '=', true);
  return (await q.execute()).map(fromRow);
}

export async function getLocalAid(db: TypedDb, id: string): Promise<LocalAid | undefined> {
  const r = await db.selectFrom('aids_local_aid').select([...COLUMNS]).where('id', '=', id).executeTakeFirst();
  return r ? fromRow(r) : undefined;
}

export async function createLocalAid(db: TypedDb, a: LocalAidInput, userId?: string): Promise<LocalAid> {
  const r = await db
    .insertInto('aids_local_aid')
    .values({ ...toRow(a), updated_by: userId ?? null })
    .returning([...COLUMNS])
    .executeTakeFirstOrThrow();
  return fromRow(r);
}

export async function updateLocalAid(db: TypedDb, id: string, a: LocalAidInput, userId?: string): Promise<LocalAid | undefined> {
  const r = await db
    .updateTable('aids_local_aid')
    .set({ ...toRow(a), updated_by: userId ?? null, updated_at: new Date() })
    .where('id', '=', id)
    .returning([...COLUMNS])
    .executeTakeFirst();
  return r ? fromRow(r) : undefined;
}

export async function deleteLocalAid(db: TypedDb, id: string): Promise<boolean> {
  const r = await db.deleteFrom('aids_local_aid').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
