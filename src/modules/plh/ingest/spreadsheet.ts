// Reading and writing the programme's sheets: XLSX through exceljs, CSV through csv-parse (semicolon or comma,
// as French spreadsheets save them). Unreadable files become problems, never exceptions.
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { neutraliseFormula, restoreNeutralised, toCsv } from '../../../platform/csv.ts';
import type { InputProblem } from '../../../platform/errors.ts';
import { SHEETS, SHEET_NAMES, checkHeaders, type SheetName, type SheetRow, type Sheets } from './programme-sheet.ts';
import { csvErrorInFrench } from '../../../platform/text-input.ts';

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return restoreNeutralised(v);
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('result' in v) return cellText(v.result as ExcelJS.CellValue);
    if ('text' in v) return String(v.text);
    if ('error' in v) return String(v.error);
  }
  return String(v);
}

function rowsFromWorksheet(ws: ExcelJS.Worksheet): { headers: string[]; rows: SheetRow[] } {
  const headers: string[] = [];
  ws.getRow(1).eachCell({ includeEmpty: true }, (cell, col) => (headers[col - 1] = cellText(cell.value).trim()));
  const rows: SheetRow[] = [];
  ws.eachRow((row, line) => {
    if (line === 1) return;
    const cells: Record<string, string> = {};
    let any = false;
    headers.forEach((h, i) => {
      if (!h) return;
      const t = cellText(row.getCell(i + 1).value).trim();
      if (t) any = true;
      cells[h] = t;
    });
    if (any) rows.push({ line, cells });
  });
  return { headers, rows };
}

/** All the sheets of a programme workbook; a sheet missing from the workbook is simply absent. */
export async function readProgrammeXlsx(buffer: Buffer, file: string): Promise<{ sheets: Sheets; problems: InputProblem[] }> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(buffer as unknown as Parameters<typeof wb.xlsx.load>[0]);
  } catch {
    return { sheets: {}, problems: [{ file, line: 1, rule: 'format_xlsx', message: 'le fichier n’est pas un classeur Excel (.xlsx) lisible' }] };
  }
  const sheets: Sheets = {};
  const problems: InputProblem[] = [];
  for (const name of SHEET_NAMES) {
    const ws = wb.worksheets.find((w) => w.name.trim().toLowerCase() === SHEETS[name].title.toLowerCase());
    if (!ws) continue;
    const { headers, rows } = rowsFromWorksheet(ws);
    const where = `${file}, feuille ${SHEETS[name].title}`;
    problems.push(...checkHeaders(name, headers, where));
    sheets[name] = rows;
  }
  return { sheets, problems };
}

/** One sheet from a CSV file (header on line 1). */
export function readSheetCsv(sheet: SheetName, text: string, file: string): { rows: SheetRow[]; problems: InputProblem[] } {
  return readCsvRows(text, file, (headers) => checkHeaders(sheet, headers, file));
}

/** Rows of a CSV file by column name, with the header checked by `checkHeader`. */
export function readCsvRows(text: string, file: string, checkHeader: (headers: string[]) => InputProblem[]): { rows: SheetRow[]; problems: InputProblem[] } {
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) >= (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  let records: string[][];
  try {
    records = parse(text, { bom: true, delimiter, relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch (err) {
    const fault = csvErrorInFrench(err, { text, delimiter });
    return { rows: [], problems: [{ file, line: fault.line, rule: 'format_csv', message: `fichier CSV illisible : ${fault.message}` }] };
  }
  if (!records.length) return { rows: [], problems: [{ file, line: 1, rule: 'fichier_vide', message: 'le fichier est vide' }] };
  const headers = records[0].map((h) => h.trim());
  const problems = checkHeader(headers);
  const rows: SheetRow[] = records.slice(1).map((rec, i) => {
    const cells: Record<string, string> = {};
    headers.forEach((h, j) => (cells[h] = restoreNeutralised((rec[j] ?? '').trim())));
    return { line: i + 2, cells };
  });
  return { rows, problems };
}

export async function writeProgrammeXlsx(data: Record<SheetName, Record<string, string | number>[]>): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Habitat Commun';
  for (const name of SHEET_NAMES) {
    const ws = wb.addWorksheet(SHEETS[name].title);
    const columns = SHEETS[name].columns as readonly string[];
    ws.columns = columns.map((c) => ({ header: c, key: c, width: Math.max(12, c.length + 2) }));
    ws.getRow(1).font = { bold: true };
    // Text cells get the CSV files' protection against formulas (platform/csv.ts); numbers stay numbers.
    for (const row of data[name]) ws.addRow(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'string' ? neutraliseFormula(v) : v])));
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}


/** Semicolon-separated with a BOM, the way French spreadsheet software opens CSV without asking. */
export function writeSheetCsv(sheet: SheetName, rows: Record<string, string | number>[]): string {
  const columns = SHEETS[sheet].columns as readonly string[];
  return toCsv([columns, ...rows.map((r) => columns.map((c) => r[c] ?? ''))], { delimiter: ';', bom: true });
}
