// The demand module: social-housing demands, the cotation grid, scores, simulation, applicant page, privacy.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Db } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import { audit } from '../access/audit.ts';
import type { HabitatModule } from '../types.ts';
import { DEMO_GRIDS_DIR, readGridDir, readGridFile } from './ingest/grid-files.ts';
import { GridError } from './model.ts';
import { readDemandCsv } from './ingest/sne-csv.ts';
import { importDemandFile } from './importer.ts';

export { importDemandFile, importDemandText } from './importer.ts';
import { demandRoutes } from './routes.ts';
import * as store from './store.ts';
import { exportCsv } from './views.ts';

export const DEMO_DEMANDS = join(DEMO_GRIDS_DIR, '..', 'demandes', 'demandes_synthetiques.csv');

/** Demo: the published grids of the demo EPCIs (adopted), the fictitious v2 as a draft, and the synthetic demands. */
export async function loadDemandDemo(db: Db, epciSirens: string[]): Promise<void> {
  const existing = await db.selectFrom('demand_grid').select('id').limit(1).execute();
  if (!existing.length) {
    const grids = readGridDir();
    for (const [name, g] of Object.entries(grids)) {
      if (!g.epciSiren || !epciSirens.includes(g.epciSiren)) continue;
      const s = await store.createGrid(db, g.epciSiren, g);
      if (!name.endsWith('_projet')) await store.adoptGrid(db, s.id);
    }
  }
  const demands = await db.selectFrom('demand').select('id').limit(1).execute();
  if (!demands.length) {
    const { rows } = await readDemandCsv(readFileSync(DEMO_DEMANDS, 'utf8'), basename(DEMO_DEMANDS));
    await store.upsertDemands(db, rows.filter((r) => epciSirens.includes(r.demand.epciSiren)));
    return;
  }
  // Seniority moves on every month: a demo restarted days later shows today's scores.
  const stale = await db.selectFrom('demand_score').select('demand_id').where('ref_date', '<', store.todayIso()).limit(1).execute();
  if (stale.length) await store.rescore(db, {});
}

export const demandModule: HabitatModule = {
  name: 'demand',
  routes: demandRoutes,
  loadDemo: (ctx) => loadDemandDemo(ctx.db, ctx.config.epciSirens),
  cli({ program, importCommand, withContext, io }) {
    importCommand
      .command('demandes <fichier>')
      .description('Importer des demandes de logement social (CSV « ; » aux champs usuels du SNE) ; tout ou rien')
      .option('--epci <siren>', 'EPCI des lignes sans colonne epci_siren')
      .action((file: string, opts) =>
        withContext(async (ctx) => {
          const r = await importDemandFile(ctx.db, io.path(file), { defaultEpci: opts.epci });
          await audit(ctx.db, null, { action: 'import', entity: 'demand', detail: { file: basename(file), ...r }, epci: opts.epci ?? null });
          io.print(`Demandes : ${r.created} créée(s), ${r.updated} modifiée(s), ${r.unchanged} inchangée(s). Notes recalculées.`);
        }),
      );
    importCommand
      .command('grille-cotation <fichier>')
      .description('Enregistrer une version de grille de cotation écrite en JSON (format de docs/demand.md), en brouillon ou adoptée')
      .requiredOption('--epci <siren>', 'EPCI de la grille')
      .option('--adopter', 'adopter la version tout de suite (les notes sont recalculées)')
      .action((file: string, opts) =>
        withContext(async (ctx) => {
          if (!ctx.config.epciSirens.includes(opts.epci)) throw new AppError('demand.unknown_epci', `L’EPCI ${opts.epci} n’est pas servi par cette instance.`);
          let grid;
          try {
            grid = readGridFile(io.path(file));
          } catch (e) {
            if (e instanceof GridError) throw new AppError('demand.grid_invalid', e.message);
            throw e;
          }
          let g = await store.createGrid(ctx.db, opts.epci, grid);
          if (opts.adopter) g = await store.adoptGrid(ctx.db, g.id);
          await audit(ctx.db, null, { action: opts.adopter ? 'adopt' : 'create', entity: 'demand_grid', entityId: g.id, detail: { via: 'cli', version: g.version }, epci: opts.epci });
          io.print(`Grille « ${g.name} » version ${g.version} ${g.status === 'adoptee' ? `adoptée (du ${g.validFrom} ${g.validTo ? `au ${g.validTo}` : 'sans fin'})` : 'enregistrée en brouillon'}.`);
        }),
      );
    const demand = program.command('demand').description('Demandes de logement social : notes, conservation, export');
    demand
      .command('purge')
      .description('Supprimer les demandes attribuées ou radiées depuis plus de N mois (durée de conservation)')
      .option('--months <n>', 'durée de conservation après attribution ou radiation, en mois', '6')
      .option('--dry-run', 'lister sans supprimer')
      .action((opts) =>
        withContext(async (ctx) => {
          const months = Number(opts.months);
          if (!Number.isInteger(months) || months < 0) throw new AppError('cli.bad_months', `--months attend un nombre entier de mois, pas « ${opts.months} ».`);
          const r = await store.purgeDemands(ctx.db, { months, dryRun: !!opts.dryRun });
          io.print(`${r.numeros.length} demande(s) ${opts.dryRun ? 'à supprimer' : 'supprimée(s)'} (conservation : ${months} mois).`);
        }),
      );
    demand
      .command('forget <numero>')
      .description('Supprimer une demande à la demande du ménage (droit à l’effacement)')
      .action((numero: string) =>
        withContext(async (ctx) => {
          const found = await store.getDemand(ctx.db, numero);
          if (!found || !(await store.deleteDemand(ctx.db, numero))) throw new AppError('not_found', `Demande ${numero} introuvable.`, 404);
          await audit(ctx.db, null, { action: 'delete', entity: 'demand', entityId: numero, detail: { via: 'cli', motif: 'demande du ménage' }, epci: found.demand.epciSiren });
          io.print(`Demande ${numero} supprimée.`);
        }),
      );
    demand
      .command('rescore')
      .description('Recalculer toutes les notes avec la grille en vigueur aujourd’hui (à lancer chaque jour : l’ancienneté avance)')
      .action(() =>
        withContext(async (ctx) => {
          io.print(`${await store.rescore(ctx.db, {})} note(s) recalculée(s).`);
        }),
      );
    demand
      .command('export')
      .description('Écrire sur la sortie standard l’export pseudonymisé des demandes (CSV)')
      .option('--epci <siren>', 'un seul EPCI')
      .action((opts) =>
        withContext(async (ctx) => {
          const { csv, count } = await exportCsv(ctx.db, opts.epci);
          await audit(ctx.db, null, { action: 'export', entity: 'demand', detail: { via: 'cli', count }, epci: opts.epci ?? null });
          io.stdout.write(csv);
        }),
      );
  },
};
