// The referential module: published schemas and charters, partners' deliveries, validation reports, compliance.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { HabitatModule } from '../types.ts';
import { findSchema, loadCatalogue, type Catalogue } from './catalogue.ts';
import { validateFile } from './ingest/validate-file.ts';
import { STATUS_LABELS } from './model.ts';
import { loadReferentialDemo } from './demo.ts';
import { referentialRoutes } from './routes.ts';
import { territoryCommuneCodes } from './service.ts';

export { acceptedRows } from './store.ts';

let catalogue: Catalogue | undefined;
/** Read once per process: the schemas are files of the repository, they change with a deployment. */
const referentialCatalogue = () => (catalogue ??= loadCatalogue());

export const referentialModule: HabitatModule = {
  name: 'referential',
  routes: (app, ctx) => referentialRoutes(app, ctx, referentialCatalogue()),
  loadDemo: (ctx) => loadReferentialDemo(ctx, referentialCatalogue()),
  cli({ program, withContext, io }) {
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
  },
};
