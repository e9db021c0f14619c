// `habitat import dvf PATH…`: a progress bar on a terminal, a French summary at the end, rejects listed in full
// in an optional CSV file.
import cliProgress from 'cli-progress';
import { createWriteStream } from 'node:fs';
import type { Command } from 'commander';
import type { WithContext } from '../types.ts';
import { formatProblem } from '../../platform/errors.ts';
import { importDvf, type ImportProblem, type ImportSummary } from './ingest/import.ts';

const csvCell = (s: string | number | undefined) => {
  const v = s === undefined ? '' : String(s);
  return /[",\n;]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
};

export function dvfCommand(importCommand: Command, withContext: WithContext) {
  importCommand
    .command('dvf')
    .description('Importer des fichiers DVF (géolocalisé Etalab .csv/.csv.gz, ou brut DGFiP valeursfoncieres-AAAA.txt) ou un dossier de fichiers')
    .argument('<chemins...>', 'fichiers ou dossiers')
    .option('--force', 'réimporter même les fichiers déjà importés (le résultat est identique)')
    .option('--rejets <fichier.csv>', 'écrire toutes les lignes rejetées dans ce fichier CSV')
    .action((paths: string[], opts: { force?: boolean; rejets?: string }) =>
      withContext(async (ctx) => {
        const bar = process.stderr.isTTY
          ? new cliProgress.SingleBar(
              { format: 'DVF |{bar}| {percentage}% | {lignes} lignes lues | {fichier}', hideCursor: true, stream: process.stderr },
              cliProgress.Presets.shades_classic,
            )
          : undefined;
        let started = false;
        let lines = 0;
        const rejectsOut = opts.rejets ? createWriteStream(opts.rejets) : undefined;
        rejectsOut?.write('fichier,ligne,colonne,regle,valeur,message\n');
        let summary: ImportSummary;
        try {
          summary = await importDvf(ctx.lake.dir, paths, {
            force: opts.force,
            trace: ctx.config.traceDvf,
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
              ? (r: ImportProblem) => rejectsOut.write([r.file, r.line, r.column, r.rule, r.value, r.message].map(csvCell).join(',') + '\n')
              : undefined,
          });
        } finally {
          if (started && bar) {
            bar.update(bar.getTotal(), { lignes: lines.toLocaleString('fr-FR') });
            bar.stop();
          }
          rejectsOut?.end();
        }
        printSummary(summary, opts.rejets);
      }),
    );
}

function printSummary(s: ImportSummary, rejectsFile?: string) {
  const n = (x: number) => x.toLocaleString('fr-FR');
  for (const f of s.files) {
    console.log(`${f.file} : ${f.status}${f.format ? ` (${f.format === 'dgfip' ? 'brut DGFiP' : 'géolocalisé Etalab'}${f.encoding ? `, ${f.encoding}` : ''})` : ''} — ${n(f.lus)} lignes lues, ${n(f.rejetes)} rejetées`);
  }
  console.log(`Lues : ${n(s.lus)} · gardées : ${n(s.gardes)} · doublons : ${n(s.doublons)} · rejetées : ${n(s.rejetes)}`);
  for (const [rule, count] of Object.entries(s.rejetsParMotif).sort((a, b) => b[1] - a[1])) console.log(`  rejet « ${rule} » : ${n(count)}`);
  for (const r of s.rejets.slice(0, 10)) console.log(`  ${formatProblem(r)}`);
  if (s.rejetes > 10) console.log(rejectsFile ? `  … liste complète dans ${rejectsFile}` : '  … (option --rejets fichier.csv pour la liste complète)');
  if (s.partitions.length) console.log(`Partitions remplacées (département/année) : ${s.partitions.join(', ')} — en ${(s.dureeMs / 1000).toFixed(1)} s`);
  else console.log('Lac DVF inchangé.');
}
