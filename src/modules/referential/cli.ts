// The referential's command: `habitat referentiel-valider <schema> <fichier>` checks a file against a published schema
// and prints the report in French, writing nothing. Thin: read the file, run the reader, print.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { HabitatModule } from '../../platform/module.ts';
import { findSchema, referentialCatalogue } from './catalogue.ts';
import { validateFile } from './ingest/validate-file.ts';
import { STATUS_LABELS } from './model.ts';
import { territoryCommuneCodes } from './service.ts';

export const referentialCli: NonNullable<HabitatModule['cli']> = ({ program, withContext, io }) => {
  program
    .command('referentiel-valider')
    .description('Valider un fichier contre un schéma du référentiel, sans rien enregistrer (rapport en français)')
    .argument('<schema>', 'nom du schéma, par exemple permis-declares')
    .argument('<fichier>', 'fichier CSV ou JSON')
    .option('--version <version>', 'version du schéma (par défaut : la dernière)')
    .action((schema: string, file: string, opts: { version?: string }) =>
      withContext(async (ctx) => {
        const entry = findSchema(referentialCatalogue(), schema, opts.version);
        const report = await validateFile(readFileSync(io.path(file)), { filename: basename(file) }, entry.compiled, { communes: await territoryCommuneCodes(ctx.db) });
        io.print(`${entry.schema.title} ${entry.schema.version} — ${STATUS_LABELS[report.status]}`);
        io.print(`${report.verdict} (Simple vérification : rien n’est enregistré.)`);
        for (const p of [...report.header, ...report.problems].slice(0, 50))
          io.print(`${basename(file)}, ligne ${p.line}${p.column ? `, colonne « ${p.column} »` : ''} — ${p.rule}${p.value !== undefined ? ` (« ${p.value} »)` : ''} : ${p.message} ${p.fix}`);
        const shown = report.header.length + Math.min(report.problems.length, 50);
        if (report.summary.errors + report.summary.warnings > shown) io.print(`… ${report.summary.errors + report.summary.warnings - shown} autre(s) problème(s).`);
        if (report.status === 'refusee') io.exitCode = 1;
      }),
    );
};
