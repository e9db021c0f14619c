// The portal's periods: any range of months the lake holds (`from=YYYY-MM&to=YYYY-MM`), by default the last twelve
// months of the latest edition, and labels that never claim more than the data hold (a « 5 ans » window over one
// loaded year says « 2018 seulement »). Pure: the months come from the lake (store.ts), the rules are here.

export interface Period {
  /** First and last month, inclusive, `YYYY-MM`. */
  from: string;
  to: string;
}

const MONTH_NAMES = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];
export const monthLabel = (m: string) => `${MONTH_NAMES[Number(m.slice(5, 7)) - 1]} ${m.slice(0, 4)}`;

/** The month `n` months after `m` (negative: before). */
export function addMonths(m: string, n: number): string {
  const i = Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7)) - 1 + n;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
}

/** Number of months from `from` to `to`, both included. */
export const monthCount = (p: Period) => (Number(p.to.slice(0, 4)) - Number(p.from.slice(0, 4))) * 12 + Number(p.to.slice(5, 7)) - Number(p.from.slice(5, 7)) + 1;

/**
 * The period asked for, within what the lake holds (`months`, any order): the default is the twelve months that end
 * with the latest month holding sales; bounds are swapped when reversed and clamped to the data. Null when the lake
 * holds nothing for these places.
 */
export function choosePeriod(months: readonly string[], asked: { from?: string; to?: string }): (Period & { default: boolean }) | null {
  const held = [...new Set(months)].sort();
  if (!held.length) return null;
  const first = held[0];
  const last = held.at(-1)!;
  if (!asked.from && !asked.to) return { from: maxMonth(first, addMonths(last, -11)), to: last, default: true };
  let from = asked.from ?? first;
  let to = asked.to ?? last;
  if (from > to) [from, to] = [to, from];
  from = maxMonth(from, first);
  to = to < last ? to : last;
  if (from > to) from = to;
  return { from, to, default: false };
}

const maxMonth = (a: string, b: string) => (a > b ? a : b);

/** The inclusive years a period spans (the lake's partitions to read). */
export const periodYears = (p: Period) => ({ from: Number(p.from.slice(0, 4)), to: Number(p.to.slice(0, 4)) });

/**
 * The period in plain French, saying only what the data hold: « 2018 » for a whole calendar year, « janvier à juin
 * 2018 », « mars 2017 à février 2018 »; `held` (the months with sales) narrows the label when the range starts
 * before or ends after the data.
 */
export function describePeriod(p: Period, held: readonly string[] = []): string {
  const inData = held.filter((m) => m >= p.from && m <= p.to).sort();
  const from = inData.length ? maxMonth(p.from, inData[0]) : p.from;
  const to = inData.length && inData.at(-1)! < p.to ? inData.at(-1)! : p.to;
  const [fy, fm, ty, tm] = [from.slice(0, 4), from.slice(5), to.slice(0, 4), to.slice(5)];
  if (fm === '01' && tm === '12') return fy === ty ? fy : `${fy} à ${ty} (${Number(ty) - Number(fy) + 1} ans)`;
  if (from === to) return monthLabel(from);
  if (fy === ty) return `${MONTH_NAMES[Number(fm) - 1]} à ${monthLabel(to)}`;
  return `${monthLabel(from)} à ${monthLabel(to)}`;
}

/**
 * The label of the map's « year or five years » window, from the years the lake holds: five years pooled are
 * announced as such only when five are loaded (« 2014 à 2018 (5 ans cumulés) »), otherwise the years actually held
 * (« 2018 seulement : une seule année chargée »).
 */
export function describeHeldWindow(year: number, window: 'year' | 'five_years', years: readonly number[]): string {
  if (window === 'year') return String(year);
  const held = years.filter((y) => y >= year - 4 && y <= year).sort((a, b) => a - b);
  if (held.length >= 5) return `${year - 4} à ${year} (5 ans cumulés)`;
  if (held.length <= 1) return `${year} seulement (une seule année chargée sur les 5 demandées)`;
  return `${held[0]} à ${year} (${held.length} années chargées sur les 5 demandées, cumulées)`;
}

const fmtDate = (d: string) => new Date(`${d}T12:00:00Z`).toLocaleDateString('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** The edition the figures come from, in French: the last sale held and the day of the import. */
export function describeEdition(dates: { data_until: string | null; imported_at: string | null }): string {
  if (!dates.data_until) return 'Aucune vente chargée pour ce département.';
  return `Édition des données : ventes jusqu’au ${fmtDate(dates.data_until)}${dates.imported_at ? `, importées le ${fmtDate(dates.imported_at.slice(0, 10))}` : ''}`;
}
