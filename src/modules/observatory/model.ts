// The observatory's pure rules: how a cell of INSEE's « comparateur de territoires » reads, and which edition a file is.
// No I/O.

export const COMMUNE_CODE = /^[0-9][0-9AB][0-9]{3}$/;

/** A cell: a number, a figure under statistical secrecy (`s`), or nothing (an empty cell: not computed there). */
export type InseeCell = { kind: 'nombre'; value: number } | { kind: 'secret' } | { kind: 'vide' };

/**
 * INSEE writes weighted census counts with a decimal point (`493.237221704036`) and shares with a decimal comma
 * (`55,0`) in the same file; `s` marks a figure withheld by statistical secrecy. Thousands separators never appear.
 */
export function parseInseeCell(raw: string): InseeCell | null {
  const v = raw.trim();
  if (v === '') return { kind: 'vide' };
  if (v === 's') return { kind: 'secret' };
  if (!/^-?\d+(?:[.,]\d+)?$/.test(v)) return null;
  return { kind: 'nombre', value: Number(v.replace(',', '.')) };
}

/** Census year of a header (the `Pyy_POP` column with the largest yy), e.g. 2022 for P22_POP. */
export function censusYear(header: string[]): number | null {
  const years = header.map((h) => /^P(\d{2})_POP$/.exec(h.trim())?.[1]).filter((y): y is string => !!y).map((y) => 2000 + Number(y));
  return years.length ? Math.max(...years) : null;
}

/**
 * The edition of a comparateur file: the year in its name when there is one (INSEE's own file is named
 * base_cc_comparateur.csv, so this is for copies), otherwise census year + 3 — INSEE publishes the census of year N
 * in the comparateur of year N+3 (RP 2022 in the 2025 edition, with Filosofi 2021).
 */
export function editionOf(fileName: string, header: string[]): string | null {
  const fromName = /(?:^|[^0-9])(20\d{2})(?:[^0-9]|$)/.exec(fileName)?.[1];
  if (fromName) return fromName;
  const rp = censusYear(header);
  return rp ? String(rp + 3) : null;
}

