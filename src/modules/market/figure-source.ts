// Where the published figures are read from: the indicators precomputed after an import (indicators-store.ts), or
// the raw lake through store.ts `figures` (the one computation, which the indicators reproduce). The service asks one
// of them; the raw lake answers while the indicators are not those of the lake, and is the bench's « before ».
import type { LakeReader } from '../../platform/lake.ts';
import { PORTAL_TYPES, type LatestSale } from './contract.ts';
import { AnswerCache } from '../../platform/answer-cache.ts';
import { HISTOGRAM_MIN_SALES, LATEST_SALES_KEPT, readHistograms, readLatestSales, readIndicators, readIndicatorsMeta, rangeKey, sectionPeriods, type IndicatorLevel, type StoredIndicator } from './indicators-store.ts';
import { PROPERTY_TYPES, departementOf, yearRange, type IndicatorRow, type Method, type PropertyType, type Scope } from './model.ts';
import { histogram, type Bin } from './portal-model.ts';
import { dataDates, figures, latestSales, readDvfManifest, saleCounts, salePoints, salePrices } from './store.ts';

type Years = { from?: number; to?: number };
type Span = { from: number; to: number };

export interface FigureSource {
  /** Every yearly and monthly figure of an area, of every type (within `years` when given). */
  area(scope: Scope, method: Method, years?: Years): Promise<IndicatorRow[]>;
  /** An area's figure of one type over a span of years. */
  span(scope: Scope, type: PropertyType, method: Method, win: Span): Promise<IndicatorRow | undefined>;
  /** Each commune's figure over a span, and its sale counts by `type|period` (years and months) for secrecy. */
  communes(codes: string[], type: PropertyType, method: Method, win: Span): Promise<{ figures: IndicatorRow[]; counts: Map<string, Map<string, number>> }>;
  /**
   * The sales behind a commune's figure over a span and their histogram (portal-model.ts `histogram`): no bins below
   * `minSales` sales (the page draws none: statistical secrecy).
   */
  distribution(code: string, type: PropertyType, method: Method, win: Span, minSales: number): Promise<{ sales: number; bins: Bin[] }>;
  /** A commune's figures by cadastral section over a span. */
  sections(code: string, type: PropertyType, method: Method, win: Span): Promise<IndicatorRow[]>;
  dates(departements: string[]): Promise<{ data_until: string | null; imported_at: string | null }>;
  /** A place's latest mutations, newest first (store.ts `latestSales`). */
  latestSales(code: string, limit: number): Promise<LatestSale[]>;
  /** The mean position of these mutations of a place (store.ts `salePoints`). */
  salePoints(code: string, ids: string[]): Promise<Map<string, { lon: number; lat: number }>>;
}

/** Straight from the lake (a handful of DuckDB queries over the partitions per answer). */
export function lakeSource(lake: LakeReader): FigureSource {
  return {
    area: (scope, method, years = {}) => figures(lake, { area: scope, types: PROPERTY_TYPES, method, ...years, period: 'year_and_month' }),
    span: async (scope, type, method, win) => (await figures(lake, { area: scope, types: [type], method, ...win, period: 'span' }))[0],
    communes: async (codes, type, method, win) => {
      const area = { level: 'communes' as const, communes: codes };
      const [f, counts] = await Promise.all([
        figures(lake, { area, by: 'commune', types: [type], method, ...win, period: 'span' }),
        saleCounts(lake, { area, by: 'commune', types: PORTAL_TYPES, method, ...win }),
      ]);
      return { figures: f, counts };
    },
    distribution: async (code, type, method, win, minSales) => {
      const prices = await salePrices(lake, { area: { level: 'commune', code }, types: [type], method, ...win });
      return { sales: prices.length, bins: prices.length >= minSales ? histogram(prices) : [] };
    },
    sections: (code, type, method, win) => figures(lake, { area: { level: 'commune', code }, by: 'section', types: [type], method, ...win, period: 'span' }),
    dates: (departements) => dataDates(lake, departements),
    latestSales: (code, limit) => latestSales(lake, code, limit),
    salePoints: (code, ids) => salePoints(lake, code, ids),
  };
}

/** The levels a scope is stored at; sections are not (their route reads the lake). */
function levelsOf(scope: Scope): IndicatorLevel[] | null {
  switch (scope.level) {
    case 'commune':
      // A commune's own code, or an arrondissement's: each code is stored at one of the two.
      return ['commune', 'arrondissement'];
    case 'section':
      return null;
    default:
      return [scope.level];
  }
}

/** A stored row as `figures` gives it: the published five figures, the area's code. */
const asRow = (r: StoredIndicator, code = r.code): IndicatorRow => ({
  code,
  period: r.period,
  type: r.type,
  sales_count: r.sales_count,
  price_m2_q1: Number(r.price_m2_q1),
  price_m2_median: Number(r.price_m2_median),
  price_m2_q3: Number(r.price_m2_q3),
  price_median: Number(r.price_median),
});

const byPeriodTypeCode = (types: readonly PropertyType[]) => {
  const order = new Map(types.map((t, i) => [t, i]));
  return (a: IndicatorRow, b: IndicatorRow) => a.period.localeCompare(b.period) || order.get(a.type)! - order.get(b.type)! || a.code.localeCompare(b.code);
};

/** An edition's indicators of one method, indexed for the answers (built once per version of the lake). */
interface Index {
  byPlace: Map<string, StoredIndicator[]>;
  sectionsByParent: Map<string, StoredIndicator[]>;
  sectionsByPrefix: Map<string, StoredIndicator[]>;
  histograms: Map<string, Bin[]>;
}

const push = <V>(m: Map<string, V[]>, k: string, v: V) => {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
};

async function loadIndex(lake: LakeReader, method: Method): Promise<Index> {
  const [rows, hists] = await Promise.all([readIndicators(lake, method, { levels: ['commune', 'arrondissement', 'section', 'epci', 'departement', 'territory'] }), readHistograms(lake, method)]);
  const index: Index = { byPlace: new Map(), sectionsByParent: new Map(), sectionsByPrefix: new Map(), histograms: new Map() };
  for (const r of rows) {
    if (r.level === 'section') {
      push(index.sectionsByParent, r.parent ?? '', r);
      push(index.sectionsByPrefix, r.code.slice(0, 5), r);
    } else push(index.byPlace, `${r.level === 'arrondissement' ? 'commune' : r.level}|${r.code}`, r);
  }
  for (const h of hists) index.histograms.set(`${h.code}|${h.type}|${h.period}`, h.bins);
  return index;
}

/**
 * From the indicators computed after an import, held in memory per method once read (a few hundred bytes per figure: tens
 * of megabytes for an instance of a few départements; docs/decisions/0005-precomputed-indicators.md).
 */
export function indicatorSource(lake: LakeReader, version: () => string): FigureSource {
  const raw = lakeSource(lake);
  const indexes = new AnswerCache(version, 2);
  const index = (m: Method) => indexes.get(m, () => loadIndex(lake, m));
  // The indicators' meta (dates, section periods), read once per version of the lake, not per answer.
  const metas = new AnswerCache(version, 1);
  const meta = () => metas.get('meta', async () => readIndicatorsMeta(lake.dir));
  // Each place's latest mutations, read once per version of the lake.
  const latest = new AnswerCache(version, 1);
  const latestOf = async (code: string) => (await latest.get('latest', () => readLatestSales(lake))).get(code) ?? [];
  /** A place's figures: its scope's level, an arrondissement with the communes. */
  const place = async (scope: Scope, method: Method) => (await index(method)).byPlace.get(`${scope.level}|${scope.code}`) ?? [];
  return {
    async area(scope, method, years = {}) {
      if (!levelsOf(scope)) return raw.area(scope, method, years);
      const inYears = (p: string) => p.length <= 7 && (years.from === undefined || Number(p.slice(0, 4)) >= years.from) && (years.to === undefined || Number(p.slice(0, 4)) <= years.to);
      return (await place(scope, method)).filter((r) => inYears(r.period)).map((r) => asRow(r, scope.code)).sort(byPeriodTypeCode(PROPERTY_TYPES));
    },
    async span(scope, type, method, win) {
      // The instance's windows are not stored (no page asks for them): the lake answers.
      if (!levelsOf(scope) || scope.level === 'territory') return raw.span(scope, type, method, win);
      const key = rangeKey(win.from, win.to);
      const r = (await place(scope, method)).find((x) => x.type === type && x.period === key);
      return r && asRow(r, scope.code);
    },
    async communes(codes, type, method, win) {
      const key = rangeKey(win.from, win.to);
      const years = new Set(yearRange(win).map(String));
      const ix = await index(method);
      const counts = new Map<string, Map<string, number>>();
      const spanRows: IndicatorRow[] = [];
      for (const code of codes) {
        const c = new Map<string, number>();
        for (const r of ix.byPlace.get(`commune|${code}`) ?? []) {
          // A one-year window is the year itself: its key is a period of the counts too.
          if (r.period === key && r.type === type) spanRows.push(asRow(r));
          if (!r.period.includes('/') && years.has(r.period.slice(0, 4)) && (PORTAL_TYPES as PropertyType[]).includes(r.type)) c.set(`${r.type}|${r.period}`, r.sales_count);
        }
        if (c.size) counts.set(code, c);
      }
      return { figures: spanRows.sort(byPeriodTypeCode([type])), counts };
    },
    async distribution(code, type, method, win, minSales) {
      const key = rangeKey(win.from, win.to);
      const r = (await place({ level: 'commune', code }, method)).find((x) => x.type === type && x.period === key);
      // Histograms of fewer sales are not stored (never drawn at the default threshold): the lake answers.
      if (r && r.sales_count < minSales) return { sales: r.sales_count, bins: [] };
      if (r && r.sales_count < HISTOGRAM_MIN_SALES) return raw.distribution(code, type, method, win, minSales);
      return { sales: r?.sales_count ?? 0, bins: r ? ((await index(method)).histograms.get(`${code}|${type}|${key}`) ?? []) : [] };
    },
    async sections(code, type, method, win) {
      const key = rangeKey(win.from, win.to);
      // Stored for the département's last year and five years only (indicators-store.ts): other periods from the lake.
      if (!sectionPeriods((await meta())?.dataUntil[departementOf(code)]).includes(key)) return raw.sections(code, type, method, win);
      const ix = await index(method);
      // A commune's sections, or an arrondissement's (its sections' identifiers start with its code).
      const rows = new Set([...(ix.sectionsByParent.get(code) ?? []), ...(ix.sectionsByPrefix.get(code) ?? [])]);
      return [...rows].filter((r) => r.type === type && r.period === key).map((r) => asRow(r)).sort(byPeriodTypeCode([type]));
    },
    async latestSales(code, limit) {
      const kept = await latestOf(code);
      // Only the latest LATEST_SALES_KEPT are stored: a longer list of a place that has more comes from the lake.
      if (limit > kept.length && kept.length >= LATEST_SALES_KEPT) return raw.latestSales(code, limit);
      return kept.slice(0, limit).map(({ point: _point, ...sale }) => sale);
    },
    async salePoints(code, ids) {
      const kept = new Map((await latestOf(code)).map((s) => [s.id_mutation, s.point]));
      if (ids.some((id) => !kept.has(id))) return raw.salePoints(code, ids);
      return new Map(ids.flatMap((id) => (kept.get(id) ? [[id, kept.get(id)!] as const] : [])));
    },
    async dates(departements) {
      const m = await meta();
      const files = readDvfManifest(lake.dir).files;
      const days = departements.map((d) => m?.dataUntil[d]).filter((d): d is string => !!d);
      return { data_until: days.sort().at(-1) ?? null, imported_at: files.length ? files.map((f) => f.importedAt).sort().at(-1)! : null };
    },
  };
}
