// Comparisons: one indicator for every commune, picked in a list grouped by theme; the map coloured by the API's legend
// classes (quantiles of the values, with how many communes fall in each), and the ranking table with the EPCI's and
// the instance's values. The map is plain SVG (no WebGL: light on a phone); the table carries the same figures.
import { useQuery } from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { IndicatorAnswer, IndicatorsListAnswer, LegendClass, SectionKey } from '../../../modules/observatory/contract.ts';
import type { TerritoryMapAnswer } from '../../../modules/territory/contract.ts';
import { api } from '../../platform/api.ts';
import { SvgChoropleth, type SvgFeature } from '../market/SvgChoropleth.tsx';
import { formatPlain, formatValue, frenchDate, NO_DATA_LABEL } from './format.ts';
import '../market/portal.css';
import { TableWrap } from '../../platform/TableWrap.tsx';

export const SECTION_LABEL: Record<SectionKey, string> = {
  population: 'Population et ménages',
  market: 'Marché immobilier',
  construction: 'Construction neuve',
  social_housing: 'Logement social',
  demand: 'Demande de logement social',
  energy: 'Énergie',
};

// Sequential ColorBrewer classes of the design guide (YlGnBu), 5 by default and up to 7; no data is a plain grey.
const PALETTE: Record<number, string[]> = {
  2: ['#A1DAB4', '#2C7FB8'],
  3: ['#FFFFCC', '#41B6C4', '#253494'],
  4: ['#FFFFCC', '#A1DAB4', '#41B6C4', '#253494'],
  5: ['#FFFFCC', '#A1DAB4', '#41B6C4', '#2C7FB8', '#253494'],
  6: ['#FFFFCC', '#C7E9B4', '#7FCDBB', '#41B6C4', '#225EA8', '#0C2C84'],
  7: ['#FFFFCC', '#C7E9B4', '#7FCDBB', '#41B6C4', '#1D91C0', '#225EA8', '#0C2C84'],
};
const NO_DATA_COLOR = '#D0D0D0';

export const portraitPath = (code: string) => `/territoire/communes/${code}`;

export function useIndicators() {
  return useQuery({ queryKey: ['observatory', 'indicators'], queryFn: () => api<IndicatorsListAnswer>('/api/observatory/indicators'), staleTime: Infinity });
}

/** A native select, one optgroup per theme: keyboard and screen readers know it already. */
export function IndicatorPicker({ value, onChange, id }: { value: string; onChange: (key: string) => void; id: string }) {
  const list = useIndicators();
  const groups = useMemo(() => {
    const out = new Map<SectionKey, IndicatorsListAnswer['indicators']>();
    for (const i of list.data?.indicators ?? []) out.set(i.section, [...(out.get(i.section) ?? []), i]);
    return [...out];
  }, [list.data]);
  const chosen = list.data?.indicators.find((i) => i.key === value);
  return (
    <div className="field indicator-picker">
      <label htmlFor={id}>Indicateur</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {groups.map(([section, items]) => (
          <optgroup key={section} label={SECTION_LABEL[section]}>
            {items.map((i) => (
              <option key={i.key} value={i.key}>
                {i.label} ({i.unit})
              </option>
            ))}
          </optgroup>
        ))}
      </select>
      {chosen && (
        <p className="source">
          {chosen.description ? `${chosen.description} ` : ''}Source : {chosen.source}.
        </p>
      )}
    </div>
  );
}

/**
 * The map and the ranking of one indicator over the communes of an EPCI (or of the instance), the commune of the
 * page (if any) marked in the table.
 */
export function Comparison({ epci, highlight, initial = 'population', headingId }: { epci: string | null; highlight?: string; initial?: string; headingId: string }) {
  // The indicator lives in the address (?indicateur=…): a shared link opens the same map, the back button returns
  // to the previous indicator. An unknown key falls back to the default.
  const [params, setParams] = useSearchParams();
  const list = useIndicators();
  const asked = params.get('indicateur');
  const indicator = asked && (!list.data || list.data.indicators.some((i) => i.key === asked)) ? asked : initial;
  const setIndicator = useCallback(
    (key: string) =>
      setParams((p) => {
        const next = new URLSearchParams(p);
        next.set('indicateur', key);
        return next;
      }, { preventScrollReset: true }),
    [setParams],
  );
  const q = useQuery({
    queryKey: ['observatory', 'indicator', indicator, epci],
    queryFn: () => api<IndicatorAnswer>(`/api/observatory/indicators/${encodeURIComponent(indicator)}${epci ? `?epci=${epci}` : ''}`),
  });
  const map = useQuery({ queryKey: ['territory-map'], queryFn: () => api<TerritoryMapAnswer>('/api/territory/map'), staleTime: Infinity });
  const d = q.data;
  const byCode = useMemo(() => new Map((d?.communes ?? []).map((c) => [c.code, c])), [d]);
  const features = useMemo(
    () => (map.data?.features ?? []).filter((f) => (epci ? f.properties.epci === epci : byCode.has(f.properties.code))) as unknown as SvgFeature[],
    [map.data, epci, byCode],
  );
  const palette = PALETTE[d?.classes.length ?? 5] ?? PALETTE[5];
  // The map colours the class index the API gave each commune, so the legend is exactly the API's classes.
  const classes = useMemo(() => {
    if (!d) return [];
    const out = d.classes.map((c: LegendClass, i) => ({ min: i, max: i + 1, color: palette[i], label: `${c.label} (${c.count} commune${c.count > 1 ? 's' : ''})` }));
    if (d.no_data_count) out.unshift({ min: -1, max: 0, color: NO_DATA_COLOR, label: `Pas de donnée (${d.no_data_count} commune${d.no_data_count > 1 ? 's' : ''})` });
    return out;
  }, [d, palette]);
  const valueOf = useCallback((f: SvgFeature) => byCode.get(f.properties.code)?.class_index ?? -1, [byCode]);
  const describe = useCallback(
    (f: SvgFeature) => {
      const c = byCode.get(f.properties.code);
      if (!d || !c) return `${f.properties.name} : pas de donnée`;
      return `${c.name} : ${c.value === null ? `pas de donnée (${NO_DATA_LABEL[c.reason ?? 'not_loaded']})` : formatValue(c.value, d.indicator.unit)}`;
    },
    [byCode, d],
  );
  const ranked = useMemo(() => [...(d?.communes ?? [])].sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || a.name.localeCompare(b.name, 'fr')), [d]);
  const scopeEpci = d?.epcis.find((e) => e.siren === epci);

  return (
    <div className="comparison">
      <IndicatorPicker id={`${headingId}-indicateur`} value={indicator} onChange={setIndicator} />
      <p className="visually-hidden" aria-live="polite">
        {d ? `Carte et classement : ${d.indicator.label}.` : ''}
      </p>
      {q.isError && <p role="alert">L’indicateur n’a pas pu être chargé : {(q.error as Error).message}</p>}
      {q.isLoading && <p>Chargement de l’indicateur…</p>}
      {d && (
        <>
          {features.length > 0 && (
            <SvgChoropleth
              features={features}
              value={valueOf}
              classes={classes}
              label={`Carte des ${features.length} communes de ${d.scope.name} selon : ${d.indicator.label} (${d.indicator.unit})`}
              describe={describe}
              hrefOf={portraitPath}
            />
          )}
          <p className="source" data-testid="legende-titre">
            Légende : {d.indicator.label} ({d.indicator.unit}), classes par quantiles des valeurs. Source : {d.indicator.source}
            {d.edition ? `, édition ${d.edition}` : ''}
            {d.edition_date ? ` (${frenchDate(d.edition_date)})` : ''}.
          </p>
          <TableWrap>
            <table className="ranking">
              <caption>
                Classement des communes de {d.scope.name} : {d.indicator.label} ({d.indicator.unit})
              </caption>
              <thead>
                <tr>
                  <th scope="col" className="num">
                    Rang
                  </th>
                  <th scope="col">Commune</th>
                  <th scope="col" className="num">
                    {d.indicator.label} ({d.indicator.unit})
                  </th>
                </tr>
              </thead>
              <tbody>
                {ranked.map((c) => (
                  <tr key={c.code} className={c.code === highlight ? 'current' : undefined}>
                    <td className="num">{c.rank ?? '—'}</td>
                    <th scope="row">
                      <Link to={portraitPath(c.code)} aria-current={c.code === highlight ? 'page' : undefined}>
                        {c.name}
                      </Link>
                      {c.code === highlight && <strong> (cette commune)</strong>}
                    </th>
                    <td className="num">{c.value === null ? `pas de donnée (${NO_DATA_LABEL[c.reason ?? 'not_loaded']})` : formatPlain(c.value, d.indicator.unit)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                {scopeEpci && (
                  <tr>
                    <td />
                    <th scope="row">{scopeEpci.name} (ensemble)</th>
                    <td className="num">{scopeEpci.value === null ? 'pas de donnée' : formatValue(scopeEpci.value, d.indicator.unit)}</td>
                  </tr>
                )}
                {d.epcis
                  .filter((e) => e.siren !== epci)
                  .map((e) => (
                    <tr key={e.siren}>
                      <td />
                      <th scope="row">{e.name} (autre intercommunalité)</th>
                      <td className="num">{e.value === null ? 'pas de donnée' : formatValue(e.value, d.indicator.unit)}</td>
                    </tr>
                  ))}
                {d.instance.name !== d.scope.name && (
                  <tr>
                    <td />
                    <th scope="row">{d.instance.name} (toutes les communes)</th>
                    <td className="num">{d.instance.value === null ? 'pas de donnée' : formatValue(d.instance.value, d.indicator.unit)}</td>
                  </tr>
                )}
              </tfoot>
            </table>
          </TableWrap>
        </>
      )}
    </div>
  );
}
