// The demand module's commands: `habitat import demandes|grille-cotation` and `habitat demand purge|forget|rescore|export`.
// Thin: read the options, call the service, print in French. Writes made here are logged in the audit log.
import { basename } from 'node:path';
import { AppError, formatProblem, type InputProblem } from '../../platform/errors.ts';
import type { HabitatModule } from '../../platform/module.ts';
import { audit } from '../access/index.ts';
import { readGridFile } from './ingest/grid-files.ts';
import { GridError } from './model.ts';
import * as service from './service.ts';
import * as store from './store.ts';

/** A refused import shows only its first problem in the message: a person at a terminal sees them all (20 at most). */
function listProblems(e: unknown, write: (line: string) => void): void {
  const problems = e instanceof AppError ? (e.details as { problems?: InputProblem[] } | undefined)?.problems : undefined;
  if (!problems?.length) return;
  for (const p of problems.slice(0, 20)) write(formatProblem(p));
  if (problems.length > 20) write(`… et ${problems.length - 20} autre(s) problème(s)`);
}

export const demandCli: NonNullable<HabitatModule['cli']> = ({ program, importCommand, withContext, io }) => {
  importCommand
    .command('demandes <fichier>')
    .description('Importer des demandes de logement social (CSV « ; » aux champs usuels du SNE) ; tout ou rien')
    .option('--epci <siren>', 'EPCI des lignes sans colonne epci_siren')
    .action((file: string, opts: { epci?: string }) =>
      withContext(async (ctx) => {
        const r = await service.importDemandFile(ctx.db, io.path(file), { defaultEpci: opts.epci }).catch((e: unknown) => {
          listProblems(e, (line) => io.stderr.write(`${line}\n`));
          throw e;
        });
        await audit(ctx.db, null, { action: 'import', entity: 'demand', detail: { file: basename(file), ...r }, epci: opts.epci ?? null });
        io.print(`Demandes : ${r.created} créée(s), ${r.updated} modifiée(s), ${r.unchanged} inchangée(s). Notes recalculées.`);
      }),
    );
  importCommand
    .command('grille-cotation <fichier>')
    .description('Enregistrer une version de grille de cotation écrite en JSON (format de docs/demand.md), en brouillon ou adoptée')
    .requiredOption('--epci <siren>', 'EPCI de la grille')
    .option('--adopter', 'adopter la version tout de suite (les notes sont recalculées)')
    .action((file: string, opts: { epci: string; adopter?: boolean }) =>
      withContext(async (ctx) => {
        if (!ctx.config.epciSirens.includes(opts.epci)) throw new AppError('demand.unknown_epci', `L’EPCI ${opts.epci} n’est pas servi par cette instance.`);
        let grid;
        try {
          grid = readGridFile(io.path(file));
        } catch (e) {
          if (e instanceof GridError) throw new AppError('demand.grid_invalid', e.message, 422, { problems: e.problems });
          throw e;
        }
        let g = await service.createGrid(ctx.db, opts.epci, grid);
        if (opts.adopter) g = await service.adoptGrid(ctx.db, g.id);
        await audit(ctx.db, null, { action: opts.adopter ? 'adopt' : 'create', entity: 'demand_grid', entityId: g.id, detail: { via: 'cli', version: g.version }, epci: opts.epci });
        io.print(`Grille « ${g.name} » version ${g.version} ${g.status === 'adopted' ? `adoptée (du ${g.valid_from} ${g.valid_to ? `au ${g.valid_to}` : 'sans fin'})` : 'enregistrée en brouillon'}.`);
      }),
    );
  const demand = program.command('demand').description('Demandes de logement social : notes, conservation, export');
  demand
    .command('purge')
    .description('Supprimer les demandes attribuées ou radiées depuis plus de N mois (durée de conservation)')
    .option('--months <n>', 'durée de conservation après attribution ou radiation, en mois (par défaut HABITAT_DEMAND_RETENTION_MONTHS, 6)')
    .option('--dry-run', 'lister sans supprimer')
    .action((opts: { months?: string; dryRun?: boolean }) =>
      withContext(async (ctx) => {
        const months = opts.months === undefined ? ctx.config.demandRetentionMonths : Number(opts.months);
        if (!Number.isInteger(months) || months < 0) throw new AppError('demand.bad_months', `--months attend un nombre entier de mois, pas « ${opts.months} ».`);
        const r = await service.purgeDemands(ctx.db, { months, dryRun: !!opts.dryRun });
        io.print(`${r.numbers.length} demande(s) ${opts.dryRun ? 'à supprimer' : 'supprimée(s)'} (conservation : ${months} mois).`);
      }),
    );
  demand
    .command('forget <numero>')
    .description('Supprimer une demande à la demande du ménage (droit à l’effacement)')
    .action((demandNumber: string) =>
      withContext(async (ctx) => {
        const found = await store.getDemand(ctx.db, demandNumber);
        if (!found || !(await store.deleteDemand(ctx.db, demandNumber))) throw new AppError('platform.not_found', `Demande ${demandNumber} introuvable.`, 404);
        await audit(ctx.db, null, { action: 'delete', entity: 'demand', entityId: demandNumber, detail: { via: 'cli', reason: 'demande du ménage' }, epci: found.demand.epci_siren });
        io.print(`Demande ${demandNumber} supprimée.`);
      }),
    );
  demand
    .command('rescore')
    .description('Recalculer toutes les notes avec la grille en vigueur aujourd’hui (à lancer chaque jour : l’ancienneté avance)')
    .action(() =>
      withContext(async (ctx) => {
        io.print(`${await service.rescore(ctx.db, {})} note(s) recalculée(s).`);
      }),
    );
  demand
    .command('export')
    .description('Écrire sur la sortie standard l’export pseudonymisé des demandes (CSV)')
    .option('--epci <siren>', 'un seul EPCI')
    .action((opts: { epci?: string }) =>
      withContext(async (ctx) => {
        const { csv, count } = await service.exportCsv(ctx.db, opts.epci);
        await audit(ctx.db, null, { action: 'export', entity: 'demand', detail: { via: 'cli', count }, epci: opts.epci ?? null });
        io.stdout.write(csv);
      }),
    );
};
