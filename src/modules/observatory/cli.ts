// `habitat import insee FICHIER`: the INSEE comparateur de territoires, with a French summary and its rejects.
import type { Command } from 'commander';
import type { CliIO } from '../../platform/cli-io.ts';
import { formatProblem } from '../../platform/errors.ts';
import type { WithContext } from '../types.ts';
import { importInsee } from './service.ts';

const n = (x: number) => x.toLocaleString('fr-FR');

export function observatoryCli({ importCommand, withContext, io }: { importCommand: Command; withContext: WithContext; io: CliIO }) {
  importCommand
    .command('insee')
    .description('Importer le « comparateur de territoires » de l’Insee (base_cc_comparateur.csv, séparateur « ; »)')
    .argument('<chemin>', 'fichier CSV')
    .option('--edition <annee>', 'édition (sinon l’année du nom du fichier, ou l’année du recensement + 3)')
    .option('--force', 'réimporter même si ce fichier est déjà importé (le résultat est identique)')
    .action((path: string, opts: { edition?: string; force?: boolean }) =>
      withContext(async (ctx) => {
        const r = await importInsee(ctx.db, io.path(path), { edition: opts.edition, force: opts.force });
        if (r.status === 'refused') {
          io.print(`${r.file} : fichier refusé, rien n’a été écrit.`);
          io.exitCode = 1;
        } else if (r.status === 'already_imported') io.print(`${r.file} : édition ${r.edition} déjà importée, rien à faire (${n(r.communes)} communes).`);
        else io.print(`${r.file} : édition ${r.edition} importée — ${n(r.lines)} lignes lues, ${n(r.communes)} communes, ${n(r.problems.length)} rejet(s).`);
        for (const p of r.problems.slice(0, 20)) io.print(`  ${formatProblem(p)}`);
        if (r.problems.length > 20) io.print(`  … et ${n(r.problems.length - 20)} autres`);
      }),
    );
}
