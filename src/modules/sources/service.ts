// Use cases of the sources module: run a connector (recorded, validators kept only once its import succeeded), refresh
// the sources that are due (alerting the admins on failure), and build the catalogue with what each module holds.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AppContext } from '../../platform/context.ts';
import { download, downloadAgent, type DownloadOptions, type DownloadProgress, type DownloadResult } from '../../platform/download.ts';
import { AppError } from '../../platform/errors.ts';
import { adminEmails } from '../access/index.ts';
import { sitadelCoverage } from '../construction/index.ts';
import { readDvfManifest } from '../market/index.ts';
import { demoSources, inseeEditions, inseeFigures, type CoverageAnswer } from '../observatory/index.ts';
import { channelsFor, dpeCoverage, readRplsManifest } from '../stock/index.ts';
import { arrondissementsOf, cogLoaded, instanceCommunes } from '../territory/index.ts';
import { cogConnector } from './connectors/cog.ts';
import { dpeConnector } from './connectors/dpe.ts';
import { dvfConnector } from './connectors/dvf.ts';
import { inseeConnector } from './connectors/insee.ts';
import { rplsConnector } from './connectors/rpls.ts';
import { sitadelConnector } from './connectors/sitadel.ts';
import type { Connector, ConnectorOutcome, ConnectorRun } from './connectors/types.ts';
import type { CatalogueEntry, SourcesAnswer } from './contract.ts';
import { CONNECTORS, findSource, isDue, SOURCES, type ConnectorId, type FetchOptions } from './model.ts';
import { endRun, knownDownload, lastRuns, markChecked, recordDownloads, startRun, type DownloadRecord } from './store.ts';

const CONNECTOR: Record<ConnectorId, Connector> = {
  dvf: dvfConnector,
  sitadel: sitadelConnector,
  rpls: rplsConnector,
  dpe: dpeConnector,
  insee: inseeConnector,
  cog: cogConnector,
};

export interface RunReporter {
  say?(line: string): void;
  progress?(p: DownloadProgress): void;
  retry?(r: { url: string; attempt: number; reason: string; delayMs: number }): void;
}

export interface FetchRunOptions extends FetchOptions {
  trigger?: 'command' | 'schedule';
  /** Download settings (tests shorten the back-off; a dispatcher may be given). */
  download?: Omit<DownloadOptions, 'onProgress' | 'onRetry'>;
  reporter?: RunReporter;
  now?: Date;
}

export interface RunOutcome extends ConnectorOutcome {
  runId: string;
  source: ConnectorId;
}

// One run per source at a time in this process (the schedule and a command typed in another terminal may meet).
const running = new WeakMap<AppContext, Set<string>>();

function connectorOf(id: string): ConnectorId {
  const def = findSource(id);
  if (!def) throw new AppError('sources.unknown_source', `Source inconnue : « ${id} ». Sources à télécharger : ${CONNECTORS.join(', ')}.`, 404);
  if (def.channel !== 'connector')
    throw new AppError('sources.transmitted_file', `« ${def.name} » n’est pas en données ouvertes : c’est un fichier transmis à l’EPCI (${def.licence}).`, 400);
  return def.id as ConnectorId;
}

/** Runs one connector and records the run; throws the French error of a failed run after recording it. */
export async function fetchSource(ctx: AppContext, id: string, opts: FetchRunOptions = {}): Promise<RunOutcome> {
  const source = connectorOf(id);
  const busy = running.get(ctx) ?? new Set<string>();
  running.set(ctx, busy);
  if (busy.has(source)) throw new AppError('sources.already_running', `Un téléchargement de la source « ${source} » est déjà en cours.`, 409);
  busy.add(source);
  const options: FetchOptions = { departements: opts.departements, years: opts.years };
  const runId = await startRun(ctx.db, source, opts.trigger ?? 'command', JSON.parse(JSON.stringify(options)));
  const dispatcher = opts.download?.dispatcher ?? downloadAgent(ctx.config.proxy);
  const pending: DownloadRecord[] = [];
  const checked: string[] = [];
  const dir = join(ctx.config.dataDir, 'sources', source);
  mkdirSync(dir, { recursive: true });
  try {
    const run: ConnectorRun = {
      ctx,
      dir,
      options,
      communes: (await instanceCommunes(ctx.db)).map((c) => ({ code: c.code, name: c.name, departement_code: c.departement_code })),
      now: opts.now ?? new Date(),
      say: (line) => opts.reporter?.say?.(line),
      async fetchFile(url, dest, o = {}) {
        const known = o.conditional === false ? undefined : await knownDownload(ctx.db, url);
        const r: DownloadResult = await download(
          { url, dest, known, expectedSha256: o.expectedSha256 },
          { ...opts.download, dispatcher, onProgress: opts.reporter?.progress, onRetry: opts.reporter?.retry },
        );
        if (r.status === 'unchanged') checked.push(url);
        else if (o.record !== false) pending.push({ url, source, path: r.path, validators: r.validators, sha256: r.sha256, bytes: r.bytes });
        return r;
      },
    };
    const outcome = await CONNECTOR[source](run);
    // Only now, the import having succeeded, may the next run skip these files.
    await recordDownloads(ctx.db, pending);
    await markChecked(ctx.db, checked);
    await endRun(ctx.db, runId, outcome);
    return { ...outcome, runId, source };
  } catch (err) {
    const message = err instanceof AppError ? err.message : `Erreur inattendue : ${(err as Error)?.message ?? String(err)}`;
    await endRun(ctx.db, runId, { result: 'failed', edition: null, lines: null, message }).catch(() => undefined);
    // An expected failure (offline, refused file) is told to the person and kept in the history; only surprises are warnings.
    if (err instanceof AppError) ctx.log.info({ source, code: err.code, message }, 'source : échec du téléchargement ou de l’import');
    else ctx.log.warn({ source, err }, 'source : échec inattendu du téléchargement ou de l’import');
    throw err instanceof AppError ? err : new AppError('sources.failed', message, 500);
  } finally {
    busy.delete(source);
    if (!opts.download?.dispatcher) await dispatcher.close();
  }
}

export interface RefreshReport {
  source: ConnectorId;
  result: 'imported' | 'unchanged' | 'failed' | 'not_due' | 'not_configured';
  message: string;
}

/**
 * Checks every connector source that is due (all of them with `all`), one after the other. A failure is recorded,
 * alerts the admins, and does not stop the others; the previous edition stays in place.
 */
export async function refreshSources(ctx: AppContext, opts: FetchRunOptions & { all?: boolean } = {}): Promise<RefreshReport[]> {
  const now = opts.now ?? new Date();
  const last = await lastRuns(ctx.db);
  const out: RefreshReport[] = [];
  for (const source of CONNECTORS) {
    if (source === 'rpls' && !ctx.config.sourceUrls.rpls) {
      out.push({ source, result: 'not_configured', message: 'HABITAT_SOURCE_RPLS_URL non défini.' });
      continue;
    }
    const started = last.get(source)?.last?.started_at;
    if (!opts.all && !isDue(findSource(source)!, started ? new Date(started) : null, now)) {
      out.push({ source, result: 'not_due', message: `Dernière vérification le ${started?.slice(0, 10)}.` });
      continue;
    }
    try {
      const r = await fetchSource(ctx, source, { ...opts, departements: undefined, years: undefined, trigger: opts.trigger ?? 'schedule', now });
      out.push({ source, result: r.result, message: r.message });
    } catch (err) {
      const message = (err as Error).message;
      out.push({ source, result: 'failed', message });
      await alertAdmins(ctx, source, message);
    }
  }
  return out;
}

/** Tells the admins by e-mail (HABITAT_SMTP_URL) that a refresh failed; the run history shows it in the app anyway. */
async function alertAdmins(ctx: AppContext, source: string, message: string): Promise<number> {
  const def = findSource(source);
  const mailer = channelsFor(ctx).mailer;
  const to = await adminEmails(ctx.db);
  if (!mailer || !to.length) {
    ctx.log.warn({ source, message, admins: to.length, smtp: !!mailer }, 'source : échec de mise à jour (aucun courriel envoyé)');
    return 0;
  }
  let sent = 0;
  for (const address of to) {
    try {
      await mailer.send({
        to: address,
        subject: `Habitat Commun : échec de la mise à jour « ${def?.name ?? source} »`,
        text: [
          'Bonjour,',
          '',
          `La mise à jour automatique de la source « ${def?.name ?? source} » a échoué :`,
          '',
          message,
          '',
          'L’édition précédente reste en place. L’historique des mises à jour est sur la page « Sources et couverture » (/sources).',
          `Pour relancer à la main : habitat fetch ${source}`,
        ].join('\n'),
      });
      sent++;
    } catch (err) {
      ctx.log.warn({ err, to: address }, 'source : courriel d’alerte non envoyé');
    }
  }
  return sent;
}

const maxDate = (dates: string[]) => (dates.length ? dates.reduce((a, b) => (a > b ? a : b)) : null);
const yearsText = (years: number[]) => (years.length ? (Math.min(...years) === Math.max(...years) ? String(years[0]) : `${Math.min(...years)}–${Math.max(...years)}`) : null);

/**
 * What each source holds and which of the instance's communes it covers (arrondissements counted in their commune; a
 * source loaded for whole EPCIs, RPLS by perimeter, covers their communes). Read once: the catalogue counts the
 * communes, « Sources et couverture » lists them.
 */
async function holdings(ctx: AppContext) {
  const communes = await instanceCommunes(ctx.db);
  const codes = communes.map((c) => c.code as string);
  const parentOf = new Map<string, string>([...codes.map((c) => [c, c] as [string, string]), ...(await arrondissementsOf(ctx.db, codes)).map((a) => [a.code, a.parent] as [string, string])]);
  const within = (list: Iterable<string>) => new Set([...list].map((c) => parentOf.get(c)).filter((c): c is string => !!c));
  const dvf = readDvfManifest(ctx.lake.dir).files;
  const sitadel = await sitadelCoverage(ctx.db);
  const dpe = await dpeCoverage(ctx.db);
  const [insee] = await inseeEditions(ctx.db);
  const inseeCommunes = insee ? (await inseeFigures(ctx.db, codes, insee.edition)).map((f) => f.commune_code) : [];
  const rpls = Object.values(readRplsManifest(ctx.lake.dir));
  const rplsEpcis = new Set(rpls.flatMap((m) => (m.perimetre === 'france' ? communes.map((c) => c.epci_siren ?? '') : m.perimetre.epci)));
  const cog = await cogLoaded(ctx.db);
  const covered = new Map<string, Set<string>>([
    ['dvf', within(dvf.flatMap((f) => f.communeYears.map((p) => p.split(':')[0])))],
    ['sitadel', within(sitadel.communes)],
    ['dpe', within(dpe.communes)],
    ['insee', within(inseeCommunes)],
    ['rpls', new Set(communes.filter((c) => c.epci_siren && rplsEpcis.has(c.epci_siren)).map((c) => c.code as string))],
    ['cog', cog ? new Set(codes) : new Set<string>()],
  ]);
  return { communes, codes, dvf, sitadel, dpe, insee, rpls, cog, covered };
}

/** The catalogue: every source, its edition loaded and what it covers of the instance's territory. */
export async function catalogue(ctx: AppContext, held?: Awaited<ReturnType<typeof holdings>>): Promise<SourcesAnswer> {
  const { codes, dvf, sitadel, dpe, insee, rpls, cog, covered } = held ?? (await holdings(ctx));
  const count = (id: string) => covered.get(id)!.size;
  const runs = await lastRuns(ctx.db);
  // One rule for the catalogue's flag and the portrait's (observatory/demo-sources.ts).
  const demo = await demoSources(ctx);
  const entries: CatalogueEntry[] = [];
  for (const def of SOURCES) {
    const r = runs.get(def.id);
    const e: CatalogueEntry = {
      id: def.id,
      name: def.name,
      publisher: def.publisher,
      licence: def.licence,
      url: def.url,
      frequency: def.frequency,
      channel: def.channel,
      usage: def.usage,
      command: def.command,
      edition: r?.lastOk?.edition ?? null,
      loaded_at: null,
      communes_covered: null,
      period: null,
      last_run: r?.last ? { result: r.last.result, started_at: r.last.started_at } : null,
      demo: false,
    };
    if (def.id === 'dvf') {
      const pairs = dvf.flatMap((f) => f.communeYears);
      e.loaded_at = maxDate(dvf.map((f) => f.importedAt));
      e.communes_covered = count('dvf');
      e.period = yearsText(pairs.map((p) => Number(p.split(':')[1])));
      e.edition ??= dvf.length ? `${dvf.length} fichier(s) importé(s)` : null;
      e.demo = demo.dvf;
    } else if (def.id === 'sitadel') {
      e.loaded_at = sitadel.imports[0]?.importedAt ?? null;
      e.communes_covered = count('sitadel');
      e.period = sitadel.years ? yearsText(sitadel.years) : null;
      e.edition ??= sitadel.imports[0]?.file ?? null;
      e.demo = demo.sitadel;
    } else if (def.id === 'rpls') {
      e.loaded_at = maxDate(rpls.map((x) => x.importedAt));
      e.period = yearsText(rpls.map((x) => x.millesime));
      e.edition ??= rpls.length ? `millésime ${Math.max(...rpls.map((x) => x.millesime))}` : null;
      // RPLS covers whole EPCIs by perimeter: the catalogue does not count its communes (the coverage page lists them).
      e.communes_covered = rpls.length ? null : 0;
      e.demo = demo.rpls;
    } else if (def.id === 'dpe') {
      e.loaded_at = dpe.imports[0]?.importedAt ?? null;
      e.communes_covered = count('dpe');
      e.period = dpe.dates ? `${dpe.dates[0]} → ${dpe.dates[1]}` : null;
      e.edition ??= dpe.imports[0]?.file ?? null;
      e.demo = demo.dpe;
    } else if (def.id === 'insee') {
      if (insee) {
        e.edition = `édition ${insee.edition}`;
        e.loaded_at = new Date(insee.imported_at).toISOString();
        e.communes_covered = count('insee');
        e.period = insee.published_at ? `publiée le ${insee.published_at}` : null;
        e.demo = demo.insee;
      }
    } else if (def.id === 'cog') {
      if (cog) {
        e.edition = `${cog.version} (@etalab/decoupage-administratif)`;
        e.loaded_at = cog.loadedAt;
        e.communes_covered = codes.length;
      }
    }
    entries.push(e);
  }
  return { communes_total: codes.length, sources: entries };
}

/** The page of the module that uses each source, for the « Sources et couverture » page's links. */
const MODULE_PATH: Record<string, string> = { dvf: '/prix', sitadel: '/construction-neuve', rpls: '/parc-social', dpe: '/parc-social', insee: '/', cog: '/' };

/** « Sources et couverture »: the catalogue's edition and period of each source, with the list of the communes it covers. */
export async function coverage(ctx: AppContext): Promise<CoverageAnswer> {
  const held = await holdings(ctx);
  const cat = await catalogue(ctx, held);
  const { communes, codes } = held;
  const names = new Map(communes.map((c) => [c.code as string, c.name as string]));
  return {
    communes_total: codes.length,
    sources: cat.sources.map((s) => {
      const covered = [...(held.covered.get(s.id) ?? [])].sort((a, b) => names.get(a)!.localeCompare(names.get(b)!, 'fr'));
      return {
        key: s.id,
        name: s.name,
        edition: s.edition,
        edition_date: s.loaded_at ? s.loaded_at.slice(0, 10) : null,
        period: s.period,
        communes_covered: covered.length,
        communes: covered.map((code) => ({ code, name: names.get(code)! })),
        module_path: MODULE_PATH[s.id] ?? null,
      };
    }),
  };
}
