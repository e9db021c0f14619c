// The market's use cases: import DVF files into the lake (one swap), and build every published answer — an area's
// indicators, a commune's latest sales, what the lake holds, the price portal's map and commune page. Figures come
// from store.ts `figures` (the one computation) and their secrecy from `protectedArea` here (model.ts rules).
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AnswerCache } from '../../platform/answer-cache.ts';
import { storeAnswer } from '../../platform/http/stored-answer.ts';
import type { AppContext } from '../../platform/context.ts';
import type { TypedDb } from '../../platform/db.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { sha256File } from '../../platform/files.ts';
import { beginSwap, parquetFilesIn, stagingRoot } from '../../platform/lake-swap.ts';
import { connectionReader, openDuckDB, type LakeReader } from '../../platform/lake.ts';
import { indicatorSource, lakeSource, type FigureSource } from './figure-source.ts';
import { buildIndicators, manifestHash, membershipHash, readIndicatorsMeta, type Membership } from './indicators-store.ts';
import { protect, type Status } from '../../platform/secrecy.ts';
import { arrondissementParents, epciCommunes, findEpci, instanceCommunes, instanceEpcis, placesByCode, territoryBook } from '../territory/index.ts';
import type {
  CommunePageAnswer,
  CommuneTable,
  DataTable,
  IndicatorQuery,
  IndicatorsAnswer,
  LakeAnswer,
  LatestSale,
  MapAnswer,
  MapRow,
  PortalQuery,
  TableMeta,
} from './contract.ts';
import { PORTAL_TYPES, type PortalType } from './contract.ts';
import { stageDvfFiles, traced, type StageOptions, type StageSummary } from './ingest/stage.ts';
import { MOTIF, REPEATED, STAGED_COLUMNS } from './ingest/sql.ts';
import {
  METHOD_DESCRIPTION,
  SOURCE_DVF,
  cellKey,
  countsOf,
  departementOf,
  nextManifest,
  protectYears,
  publicIndicator,
  windowStatus,
  windowStatuses,
  yearRange,
  yearsOf,
  type ArrondissementParents,
  type IndicatorRow,
  type Manifest,
  type Method,
  type PropertyType,
  type Scope,
} from './model.ts';
import {
  COLUMNS,
  PORTAL_METHOD,
  TYPE_LABEL,
  describeWindow,
  figureCells,
  indicatorCells,
  priceClasses,
  publicSaleList,
  saleCells,
  saleRow,
  saleTypes,
  secrecyNote,
  yearWindow,
} from './portal-model.ts';
import {
  MAX_SALES_READ,
  dvfDataset,
  dvfVersion,
  carriedOrigins,
  describeLot,
  keepUnreplacedLines,
  lakeContents,
  lotPath,
  readDvfManifest,
  replacedPartitions,
  shrinkingCommuneYears,
  yearsInLake,
  type Shrink,
} from './store.ts';

// ---------- import ----------

export interface ImportSummary extends StageSummary {
  /** The (département, year) pairs the import brought, `departement/year`: the lines of their communes were replaced. */
  partitions: string[];
  durationMs: number;
}

export interface ImportOptions extends Omit<StageOptions, 'parents' | 'known' | 'dir'> {
  /** Where each DuckDB statement's duration goes (diagnostic, HABITAT_TRACE_DVF); none by default. */
  trace?(line: string): void;
  /** Test hook: runs after the import's folder is staged and before the import commits (READY.json). */
  beforeSwap?(): void | Promise<void>;
  /** Test hook: runs between the commit point and the renames. */
  afterCommit?(): void | Promise<void>;
  /**
   * DuckDB memory limit. Default 1.5 GB, measured at 20 M lines in docs/benchmarks.md (peak RSS under 2 GiB); 1 GB made
   * the partitioned writer fail with the 500 partitions of the layout before decision 0006.
   */
  memoryLimit?: string;
  /**
   * Replace a (commune, year) even when the import brings less than half the lines the lake holds for it. Without
   * it such an import stops before the swap: a partial file would silently replace complete data.
   */
  replace?: boolean;
}

/** Imports DVF files into the lake, arrondissements rolled up to their commune as the territory's COG says. */
export async function importDvf(ctx: { db: TypedDb; lake: { dir: string } }, paths: string[], opts: ImportOptions = {}): Promise<ImportSummary> {
  const summary = await importDvfFiles(ctx.lake.dir, paths, { ...opts, parents: await arrondissementParents(ctx.db) });
  // A server in this process computes the published indicators of the new lake, in the background (decision 0005).
  if (summary.files.some((f) => f.status === 'imported')) for (const listener of importListeners) listener(ctx.lake.dir);
  return summary;
}

/**
 * The import itself. Replacement rule: an import replaces, for every (commune, year) it brings, the lines the lake
 * held; lines of other communes and years stay. DVF is published per commune and year, so importing a newer edition
 * replaces the older one instead of adding to it, and importing the same file twice changes nothing. Never
 * half-writes: the journaled swap of the platform (lake-swap.ts).
 */
export async function importDvfFiles(lakeDir: string, paths: string[], opts: ImportOptions & { parents: ArrondissementParents }): Promise<ImportSummary> {
  const started = Date.now();
  const swap = beginSwap<Manifest>(dvfDataset(lakeDir), 'DVF');
  const instance = await openDuckDB({ memory_limit: opts.memoryLimit ?? '1.5GB', temp_directory: join(swap.dir, 'spill'), preserve_insertion_order: 'false' }).catch((e) => {
    swap.close();
    throw e;
  });
  const conn = await instance.connect();
  try {
    const db = traced(conn, opts.trace);
    // Progress is tracked for the progress bar (db.progress), never printed by DuckDB itself.
    await db.run('SET enable_progress_bar = true; SET enable_progress_bar_print = false');
    const manifest = readDvfManifest(lakeDir);
    const importedAt = new Date().toISOString();
    const lot = `${importedAt.replace(/[-:]|\.\d+/g, '')}-${randomUUID().slice(0, 8)}`;
    const dir = join(swap.tree, lotPath(lot));
    const staged = await stageDvfFiles(db, paths, swap.dir, { ...opts, dir, known: new Set(manifest.files.map((f) => f.sha256)) });
    const fresh = staged.departementYears.length ? parquetFilesIn(dir) : [];
    // The live folders holding a commune-year the import brings: taken out, their other lines carried over.
    const replaced = fresh.length ? replacedPartitions(lakeDir, staged.files.flatMap((f) => f.communeYears)) : [];
    const live = replaced.flatMap((p) => p.files.map((f) => f.path));
    if (!opts.replace) {
      const shrinking = await shrinkingCommuneYears(db, live, fresh);
      if (shrinking.length) throw new AppError('market.import_would_shrink', shrinkMessage(shrinking), 409, { communes: shrinking });
    }
    if (fresh.length) {
      const carried = await keepUnreplacedLines(db, live, fresh, dir, [...STAGED_COLUMNS.map((c) => (c === MOTIF ? `CAST(NULL AS VARCHAR) AS ${c}` : c)), `false AS ${REPEATED}`]);
      // A département the import brings nothing of is carried over unchanged: it keeps its origin (its indicators).
      describeLot(dir, [...staged.content, ...carried], carriedOrigins(replaced, new Set(staged.content.map((c) => c.departement))));
    }
    const added = staged.files.map((f) => ({ sha256: f.sha256, file: f.name, size: f.size, importedAt, lines: f.lines, communeYears: f.communeYears }));
    await opts.beforeSwap?.();
    // The commit point: from here on, a crash is completed by the next import instead of undone.
    await swap.commit(
      { partitions: fresh.length ? [lotPath(lot)] : [], removed: replaced.map((p) => p.path), manifest: nextManifest(manifest, added) },
      { afterCommit: opts.afterCommit },
    );
    return { ...staged.summary, partitions: staged.departementYears, durationMs: Date.now() - started };
  } finally {
    conn.closeSync();
    instance.closeSync();
    swap.close();
  }
}

function shrinkMessage(shrinking: Shrink[]): string {
  const n = (x: number) => x.toLocaleString('fr-FR');
  const listed = shrinking.slice(0, 5).map((s) => `${s.nom_commune} (${s.code_commune}) en ${s.annee} : ${n(s.lines_before)} lignes avant, ${n(s.lines_after)} après`);
  const more = shrinking.length > 5 ? ` ; et ${n(shrinking.length - 5)} autres` : '';
  return (
    `Import arrêté, rien n’a été modifié : ce fichier réduirait de plus de moitié les lignes déjà présentes pour ${listed.join(' ; ')}${more}. ` +
    'Un fichier incomplet remplacerait des données complètes. Si c’est bien voulu (une édition corrigée), relancez avec --remplacer.'
  );
}

/** The demo's real DVF samples (data/demo/dvf: Rhône 2018 for the Métropole de Lyon, Abzac, Hendaye), once. */
export async function loadDemo(ctx: AppContext): Promise<void> {
  const dir = join(import.meta.dirname, '..', '..', '..', 'data', 'demo', 'dvf');
  const files = readdirSync(dir).filter((f) => f.endsWith('.csv')).map((f) => join(dir, f));
  const known = new Set(readDvfManifest(ctx.lake.dir).files.map((f) => f.sha256));
  const missing: string[] = [];
  for (const f of files) if (!known.has(await sha256File(f))) missing.push(f);
  if (!missing.length) return;
  const s = await importDvf(ctx, missing);
  ctx.log.info({ read: s.linesRead, kept: s.linesKept, duplicates: s.duplicates, rejected: s.linesRejected }, 'démo DVF importée');
}

// ---------- the indicators, computed after an import ----------

/** The EPCI of each of these communes and the instance's communes: the indicators' EPCI and territory levels. */
export type MembershipOf = (communes: string[]) => Promise<Membership>;

/** The territory the EPCI and territory levels of the indicators are computed with. */
export async function membershipOf(db: TypedDb, communes: string[]): Promise<Membership> {
  const [places, instance] = await Promise.all([placesByCode(db, communes), instanceCommunes(db)]);
  return { epciOf: Object.fromEntries(communes.map((c) => [c, places.get(c)?.epci_siren ?? ''])), territory: instance.map((c) => c.code) };
}

/** What a server does after an import in its own process (a CLI command it ran, the demo): see marketRoutes. */
const importListeners = new Set<(lakeDir: string) => void>();
export function onDvfImported(listener: (lakeDir: string) => void): () => void {
  importListeners.add(listener);
  return () => importListeners.delete(listener);
}

/** Whether the lake's indicators are those of its manifest and of the territory (EPCIs may change after an import). */
async function indicatorsValid(lakeDir: string, manifest: Manifest, membership: MembershipOf): Promise<boolean> {
  const meta = readIndicatorsMeta(lakeDir);
  return !!meta && meta.manifestHash === manifestHash(manifest) && meta.membershipHash === membershipHash(await membership(Object.keys(meta.membership.epciOf)));
}

/** The indicators being computed, per lake: one computation at a time in this process. */
const refreshing = new Map<string, Promise<boolean>>();

/**
 * Computes the lake's published indicators when they are not those of its manifest and territory, in the background:
 * after an import (the server's listener), at a server's start, or at the first answer that finds them stale
 * (answers read the raw lake meanwhile, the same figures more slowly). True when they are valid at the end.
 */
export function refreshIndicators(lakeDir: string, membership: MembershipOf): Promise<boolean> {
  let running = refreshing.get(lakeDir);
  if (!running) {
    running = rebuildIndicators(lakeDir, membership).finally(() => refreshing.delete(lakeDir));
    refreshing.set(lakeDir, running);
  }
  return running;
}

/**
 * Computed outside the lake's lock, so that an import is never refused while they are computed (a minute for a
 * national edition): into a work folder of their own, from the live lake, in a DuckDB instance of their own
 * (1 GB). The lock is taken only to swap them in, and only if no import changed the lake meanwhile; else again.
 */
async function rebuildIndicators(lakeDir: string, membership: MembershipOf): Promise<boolean> {
  const staging = stagingRoot(lakeDir);
  for (const old of existsSync(staging) ? readdirSync(staging).filter((d) => d.startsWith(INDICATORS_WORK)) : []) rmSync(join(staging, old), { recursive: true, force: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    const manifest = readDvfManifest(lakeDir);
    if (!manifest.files.length) return false;
    if (await indicatorsValid(lakeDir, manifest, membership)) return true;
    const work = join(staging, `${INDICATORS_WORK}${process.pid}-${Date.now()}`);
    const tree = join(work, 'new');
    mkdirSync(tree, { recursive: true });
    try {
      let folders: string[];
      const instance = await openDuckDB({ memory_limit: '1GB', temp_directory: join(work, 'spill'), preserve_insertion_order: 'false' });
      const conn = await instance.connect();
      try {
        folders = await buildIndicators(connectionReader(conn, lakeDir), { lakeDir, tree, membership, manifestHash: manifestHash(manifest) });
      } catch (e) {
        // An import swapped partitions under the computation: computed again from the new lake.
        if (manifestHash(readDvfManifest(lakeDir)) !== manifestHash(manifest)) continue;
        throw e;
      } finally {
        conn.closeSync();
        instance.closeSync();
      }
      let swap;
      try {
        swap = beginSwap<Manifest>(dvfDataset(lakeDir), 'DVF (indicateurs)');
      } catch (e) {
        // An import holds the lake: it will call for the indicators of its own lake when it ends.
        if (e instanceof AppError && e.code === 'platform.lake_busy') return false;
        throw e;
      }
      try {
        const current = readDvfManifest(lakeDir);
        if (manifestHash(current) !== manifestHash(manifest)) continue;
        for (const f of folders) {
          mkdirSync(dirname(join(swap.tree, f)), { recursive: true });
          renameSync(join(tree, f), join(swap.tree, f));
        }
        await swap.commit({ partitions: folders, manifest: current });
        return true;
      } finally {
        swap.close();
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  return false;
}

/** Work folders of the indicators under the lake's staging root (not `dvf-…`: an import's recovery leaves them). */
const INDICATORS_WORK = 'indicateurs-';

// ---------- published answers ----------

type ProtectedArea = { yearly: IndicatorRow[]; monthly: IndicatorRow[]; counts: Map<string, number>; status: Map<string, Status> };

/** The answers of the market's public routes, read from the lake through `lake` (a pool) and cached until an import. */
export function marketService({ db, lake, secrecyMinCount: min, source: from = 'indicators' }: { db: TypedDb; lake: LakeReader; secrecyMinCount: number; source?: 'indicators' | 'lake' }) {
  const version = () => dvfVersion(lake.dir);
  const cache = new AnswerCache(version);
  const raw = lakeSource(lake);
  const precomputed = indicatorSource(lake, version);
  const territory: MembershipOf = (communes) => membershipOf(db, communes);
  // The territory's places, read once per version of the lake, as the answers built from them are kept.
  const placesCache = new AnswerCache(version, 2);
  const places = () => placesCache.get('book', () => territoryBook(db));
  const instancePlaces = () => placesCache.get('instance', () => Promise.all([instanceEpcis(db), instanceCommunes(db)]));
  /** The version of the lake whose indicators were found valid (checked again at each new version). */
  let validFor = '';
  /**
   * Where the figures come from: the indicators when they are those of this lake, else the raw lake while they are
   * computed in the background (the same figures: a property test checks it). Never waits for them.
   */
  async function figureSource(): Promise<FigureSource> {
    if (from === 'lake') return raw;
    const v = version();
    if (validFor === v) return precomputed;
    if (await indicatorsValid(lake.dir, readDvfManifest(lake.dir), territory)) {
      validFor = v;
      return precomputed;
    }
    void refreshIndicators(lake.dir, territory).catch(() => undefined);
    return raw;
  }

  /**
   * An area's yearly and monthly figures of every type and the secrecy status of each: every type and month of a
   * year are protected together (model.ts protectYears), so a figure has the same secrecy wherever it is published.
   */
  async function protectedArea(area: Scope, method: Method, years: { from?: number; to?: number } = {}): Promise<ProtectedArea> {
    const rows = await (await figureSource()).area(area, method, years);
    const yearly = rows.filter((r) => r.period.length === 4);
    const monthly = rows.filter((r) => r.period.length > 4);
    const counts = countsOf(rows);
    return { yearly, monthly, counts, status: protectYears(counts, yearsOf(yearly), min) };
  }

  async function indicators(scope: Scope, name: string | null, q: IndicatorQuery): Promise<IndicatorsAnswer> {
    const area = await protectedArea(scope, q.method, { from: q.from, to: q.to });
    const order = new Map(q.types.split(',').map((t, i) => [t as PropertyType, i]));
    const published = (q.period === 'month' ? area.monthly : area.yearly)
      .filter((r) => order.has(r.type))
      .sort((a, b) => a.period.localeCompare(b.period) || order.get(a.type)! - order.get(b.type)!)
      .map((r) => publicIndicator(r, area.status.get(cellKey(r.type, r.period)) ?? 'primary', min));
    return {
      level: scope.level,
      code: scope.code,
      name,
      period: q.period,
      method: q.method,
      method_description: METHOD_DESCRIPTION[q.method],
      secrecy_min_count: min,
      source: SOURCE_DVF,
      indicators: published,
    };
  }

  /**
   * The latest sales of a commune that are behind no withheld figure (`withheld` says which are): a list that gave
   * the four flats of a year whose flat count is withheld would give the count and the median back. Reads further
   * back until `limit` sales are kept or the commune has no more.
   */
  async function listableSales(commune: string, limit: number, cellsOf: (s: LatestSale) => string[], withheld: (cell: string) => boolean): Promise<LatestSale[]> {
    for (let read = limit * 4; ; read *= 4) {
      const rows = await (await figureSource()).latestSales(commune, Math.min(read, MAX_SALES_READ));
      const kept = publicSaleList(rows, cellsOf, withheld, min).rows;
      if (kept.length >= limit || rows.length < Math.min(read, MAX_SALES_READ) || read >= MAX_SALES_READ) return kept.slice(0, limit);
    }
  }

  /** Which of a commune's year and month figures (`type|period`, saleCells) are withheld, by either method. */
  async function withheldCells(code: string): Promise<(cell: string) => boolean> {
    const areas = await Promise.all((['habitat', 'etalab'] as const).map((m) => protectedArea({ level: 'commune', code }, m)));
    return (k: string) => areas.some((a) => (a.status.get(k) ?? 'published') !== 'published');
  }

  const meta = (dates: { data_until: string | null; imported_at: string | null }, title: string, period: string, method: Method): TableMeta => ({
    title,
    period,
    method: PORTAL_METHOD[method],
    source: SOURCE_DVF,
    ...dates,
    secrecy_min_count: min,
    secret_statistique: secrecyNote(min),
  });

  /**
   * The secrecy of a commune's year (its types and months, model.ts protectYears: each year is decided alone), once
   * per edition, method and year: every variant of the map (types, windows) shares it.
   */
  let statuses = { version: '', years: new Map<string, Map<string, Status>>(), windows: new Map<string, Record<PropertyType, Status>>() };
  const currentStatuses = () => (statuses.version === version() ? statuses : (statuses = { version: version(), years: new Map(), windows: new Map() }));
  function communeYearStatus(method: Method, code: string, year: number, counts: ReadonlyMap<string, number>): Map<string, Status> {
    const { years } = currentStatuses();
    const key = `${method}|${code}|${year}`;
    let status = years.get(key);
    if (!status) years.set(key, (status = protectYears(counts, [year], min)));
    return status;
  }
  /** A commune's status of every type over a window (model.ts windowStatus), once per edition, method and window. */
  function communeWindowStatus(method: Method, code: string, win: { from: number; to: number }, counts: ReadonlyMap<string, number>): Record<PropertyType, Status> {
    const { windows } = currentStatuses();
    const key = `${method}|${code}|${win.from}/${win.to}`;
    let status = windows.get(key);
    if (!status) {
      const yearly = new Map(yearRange(win).flatMap((y) => [...communeYearStatus(method, code, y, counts)]));
      windows.set(key, (status = windowStatuses({ counts, status: yearly }, win, min)));
    }
    return status;
  }

  /** The map's communes (the instance's EPCIs by name, each with its communes by name), their départements and years. */
  async function mapPlaces() {
    const [epcis, communes] = await instancePlaces();
    const places = epcis.flatMap((e) => communes.filter((c) => c.epci_siren === e.siren).map((c) => ({ code: c.code, name: c.name, epci_siren: e.siren, epci_name: e.name })));
    const codes = places.map((c) => c.code);
    const deps = [...new Set(codes.map(departementOf))];
    return { epcis, places, codes, deps, years: yearsInLake(lake.dir, deps) };
  }

  /**
   * Ahead of the first visitor, once the indicators are those of the lake: reads what every first answer needs (the
   * indicators, the latest sales, the territory), decides the secrecy of every commune of the map over each of its
   * windows (the exact solver: 20 to 45 ms per method and window for the demo’s 95 communes, the map’s first answer
   * otherwise), and keeps the map's landing answers (no year given) as the bytes sent. The figures and their secrecy
   * are those a visitor's request would compute; only the moment changes. Returns false, having done nothing, while
   * the indicators are not ready (the answers then read the raw lake). `stopped` ends it between two steps.
   */
  async function prepare(stopped: () => boolean = () => false): Promise<boolean> {
    const source = await figureSource();
    if (source !== precomputed) return false;
    const { codes, years } = await mapPlaces();
    await places();
    // The latest sales are read whole at the first call (figure-source.ts); the dates come with the maps below.
    if (codes.length) await source.latestSales(codes[0], 1);
    for (const method of ['habitat', 'etalab'] as const) {
      for (const year of years) {
        for (const window of ['year', 'five_years'] as const) {
          if (stopped()) return false;
          const win = yearWindow(year, window);
          const { counts } = await source.communes(codes, 'maison', method, win);
          for (const code of codes) communeWindowStatus(method, code, win, counts.get(code) ?? new Map<string, number>());
        }
      }
      for (const window of ['year', 'five_years'] as const) for (const type of PORTAL_TYPES) await storedMap({ type, window, method });
    }
    return true;
  }

  async function mapPage(q: PortalQuery): Promise<MapAnswer> {
    const { epcis, places, codes, deps, years } = await mapPlaces();
    const year = q.year ?? years[0] ?? null;
    const period = year === null ? 'aucune donnée' : describeWindow(year, q.window, years);
    const win = year === null ? undefined : yearWindow(year, q.window);
    const source = await figureSource();
    // Each commune's figure gets the secrecy its own page gives it: its years' tables of months and types (counts).
    const [{ figures: groups, counts }, dates] = await Promise.all([
      win ? source.communes(codes, q.type, q.method, win) : { figures: [], counts: new Map<string, Map<string, number>>() },
      source.dates(deps),
    ]);
    const byCode = new Map(groups.map((f) => [f.code, f]));
    const statusOf = (code: string): Status => communeWindowStatus(q.method, code, win!, counts.get(code) ?? new Map<string, number>())[q.type];
    const rows: MapRow[] = places.map((c) => {
      const f = byCode.get(c.code);
      const at = { code: c.code, period, type: q.type };
      return { ...c, ...(f ? figureCells(f, at, statusOf(c.code), min) : { ...figureCells(undefined, at, 'primary', min), reason: 'Aucune vente retenue dans les données.' }) };
    });
    const published = rows.filter((r) => !r.withheld).map((r) => r.price_m2_median as number);
    return {
      years,
      year,
      type: q.type,
      window: q.window,
      period,
      epcis: epcis.map((e) => ({ siren: e.siren, name: e.name })),
      classes: priceClasses(published).map((c) => ({ ...c, max: Number.isFinite(c.max) ? c.max : null })),
      table: { name: 'map', meta: meta(dates, `Prix au m² médian par commune — ${TYPE_LABEL[q.type]}, ${period}`, period, q.method), columns: COLUMNS.map, rows },
    };
  }

  async function communePage(code: string, q: PortalQuery): Promise<CommunePageAnswer> {
    const book = await places();
    const place = book.commune(code);
    if (!place) throw notFound(`Commune ${code}`);
    const dep = departementOf(code);
    const epci = place.epci_siren ? book.epci(place.epci_siren) : undefined;
    const epciMembers = place.epci_siren ? book.epciCommunes(place.epci_siren) : [];
    const departementName = place.departement_code ? (book.departementName(place.departement_code) ?? null) : null;
    const years = yearsInLake(lake.dir, [dep]);
    const year = q.year ?? years[0] ?? null;
    const { type, method } = q;
    const period = year === null ? 'aucune donnée' : describeWindow(year, q.window, years);
    const win = year === null ? undefined : yearWindow(year, q.window);
    const allYears = years.length ? `${years.at(-1)} à ${years[0]}` : 'aucune donnée';
    const comparisons: { level: string; code: string; name: string; scope: Scope }[] = [
      { level: 'Commune', code, name: place.name, scope: { level: 'commune', code } },
      ...(epci ? [{ level: 'Intercommunalité', code: epci.siren, name: epci.name, scope: { level: 'epci' as const, code: epci.siren, communes: epciMembers.map((c) => c.code) } }] : []),
      { level: 'Département', code: dep, name: departementName ?? dep, scope: { level: 'departement', code: dep } },
    ];
    const other: Method = method === 'habitat' ? 'etalab' : 'habitat';
    // The lake reads are independent: they run together, over the pool's connections.
    const source = await figureSource();
    const [dates, own, ownOther, prices, compared, comparedAreas, sectionsByType] = await Promise.all([
      source.dates([dep]),
      // Every year, month and type of the commune, protected together: the series, the volumes and the comparison's
      // commune line all take their secrecy from it, as the indicator routes do.
      protectedArea({ level: 'commune', code }, method),
      protectedArea({ level: 'commune', code }, other),
      win ? source.distribution(code, type, method, win, min) : { sales: 0, bins: [] },
      Promise.all(comparisons.map((c) => (win ? source.span(c.scope, type, method, win) : undefined))),
      Promise.all(comparisons.slice(1).map((c) => (win ? protectedArea(c.scope, method, win) : undefined))),
      Promise.all(PORTAL_TYPES.map((t) => (win ? source.sections(code, t, method, win) : []))),
    ]);
    const tableMeta = (title: string, p: string) => meta(dates, `${title} — ${place.name} (${code})`, p, method);
    const areas = [own, ...comparedAreas];
    const statusIn = (i: number, t: PropertyType): Status => (!win || !areas[i] ? 'primary' : windowStatus(areas[i]!, t, win, min));
    const communeStatus = statusIn(0, type);

    // Sections: a table whose total is the commune's line of the comparison. Its secrecy is decided with that
    // total's status fixed, for each type, so that the list of sales below can leave out the withheld sections.
    const sectionStatus = new Map(
      PORTAL_TYPES.map((t, ti) => {
        const rows = sectionsByType[ti];
        const total = rows.reduce((n, f) => n + f.sales_count, 0);
        const st = protect([...rows.map((f) => f.sales_count), total], [{ total: rows.length, parts: rows.map((_, i) => i) }], {
          min,
          known: [...rows.map(() => undefined), statusIn(0, t)],
        });
        return [t, new Map(rows.map((f, i) => [f.code, st[i]]))];
      }),
    );

    // The latest sales, without those counted in a withheld figure: a year, a month (by either method) or, in the
    // chosen window, a section.
    const withheldCell = (k: string) => [own, ownOther].some((a) => (a.status.get(k) ?? 'published') !== 'published');
    const inWindow = (v: LatestSale) => !!win && Number(v.date_mutation.slice(0, 4)) >= win.from && Number(v.date_mutation.slice(0, 4)) <= win.to;
    const sales = await listableSales(
      code,
      30,
      (v) => [...saleCells(v), ...(inWindow(v) ? saleTypes(v).map((t) => `section|${t}|${v.section}`) : [])],
      (cell) => {
        const [kind, t, section] = cell.split('|');
        return kind === 'section' ? (sectionStatus.get(t as PortalType)!.get(section) ?? 'published') !== 'published' : withheldCell(cell);
      },
    );
    const points = await source.salePoints(code, sales.map((v) => v.id_mutation));

    const published = (r: IndicatorRow) => publicIndicator(r, own.status.get(cellKey(r.type, r.period)) ?? 'primary', min);
    const yearly = own.yearly.map(published);
    const series = (rows: typeof yearly) => rows.map((i) => ({ period: i.period, type: i.type, type_label: TYPE_LABEL[i.type], ...indicatorCells(i) }));

    const distribution: DataTable<{ price_m2_min: number; price_m2_max: number; sales_count: number }> = {
      name: 'distribution',
      meta: tableMeta(`Répartition des prix au m² — ${TYPE_LABEL[type]}`, period),
      columns: COLUMNS.distribution,
      // Withheld as a whole when the commune's figure is: the bins add up to it.
      rows: prices.sales >= min && communeStatus === 'published' ? prices.bins.map((b) => ({ price_m2_min: b.min, price_m2_max: b.max, sales_count: b.sales_count })) : [],
    };
    if (prices.sales < min) distribution.meta.title += ` — non publiée : ${prices.sales ? `moins de ${min} ventes` : 'aucune vente'}`;
    else if (communeStatus !== 'published') distribution.meta.title += ' — non publiée : secret statistique secondaire';

    return {
      commune: {
        code: place.code,
        name: place.name,
        departement_code: place.departement_code,
        departement_name: departementName,
        epci_siren: place.epci_siren,
        epci_name: epci?.name ?? null,
        postal_codes: place.postal_codes,
      },
      years,
      year,
      type,
      window: q.window,
      period,
      tables: {
        yearly_series: {
          name: 'yearly_series',
          meta: tableMeta('Prix au m² par année', allYears),
          columns: COLUMNS.series,
          rows: series(yearly.filter((i) => (PORTAL_TYPES as PropertyType[]).includes(i.type))),
        },
        monthly_series: {
          name: 'monthly_series',
          meta: tableMeta(`Prix au m² par mois — ${TYPE_LABEL[type]}`, allYears),
          columns: COLUMNS.series,
          rows: series(own.monthly.filter((r) => r.type === type).map(published)),
        },
        distribution,
        volumes: {
          name: 'volumes',
          meta: tableMeta('Nombre de ventes d’un seul bien par type et par année', allYears),
          columns: COLUMNS.volumes,
          rows: yearly
            .filter((i) => i.type !== 'maison_appartement')
            .map((i) => ({ period: i.period, type: i.type, type_label: TYPE_LABEL[i.type], withheld: i.withheld, sales_count: i.withheld ? null : i.sales_count })),
        },
        building_land: {
          name: 'building_land',
          meta: tableMeta('Prix des terrains à bâtir par année (€/m² de terrain)', allYears),
          columns: COLUMNS.series,
          rows: series(yearly.filter((i) => i.type === 'terrain_a_batir')),
        },
        comparison: {
          name: 'comparison',
          meta: tableMeta(`Comparaison avec l’intercommunalité et le département — ${TYPE_LABEL[type]}`, period),
          columns: COLUMNS.comparison,
          rows: comparisons.map((c, i) => ({ level: c.level, code: c.code, name: c.name, ...figureCells(compared[i], { code: c.code, period, type }, statusIn(i, type), min) })),
        },
        sections: {
          name: 'sections',
          meta: tableMeta(`Prix au m² par section cadastrale — ${TYPE_LABEL[type]}`, period),
          columns: COLUMNS.sections,
          rows: sectionsByType[PORTAL_TYPES.indexOf(type)].map((f) => ({ section: f.code, ...figureCells(f, { code: f.code, period, type }, sectionStatus.get(type)!.get(f.code)!, min) })),
        },
        sales: {
          name: 'sales',
          meta: tableMeta('Dernières ventes (une ligne par vente, sans adresse ; position arrondie à 100 m environ)', allYears),
          columns: COLUMNS.sales,
          rows: sales.map((v) => saleRow(v, points.get(v.id_mutation))),
        },
      },
    };
  }

  /** A portal query's cache key: the same for the same query whatever the order of its fields. */
  const queryKey = (q: PortalQuery) => [q.type, q.year ?? 'dernière', q.window, q.method].join('|');
  const cachedMap = (q: PortalQuery) => cache.get(`map|${queryKey(q)}`, () => mapPage(q));
  const cachedCommune = (code: string, q: PortalQuery) => cache.get(`commune|${code}|${queryKey(q)}`, () => communePage(code, q));
  /** A public answer kept as the bytes sent until the next edition, under `key` (the route or page and its query). */
  const stored = (key: string, compute: () => Promise<unknown>) => cache.get(`bytes|${key}`, async () => storeAnswer(await compute()));
  const storedMap = (q: PortalQuery) => stored(`map|${queryKey(q)}`, () => cachedMap(q));
  /** The end of a download's file name: year, window and type. */
  const slug = (q: PortalQuery, year: number | null) => `${year ?? 'sans-donnees'}${q.window === 'five_years' ? '-5ans' : ''}-${q.type}`;

  return {
    communeIndicators: async (code: string, q: IndicatorQuery) => indicators({ level: 'commune', code }, (await placesByCode(db, [code])).get(code)?.name ?? null, q),
    epciIndicators: async (siren: string, q: IndicatorQuery) => {
      const epci = await findEpci(db, siren);
      if (!epci) throw notFound(`EPCI ${siren}`);
      return indicators({ level: 'epci', code: siren, communes: (await epciCommunes(db, siren)).map((c) => c.code) }, epci.name, q);
    },
    departementIndicators: (code: string, q: IndicatorQuery) => indicators({ level: 'departement', code }, null, q),
    sectionIndicators: (code: string, q: IndicatorQuery) => indicators({ level: 'section', code }, null, q),
    territoryIndicators: async (q: IndicatorQuery) =>
      indicators({ level: 'territory', code: 'territory', communes: (await instanceCommunes(db)).map((c) => c.code) }, 'Territoire de l’instance', q),

    withheldCells,
    /** A commune's latest sales, without any counted in a withheld figure (its type, year or month, by either method). */
    async latestSales(code: string, limit: number): Promise<LatestSale[]> {
      return listableSales(code, limit, saleCells, await withheldCells(code));
    },

    async lake(): Promise<LakeAnswer> {
      return {
        partitions: await lakeContents(lake),
        files: readDvfManifest(lake.dir).files.map((f) => ({ file: f.file, imported_at: f.importedAt, lines: f.lines })),
      };
    },

    mapPage: cachedMap,
    communePage: cachedCommune,
    prepare,
    /** Answers as the bytes sent, serialized once per edition (routes reply with them). */
    stored,
    storedMap,
    storedCommune: (code: string, q: PortalQuery) => stored(`commune|${code}|${queryKey(q)}`, () => cachedCommune(code, q)),
    async mapDownload(q: PortalQuery) {
      const answer = await cachedMap(q);
      return { table: answer.table, fileName: `prix-communes-${slug(q, answer.year)}` };
    },
    async communeDownload(code: string, table: CommuneTable, q: PortalQuery) {
      const answer = await cachedCommune(code, q);
      return { table: answer.tables[table] as DataTable<object>, fileName: `prix-${code}-${table}-${slug(q, answer.year)}` };
    },
  };
}
