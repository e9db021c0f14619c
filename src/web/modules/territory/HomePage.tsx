// Home page of the territory: its EPCIs, communes on a map coloured by population, and the same figures in a table.
import { useQuery } from '@tanstack/react-query';
import { useCallback, useMemo, useState } from 'react';
import { bboxOf } from '../../../modules/territory/model.ts';
import type { TerritoryAnswer as Territory, TerritoryMapAnswer } from '../../../modules/territory/contract.ts';
import { api, formatNumber } from '../../platform/api.ts';
import { ChoroplethMap, type MapClass } from '../../platform/ChoroplethMap.tsx';


// Sequential blues, readable by colour-blind people and printable in grey.
const POPULATION_CLASSES: MapClass[] = [
  { min: 0, max: 2000, color: '#deebf7', label: 'moins de 2 000 habitants' },
  { min: 2000, max: 5000, color: '#9ecae1', label: '2 000 à 5 000' },
  { min: 5000, max: 15000, color: '#6baed6', label: '5 000 à 15 000' },
  { min: 15000, max: 50000, color: '#3182bd', label: '15 000 à 50 000' },
  { min: 50000, max: Infinity, color: '#08519c', label: '50 000 et plus' },
];

export function HomePage() {
  const territory = useQuery({ queryKey: ['territory'], queryFn: () => api<Territory>('/api/territory') });
  const map = useQuery({ queryKey: ['territory-map'], queryFn: () => api<TerritoryMapAnswer>('/api/territory/map') });
  const describe = useCallback(
    (p: Record<string, unknown>) => `${p.nom} (${p.code}) : ${formatNumber(p.population as number)} habitants`,
    [],
  );
  // A club of EPCIs may lie far apart (Lyon and Toulouse in the demo): the map shows one EPCI at a time.
  const [epciShown, setEpciShown] = useState<string>('');
  const shownSiren = epciShown || territory.data?.epcis[0]?.siren || '';
  const shownMap = useMemo(() => {
    if (!map.data) return undefined;
    const features = map.data.features.filter((f) => f.properties.epci === shownSiren);
    return { type: 'FeatureCollection' as const, features, bbox: bboxOf(features.map((f) => f.geometry)) };
  }, [map.data, shownSiren]);
  const totals = useMemo(() => {
    const communes = territory.data?.communes ?? [];
    return { communes: communes.length, population: communes.reduce((s, c) => s + (c.population ?? 0), 0) };
  }, [territory.data]);

  const epciNames = territory.data?.epcis.map((e) => e.nom).join(' et ') ?? '';
  return (
    <section>
      <h1 tabIndex={-1}>Le territoire{epciNames ? ` : ${epciNames}` : ''}</h1>
      {territory.isError && <p role="alert">Le territoire n’a pas pu être chargé : {(territory.error as Error).message}</p>}
      {territory.data && (
        <>
          <dl className="key-figures">
            <div>
              <dt>Intercommunalités</dt>
              <dd>{territory.data.epcis.length}</dd>
            </div>
            <div>
              <dt>Communes</dt>
              <dd>{formatNumber(totals.communes)}</dd>
            </div>
            <div>
              <dt>Population municipale</dt>
              <dd>{formatNumber(totals.population)} habitants</dd>
            </div>
          </dl>
          <p className="source">Source : {territory.data.source}.</p>
        </>
      )}
      <h2>Les communes sur la carte</h2>
      {territory.data && territory.data.epcis.length > 1 && (
        <div className="field inline">
          <label htmlFor="epci-carte">Intercommunalité affichée</label>
          <select id="epci-carte" value={shownSiren} onChange={(e) => setEpciShown(e.target.value)}>
            {territory.data.epcis.map((e) => (
              <option key={e.siren} value={e.siren}>
                {e.nom}
              </option>
            ))}
          </select>
        </div>
      )}
      {shownMap && (
        <ChoroplethMap
          geojson={shownMap}
          valueProperty="population"
          classes={POPULATION_CLASSES}
          label={`Carte des ${shownMap.features.length} communes de l’intercommunalité, colorées selon leur population`}
          describe={describe}
        />
      )}
      {map.data && map.data.sans_contour.length > 0 && (
        <p>Contour indisponible (commune créée après 2018) : {map.data.sans_contour.map((c) => c.nom).join(', ')}.</p>
      )}
      {map.data && <p className="source">{map.data.source}.</p>}
      {territory.data && (
        <>
          <h2>Les communes en tableau</h2>
          <div className="table-wrap">
            <table>
              <caption>Communes du territoire, population municipale (habitants), COG 2026</caption>
              <thead>
                <tr>
                  <th scope="col">Commune</th>
                  <th scope="col">Code INSEE</th>
                  <th scope="col">Intercommunalité</th>
                  <th scope="col" className="num">Population (habitants)</th>
                </tr>
              </thead>
              <tbody>
                {territory.data.communes.map((c) => (
                  <tr key={c.code}>
                    <th scope="row">{c.nom}</th>
                    <td>{c.code}</td>
                    <td>{territory.data!.epcis.find((e) => e.siren === c.epci_siren)?.nom}</td>
                    <td className="num">{formatNumber(c.population)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
