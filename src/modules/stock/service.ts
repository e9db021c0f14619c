// The stock's use cases: import the RPLS into the lake and ADEME DPE files into the store (reader, then store in one
// transaction or one swap), declare buildings, file and follow incidents with their alerts, keep tenants' contacts,
// and build the pages' answers. Routes and the CLI call these after their permission checks; no HTTP here, except the
// request handed to the audit log.
import type { FastifyRequest } from 'fastify';
import { basename } from 'node:path';
import type { AppContext } from '../../platform/context.ts';
import type { TypedDb } from '../../platform/db.ts';
import { AppError, forbidden, notFound, type InputProblem } from '../../platform/errors.ts';
import { sha256File } from '../../platform/files.ts';
import type { Lake } from '../../platform/lake.ts';
import { audit, epciAgents, organisationsById } from '../access/index.ts';
import { acceptedRows } from '../referential/index.ts';
import { arrondissementParents, epciCommunes, findEpci, instanceEpciOf, instanceEpcis, placesByCode, placesByPostcode, type Place } from '../territory/index.ts';
import type {
  Building,
  BuildingInput,
  BuildingsSaved,
  CommuneEnergy,
  DurationGroup,
  DurationsPage,
  ExposurePage,
  Incident,
  IncidentChange,
  NewContact,
  NewIncident,
  PrioritiesPage,
  ScopeLevel,
  StockSources,
  TerritoryEnergy,
} from './contract.ts';
import { DPE_LAYOUTS, linkCommune, readDpeFile, type CommuneLookup, type DpeRow } from './ingest/dpe.ts';
import { readRplsFile, vintageFromFileName } from './ingest/rpls.ts';
import { latestVintage, openRplsPartition, readRplsManifest, rplsByCommune, rplsIndex, rplsVintage, type RplsPerimeter } from './lake.ts';
import {
  CALENDAR_NOTE,
  CONTACT_PURPOSE_TEXT,
  SOURCE_DECLARED_BUILDINGS,
  SOURCE_DPE,
  SOURCE_RPLS,
  alertsAgents,
  buildingCounts,
  durationSummaries,
  emptyCounts,
  exposure,
  incidentMessage,
  isoDay,
  maskAddress,
  mayNotify,
  normaliseContactAddress,
  protectDistribution,
  publicFigures,
  renovationPriorities,
  resolutionTime,
  retentionEnd,
  sumCounts,
  sumDeclaredStock,
  transitionProblem,
  type ClassCounts,
  type ContactChannel,
  type DeclaredStock,
  type NotificationEvent,
  type NotificationStatus,
  type NotificationSummary,
  type RecipientKind,
} from './model.ts';
import { channelsFor } from './notify.ts';
import * as store from './store.ts';

// ---------------------------------------------------------------- RPLS into the lake

export interface RplsImportResult {
  status: 'imported' | 'already_imported' | 'refused';
  vintage: number;
  lines: number;
  cells: number;
  dwellings: number;
  problems: InputProblem[];
}

/**
 * Imports an RPLS aggregate into the lake, as one vintage swapped in whole. Re-importing the same file for the same
 * perimeter is a no-op; a file with a syntax error writes nothing; bad lines are skipped and reported.
 */
export async function importRpls(
  lake: Lake,
  path: string,
  opts: {
    vintage?: number;
    communes?: Set<string>;
    perimeter?: RplsPerimeter;
    force?: boolean;
    /** The demo's partial load must not replace a national import of the same vintage. */
    keepIfFrance?: boolean;
  } = {},
): Promise<RplsImportResult> {
  const name = basename(path);
  const vintage = opts.vintage ?? vintageFromFileName(path);
  const base = { vintage: vintage ?? 0, lines: 0, cells: 0, dwellings: 0 };
  if (!vintage)
    return {
      ...base,
      status: 'refused',
      problems: [{ file: name, line: 0, rule: 'stock.rpls_vintage', message: 'Millésime introuvable dans le nom du fichier : précisez-le avec --millesime (ex. 2019).' }],
    };
  const perimeter = opts.perimeter ?? 'france';
  const known = rplsVintage(lake.dir, vintage);
  const already = known && { ...base, status: 'already_imported' as const, lines: known.lines, cells: known.cells, dwellings: known.dwellings, problems: [] };
  if (already && opts.keepIfFrance && known.perimetre === 'france') return already;
  const sha256 = await sha256File(path);
  if (already && !opts.force && known.sha256 === sha256 && JSON.stringify(known.perimetre) === JSON.stringify(perimeter)) return already;

  const partition = openRplsPartition(lake);
  try {
    let cells = 0;
    let dwellings = 0;
    const read = await readRplsFile(
      path,
      (c) => {
        if (opts.communes && !opts.communes.has(c.commune_code)) return;
        cells++;
        dwellings += c.n;
        partition.add(c);
      },
      name,
    );
    if (read.broken) return { ...base, status: 'refused', lines: read.lines, problems: read.problems };
    // The manifest keeps its keys `millesime` and `perimetre` (and the partition its `millesime=` directory): they are
    // what lakes already on disk hold, and a renamed key would make every existing vintage unreadable.
    await partition.commit({ millesime: vintage, file: name, sha256, importedAt: new Date().toISOString(), lines: read.lines, cells, dwellings, perimetre: perimeter });
    return { status: 'imported', vintage, lines: read.lines, cells, dwellings, problems: read.problems };
  } finally {
    partition.close();
  }
}

// ---------------------------------------------------------------- DPE files into the store

export interface DpeImportResult {
  file: string;
  status: 'imported' | 'already_imported' | 'refused';
  layout: string | null;
  lines: number;
  accepted: number;
  corrections: InputProblem[];
  problems: InputProblem[];
  linkedToBuildings: number;
}

/** The COG's places a file's rows name: by their INSEE field, and the places whose postcodes are that field. */
async function communeLookup(db: TypedDb, rows: DpeRow[]): Promise<CommuneLookup> {
  const fields = new Set(rows.map((r) => r.code_insee));
  const byPostcode = await placesByPostcode(db, fields);
  const places = await placesByCode(db, [...fields, ...[...byPostcode.values()].flat()]);
  const byCode: CommuneLookup['byCode'] = new Map();
  for (const p of places.values()) byCode.set(p.code, { name: p.name, postal_codes: p.postal_codes, parent_code: p.parent_code });
  return { byCode, byPostcode };
}

/**
 * Imports one DPE file in one transaction: upsert by DPE number (a re-import changes nothing), commune link with
 * corrections reported, then links DPEs to buildings. A file already imported (same sha256) is skipped.
 */
export async function importDpe(db: TypedDb, path: string, opts: { force?: boolean } = {}): Promise<DpeImportResult> {
  const file = basename(path);
  const sha256 = await sha256File(path);
  const done = await store.dpeImportOf(db, sha256);
  if (done && !opts.force)
    return { file, status: 'already_imported', layout: done.layout, lines: done.lines, accepted: done.accepted, corrections: [], problems: [], linkedToBuildings: 0 };
  const read = await readDpeFile(path, file);
  if (!read.layout || read.broken)
    return { file, status: 'refused', layout: read.layout, lines: read.lines, accepted: 0, corrections: [], problems: read.problems, linkedToBuildings: 0 };
  const layout = read.layout;
  const lookup = await communeLookup(db, read.rows);
  const column = DPE_LAYOUTS[layout].code_insee;
  const corrections: InputProblem[] = [];
  const problems = [...read.problems];
  const values: store.DpeValues[] = [];
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
  const linked = await db.transaction().execute(async (tx) => {
    await store.upsertDpes(tx, values);
    const n = await store.linkDpesToBuildings(tx);
    await store.recordDpeImport(tx, { sha256, file, layout, lines: read.lines, accepted: values.length, corrected: corrections.length, rejected: problems.length });
    return n;
  });
  return { file, status: 'imported', layout, lines: read.lines, accepted: values.length, corrections, problems, linkedToBuildings: linked };
}

function dpeValues(r: DpeRow, communeCode: string, file: string): store.DpeValues {
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

/** DPE files imported and the communes and reception dates the DPE table covers (the sources' catalogue). */
export async function dpeCoverage(db: TypedDb) {
  const imports = await store.dpeImports(db);
  const rows = await store.dpeDatesByCommune(db);
  const dates = rows.flatMap((r) => [r.first.slice(0, 10), r.last.slice(0, 10)]).sort();
  return {
    imports: imports.map((i) => ({ file: i.file, lines: i.lines, accepted: i.accepted, importedAt: new Date(i.imported_at).toISOString() })),
    communes: rows.map((r) => r.commune_code),
    dates: dates.length ? ([dates[0], dates[dates.length - 1]] as [string, string]) : null,
  };
}

// ---------------------------------------------------------------- places

/** A commune and, for Lyon, Paris and Marseille, its arrondissements (DPEs carry the arrondissement's code). */
export async function communeWithArrondissements(db: TypedDb, code: string): Promise<{ name: string; codes: string[] } | undefined> {
  const place = (await placesByCode(db, [code])).get(code);
  if (!place) return undefined;
  const children = [...(await arrondissementParents(db)).entries()].filter(([, parent]) => parent === code).map(([c]) => c);
  return { name: place.name, codes: [code, ...children] };
}

/** An EPCI's communes and their arrondissements. */
export async function epciWithCommunes(db: TypedDb, siren: string): Promise<{ name: string; codes: string[] } | undefined> {
  const epci = await findEpci(db, siren);
  if (!epci) return undefined;
  return { name: epci.name, codes: (await epciCommunes(db, siren, { arrondissements: true })).map((c) => c.code) };
}

/** The communes (and arrondissements) of the instance's EPCIs, by name. */
async function instancePlaces(db: TypedDb): Promise<Place[]> {
  const out: Place[] = [];
  for (const e of await instanceEpcis(db)) out.push(...(await epciCommunes(db, e.siren, { arrondissements: true })));
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

// ---------------------------------------------------------------- public figures

/** A place's classes summed over its communes, from the vintage's per-commune index (read once per import). */
async function rplsCounts(lake: Lake, communes: string[], vintage: number): Promise<ClassCounts> {
  const index = await rplsIndex(lake, vintage);
  return sumCounts([...new Set(communes)].flatMap((c) => index.get(c)?.classes ?? []));
}

export async function communeEnergy(ctx: AppContext, code: string): Promise<CommuneEnergy> {
  const c = await communeWithArrondissements(ctx.db, code);
  if (!c) throw notFound('Commune');
  return placeEnergy(ctx, code, c);
}

/** The same figures for an EPCI: its communes' stock pooled, then protected as one distribution (the portrait's). */
export async function epciEnergy(ctx: AppContext, siren: string): Promise<CommuneEnergy> {
  const e = await epciWithCommunes(ctx.db, siren);
  if (!e) throw notFound('EPCI');
  return placeEnergy(ctx, siren, e);
}

/**
 * The RPLS part of a place's public figures (its stock pooled over these codes, then protected as one distribution)
 * and the calendar's note: what the observatory's portrait shows, without the DPE counts it does not.
 */
export async function rplsEnergy(ctx: AppContext, codes: string[]): Promise<Pick<CommuneEnergy, 'rpls' | 'calendar'>> {
  const vintage = latestVintage(ctx.lake.dir);
  const pub = publicFigures(vintage ? await rplsCounts(ctx.lake, codes, vintage) : emptyCounts(), ctx.config.secrecyMinCount, isoDay(new Date()));
  return {
    calendar: CALENDAR_NOTE,
    rpls: vintage ? { vintage, source: SOURCE_RPLS, dwellings: pub.total, classes: pub.classes, banned_today: pub.banned_today, steps: pub.steps } : null,
  };
}

async function placeEnergy(ctx: AppContext, code: string, c: { name: string; codes: string[] }): Promise<CommuneEnergy> {
  const min = ctx.config.secrecyMinCount;
  const { rpls, calendar } = await rplsEnergy(ctx, c.codes);
  const dpe = await store.dpeCounts(ctx.db, c.codes);
  const dpePub = protectDistribution(dpe.counts, min);
  return {
    commune: { code, name: c.name },
    secrecy_min_count: min,
    calendar,
    rpls,
    ademe_dpe: { source: SOURCE_DPE, dpe_count: dpePub.total, classes: dpePub.cells, last_received: dpe.last },
  };
}

export async function territoryEnergy(ctx: AppContext): Promise<TerritoryEnergy> {
  const communes = await instancePlaces(ctx.db);
  const min = ctx.config.secrecyMinCount;
  const vintage = latestVintage(ctx.lake.dir);
  const figures = vintage ? await rplsByCommune(ctx.lake, communes.map((c) => c.code), vintage) : [];
  const byCode = new Map(figures.map((f) => [f.commune_code, f]));
  const today = isoDay(new Date());
  return {
    vintage,
    source: SOURCE_RPLS,
    calendar: CALENDAR_NOTE,
    secrecy_min_count: min,
    communes: communes.map((c) => {
      const pub = publicFigures(byCode.get(c.code)?.classes ?? emptyCounts(), min, today);
      return {
        code: c.code,
        name: c.name,
        dwellings: pub.total,
        known_class_dwellings: pub.known,
        banned_2025: pub.steps[0].banned_dwellings,
        banned_2028: pub.steps[1].banned_dwellings,
        banned_2034: pub.steps[2].banned_dwellings,
      };
    }),
  };
}

export async function stockSources(ctx: AppContext): Promise<StockSources> {
  return {
    rpls: Object.values(readRplsManifest(ctx.lake.dir)).map((m) => ({
      vintage: m.millesime,
      file: m.file,
      lines: m.lines,
      dwellings: m.dwellings,
      perimeter: m.perimetre,
      imported_at: m.importedAt,
    })),
    dpe: (await store.dpeImports(ctx.db)).map((d) => ({
      file: d.file,
      layout: d.layout,
      lines: d.lines,
      accepted: d.accepted,
      corrected: d.corrected,
      rejected: d.rejected,
      imported_at: new Date(d.imported_at).toISOString(),
    })),
  };
}

// ---------------------------------------------------------------- buildings

/** A landlord's buildings as the pages show them: names of the landlord and commune, the class retained. */
export async function buildingViews(db: TypedDb, f: store.BuildingFilter): Promise<Building[]> {
  const rows = await store.listBuildings(db, f);
  const orgs = await organisationsById(db, rows.map((r) => r.organisation_id));
  const places = await placesByCode(db, rows.map((r) => r.commune_code));
  const views = rows.map((r) => ({
    ...r,
    bailleur: orgs.get(r.organisation_id)?.name ?? '',
    commune_name: places.get(r.commune_code)?.name ?? r.commune_code,
    retained_dpe: r.declared_dpe ?? r.worst_ademe_dpe,
  }));
  return views.sort((a, b) => a.bailleur.localeCompare(b.bailleur) || a.reference.localeCompare(b.reference));
}

/** Declares or updates a landlord's buildings in one transaction, then links the ADEME DPEs at their BAN addresses. */
export async function saveBuildings(db: TypedDb, organisationId: string, buildings: BuildingInput[]): Promise<BuildingsSaved> {
  const refs = new Set<string>();
  for (const [i, b] of buildings.entries()) {
    if (refs.has(b.reference)) throw new AppError('stock.duplicate_reference', `Bâtiment n° ${i + 1} : la référence « ${b.reference} » figure deux fois.`, 400);
    refs.add(b.reference);
  }
  const known = await placesByCode(db, buildings.map((b) => b.commune_code));
  const unknown = buildings.findIndex((b) => !known.has(b.commune_code));
  if (unknown >= 0) {
    const b = buildings[unknown];
    throw new AppError('stock.unknown_commune', `Bâtiment n° ${unknown + 1} (« ${b.reference} ») : code commune ${b.commune_code} inconnu.`, 400);
  }
  const values: store.BuildingValues[] = buildings.map((b) => ({
    reference: b.reference,
    commune_code: b.commune_code,
    address: b.address ?? null,
    ban_id: b.ban_id ?? null,
    construction_year: b.construction_year ?? null,
    dwellings_count: b.dwellings_count,
    financing: b.financing ?? null,
    qpv: b.qpv ?? null,
    dpe_class: b.dpe_class ?? null,
    dpe_date: b.dpe_date ?? null,
    primary_energy_kwh_m2: b.primary_energy_kwh_m2 ?? null,
  }));
  return db.transaction().execute(async (tx) => {
    const existing = await store.buildingReferences(tx, organisationId);
    await store.upsertBuildings(tx, organisationId, values);
    const linked = await store.linkDpesToBuildings(tx);
    const created = buildings.filter((b) => !existing.has(b.reference)).length;
    return { created, updated: buildings.length - created, linked_dpes: linked };
  });
}

// ---------------------------------------------------------------- exposure and priorities

/** Whose stock a page covers: communes (undefined: a landlord's whole stock) and, for a partner, its own buildings only. */
export interface StockScope {
  name: string;
  communes: string[] | undefined;
  organisationId: string | undefined;
}

async function declaredStockOf(db: TypedDb, scope: StockScope): Promise<DeclaredStock> {
  const rows = await acceptedRows(db, 'parc-social', { latestPerOrganisation: true, organisationId: scope.organisationId });
  return sumDeclaredStock(rows, scope.communes ? new Set(scope.communes) : undefined);
}

export async function exposurePage(ctx: AppContext, level: ScopeLevel, code: string, scope: StockScope): Promise<ExposurePage> {
  const today = isoDay(new Date());
  const vintage = latestVintage(ctx.lake.dir);
  let rpls: ExposurePage['rpls'] = null;
  if (scope.communes && vintage) {
    const counts = await rplsCounts(ctx.lake, scope.communes, vintage);
    rpls = { vintage, source: SOURCE_RPLS, classes: counts, exposure: exposure(counts, today) };
  }
  const buildings = await buildingViews(ctx.db, { organisationId: scope.organisationId, communes: scope.communes });
  const counts = buildingCounts(buildings);
  return {
    level,
    code,
    name: scope.name,
    calendar: CALENDAR_NOTE,
    rpls,
    declared_buildings: { source: SOURCE_DECLARED_BUILDINGS, buildings_count: buildings.length, classes: counts, exposure: exposure(counts, today) },
    referential: await declaredStockOf(ctx.db, scope),
  };
}

export async function prioritiesPage(db: TypedDb, scope: StockScope): Promise<PrioritiesPage> {
  const buildings = await buildingViews(db, { organisationId: scope.organisationId, communes: scope.communes });
  const priorities = renovationPriorities(
    buildings.map((b) => ({
      id: b.id,
      label: `${b.bailleur} — ${b.reference}${b.address ? `, ${b.address}` : ''} (${b.commune_name})`,
      commune_code: b.commune_code,
      dpe: b.retained_dpe,
      dwellings_count: b.dwellings_count,
      primary_energy_kwh_m2: b.primary_energy_kwh_m2,
    })),
    isoDay(new Date()),
  );
  return { name: scope.name, priorities };
}

// ---------------------------------------------------------------- incidents

const incidentAnswer = (i: store.IncidentRow): Incident => ({
  id: i.id,
  building_id: i.building_id,
  building_reference: i.building_reference,
  commune_code: i.commune_code,
  address: i.address,
  reference: i.reference,
  category: i.category,
  severity: i.severity,
  status: i.status,
  affected_dwellings: i.affected_dwellings,
  started_at: i.started_at.toISOString(),
  resolved_at: i.resolved_at ? i.resolved_at.toISOString() : null,
});

/** A landlord's building, or 404 / 403 when it is another's. */
export async function ownBuilding(db: TypedDb, organisationId: string, buildingId: string) {
  const b = await store.buildingOwner(db, buildingId);
  if (!b) throw notFound('Bâtiment');
  if (b.organisation_id !== organisationId) throw forbidden('Ce bâtiment appartient à un autre bailleur.');
  return b;
}

export async function findIncident(db: TypedDb, id: string): Promise<store.IncidentRow> {
  const i = await store.findIncident(db, id);
  if (!i) throw notFound('Incident');
  return i;
}

export async function listIncidents(db: TypedDb, f: store.IncidentFilter): Promise<Incident[]> {
  return (await store.listIncidents(db, f)).map(incidentAnswer);
}

/** The alerts sent for an incident, without their addresses. */
export const notificationsOf = (db: TypedDb, incidentId: string) => store.notificationsOf(db, incidentId);

/** Files an incident (with its first history step) and alerts who must be. */
export async function fileIncident(ctx: AppContext, req: FastifyRequest | null, organisationId: string, actorKind: string, n: NewIncident) {
  if (n.started_at.getTime() > Date.now() + 5 * 60_000) throw new AppError('stock.invalid_dates', 'La date de début de l’incident est dans le futur.', 400);
  const when = resolutionTime(n.status, n.started_at, n.resolved_at, new Date());
  if ('problem' in when) throw new AppError('stock.invalid_dates', when.problem, 400);
  if (n.reference) {
    const dup = await store.incidentWithReference(ctx.db, organisationId, n.reference);
    if (dup) throw new AppError('stock.incident_exists', `L’incident « ${n.reference} » existe déjà : mettez-le à jour (PATCH /api/stock/incidents/${dup}).`, 409);
  }
  const db: TypedDb = ctx.db;
  const id = await db.transaction().execute(async (tx) => {
    const created = await store.insertIncident(tx, {
      organisation_id: organisationId,
      building_id: n.building_id,
      reference: n.reference ?? null,
      category: n.category,
      severity: n.severity,
      status: n.status,
      affected_dwellings: n.affected_dwellings ?? null,
      started_at: n.started_at,
      resolved_at: when.at,
    });
    await store.recordIncidentEvent(tx, created, n.status, actorKind);
    return created;
  });
  const incident = await findIncident(ctx.db, id);
  const notifications = await notifyIncident(ctx, req, incident, incident.status === 'resolu' ? 'resolved' : 'opened');
  return { incident: incidentAnswer(incident), notifications };
}

/** Moves an incident on (in progress, resolved); a resolution is announced. */
export async function changeIncident(ctx: AppContext, req: FastifyRequest | null, current: store.IncidentRow, actorKind: string, u: IncidentChange) {
  const problem = transitionProblem(current.status, u.status);
  if (problem) throw new AppError('stock.invalid_transition', problem, 409);
  const when = resolutionTime(u.status, current.started_at, u.resolved_at, new Date());
  if ('problem' in when) throw new AppError('stock.invalid_dates', when.problem, 400);
  const db: TypedDb = ctx.db;
  await db.transaction().execute(async (tx) => {
    await store.updateIncident(tx, current.id, { status: u.status, resolved_at: when.at, severity: u.severity ?? current.severity });
    await store.recordIncidentEvent(tx, current.id, u.status, actorKind);
  });
  const incident = await findIncident(ctx.db, current.id);
  const notifications = incident.status === 'resolu' ? await notifyIncident(ctx, req, incident, 'resolved') : null;
  return { incident: incidentAnswer(incident), notifications };
}

/**
 * Alerts the building's tenants who opted in, and the EPCI's agents for serious incidents. The read of contacts is
 * audited; the address is never copied into the notification log. A channel failure is recorded, never thrown.
 */
async function notifyIncident(ctx: AppContext, req: FastifyRequest | null, incident: store.IncidentRow, event: NotificationEvent): Promise<NotificationSummary> {
  const now = new Date();
  const contacts = await store.liveContacts(ctx.db, incident.building_id, now);
  const eligible = contacts.filter((c) => mayNotify(c, now));
  await audit(ctx.db, req, {
    action: 'read',
    entity: 'stock_contact',
    entityId: incident.building_id,
    detail: { motif: `alerte incident ${incident.id} (${event})`, contacts: contacts.length, avec_consentement: eligible.length },
  });
  // The agents concerned: those of the EPCI the building's commune belongs to (an arrondissement through its city).
  const epci = alertsAgents(incident.severity) ? await instanceEpciOf(ctx.db, incident.commune_code) : undefined;
  const agents = epci ? await epciAgents(ctx.db, epci) : [];
  const { mailer, sms } = channelsFor(ctx);
  const msg = incidentMessage(incident);
  const summary: NotificationSummary = { tenants: 0, agents: 0, failures: 0, no_provider: 0 };
  const log: Parameters<typeof store.recordNotifications>[1] = [];
  const attempt = async (kind: RecipientKind, channel: ContactChannel, to: string, ids: { contact_id?: string; user_id?: string }) => {
    let status: NotificationStatus = 'sent';
    let error: string | null = null;
    try {
      if (channel === 'email' && mailer) await mailer.send({ to, subject: msg.subject, text: msg.text });
      else if (channel === 'sms' && sms) await sms.send(to, `${msg.text} Pour ne plus recevoir ces alertes, contactez votre bailleur.`);
      else status = 'no_provider';
    } catch (err) {
      status = 'failed';
      error = String(err instanceof Error ? err.message : err).slice(0, 300);
    }
    if (status === 'sent') summary[kind === 'tenant' ? 'tenants' : 'agents']++;
    else if (status === 'failed') summary.failures++;
    else summary.no_provider++;
    log.push({ incident_id: incident.id, event, recipient_kind: kind, channel, status, error, contact_id: ids.contact_id ?? null, user_id: ids.user_id ?? null });
  };
  for (const c of eligible) await attempt('tenant', c.channel, c.address, { contact_id: c.id });
  for (const a of agents) await attempt('agent', 'email', a.email, { user_id: a.id });
  await store.recordNotifications(ctx.db, log);
  return summary;
}

/** How long incidents last, per building or per landlord. */
export async function durationsPage(db: TypedDb, by: DurationGroup, f: { organisationId?: string; communes?: string[] }): Promise<DurationsPage> {
  const spans = await store.incidentSpans(db, f);
  const orgs = await organisationsById(db, spans.map((s) => s.organisation_id));
  const byBuilding = by === 'building';
  const keyOf = (s: (typeof spans)[number]) => (byBuilding ? s.building_id : s.organisation_id);
  const labels = new Map(
    spans.map((s) => {
      const name = orgs.get(s.organisation_id)?.name ?? '';
      return [keyOf(s), byBuilding ? `${name} — ${s.reference}${s.address ? `, ${s.address}` : ''}` : name];
    }),
  );
  const rows = durationSummaries(
    spans.map((s) => ({ key: keyOf(s), started_at: s.started_at, resolved_at: s.resolved_at })),
    new Date(),
  ).map((d) => ({ ...d, label: labels.get(d.key) ?? d.key }));
  return { by, rows };
}

// ---------------------------------------------------------------- tenants' contacts

/** Registers a tenant's contact with its consent, for the one purpose of incident alerts. */
export async function addContact(db: TypedDb, organisationId: string, c: NewContact) {
  const addr = normaliseContactAddress(c.channel, c.address);
  if (!addr.ok) throw new AppError('stock.invalid_contact', addr.message, 400);
  const at = c.consent_at ?? new Date();
  if (at.getTime() > Date.now() + 60_000) throw new AppError('stock.invalid_contact', 'La date de consentement est dans le futur.', 400);
  const id = await store.upsertContact(db, { building_id: c.building_id, organisation_id: organisationId, channel: c.channel, address: addr.value, consent: c.consent, consent_at: at });
  return { id, purpose: CONTACT_PURPOSE_TEXT, retention_until: retentionEnd(at).toISOString() };
}

/** A building's contacts, masked, for its landlord. The read is audited. */
export async function buildingContacts(db: TypedDb, req: FastifyRequest, buildingId: string) {
  const rows = await store.liveContacts(db, buildingId, new Date());
  await audit(db, req, { action: 'read', entity: 'stock_contact', entityId: buildingId, detail: { contacts: rows.length, motif: 'consultation par le bailleur' } });
  return rows.map((r) => ({
    id: r.id,
    channel: r.channel,
    masked_address: maskAddress(r.channel, r.address),
    purpose: r.purpose,
    consent: r.consent,
    consent_at: r.consent_at.toISOString(),
    withdrawn_at: r.withdrawn_at ? r.withdrawn_at.toISOString() : null,
    retention_until: r.retention_until.toISOString(),
  }));
}

/** Withdrawal of consent erases the contact: nothing is kept that could still be used. */
export async function eraseContact(db: TypedDb, organisationId: string, id: string): Promise<void> {
  const owner = await store.contactOwner(db, id);
  if (!owner) throw notFound('Contact');
  if (owner !== organisationId) throw forbidden('Ce contact appartient à un autre bailleur.');
  if (!(await store.deleteContact(db, id))) throw notFound('Contact');
}

/** Erases contacts past their retention date: run by the scheduled purge (stockModule.purge, `habitat purge`). */
export const purgeExpiredContacts = (db: TypedDb, now: Date) => store.deleteExpiredContacts(db, now);
