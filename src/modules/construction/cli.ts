// Command line: `habitat import sitadel`, `habitat import objectifs-plh`, `habitat construction synchroniser|alertes`.
// Thin: read the arguments, call the use case (service.ts), print in French.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import type { CliIO } from '../../platform/cli-io.ts';
import { AppError, formatProblem, type InputProblem } from '../../platform/errors.ts';
import { closeEvents } from '../../platform/events.ts';
import { mailerOf } from '../../platform/mail.ts';
import { acceptedRows } from '../referential/index.ts';
import type { WithContext } from '../types.ts';
import { PARTNER_SCHEMA } from './ingest/partner-feed.ts';
import * as service from './service.ts';

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
        const s = await service.importSitadel(ctx.db, io.path(path), { force: opts.force });
        bar?.update(s.read, { total: s.read });
        bar?.stop();
        if (s.alreadyImported) {
          io.print(`${s.file} : déjà importé, rien à faire (option --force pour relire).`);
          return;
        }
        io.print(`${s.file} : ${n(s.read)} lignes lues · ${n(s.created)} programmes créés · ${n(s.updated)} mis à jour · ${n(s.unchanged)} inchangés · ${n(s.rejected)} rejetées · ${n(s.warnings)} avec avertissement · ${n(s.matched)} rapprochements — ${(s.durationMs / 1000).toFixed(1)} s`);
        for (const r of s.problems.slice(0, 20)) io.print(`  ${formatProblem(r)}`);
        if (s.problems.length > 20) io.print(`  … et ${s.problems.length - 20} autres rejets`);
        await service.publish(ctx, s.changes.slice(0, 500));
        if (!io.inServer) await closeEvents(ctx); // in the server, its live bus carries the changes to open pages
      }),
    );

  importCommand
    .command('objectifs-plh')
    .description('Importer les objectifs de production du PLH (CSV : code_commune;periode_debut;periode_fin;objectif_logements;objectif_logements_sociaux;sru)')
    .argument('<chemin>', 'fichier CSV')
    .action((path: string) =>
      withContext(async (ctx) => {
        try {
          const targets = service.readTargetsFile(readFileSync(io.path(path), 'utf8'), basename(path));
          io.print(`${n(await service.saveTargets(ctx.db, targets))} objectif(s) enregistré(s).`);
        } catch (err) {
          const problems = err instanceof AppError ? (err.details as { problems?: InputProblem[] } | undefined)?.problems : undefined;
          if (!problems) throw err;
          for (const p of problems) io.print(`  ${formatProblem(p)}`);
          io.print(`${problems.length} ligne(s) refusée(s) : rien n’a été enregistré.`);
          io.exitCode = 1;
        }
      }),
    );

  const construction = program.command('construction').description('Construction neuve : flux des partenaires, alertes');
  construction
    .command('synchroniser')
    .description('Intégrer les programmes livrés par les partenaires (flux programmes-logements du référentiel)')
    .action(() =>
      withContext(async (ctx) => {
        const s = await service.syncPartnerProgrammes(ctx.db, await acceptedRows(ctx.db, PARTNER_SCHEMA, { latestPerOrganisation: true }), 'flux partenaires (ligne de commande)');
        io.print(`${n(s.rows)} lignes · ${n(s.created)} créés · ${n(s.updated)} mis à jour · ${n(s.unchanged)} inchangés · ${n(s.problems.length)} refusées`);
        for (const r of s.problems) io.print(`  ${formatProblem(r)}`);
        await service.publish(ctx, s.changes);
        if (!io.inServer) await closeEvents(ctx); // in the server, its live bus carries the changes to open pages
      }),
    );
  construction
    .command('alertes')
    .description('Appliquer les règles d’alerte (commune en retard, programme bloqué) ; courriels si HABITAT_SMTP_URL est défini')
    .action(() =>
      withContext(async (ctx) => {
        const communes = await service.instanceTerritory(ctx.db, ctx.config.epciSirens);
        const r = await service.runAlerts(ctx.db, new Date(), { communes, mailer: mailerOf(ctx), log: ctx.log });
        io.print(`${n(r.created.length)} nouvelle(s) alerte(s), ${n(r.emailed)} courriel(s) envoyé(s).`);
      }),
    );
}
