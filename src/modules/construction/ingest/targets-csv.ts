// PLH targets as CSV, one row per commune and period:
//   code_commune;periode_debut;periode_fin;objectif_logements;objectif_logements_sociaux;sru
// `;` or `,` separated; `sru` optional (oui/non, true/false, 1/0). Small files: read whole.
import { parse } from 'csv-parse/sync';
import type { InputProblem } from '../../../platform/errors.ts';
import { targetProblems, type TargetInput } from '../targets.ts';
import { csvErrorInFrench } from '../../../platform/text-input.ts';

export const TARGET_COLUMNS = ['code_commune', 'periode_debut', 'periode_fin', 'objectif_logements', 'objectif_logements_sociaux'] as const;

export function readTargetsCsv(text: string, file: string): { targets: TargetInput[]; problems: InputProblem[] } {
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
  const targets: TargetInput[] = [];
  records.slice(1).forEach((rec, i) => {
    const line = i + 2;
    const get = (c: string) => rec[header.indexOf(c)] ?? '';
    const int = (c: string) => (/^\d+$/.test(get(c)) ? Number(get(c)) : NaN);
    const sruRaw = get('sru').toLowerCase();
    if (sruRaw && !['oui', 'non', 'true', 'false', '1', '0'].includes(sruRaw)) {
      problems.push({ file, line, column: 'sru', rule: 'booleen', value: get('sru'), message: 'la valeur doit être oui ou non.' });
      return;
    }
    const t: TargetInput = {
      code_commune: get('code_commune'),
      periode_debut: int('periode_debut'),
      periode_fin: int('periode_fin'),
      objectif_logements: int('objectif_logements'),
      objectif_logements_sociaux: int('objectif_logements_sociaux'),
      sru: ['oui', 'true', '1'].includes(sruRaw),
    };
    const p = targetProblems(t);
    if (p.length) for (const x of p) problems.push({ file, line, column: x.column, rule: x.rule, value: get(x.column), message: x.message });
    else targets.push(t);
  });
  return { targets, problems };
}
