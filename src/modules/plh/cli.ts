// `habitat report bilan` and `habitat import plh-programme`: the same services as the HTTP routes.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Command, Option } from 'commander';
import type { HabitatModule } from '../types.ts';
import { audit } from '../access/index.ts';
import { AppError, formatProblem, type InputProblem } from '../../platform/errors.ts';
import { chooseEpci } from '../../platform/http/perimeter.ts';
import { importProgrammeFile, importSruFile } from './service.ts';
import { SHEET_NAMES, type SheetName } from './ingest/programme-sheet.ts';
import { writeBilanFiles } from './report/render.ts';

type CliArgs = Parameters<NonNullable<HabitatModule['cli']>>[0];

/** Runs an import; a file refused as a whole prints every problem, with where and why, and fails the command. */
async function importOrList<T>(io: CliArgs['io'], run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const problems = (err.details as { problems?: InputProblem[] } | undefined)?.problems;
    if (!problems) throw err;
    io.print(err.message);
    for (const p of problems) io.print(`  ${formatProblem(p)}`);
    io.exitCode = 1;
    return undefined;
  }
}

export function plhCli({ program, importCommand, withContext, io }: CliArgs) {
  // Another module may have created `report` already: add to it rather than declare it twice.
  const report = program.commands.find((c) => c.name() === 'report') ?? program.command('report').description('Produire des rapports (bilans du PLH…)');
  report
    .command('bilan')
    .description('Produire le bilan annuel (ou triennal) du PLH en HTML, DOCX et PDF')
    .requiredOption('--year <année>', 'année du bilan (dernière année de la période pour un bilan triennal)')
    .option('--epci <siren>', 'l’EPCI dont c’est le PLH (obligatoire si l’instance en sert plusieurs)')
    .option('--triennal', 'bilan triennal : l’année et les deux précédentes')
    .option('--out <dossier>', 'dossier où écrire les fichiers', '.')
    .action((opts) =>
      withContext(async (ctx) => {
        const year = Number(opts.year);
        if (!Number.isInteger(year) || year < 2000 || year > 2100) throw new Error(`Année invalide : « ${opts.year} » (attendu : 2000 à 2100).`);
        const epci = chooseEpci(ctx.config.epciSirens, opts.epci);
        const paths = await writeBilanFiles(ctx.db, { epci, year, triennial: !!opts.triennal, outDir: io.path(opts.out) });
        await audit(ctx.db, null, { action: 'export', entity: 'plh_bilan', detail: { via: 'cli', annee: year, triennal: !!opts.triennal }, epci });
        for (const p of paths) io.print(p);
      }),
    );

  importCommand
    .addCommand(
      new Command('plh-programme')
        .description('Importer le programme d’actions du PLH : classeur XLSX complet, ou une feuille CSV (--sheet)')
        .requiredOption('--file <chemin>', 'fichier .xlsx ou .csv')
        .option('--epci <siren>', 'l’EPCI dont c’est le programme (obligatoire si l’instance en sert plusieurs)')
        .addOption(new Option('--sheet <feuille>', 'pour un CSV : la feuille importée').choices(SHEET_NAMES))
        .action((opts) =>
          withContext(async (ctx) => {
            const epci = chooseEpci(ctx.config.epciSirens, opts.epci);
            const bytes = readFileSync(io.path(opts.file));
            const r = await importOrList(io, () => importProgrammeFile(ctx.db, epci, bytes, basename(opts.file), opts.sheet as SheetName | undefined));
            if (!r) return;
            await audit(ctx.db, null, { action: 'import', entity: 'plh_programme', entityId: r.programmeId, detail: { via: 'cli', file: basename(opts.file) }, epci });
            io.print(`Programme importé : ${r.orientations} orientation(s), ${r.actions} action(s), ${r.budgets} budget(s), ${r.targets} objectif(s).`);
          }),
        ),
    );
  importCommand.addCommand(
    new Command('plh-sru')
      .description('Importer les inventaires SRU des communes (CSV : commune_code, annee, residences_principales, logements_sociaux, taux_legal, source…)')
      .requiredOption('--file <chemin>', 'fichier .csv')
      .option('--epci <siren>', 'n’accepter que les communes de cet EPCI')
      .action((opts) =>
        withContext(async (ctx) => {
          const epci = opts.epci ? chooseEpci(ctx.config.epciSirens, opts.epci) : undefined;
          const r = await importOrList(io, () => importSruFile(ctx.db, readFileSync(io.path(opts.file)), basename(opts.file), epci));
          if (!r) return;
          await audit(ctx.db, null, { action: 'import', entity: 'plh_sru_inventory', detail: { via: 'cli', file: basename(opts.file), rows: r.inventories }, epci: epci ?? null });
          io.print(`Inventaires SRU importés : ${r.inventories}.`);
        }),
      ),
  );
}
