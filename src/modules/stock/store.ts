// SQL of the stock module: DPE imports, landlords' buildings, energy figures per commune, EPCI and landlord.
import { sql } from 'kysely';
import { basename } from 'node:path';
import type { Db } from '../../platform/db.ts';
import type { InputProblem } from '../../platform/errors.ts';
import { sha256File } from '../../platform/files.ts';
import { readDpeFile, linkCommune, DPE_LAYOUTS, type CommuneLookup, type DpeRow } from './ingest/dpe.ts';
import { emptyCounts, parseDpeClass, type ClassCounts, type DpeClass } from './model.ts';

export async function communeLookup(db: Db): Promise<CommuneLookup> {
  const rows = await db.selectFrom('commune').select(['code', 'nom', 'codes_postaux', 'parent_code']).execute();
  const lookup: CommuneLookup = { byCode: new Map(), byPostcode: new Map() };
  for (const r of rows as { code: string; nom: string; codes_postaux: string[] | null; parent_code: string | null }[]) {
    lookup.byCode.set(r.code, { nom: r.nom, codes_postaux: r.codes_postaux ?? [], parent_code: r.parent_code });
    for (const cp of r.codes_postaux ?? []) lookup.byPostcode.set(cp, [...(lookup.byPostcode.get(cp) ?? []), r.code]);
  }
  return lookup;
}

export interface DpeImportResult {
  file: string;
  status: 'importe' | 'deja-importe' | 'refuse';
  layout: string | null;
  lines: number;
  accepted: number;
  corrections: InputProblem[];
  problems: InputProblem[];
  linkedToBuildings: number;
}

/**
 * Imports one DPE file in one transaction: upsert by DPE number (a re-import changes nothing), commune link with
 * corrections reported, then links DPEs to buildings. A file already imported (same sha256) is skipped.
 */
export async function importDpe(db: Db, path: string, opts: { force?: boolean } = {}): Promise<DpeImportResult> {
  const file = basename(path);
  const sha256 = await sha256File(path);
  const done = await db.selectFrom('stock_dpe_import').selectAll().where('sha256', '=', sha256).executeTakeFirst();
  if (done && !opts.force)
    return { file, status: 'deja-importe', layout: done.layout, lines: done.lines, accepted: done.accepted, corrections: [], problems: [], linkedToBuildings: 0 };
  const read = await readDpeFile(path, file);
  if (!read.layout || (read.rows.length === 0 && read.problems.some((p) => p.rule === 'csv.syntaxe' || p.rule === 'dpe.format')))
    return { file, status: 'refuse', layout: read.layout, lines: read.lines, accepted: 0, corrections: [], problems: read.problems, linkedToBuildings: 0 };
  const lookup = await communeLookup(db);
  const column = DPE_LAYOUTS[read.layout].code_insee;
  const corrections: InputProblem[] = [];
  const problems = [...read.problems];
  const values: Record<string, unknown>[] = [];
  for (const row of read.rows) {
    const link = linkCommune(row, lookup, file, column);
    if ('problem' in link) {
      problems.push(link.problem);
      continue;
    }
    if (link.correction) corrections.push(link.correction);
    values.push(dpeValues(row, link.code, file));
  }
  problems.sort((a, b) => a.line - b.line);
  let linked = 0;
  await db.transaction().execute(async (tx) => {
    for (let i = 0; i < values.length; i += 500) {
      await tx
        .insertInto('stock_dpe')
        .values(values.slice(i, i + 500))
        .onConflict((oc) =>
          oc.column('numero_dpe').doUpdateSet((eb) => Object.fromEntries(Object.keys(values[0]).filter((k) => k !== 'numero_dpe' && k !== 'building_id').map((k) => [k, eb.ref(`excluded.${k}`)])) as any),
        )
        .execute();
    }
    linked = await linkDpesToBuildings(tx);
    await tx
      .insertInto('stock_dpe_import')
      .values({ sha256, file, layout: read.layout, lines: read.lines, accepted: values.length, corrected: corrections.length, rejected: problems.length })
      .onConflict((oc) => oc.column('sha256').doUpdateSet({ imported_at: sql`now()` }))
      .execute();
  });
  return { file, status: 'importe', layout: read.layout, lines: read.lines, accepted: values.length, corrections, problems, linkedToBuildings: linked };
}

function dpeValues(r: DpeRow, communeCode: string, file: string) {
  return {
    numero_dpe: r.numero_dpe,
    date_reception: r.date_reception,
    etiquette_dpe: r.etiquette_dpe,
    etiquette_ges: r.etiquette_ges,
    type_batiment: r.type_batiment,
    surface_m2: r.surface_m2,
    conso_ep_m2: r.conso_ep_m2,
    ges_m2: r.ges_m2,
    commune_code: communeCode,
    code_insee_source: r.code_insee,
    code_postal: r.code_postal,
    identifiant_ban: r.identifiant_ban,
    adresse: r.adresse,
    numero_dpe_immeuble: r.numero_dpe_immeuble,
    numero_rpls_logement: r.numero_rpls_logement,
    source_file: file,
  };
}

/** A DPE belongs to a building when their BAN address ids are equal (the only shared key in both sources). */
export async function linkDpesToBuildings(db: Db): Promise<number> {
  const r = await sql`update stock_dpe d set building_id = b.id from stock_building b
     where d.identifiant_ban is not null and b.identifiant_ban = d.identifiant_ban and b.commune_code = d.commune_code
       and d.building_id is distinct from b.id`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

// ---------------------------------------------------------------- buildings

export interface BuildingInput {
  reference: string;
  commune_code: string;
  adresse?: string | null;
  identifiant_ban?: string | null;
  annee_construction?: number | null;
  nb_logements: number;
  financement?: 'PLAI' | 'PLUS' | 'PLS' | 'PLI' | 'autre' | null;
  qpv?: boolean | null;
  dpe_classe?: DpeClass | null;
  dpe_date?: string | null;
  conso_ep_m2?: number | null;
}

/** Upserts a landlord's buildings in one transaction, keyed by the landlord's own reference. */
export async function upsertBuildings(db: Db, organisationId: string, buildings: BuildingInput[]): Promise<{ created: number; updated: number; linked: number }> {
  return db.transaction().execute(async (tx) => {
    const existing = new Set(
      (await tx.selectFrom('stock_building').select('reference').where('organisation_id', '=', organisationId).execute()).map((r: any) => r.reference as string),
    );
    const rows = buildings.map((b) => ({
      organisation_id: organisationId,
      reference: b.reference,
      commune_code: b.commune_code,
      adresse: b.adresse ?? null,
      identifiant_ban: b.identifiant_ban ?? null,
      annee_construction: b.annee_construction ?? null,
      nb_logements: b.nb_logements,
      financement: b.financement ?? null,
      qpv: b.qpv ?? null,
      dpe_classe: b.dpe_classe ?? null,
      dpe_date: b.dpe_date ?? null,
      conso_ep_m2: b.conso_ep_m2 ?? null,
      updated_at: new Date(),
    }));
    for (let i = 0; i < rows.length; i += 500)
      await tx
        .insertInto('stock_building')
        .values(rows.slice(i, i + 500))
        .onConflict((oc) =>
          oc.columns(['organisation_id', 'reference']).doUpdateSet((eb) => Object.fromEntries(Object.keys(rows[0]).filter((k) => k !== 'organisation_id' && k !== 'reference').map((k) => [k, eb.ref(`excluded.${k}`)])) as any),
        )
        .execute();
    const linked = await linkDpesToBuildings(tx);
    const created = buildings.filter((b) => !existing.has(b.reference)).length;
    return { created, updated: buildings.length - created, linked };
  });
}

export interface BuildingView {
  id: string;
  organisation_id: string;
  bailleur: string;
  reference: string;
  commune_code: string;
  commune: string;
  adresse: string | null;
  identifiant_ban: string | null;
  annee_construction: number | null;
  nb_logements: number;
  financement: string | null;
  qpv: boolean | null;
  dpe_declare: DpeClass | null;
  /** Worst label of the ADEME DPEs linked to the building. */
  dpe_ademe_pire: DpeClass | null;
  nb_dpe_ademe: number;
  /** The class used for exposure: the declared one, else the worst linked ADEME label. */
  dpe_retenu: DpeClass | null;
  conso_ep_m2: number | null;
}

export async function listBuildings(db: Db, f: { organisationId?: string; communes?: string[]; ids?: string[] } = {}): Promise<BuildingView[]> {
  let q = db
    .selectFrom('stock_building as b')
    .innerJoin('organisation as o', 'o.id', 'b.organisation_id')
    .innerJoin('commune as c', 'c.code', 'b.commune_code')
    .select([
      'b.id', 'b.organisation_id', 'o.name as bailleur', 'b.reference', 'b.commune_code', 'c.nom as commune', 'b.adresse', 'b.identifiant_ban',
      'b.annee_construction', 'b.nb_logements', 'b.financement', 'b.qpv', 'b.dpe_classe', 'b.conso_ep_m2',
      sql<string | null>`(select max(d.etiquette_dpe) from stock_dpe d where d.building_id = b.id)`.as('pire'),
      sql<number>`(select count(*)::int from stock_dpe d where d.building_id = b.id)`.as('nb_dpe'),
    ]);
  if (f.organisationId) q = q.where('b.organisation_id', '=', f.organisationId);
  if (f.communes) q = f.communes.length ? q.where('b.commune_code', 'in', f.communes) : q.where(sql<boolean>`false`);
  if (f.ids) q = f.ids.length ? q.where('b.id', 'in', f.ids) : q.where(sql<boolean>`false`);
  const rows = await q.orderBy('o.name').orderBy('b.reference').execute();
  return rows.map((r: any) => {
    const declared = parseDpeClass(r.dpe_classe);
    const worst = parseDpeClass(r.pire); // 'G' > 'F' > … as text, so max() is the worst label
    return {
      id: r.id,
      organisation_id: r.organisation_id,
      bailleur: r.bailleur,
      reference: r.reference,
      commune_code: r.commune_code,
      commune: r.commune,
      adresse: r.adresse,
      identifiant_ban: r.identifiant_ban,
      annee_construction: r.annee_construction,
      nb_logements: r.nb_logements,
      financement: r.financement,
      qpv: r.qpv,
      dpe_declare: declared,
      dpe_ademe_pire: worst,
      nb_dpe_ademe: r.nb_dpe,
      dpe_retenu: declared ?? worst,
      conso_ep_m2: r.conso_ep_m2 === null ? null : Number(r.conso_ep_m2),
    };
  });
}

// ---------------------------------------------------------------- territories and DPE figures

export interface CommuneRef {
  code: string;
  nom: string;
  epci_siren: string | null;
}

/** A commune and, for Lyon, Paris and Marseille, its arrondissements (DPEs carry the arrondissement's code). */
export async function communeWithArrondissements(db: Db, code: string): Promise<{ commune: CommuneRef; codes: string[] } | undefined> {
  const c = await db.selectFrom('commune').select(['code', 'nom', 'epci_siren', 'parent_code']).where('code', '=', code).executeTakeFirst();
  if (!c) return undefined;
  const children = await db.selectFrom('commune').select('code').where('parent_code', '=', code).execute();
  return { commune: { code: c.code, nom: c.nom, epci_siren: c.epci_siren }, codes: [code, ...children.map((r: any) => r.code)] };
}

export async function epciCommunes(db: Db, siren: string): Promise<{ epci: { siren: string; nom: string } | undefined; communes: CommuneRef[] }> {
  const epci = await db.selectFrom('epci').select(['siren', 'nom']).where('siren', '=', siren).executeTakeFirst();
  const communes = await db.selectFrom('commune').select(['code', 'nom', 'epci_siren']).where('epci_siren', '=', siren).orderBy('code').execute();
  return { epci, communes: communes as CommuneRef[] };
}

export async function instanceCommuneList(db: Db): Promise<CommuneRef[]> {
  return (await db
    .selectFrom('commune as c')
    .innerJoin('instance_epci as i', 'i.siren', 'c.epci_siren')
    .select(['c.code', 'c.nom', 'c.epci_siren'])
    .orderBy('c.nom')
    .execute()) as CommuneRef[];
}

/** ADEME DPE labels per class for a set of commune codes (arrondissements included by the caller). */
export async function dpeCounts(db: Db, codes: string[]): Promise<ClassCounts & { dernier: string | null }> {
  const out = { ...emptyCounts(), dernier: null as string | null };
  if (!codes.length) return out;
  const rows = await db
    .selectFrom('stock_dpe')
    .select(['etiquette_dpe', sql<number>`count(*)::int`.as('n'), sql<string | null>`max(date_reception)::text`.as('dernier')])
    .where('commune_code', 'in', codes)
    .groupBy('etiquette_dpe')
    .execute();
  for (const r of rows as { etiquette_dpe: DpeClass; n: number; dernier: string | null }[]) {
    out[r.etiquette_dpe] += r.n;
    if (r.dernier && (!out.dernier || r.dernier > out.dernier)) out.dernier = r.dernier;
  }
  return out;
}

export async function dpeImports(db: Db) {
  return db.selectFrom('stock_dpe_import').selectAll().orderBy('imported_at', 'desc').execute();
}

/** Dwelling-weighted class distribution of buildings (for a landlord's exposure). */
export function buildingCounts(buildings: BuildingView[]): ClassCounts {
  const c = emptyCounts();
  for (const b of buildings) c[b.dpe_retenu ?? 'inconnu'] += b.nb_logements;
  return c;
}
