// The use cases of the portal's period page and search: a commune's figures over any range of months, with the
// number of sales, interquartile range and 95 % confidence interval of every median; its cadastral sections with
// their position; the sales of the period on the map with the other sales of their parcel; distributions of prices,
// surfaces and rooms; the repeat-sales index of its EPCI; and the search by commune, postal code or street with a
// type and budget filter. Figures come from store.ts `figures` (the one computation), the sales behind them from
// `selectedSales` (the same selection), and secrecy from platform/secrecy.ts `protect` (primary and secondary).
import { AnswerCache } from '../../platform/answer-cache.ts';
import type { TypedDb } from '../../platform/db.ts';
import { notFound } from '../../platform/errors.ts';
import type { LakeReader } from '../../platform/lake.ts';
import { protect, type Status } from '../../platform/secrecy.ts';
import { departementNames, epciCommunes, findCommune, findEpci, instanceCommunes } from '../territory/index.ts';
import { PORTAL_TYPES, type PortalType } from './contract.ts';
import type { PeriodAnswer, PeriodQuery, PortalSale, SearchAnswer, SearchQuery, Stats } from './contract-portal.ts';
import { SOURCE_DVF, departementOf, publicIndicator, type IndicatorRow, type Method } from './model.ts';
import { choosePeriod, describeEdition, describePeriod, periodYears, type Period } from './period.ts';
import { PORTAL_METHOD, TYPE_LABEL, describeSale, histogram, publicSaleList, quantile, roundCoordinate, saleCells, saleTypes } from './portal-model.ts';
import { MIN_PAIRS, repeatSalesIndex } from './repeat-sales.ts';
import { convexHull, groupWithheld, medianConfidenceInterval } from './statistics.ts';
import { dataDates, dvfVersion, figures, salePrices, selectedSales, type SelectedSale } from './store.ts';
import { findStreets, monthsInLake, periodMutations, type PeriodMutation } from './store-portal.ts';

export const STATISTICS_METHOD =
  'Chaque médiane est donnée avec son nombre de ventes, son écart interquartile (troisième quartile moins premier quartile : l’étendue de la moitié centrale des prix) et son intervalle de confiance à 95 %, calculé par les statistiques d’ordre (sans hypothèse sur la forme de la répartition) : le nombre de ventes sous la vraie médiane suit une loi binomiale de paramètre ½, ce qui donne les rangs des deux ventes qui encadrent la médiane 95 fois sur 100.';

export const REPEAT_SALES_METHOD = `Indice des ventes répétées (méthode de Bailey, Muth et Nourse) : un même logement vendu deux fois — même parcelle et même numéro de lot, ou même parcelle et même surface pour une maison — donne l’évolution des prix entre les deux trimestres, à qualité égale. Les évolutions de toutes les paires sont combinées par moindres carrés ; base 100 au premier trimestre. Pas d’indice sous ${MIN_PAIRS} paires.`;

const normal = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/** The portal's period page and search, read from the lake and cached until the next import. */
export function portalPeriodService({
  db,
  lake,
  secrecyMinCount: min,
  withheldCells,
}: {
  db: TypedDb;
  lake: LakeReader;
  secrecyMinCount: number;
  /** Which of a commune's year and month figures are withheld (service.ts): the lists of sales leave their sales out. */
  withheldCells: (code: string) => Promise<(cell: string) => boolean>;
}) {
  const cache = new AnswerCache(() => dvfVersion(lake.dir));

  /** A group's published statistics given its status: withheld ones carry only the reason. */
  function statsOf(f: IndicatorRow | undefined, prices: number[], status: Status): Stats {
    const empty = { sales_count: null, price_m2_median: null, price_m2_q1: null, price_m2_q3: null, price_m2_iqr: null, price_m2_ci_low: null, price_m2_ci_high: null, price_median: null };
    if (!f || !f.sales_count) return { withheld: true, reason: 'Aucune vente retenue sur la période.', ...empty };
    const p = publicIndicator(f, status, min);
    if (p.withheld) return { withheld: true, reason: p.reason, ...empty };
    const ci = medianConfidenceInterval([...prices].sort((a, b) => a - b));
    return {
      withheld: false,
      reason: null,
      sales_count: f.sales_count,
      price_m2_median: f.price_m2_median,
      price_m2_q1: f.price_m2_q1,
      price_m2_q3: f.price_m2_q3,
      price_m2_iqr: f.price_m2_q3 - f.price_m2_q1,
      price_m2_ci_low: Math.round(ci.low),
      price_m2_ci_high: Math.round(ci.high),
      price_median: f.price_median,
    };
  }

  /** Statuses of cells bound by `total = sum of parts` (the last cell is the total), some already decided. */
  const statuses = (counts: number[], known: (Status | undefined)[] = [], prefer: 'parts' | 'total' = 'parts') =>
    protect(counts, counts.length > 1 ? [{ total: counts.length - 1, parts: counts.slice(0, -1).map((_, i) => i), prefer }] : [], { min, known });

  /** Figures of a group of sales computed in TypeScript the way DuckDB does (`quantile_cont`), for rooms. */
  function figuresOf(code: string, sales: SelectedSale[], type: PortalType): IndicatorRow {
    const p = sales.map((s) => s.price_m2).sort((a, b) => a - b);
    const v = sales.map((s) => s.price).sort((a, b) => a - b);
    return { code, period: 'span', type, sales_count: sales.length, price_m2_q1: Math.round(quantile(p, 0.25)), price_m2_median: Math.round(quantile(p, 0.5)), price_m2_q3: Math.round(quantile(p, 0.75)), price_median: Math.round(quantile(v, 0.5)) };
  }

  function saleOf(m: PeriodMutation): Omit<PortalSale, 'same_parcel'> {
    const d = describeSale(m);
    return {
      id: m.id_mutation,
      date: m.date_mutation,
      type: d.type === 'plusieurs biens' ? 'Plusieurs biens' : d.type[0].toUpperCase() + d.type.slice(1),
      surface: m.surface_reelle_bati,
      rooms: m.nombre_pieces_principales,
      surface_terrain: m.surface_terrain,
      price: m.valeur_fonciere,
      price_m2: d.price_m2,
      section: m.section,
      parcel: m.id_parcelle,
      street: m.street,
      longitude: roundCoordinate(m.longitude),
      latitude: roundCoordinate(m.latitude),
    };
  }

  async function periodPage(code: string, q: PeriodQuery): Promise<PeriodAnswer> {
    const place = await findCommune(db, code);
    if (!place) throw notFound(`Commune ${code}`);
    const dep = departementOf(code);
    const [epci, members, depNames, months, dates] = await Promise.all([
      place.epci_siren ? findEpci(db, place.epci_siren) : undefined,
      place.epci_siren ? epciCommunes(db, place.epci_siren).then((cs) => cs.map((c) => ({ code: c.code, name: c.name }))) : [],
      departementNames(db, [dep]),
      monthsInLake(lake, [dep]),
      dataDates(lake, [dep]),
    ]);
    const period = choosePeriod(months, { from: q.from, to: q.to });
    const { type } = q;
    const method = q.method as Method;
    const edition = { ...dates, label: describeEdition(dates) };
    const commune = { code, name: place.name, epci_siren: place.epci_siren, epci_name: epci?.name ?? null, departement_code: dep, departement_name: depNames.get(dep) ?? null };
    const memberCodes = members.length ? members.map((m) => m.code) : [code];
    const at = (p: Period) => ({ method, ...periodYears(p), months: { from: p.from, to: p.to } });
    const none: Stats = statsOf(undefined, [], 'primary');
    const base = {
      commune,
      type,
      type_label: TYPE_LABEL[type],
      months,
      edition,
      method: PORTAL_METHOD[method],
      statistics_method: STATISTICS_METHOD,
      source: SOURCE_DVF,
      secrecy_min_count: min,
    };
    if (!period)
      return {
        ...base,
        period: null,
        summary: none,
        comparison: { rows: [], grouped: null },
        sections: { rows: [], grouped: null },
        sales: { rows: [], total: 0, withheld_count: 0, withheld_reason: null, note: '' },
        distributions: { price_m2: [], surface: [], rooms: [] },
        repeat_sales: { area: epci?.name ?? place.name, method: REPEAT_SALES_METHOD, pairs: 0, quarters: null, reason: 'Aucune vente chargée.' },
      };
    const sel = at(period);
    const ownArea = { level: 'commune' as const, code };
    const epciArea = { level: 'communes' as const, communes: memberCodes };
    const [ownByType, byCommune, epciFig, depFig, depPrices, bySection, ownSales, epciSales, mutations, allDwellings, yearMonthWithheld] = await Promise.all([
      figures(lake, { area: ownArea, types: PORTAL_TYPES, ...sel, period: 'span' }),
      figures(lake, { area: epciArea, by: 'commune', types: [type], ...sel, period: 'span' }),
      figures(lake, { area: { level: 'epci', code: place.epci_siren ?? code, communes: memberCodes }, types: [type], ...sel, period: 'span' }),
      figures(lake, { area: { level: 'departement', code: dep }, types: [type], ...sel, period: 'span' }),
      salePrices(lake, { area: { level: 'departement', code: dep }, types: [type], ...sel }),
      figures(lake, { area: ownArea, by: 'section', types: [type], ...sel, period: 'span' }),
      selectedSales(lake, { area: ownArea, types: PORTAL_TYPES, ...sel }),
      selectedSales(lake, { area: epciArea, types: [type], ...sel }),
      periodMutations(lake, { communes: [code], months: { from: period.from, to: period.to } }),
      // Every dwelling sale of the EPCI in every loaded year: the repeat-sales pairs.
      selectedSales(lake, { area: epciArea, types: ['maison', 'appartement'], method }),
      withheldCells(code),
    ]);

    // The commune's three types: houses + flats = both, so a withheld part is not a subtraction away. The total goes
    // first: 27 houses and 1 flat (Abzac 2021) publish the houses, not the 28 houses and flats that add nothing else.
    const typeFig = PORTAL_TYPES.map((t) => ownByType.find((f) => f.type === t));
    const typeStatus = statuses(typeFig.map((f) => f?.sales_count ?? 0), [], 'total');
    const ownStatus = typeStatus[PORTAL_TYPES.indexOf(type)];
    const ownPrices = (t: PortalType) => ownSales.filter((s) => s.type === t);
    const own = typeFig[PORTAL_TYPES.indexOf(type)];

    // The communes of the EPCI and their total: the commune keeps the status its types gave it.
    const communeFig = memberCodes.map((c) => byCommune.find((f) => f.code === c));
    const communeStatus = statuses([...communeFig.map((f) => f?.sales_count ?? 0), epciFig[0]?.sales_count ?? 0], [...memberCodes.map((c) => (c === code ? ownStatus : undefined)), undefined]);
    const pricesOf = (c: string) => epciSales.filter((s) => s.commune === c).map((s) => s.price_m2);
    const others = memberCodes
      .map((c, i) => ({ level: 'Autre commune', code: c, name: members[i]?.name ?? c, ...statsOf(communeFig[i], pricesOf(c), communeStatus[i]) }))
      .filter((r) => r.code !== code);
    const otherGroups = groupWithheld(others, ['autre commune', 'autres communes'], min);
    const comparisonRows = [
      { level: 'Commune', code, name: place.name, ...statsOf(own, ownPrices(type).map((s) => s.price_m2), ownStatus) },
      ...(epci ? [{ level: 'Intercommunalité', code: epci.siren, name: epci.name, ...statsOf(epciFig[0], epciSales.map((s) => s.price_m2), communeStatus.at(-1)!) }] : []),
      { level: 'Département', code: dep, name: commune.departement_name ?? dep, ...statsOf(depFig[0], depPrices, (depFig[0]?.sales_count ?? 0) < min ? 'primary' : 'published') },
      ...otherGroups.shown.sort((a, b) => (b.price_m2_median ?? 0) - (a.price_m2_median ?? 0)),
    ];

    // Sections: their total is the commune's figure, whose status is already decided.
    const sectionStatus = statuses([...bySection.map((f) => f.sales_count), own?.sales_count ?? 0], [...bySection.map(() => undefined), ownStatus]);
    const sectionRows = bySection.map((f, i) => {
      const inSection = ownPrices(type).filter((s) => s.section === f.code);
      const located = inSection.filter((s) => s.longitude !== null && s.latitude !== null);
      const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
      return {
        section: f.code,
        // The centroid of the section's sales (Etalab's geocoding of the parcels): a point, not the section's outline.
        longitude: roundCoordinate(mean(located.map((s) => s.longitude!))),
        latitude: roundCoordinate(mean(located.map((s) => s.latitude!))),
        // The outline of its sales, from the positions the map shows (≈ 100 m): no vertex is a sale's exact place.
        outline: convexHull(located.map((s) => [roundCoordinate(s.longitude)!, roundCoordinate(s.latitude)!] as [number, number])),
        ...statsOf(f, inSection.map((s) => s.price_m2), sectionStatus[i]),
      };
    });
    const sectionGroups = groupWithheld(sectionRows, ['section', 'sections'], min);

    // Distributions per type; the bins add up to the type's number of sales, so they follow its status.
    const dist = (value: (s: SelectedSale) => number, target: number) =>
      PORTAL_TYPES.map((t, i) => {
        const sales = ownPrices(t);
        const shown = typeStatus[i] === 'published' && sales.length > 0;
        return { type: t, type_label: TYPE_LABEL[t], sales_count: shown ? sales.length : null, withheld: !shown, bins: shown ? histogram(sales.map(value), target) : [] };
      });
    // Rooms: 1 to 4, then 5 and more; the groups add up to the commune's figure.
    const roomGroups = ['1', '2', '3', '4', '5 et plus', 'non renseigné'];
    const roomGroup = (rooms: number | null) => (rooms === null || rooms === 0 ? 'non renseigné' : rooms >= 5 ? '5 et plus' : String(rooms));
    const byRooms = roomGroups.map((g) => ownPrices(type).filter((s) => roomGroup(s.rooms) === g));
    const roomStatus = statuses([...byRooms.map((s) => s.length), own?.sales_count ?? 0], [...byRooms.map(() => undefined), ownStatus]);
    const rooms = roomGroups
      .map((g, i) => ({ rooms: g, ...statsOf(byRooms[i].length ? figuresOf(g, byRooms[i], type) : undefined, byRooms[i].map((s) => s.price_m2), roomStatus[i]) }))
      .filter((r, i) => byRooms[i].length > 0);

    // The sales of the period, each with the other sales of its parcel (any loaded year), none counted in a withheld
    // figure (portal-model.ts publicSaleList, the rule of every list of sales): its year or month, and on this page
    // the period's figure of its type, its section and its number of rooms.
    const sectionStatusOf = new Map(bySection.map((f, i) => [f.code, sectionStatus[i]]));
    const inPeriod = (m: PeriodMutation) => m.date_mutation.slice(0, 7) >= period.from && m.date_mutation.slice(0, 7) <= period.to;
    const cellsOf = (m: PeriodMutation) => [
      ...saleCells(m),
      ...(inPeriod(m) ? saleTypes(m).map((t) => `period|${t}`) : []),
      ...(inPeriod(m) && saleTypes(m).includes(type) ? [`section|${m.section}`, `rooms|${roomGroup(m.nombre_pieces_principales)}`] : []),
    ];
    const withheld = (cell: string) => {
      const [kind, key] = cell.split('|');
      if (kind === 'period') return typeStatus[PORTAL_TYPES.indexOf(key as PortalType)] !== 'published';
      if (kind === 'section') return (sectionStatusOf.get(key) ?? 'published') !== 'published';
      if (kind === 'rooms') return (roomStatus[roomGroups.indexOf(key)] ?? 'published') !== 'published';
      return yearMonthWithheld(cell);
    };
    const listed = publicSaleList(mutations, cellsOf, withheld, min);
    const parcels = [...new Set(listed.rows.map((m) => m.id_parcelle).filter((p): p is string => !!p))];
    const history = parcels.length ? await periodMutations(lake, { communes: [code], parcels }) : [];
    const byParcel = new Map<string, PeriodMutation[]>();
    for (const m of history) if (m.id_parcelle) byParcel.set(m.id_parcelle, [...(byParcel.get(m.id_parcelle) ?? []), m]);
    const sales = listed.rows.map((m) => ({
      ...saleOf(m),
      same_parcel: publicSaleList(m.id_parcelle ? (byParcel.get(m.id_parcelle) ?? []) : [], cellsOf, withheld, min)
        .rows.filter((o) => o.id_mutation !== m.id_mutation)
        .map((o) => ({ id: o.id_mutation, date: o.date_mutation, type: saleOf(o).type, price: o.valeur_fonciere, surface: o.surface_reelle_bati })),
    }));

    const index = repeatSalesIndex(allDwellings.filter((s) => s.type !== 'maison_appartement').map((s) => ({ id_parcelle: s.id_parcelle, lot: s.lot, surface: s.surface, date: s.date, price: s.price })));
    const label = describePeriod(period, months);
    return {
      ...base,
      period: { from: period.from, to: period.to, label, default: period.default },
      summary: comparisonRows[0],
      comparison: { rows: comparisonRows, grouped: otherGroups.label },
      sections: { rows: sectionGroups.shown, grouped: sectionGroups.label },
      sales: {
        rows: sales,
        total: sales.length,
        withheld_count: listed.withheld_count,
        withheld_reason: listed.reason,
        note: 'Les ventes DVF sont publiques (Etalab) : chaque vente est listée, sans numéro de rue ; position arrondie à 100 m environ. Ces données ne doivent pas servir à identifier des personnes ; elles ne sont pas indexées par les moteurs de recherche.',
      },
      distributions: { price_m2: dist((s) => s.price_m2, 12), surface: dist((s) => s.surface, 10), rooms },
      repeat_sales: { area: epci?.name ?? place.name, method: REPEAT_SALES_METHOD, ...index },
    };
  }

  async function search(q: SearchQuery): Promise<SearchAnswer> {
    const communes = await instanceCommunes(db);
    const text = normal(q.q.trim());
    const names = new Map(communes.map((c) => [c.code, c.name]));
    const foundCommunes = communes
      .filter((c) => normal(c.name).includes(text) || c.code === text || c.postal_codes.some((p) => p.startsWith(text)))
      .slice(0, 10)
      .map((c) => ({ code: c.code, name: c.name, postal_codes: c.postal_codes }));
    const words = text.split(/[\s,'’-]+/).filter((w) => w.length >= 2 && !/^\d+$/.test(w));
    const streets = (await findStreets(lake, communes.map((c) => c.code), words)).map((s) => ({
      street: s.street,
      commune_code: s.commune,
      commune_name: names.get(s.commune) ?? s.commune,
      postal_code: s.postal_code,
      sales_count: s.sales_count,
    }));
    let sales: SearchAnswer['sales'] = null;
    if (q.type || q.rooms || q.max_price) {
      const street = streets[0];
      const place = street ? { communes: [street.commune_code], street: street.street } : foundCommunes[0] ? { communes: [foundCommunes[0].code] } : null;
      if (place) {
        const kinds = q.type === 'maison_appartement' || !q.type ? ['maison', 'appartement'] : [q.type];
        const rows = (await periodMutations(lake, place))
          .map(saleOf)
          .filter((s) => kinds.includes(normal(s.type)) && (!q.rooms || s.rooms === q.rooms) && (!q.max_price || (s.price !== null && s.price <= q.max_price)))
          .slice(0, 50);
        sales = {
          where: street ? `${street.street}, ${street.commune_name}` : foundCommunes[0].name,
          rows,
          note: 'Ventes enregistrées dans DVF (toutes années chargées, les plus récentes d’abord, 50 au plus) : des prix passés, pas une estimation.',
        };
      }
    }
    return { communes: foundCommunes, streets, sales, source: SOURCE_DVF };
  }

  return {
    periodPage: (code: string, q: PeriodQuery) => cache.get(`period|${code}|${JSON.stringify(q)}`, () => periodPage(code, q)),
    search: (q: SearchQuery) => cache.get(`search|${JSON.stringify(q)}`, () => search(q)),
  };
}
