// PLH targets as CSV, one row per commune and period (the file agents fill; its French headers are kept):
//   code_commune;periode_debut;periode_fin;objectif_logements;objectif_logements_sociaux;sru
// `;` or `,` separated; `sru` optional (oui/non, true/false, 1/0). Small files: read whole.
import { parse } from 'csv-parse/sync';
import type { InputProblem } from '../../../platform/errors.ts';
import { csvErrorInFrench } from '../../../platform/text-input.ts';
import { COMMUNE_CODE } from '../../territory/index.ts';
import type { TargetBody } from '../contract.ts';
import { targetProblems, type TargetField } from '../model.ts';

const TARGET_COLUMNS = ['code_commune', 'periode_debut', 'periode_fin', 'objectif_logements', 'objectif_logements_sociaux'] as const;
const COLUMN_OF: Record<TargetField, (typeof TARGET_COLUMNS)[number]> = {
  periodStart: 'periode_debut',
  periodEnd: 'periode_fin',
  total: 'objectif_logements',
  social: 'objectif_logements_sociaux',
};

export function readTargetsCsv(text: string, file: string): { targets: TargetBody[]; problems: InputProblem[] } {
  const problems: InputProblem[] = [];
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const delimiter = firstLine.split(';').length >= firstLine.split(',').length ? ';' : ',';
  let records: string[][];
  try {
    records = parse(text, { delimiter, bom: true, skip_empty_lines: true, relax_column_count: true, trim: true });
  } catch (err) {
    const fault = csvErrorInFrench(err, { text, delimiter });
    return { targets: [], problems: [{ file, line: fault.line, rule: 'csv', message: `fichier CSV illisible : ${fault.message}` }] };
  }
  const header = (records[0] ?? []).map((h) => h.toLowerCase());
  const missing = TARGET_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length) return { targets: [], problems: [{ file, line: 1, column: missing[0], rule: 'colonnes_obligatoires', value: missing.join(', '), message: 'colonnes obligatoires absentes.' }] };
  const targets: TargetBody[] = [];
  records.slice(1).forEach((rec, i) => {
    const line = i + 2;
    const get = (c: string) => rec[header.indexOf(c)] ?? '';
    const int = (c: string) => (/^\d+$/.test(get(c)) ? Number(get(c)) : NaN);
    const sruRaw = get('sru').toLowerCase();
    if (sruRaw && !['oui', 'non', 'true', 'false', '1', '0'].includes(sruRaw)) {
      problems.push({ file, line, column: 'sru', rule: 'booleen', value: get('sru'), message: 'la valeur doit être oui ou non.' });
      return;
    }
    const t = { periodStart: int('periode_debut'), periodEnd: int('periode_fin'), total: int('objectif_logements'), social: int('objectif_logements_sociaux') };
    const p = targetProblems(t).map((x) => ({ column: COLUMN_OF[x.field], rule: x.rule, message: x.message }));
    if (!COMMUNE_CODE.test(get('code_commune'))) p.unshift({ column: 'code_commune', rule: 'code_commune', message: 'le code INSEE doit avoir 5 caractères.' });
    if (p.length) for (const x of p) problems.push({ file, line, column: x.column, rule: x.rule, value: get(x.column), message: x.message });
    else
      targets.push({
        commune_code: get('code_commune'),
        period_start: t.periodStart,
        period_end: t.periodEnd,
        target_dwellings: t.total,
        target_social_dwellings: t.social,
        sru: ['oui', 'true', '1'].includes(sruRaw),
      });
  });
  return { targets, problems };
}
