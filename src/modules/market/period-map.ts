// The portal's map of communes over the commune page's periods: any range of months the lake holds, by default the
// last twelve months of the edition (period.ts, the one period rule), each commune's median with the secrecy its own
// period page gives it. The year-or-five-years map of service.ts stays for the observatory and older API users.
import { AnswerCache } from '../../platform/answer-cache.ts';
import type { TypedDb } from '../../platform/db.ts';
import type { LakeReader } from '../../platform/lake.ts';
import { protect, type Status } from '../../platform/secrecy.ts';
import { instanceCommunes, instanceEpcis } from '../territory/index.ts';
import { PORTAL_TYPES, type DataTable, type MapRow } from './contract.ts';
import type { MapPeriodAnswer, MapPeriodQuery } from './contract-portal.ts';
import { SOURCE_DVF, departementOf } from './model.ts';
import { choosePeriod, describeEdition, describePeriod, periodYears } from './period.ts';
import { COLUMNS, PORTAL_METHOD, TYPE_LABEL, figureCells, priceClasses, secrecyNote } from './portal-model.ts';
import { dataDates, dvfVersion, figures } from './store.ts';
import { monthsInLake } from './store-portal.ts';

/**
 * Each commune's status on the map, for the three types at once, so that the maps of the three types never give a
 * withheld figure back by difference: each commune's houses + flats = both (the total withheld first, as its period
 * page does, and these relations first, so the map withholds at least what the page does), and, for each type, the
 * communes of an EPCI add up to the EPCI's figure, which the period pages publish.
 */
export function mapStatuses(
  counts: { code: string; epci: string; byType: number[]; epciTotal: number[] }[],
  min: number,
): { communes: Map<string, Status[]>; epcis: Map<string, Status[]> } {
  const n = counts.length;
  const epcis = [...new Set(counts.map((c) => c.epci))];
  const values = [...counts.flatMap((c) => c.byType), ...epcis.flatMap((e) => counts.find((c) => c.epci === e)!.epciTotal)];
  const relations = [
    ...counts.map((_, i) => ({ total: i * 3 + 2, parts: [i * 3, i * 3 + 1], prefer: 'total' as const })),
    ...epcis.flatMap((e, j) =>
      [0, 1, 2].map((k) => ({ total: n * 3 + j * 3 + k, parts: counts.flatMap((c, i) => (c.epci === e ? [i * 3 + k] : [])) })),
    ),
  ];
  const st = protect(values, relations, { min });
  return {
    communes: new Map(counts.map((c, i) => [c.code, st.slice(i * 3, i * 3 + 3)])),
    epcis: new Map(epcis.map((e, j) => [e, st.slice(n * 3 + j * 3, n * 3 + j * 3 + 3)])),
  };
}

export function periodMapService({ db, lake, secrecyMinCount: min }: { db: TypedDb; lake: LakeReader; secrecyMinCount: number }) {
  const cache = new AnswerCache(() => dvfVersion(lake.dir));

  async function mapPeriod(q: MapPeriodQuery): Promise<MapPeriodAnswer> {
    const [epcis, communes] = await Promise.all([instanceEpcis(db), instanceCommunes(db)]);
    const places = epcis.flatMap((e) => communes.filter((c) => c.epci_siren === e.siren).map((c) => ({ code: c.code, name: c.name, epci_siren: e.siren, epci_name: e.name })));
    const codes = places.map((c) => c.code);
    const deps = [...new Set(codes.map(departementOf))];
    const [months, dates] = await Promise.all([monthsInLake(lake, deps), dataDates(lake, deps)]);
    const period = choosePeriod(months, { from: q.from, to: q.to });
    const label = period ? describePeriod(period, months) : 'aucune donnée';
    const sel = period ? { method: q.method, ...periodYears(period), months: { from: period.from, to: period.to }, period: 'span' as const } : undefined;
    const membersOf = (siren: string) => places.filter((p) => p.epci_siren === siren).map((p) => p.code);
    const [byType, epciFigures] = sel
      ? await Promise.all([
          figures(lake, { area: { level: 'communes', communes: codes }, by: 'commune', types: PORTAL_TYPES, ...sel }),
          Promise.all(epcis.map((e) => figures(lake, { area: { level: 'epci', code: e.siren, communes: membersOf(e.siren) }, types: PORTAL_TYPES, ...sel }))),
        ])
      : [[], []];
    const count = (code: string, t: string) => byType.find((f) => f.code === code && f.type === t)?.sales_count ?? 0;
    const epciCount = (siren: string, t: string) => epciFigures[epcis.findIndex((e) => e.siren === siren)]?.find((f) => f.type === t)?.sales_count ?? 0;
    const { communes: statuses } = mapStatuses(
      places.map((p) => ({ code: p.code, epci: p.epci_siren, byType: PORTAL_TYPES.map((t) => count(p.code, t)), epciTotal: PORTAL_TYPES.map((t) => epciCount(p.epci_siren, t)) })),
      min,
    );
    const typeIndex = PORTAL_TYPES.indexOf(q.type);
    const rows: MapRow[] = places.map((c) => {
      const f = byType.find((x) => x.code === c.code && x.type === q.type);
      const at = { code: c.code, period: label, type: q.type };
      return { ...c, ...(f ? figureCells(f, at, statuses.get(c.code)![typeIndex], min) : { ...figureCells(undefined, at, 'primary', min), reason: 'Aucune vente retenue dans les données.' }) };
    });
    const published = rows.filter((r) => !r.withheld).map((r) => r.price_m2_median as number);
    const table: DataTable<MapRow> = {
      name: 'map',
      meta: {
        title: `Prix au m² médian par commune — ${TYPE_LABEL[q.type]}, ${label}`,
        period: label,
        method: PORTAL_METHOD[q.method],
        source: SOURCE_DVF,
        ...dates,
        secrecy_min_count: min,
        secret_statistique: secrecyNote(min),
      },
      columns: COLUMNS.map,
      rows,
    };
    return {
      type: q.type,
      months,
      period: period ? { from: period.from, to: period.to, label, default: period.default } : null,
      edition: { ...dates, label: describeEdition(dates) },
      epcis: epcis.map((e) => ({ siren: e.siren, name: e.name })),
      classes: priceClasses(published).map((c) => ({ ...c, max: Number.isFinite(c.max) ? c.max : null })),
      table,
    };
  }

  const cached = (q: MapPeriodQuery) => cache.get(`map-period|${JSON.stringify(q)}`, () => mapPeriod(q));
  return {
    mapPeriod: cached,
    async mapPeriodDownload(q: MapPeriodQuery) {
      const answer = await cached(q);
      const slug = answer.period ? `${answer.period.from}-${answer.period.to}` : 'sans-donnees';
      return { table: answer.table, fileName: `prix-communes-${slug}-${q.type}` };
    },
  };
}
