// `habitat import rpls PATH` and `habitat import dpe PATH…`: a French summary, rejects listed (all of them with --rejets).
import { createWriteStream } from 'node:fs';
import type { Command } from 'commander';
import type { CliIO } from '../../platform/cli-io.ts';
import { csvLine } from '../../platform/csv.ts';
import { formatProblem, type InputProblem } from '../../platform/errors.ts';
import type { WithContext } from '../types.ts';
import { importDpe, importRpls } from './service.ts';

const n = (x: number) => x.toLocaleString('fr-FR');

function reportProblems(io: CliIO, title: string, problems: InputProblem[], file?: string) {
  if (!problems.length) return;
  io.print(`${title} : ${n(problems.length)}`);
  for (const p of problems.slice(0, 10)) io.print(`  ${formatProblem(p)}`);
  if (problems.length > 10) io.print(`  … et ${n(problems.length - 10)} autres${file ? ` (liste complète dans ${file})` : ' (option --rejets pour la liste complète)'}`);
}

function writeRejects(path: string | undefined, problems: InputProblem[]) {
  if (!path) return;
  const out = createWriteStream(path);
  out.write('fichier,ligne,colonne,regle,valeur,message\n');
  for (const p of problems) out.write(csvLine([p.file, p.line, p.column, p.rule, p.value, p.message], { newline: '\n' }));
  out.end();
}

export function stockCommands(importCommand: Command, withContext: WithContext, io: CliIO) {
  importCommand
    .command('rpls')
    .description('Importer l’agrégat RPLS « rpls_par_date » (commune × année de construction × DPE × pièces × type × QPV), .csv ou .csv.gz, dans le lac')
    .argument('<chemin>', 'fichier RPLS')
    .option('--millesime <annee>', 'millésime du RPLS (sinon lu dans le nom du fichier)')
    .option('--force', 'réimporter même si ce fichier est déjà importé (le résultat est identique)')
    .option('--rejets <fichier.csv>', 'écrire toutes les lignes rejetées dans ce fichier CSV')
    .action((path: string, opts: { millesime?: string; force?: boolean; rejets?: string }) =>
      withContext(async (ctx) => {
        const r = await importRpls(ctx.lake, io.path(path), { vintage: opts.millesime ? Number(opts.millesime) : undefined, force: opts.force });
        if (r.status === 'already_imported') io.print(`RPLS ${r.vintage} : fichier déjà importé, rien à faire (${n(r.dwellings)} logements).`);
        else if (r.status === 'refused') io.print(`RPLS : fichier refusé, rien n’a été écrit.`);
        else io.print(`RPLS ${r.vintage} : ${n(r.lines)} lignes lues, ${n(r.cells)} gardées, ${n(r.dwellings)} logements.`);
        reportProblems(io, 'Lignes rejetées', r.problems, opts.rejets);
        writeRejects(opts.rejets && io.path(opts.rejets), r.problems);
        if (r.status === 'refused') io.exitCode = 1;
      }),
    );

  importCommand
    .command('dpe')
    .description('Importer des fichiers DPE de l’ADEME (export « dpe-v2 » à en-têtes accentués ou jeu actuel numero_dpe, etiquette_dpe, code_insee_ban…)')
    .argument('<chemins...>', 'fichiers CSV')
    .option('--force', 'réimporter même les fichiers déjà importés (le résultat est identique)')
    .option('--rejets <fichier.csv>', 'écrire toutes les lignes rejetées et corrigées dans ce fichier CSV')
    .action((paths: string[], opts: { force?: boolean; rejets?: string }) =>
      withContext(async (ctx) => {
        const all: InputProblem[] = [];
        for (const path of paths) {
          const r = await importDpe(ctx.db, io.path(path), { force: opts.force });
          if (r.status === 'already_imported') io.print(`${r.file} : déjà importé, rien à faire (${n(r.accepted)} DPE).`);
          else if (r.status === 'refused') {
            io.print(`${r.file} : fichier refusé, rien n’a été écrit.`);
            io.exitCode = 1;
          } else
            io.print(
              `${r.file} (format ${r.layout}) : ${n(r.lines)} lignes, ${n(r.accepted)} DPE enregistrés dont ${n(r.corrections.length)} avec commune corrigée, ${n(r.problems.length)} rejetés, ${n(r.linkedToBuildings)} rattachés à un bâtiment.`,
            );
          reportProblems(io, 'Communes corrigées', r.corrections, opts.rejets);
          reportProblems(io, 'Lignes rejetées', r.problems, opts.rejets);
          all.push(...r.corrections, ...r.problems);
        }
        writeRejects(opts.rejets && io.path(opts.rejets), all);
      }),
    );
}
