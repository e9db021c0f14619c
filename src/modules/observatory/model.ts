// The observatory's pure rules: how a cell of INSEE's « comparateur de territoires » reads, and which edition a file is.
// No I/O.

import { protect, type Relation, type Status } from '../../platform/secrecy.ts';

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


// ---------- comparisons: legend classes ----------

export interface QuantileClass {
  index: number;
  min: number;
  max: number;
  count: number;
}

/**
 * Legend classes chosen from the data: up to `k` classes holding about the same number of values (quantiles). A
 * class boundary never splits equal values, so there are fewer classes when values repeat; every value falls in
 * exactly one class, and the classes are in increasing order without overlap.
 */
export function quantileClasses(values: readonly number[], k: number): QuantileClass[] {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const out: QuantileClass[] = [];
  let start = 0;
  for (let i = 0; i < k && start < sorted.length; i++) {
    // The class ends at the i-th quantile rank, extended past values equal to its last one.
    let end = Math.max(start + 1, Math.round(((i + 1) * sorted.length) / k));
    while (end < sorted.length && sorted[end] === sorted[end - 1]) end++;
    if (i === k - 1) end = sorted.length;
    out.push({ index: out.length, min: sorted[start], max: sorted[end - 1], count: end - start });
    start = end;
  }
  return out;
}

/** The class of a value (the first whose max is at least the value), or null for a missing value. */
export function classOf(value: number | null, classes: readonly QuantileClass[]): number | null {
  if (value === null || !classes.length) return null;
  return (classes.find((c) => value <= c.max) ?? classes.at(-1)!).index;
}

/** Ranks, 1 for the largest value; equal values share a rank; missing values get none. */
export function ranks(values: readonly (number | null)[]): (number | null)[] {
  const present = values.filter((v): v is number => v !== null).sort((a, b) => b - a);
  return values.map((v) => (v === null ? null : present.indexOf(v) + 1));
}

// ---------- comparable communes ----------

export interface Profile {
  code: string;
  /** Population, median income, price per m²; null when unknown. */
  values: readonly (number | null)[];
}

/**
 * The `n` communes closest to `target` in standardised distance: each dimension is divided by its standard
 * deviation over all profiles (so inhabitants and euros weigh alike), the distance is the root mean square of the
 * differences on the dimensions both communes have. A commune sharing no dimension with the target is left out;
 * ties are broken by code, so the answer is stable.
 */
export function closestProfiles(target: Profile, profiles: readonly Profile[], n = 5): { code: string; distance: number }[] {
  const dims = target.values.length;
  const sd = Array.from({ length: dims }, (_, d) => {
    const xs = profiles.map((p) => p.values[d]).filter((v): v is number => v !== null);
    if (xs.length < 2) return 0;
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    return Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length);
  });
  const out: { code: string; distance: number }[] = [];
  for (const p of profiles) {
    if (p.code === target.code) continue;
    let sum = 0;
    let used = 0;
    for (let d = 0; d < dims; d++) {
      const a = target.values[d];
      const b = p.values[d];
      if (a === null || b === null || !sd[d]) continue;
      sum += ((a - b) / sd[d]) ** 2;
      used++;
    }
    if (used) out.push({ code: p.code, distance: Math.sqrt(sum / used) });
  }
  return out.sort((a, b) => a.distance - b.distance || a.code.localeCompare(b.code)).slice(0, n);
}

// ---------- figures ----------

/** A share in percent, rounded to one decimal; null when the denominator is zero or a part is missing. */
export function percent(part: number | null | undefined, whole: number | null | undefined): number | null {
  if (part == null || whole == null || whole === 0) return null;
  return Math.round((part / whole) * 1000) / 10;
}

/** Change in percent from `before` to `after`, one decimal. */
export function change(after: number | null | undefined, before: number | null | undefined): number | null {
  if (after == null || before == null || before === 0) return null;
  return Math.round((after / before - 1) * 1000) / 10;
}

/** Sums of the INSEE figures of several communes, column by column; a column secret or missing in one is unknown. */
export function sumFigures(rows: readonly { figures: Record<string, number>; secrets: readonly string[] }[], columns: readonly string[]) {
  const out: Record<string, number | null> = {};
  for (const c of columns) out[c] = rows.length && rows.every((r) => typeof r.figures[c] === 'number') ? rows.reduce((a, r) => a + r.figures[c], 0) : null;
  return out;
}

// ---------- secondary secrecy across levels (commune, EPCI, instance) ----------

/** One commune's count for one indicator and period: its value (dwellings…), the cases behind it, its EPCI. */
export interface LevelCell {
  code: string;
  epci: string | null;
  value: number;
  cases: number;
}

export interface LevelSecrecy {
  communes: Map<string, Status>;
  epcis: Map<string, Status>;
  instance: Status;
}

/**
 * Primary and secondary secrecy of an additive count (a count or a sum: never a median or a rate, which are not
 * the sum of their parts) published at three levels: each commune, each EPCI (the sum of its communes) and the
 * instance (the sum of its EPCIs, and of the communes outside any EPCI). A commune withheld for its own few cases
 * must not come back as EPCI total − its other communes, nor an EPCI as instance − the other EPCIs: the platform's
 * rule (`protect`: in a group with exactly one withheld cell, the smallest other one is withheld too, again until
 * nothing changes, then no withheld cell determined by the equations) decides all levels in one pass, so every
 * answer that shows a level withholds the same cells. A zero is not a secret (a commune's series shows it has no
 * case that year): it is never picked to cover another cell.
 */
export function protectLevels(communes: readonly LevelCell[], min: number): LevelSecrecy {
  const epcis = [...new Set(communes.map((c) => c.epci).filter((e): e is string => e !== null))].sort();
  const values = communes.map((c) => c.value);
  const cases = communes.map((c) => c.cases);
  const relations: Relation[] = [];
  const epciIndex = new Map<string, number>();
  for (const e of epcis) {
    const parts = communes.flatMap((c, i) => (c.epci === e ? [i] : []));
    epciIndex.set(e, values.length);
    relations.push({ total: values.length, parts });
    values.push(parts.reduce((s, i) => s + values[i], 0));
    cases.push(parts.reduce((s, i) => s + cases[i], 0));
  }
  const top = [...epciIndex.values(), ...communes.flatMap((c, i) => (c.epci === null ? [i] : []))];
  const instance = values.length;
  relations.push({ total: instance, parts: top });
  values.push(top.reduce((s, i) => s + values[i], 0));
  cases.push(top.reduce((s, i) => s + cases[i], 0));
  const known = values.map((v, i) => (v === 0 && cases[i] === 0 ? ('published' as const) : undefined));
  const status = protect(values, relations, { min, cases, known });
  return {
    communes: new Map(communes.map((c, i) => [c.code, status[i]])),
    epcis: new Map(epcis.map((e) => [e, status[epciIndex.get(e)!]])),
    instance: status[instance],
  };
}

// ---------- versions of the sources an answer reads (issue 16 §1) ----------

/** The sources a portrait joins: each one's version changes with each import or edit of that source. */
export type SourceKey = 'territory' | 'insee' | 'dvf' | 'construction' | 'rpls' | 'dpe' | 'plh' | 'demand' | 'day' | 'config';
export type SourceVersions = Record<SourceKey, string>;

/**
 * The key of something computed from these sources only: a change of another source leaves it valid (the
 * construction pipeline, which changes in real time, does not empty what reads only the INSEE figures).
 */
export function versionKey(v: SourceVersions, reads: readonly SourceKey[]): string {
  return [...new Set(reads)].sort().map((k) => `${k}=${v[k]}`).join('|');
}
