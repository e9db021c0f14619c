import type { HabitatModule } from '../types.ts';
import { plhCli } from './cli.ts';
import { plhRoutes } from './routes.ts';

export const plhModule: HabitatModule = {
  name: 'plh',
  routes: plhRoutes,
  cli: plhCli,
};

// For the observatory's portrait: the SRU situation of these communes (inventory, rate, deficit, triennial target,
// production) in a year, as the public SRU page gives it.
export { sruLines as publicSruLines } from './routes.ts';

// For the observatory's « fiche commune »: the bilan's renderers, for any document laid out as sections (text,
// tables, bar charts with their data table).
export { sectionsDocx } from './report/docx.ts';
export { sectionsPdf } from './report/pdf.ts';
export type { Chart as ReportChart, Section as ReportSection, Table as ReportTable } from './report/sections.ts';
