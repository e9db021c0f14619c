// Command line: `habitat import sitadel`, `habitat import objectifs-plh`, `habitat construction synchroniser|alertes`.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import type { CliIO } from '../../platform/cli-io.ts';
import { formatProblem } from '../../platform/errors.ts';
import { acceptedRows } from '../referential/index.ts';
import type { WithContext } from '../types.ts';
import { runAlerts } from './alerts.ts';
import { busFor, publishChanges } from './bus.ts';
import { importSitadel } from './ingest/import.ts';
import { readTargetsCsv } from './ingest/targets-csv.ts';
import { PARTNER_SCHEMA, syncPartnerProgrammes } from './partners.ts';
import { upsertTargets } from './targets.ts';

const n = (x: number) => x.toLocaleString('fr-FR');

export function constructionCli({ program, importCommand, withContext, io }: { program: Command; importCommand: Command; withContext: WithContext; io: CliIO }) {
  importCommand
    .command('sitadel')
    .description('Importer un fichier Sitadel « autorisations d’urbanisme créant des logements » (CSV ;)')
    .argument('<chemin>', 'fichier CSV')
    .option('--force', 'relire le fichier même s’il a déjà été importé (le résultat est identique)')
    .action((path: string, opts: { force?: boolean }) =>
      withContext(async (ctx) => {
        const bar = io.isTTY ? new cliProgress.SingleBar({ format: 'Sitadel |{bar}| {value} lignes', stream: io.stderr }, cliProgress.Presets.shades_classic) : undefined;
        bar?.start(1, 0);
        const s = await importSitadel(ctx.db, io.path(path), { force: opts.force });
        bar?.update(s.lus, { total: s.lus });
        bar?.stop();
        if (s.dejaImporte) {
          io.print(`${s.fichier} : déjà importé, rien à faire (option --force pour relire).`);
          return;
        }
        io.print(`${s.fichier} : ${n(s.lus)} lignes lues · ${n(s.crees)} programmes créés · ${n(s.misAJour)} mis à jour · ${n(s.inchanges)} inchangés · ${n(s.rejetes)} rejetées · ${n(s.avertissements)} avec avertissement · ${n(s.rapprochements)} rapprochements — ${(s.dureeMs / 1000).toFixed(1)} s`);
        for (const r of s.rejets.slice(0, 20)) io.print(`  ${formatProblem(r)}`);
        if (s.rejets.length > 20) io.print(`  … et ${s.rejets.length - 20} autres rejets`);
        await publishChanges(busFor(ctx), s.changes.slice(0, 500), ctx.log);
        if (!io.inServer) await busFor(ctx).close(); // in the server, its live bus carries the changes to open pages
      }),
    );

  importCommand
    .command('objectifs-plh')
    .description('Importer les objectifs de production du PLH (CSV : code_commune;periode_debut;periode_fin;objectif_logements;objectif_logements_sociaux;sru)')
    .argument('<chemin>', 'fichier CSV')
    .action((path: string) =>
      withContext(async (ctx) => {
        const { targets, problems } = readTargetsCsv(readFileSync(io.path(path), 'utf8'), basename(path));
        if (problems.length) {
          for (const p of problems) io.print(`  ${formatProblem(p)}`);
          io.print(`${problems.length} ligne(s) refusée(s) : rien n’a été enregistré.`);
          io.exitCode = 1;
          return;
        }
        io.print(`${n(await upsertTargets(ctx.db, targets))} objectif(s) enregistré(s).`);
      }),
    );

  const construction = program.command('construction').description('Construction neuve : flux des partenaires, alertes');
  construction
    .command('synchroniser')
    .description('Intégrer les programmes livrés par les partenaires (flux programmes-logements du référentiel)')
    .action(() =>
      withContext(async (ctx) => {
        const s = await syncPartnerProgrammes(ctx.db, await acceptedRows(ctx.db, PARTNER_SCHEMA, { latestPerOrganisation: true }), 'flux partenaires (ligne de commande)');
        io.print(`${n(s.lignes)} lignes · ${n(s.crees)} créés · ${n(s.misAJour)} mis à jour · ${n(s.inchanges)} inchangés · ${n(s.rejets.length)} refusées`);
        for (const r of s.rejets) io.print(`  ${formatProblem(r)}`);
        await publishChanges(busFor(ctx), s.changes, ctx.log);
        if (!io.inServer) await busFor(ctx).close(); // in the server, its live bus carries the changes to open pages
      }),
    );
  construction
    .command('alertes')
    .description('Appliquer les règles d’alerte (commune en retard, programme bloqué) ; courriels si HABITAT_SMTP_URL est défini')
    .action(() =>
      withContext(async (ctx) => {
        const r = await runAlerts(ctx.db, new Date(), { smtpUrl: ctx.config.smtpUrl, from: ctx.config.smtpFrom, log: ctx.log });
        io.print(`${n(r.created.length)} nouvelle(s) alerte(s), ${n(r.emailed)} courriel(s) envoyé(s).`);
      }),
    );
}
