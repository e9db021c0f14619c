// `habitat import dvf PATH…`: a progress bar on a terminal, a French summary at the end, rejects listed in full
// in an optional CSV file.
import cliProgress from 'cli-progress';
import { createWriteStream } from 'node:fs';
import type { Command } from 'commander';
import type { CliIO } from '../../platform/cli-io.ts';
import type { WithContext } from '../types.ts';
import { csvLine } from '../../platform/csv.ts';
import { formatProblem, type InputProblem } from '../../platform/errors.ts';
import type { FileSummary } from './ingest/stage.ts';
import { importDvf, type ImportSummary } from './service.ts';

/** How the summary says what became of a file. */
const FILE_STATUS: Record<FileSummary['status'], string> = { imported: 'importé', already_imported: 'déjà importé', refused: 'refusé' };

export function dvfCommand(importCommand: Command, withContext: WithContext, io: CliIO) {
  importCommand
    .command('dvf')
    .description('Importer des fichiers DVF (géolocalisé Etalab .csv/.csv.gz, ou brut DGFiP valeursfoncieres-AAAA.txt) ou un dossier de fichiers')
    .argument('<chemins...>', 'fichiers ou dossiers')
    .option('--force', 'réimporter même les fichiers déjà importés (le résultat est identique)')
    .option('--rejets <fichier.csv>', 'écrire toutes les lignes rejetées dans ce fichier CSV')
    .option('--remplacer', 'remplacer une commune et une année même si le fichier en apporte moins de la moitié des lignes déjà présentes')
    .action((paths: string[], opts: { force?: boolean; rejets?: string; remplacer?: boolean }) =>
      withContext(async (ctx) => {
        const bar = io.isTTY
          ? new cliProgress.SingleBar(
              { format: 'DVF |{bar}| {percentage}% | {lignes} lignes lues | {fichier}', hideCursor: true, stream: io.stderr },
              cliProgress.Presets.shades_classic,
            )
          : undefined;
        let started = false;
        let lines = 0;
        const rejectsOut = opts.rejets ? createWriteStream(io.path(opts.rejets)) : undefined;
        rejectsOut?.write('fichier,ligne,colonne,regle,valeur,message\n');
        let summary: ImportSummary;
        try {
          summary = await importDvf(ctx, paths.map(io.path), {
            force: opts.force,
            // The trace goes to the terminal of the command, also when the server runs it (HABITAT_TRACE_DVF of either).
            trace: ctx.config.traceDvf || io.env.HABITAT_TRACE_DVF ? (line: string) => void io.stderr.write(`${line}\n`) : undefined,
            replace: opts.remplacer,
            onProgress: (p) => {
              if (!bar) return;
              if (!started) {
                bar.start(p.totalBytes || 1, 0, { lignes: 0, fichier: p.file });
                started = true;
              }
              lines = p.lines;
              bar.update(p.bytes, { lignes: p.lines.toLocaleString('fr-FR'), fichier: p.file });
            },
            onReject: rejectsOut
              ? (r: InputProblem) => rejectsOut.write(csvLine([r.file, r.line, r.column, r.rule, r.value, r.message], { newline: '\n' }))
              : undefined,
          });
        } finally {
          if (started && bar) {
            bar.update(bar.getTotal(), { lignes: lines.toLocaleString('fr-FR') });
            bar.stop();
          }
          rejectsOut?.end();
        }
        printSummary(io, summary, opts.rejets);
      }),
    );
}

function printSummary(io: CliIO, s: ImportSummary, rejectsFile?: string) {
  const n = (x: number) => x.toLocaleString('fr-FR');
  for (const f of s.files) {
    io.print(`${f.file} : ${FILE_STATUS[f.status]}${f.format ? ` (${f.format === 'dgfip' ? 'brut DGFiP' : 'géolocalisé Etalab'}${f.encoding ? `, ${f.encoding}` : ''})` : ''} — ${n(f.linesRead)} lignes lues, ${n(f.linesRejected)} rejetées`);
  }
  io.print(`Lues : ${n(s.linesRead)} · gardées : ${n(s.linesKept)} · doublons : ${n(s.duplicates)} · rejetées : ${n(s.linesRejected)}`);
  for (const [rule, count] of Object.entries(s.rejectsByRule).sort((a, b) => b[1] - a[1])) io.print(`  rejet « ${rule} » : ${n(count)}`);
  for (const r of s.rejects.slice(0, 10)) io.print(`  ${formatProblem(r)}`);
  if (s.linesRejected > 10) io.print(rejectsFile ? `  … liste complète dans ${rejectsFile}` : '  … (option --rejets fichier.csv pour la liste complète)');
  if (s.partitions.length) io.print(`Départements et années apportés (leurs communes-années remplacées) : ${s.partitions.join(', ')} — en ${(s.durationMs / 1000).toFixed(1)} s`);
  else io.print('Lac DVF inchangé.');
}
