// The EPCI's local aids configuration. Simulations themselves never touch the store.
import type { Selectable } from 'kysely';
import type { TypedDb } from '../../platform/db.ts';
import type { AidsLocalAid } from '../../platform/db-schema.ts';
import type { DpeClass, HousingType, IncomeReference, LocalAid, LocalAidKind, MprCategory } from './model.ts';

export type LocalAidInput = Omit<LocalAid, 'id'>;

const COLUMNS = [
  'id', 'epci_siren', 'kind', 'name', 'description', 'amount_euros', 'ceiling_reference', 'primo_accedant_required',
  'housing_types', 'mpr_categories', 'dpe_classes', 'communes', 'contact', 'deliberation', 'active',
] as const;

function toRow(a: LocalAidInput) {
  return {
    ...a,
    housing_types: JSON.stringify(a.housing_types),
    mpr_categories: JSON.stringify(a.mpr_categories),
    dpe_classes: JSON.stringify(a.dpe_classes),
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
    name: r.name,
    description: r.description,
    amount_euros: r.amount_euros === null ? null : Number(r.amount_euros),
    ceiling_reference: r.ceiling_reference as IncomeReference,
    primo_accedant_required: r.primo_accedant_required,
    housing_types: list<HousingType>(r.housing_types),
    mpr_categories: list<MprCategory>(r.mpr_categories),
    dpe_classes: list<DpeClass>(r.dpe_classes),
    communes: list<string>(r.communes),
    contact: r.contact,
    deliberation: r.deliberation,
    active: r.active,
  };
}

export async function listLocalAids(db: TypedDb, opts: { sirens?: string[]; activeOnly?: boolean } = {}): Promise<LocalAid[]> {
  let q = db.selectFrom('aids_local_aid').select([...COLUMNS]).orderBy('epci_siren').orderBy('kind').orderBy('name');
  if (opts.sirens) {
    if (!opts.sirens.length) return [];
    q = q.where('epci_siren', 'in', opts.sirens);
  }
  if (opts.activeOnly) q = q.where('active', '=', true);
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
