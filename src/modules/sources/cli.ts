// `habitat sources` (the catalogue), `habitat fetch <source>` (download and import now), `habitat refresh` (for cron:
// the sources that are due, or all with --tout). Progress bars on a terminal, a French summary, through CliIO.
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import type { CliIO } from '../../platform/cli-io.ts';
import type { DownloadProgress } from '../../platform/download.ts';
import type { WithContext } from '../types.ts';
import { CONNECTORS, parseYears, parseDepartements } from './model.ts';
import type { CatalogueEntry } from './contract.ts';
import { catalogue, fetchSource, refreshSources, type RunReporter } from './service.ts';

const n = (x: number) => x.toLocaleString('fr-FR');
const RESULT: Record<string, string> = { imported: 'importé', unchanged: 'inchangé', failed: 'échec', not_due: 'pas encore dû', not_configured: 'non configuré' };

/** Progress on the terminal: one bar per file being downloaded, lines for the rest. */
function reporter(io: CliIO): RunReporter & { stop(): void } {
  let bar: cliProgress.SingleBar | undefined;
  let current = '';
  const stop = () => {
    bar?.stop();
    bar = undefined;
    current = '';
  };
  return {
    say(line) {
      stop();
      io.stderr.write(`${line}\n`);
    },
    retry(r) {
      stop();
      io.stderr.write(`Nouvelle tentative (${r.attempt}) dans ${Math.round(r.delayMs / 100) / 10} s : ${r.reason}\n`);
    },
    progress(p: DownloadProgress) {
      if (!io.isTTY) return;
      const name = decodeURIComponent(new URL(p.url).pathname.split('/').pop() ?? p.url);
      if (p.url !== current) {
        stop();
        current = p.url;
        bar = new cliProgress.SingleBar(
          { format: 'Téléchargement |{bar}| {percentage}% | {mo} Mo | {fichier}', hideCursor: true, stream: io.stderr },
          cliProgress.Presets.shades_classic,
        );
        bar.start(p.total ?? 0, 0, { fichier: name, mo: '0' });
      }
      if (p.total && bar!.getTotal() !== p.total) bar!.setTotal(p.total);
      bar!.update(p.bytes, { fichier: name, mo: (p.bytes / 1e6).toFixed(1) });
    },
    stop,
  };
}

/** The channel in the words of the catalogue page. */
const CHANNEL: Record<CatalogueEntry['channel'], string> = { connector: 'connecteur', transmitted_file: 'fichier transmis' };

export function sourcesCli({ program, withContext, io }: { program: Command; withContext: WithContext; io: CliIO }) {
  program
    .command('sources')
    .description('Lister les sources de données : éditeur, licence, rythme, canal, édition chargée, couverture')
    .action(() =>
      withContext(async (ctx) => {
        const c = await catalogue(ctx);
        for (const s of c.sources) {
          io.print(`${s.id}\t${s.name} — ${s.publisher}`);
          io.print(`\tcanal : ${CHANNEL[s.channel]} · rythme : ${s.frequency} · licence : ${s.licence}`);
          io.print(`\tadresse : ${s.url}`);
          const cover = s.communes_covered === null ? '' : ` · ${n(s.communes_covered)} commune(s) sur ${n(c.communes_total)}`;
          io.print(`\tédition chargée : ${s.edition ?? 'aucune'}${s.loaded_at ? ` (le ${s.loaded_at.slice(0, 10)})` : ''}${cover}${s.period ? ` · ${s.period}` : ''}`);
          if (s.last_run) io.print(`\tdernier passage : ${RESULT[s.last_run.result] ?? s.last_run.result} le ${s.last_run.started_at.slice(0, 16).replace('T', ' ')}`);
        }
      }),
    );

  program
    .command('fetch')
    .description(`Télécharger et importer une source de données ouvertes (${CONNECTORS.join(', ')}) ; par défaut, les départements et communes du territoire`)
    .argument('<source>', CONNECTORS.join(' | '))
    .option('--departements <codes>', 'départements, séparés par des virgules (ex. 69,31)')
    .option('--annees <années>', 'années (ex. 2021-2025 ou 2021,2023)')
    .action((source: string, opts: { departements?: string; annees?: string }) =>
      withContext(async (ctx) => {
        const rep = reporter(io);
        try {
          const r = await fetchSource(ctx, source, {
            departements: opts.departements ? parseDepartements(opts.departements) : undefined,
            years: opts.annees ? parseYears(opts.annees) : undefined,
            reporter: rep,
          });
          rep.stop();
          io.print(`${source} : ${RESULT[r.result]}${r.edition ? ` — édition ${r.edition}` : ''}${r.lines ? ` — ${n(r.lines)} lignes` : ''}`);
          io.print(`  ${r.message}`);
        } finally {
          rep.stop();
        }
      }),
    );

  program
    .command('refresh')
    .description('Mettre à jour les sources dont le rythme est échu (pour cron) ; un échec alerte les administrateurs')
    .option('--tout', 'vérifier toutes les sources, même celles vérifiées récemment')
    .action((opts: { tout?: boolean }) =>
      withContext(async (ctx) => {
        const rep = reporter(io);
        const report = await refreshSources(ctx, { all: opts.tout, trigger: 'command', reporter: rep });
        rep.stop();
        for (const r of report) io.print(`${r.source} : ${RESULT[r.result]} — ${r.message}`);
        if (report.some((r) => r.result === 'failed')) io.exitCode = 1;
      }),
    );
}
