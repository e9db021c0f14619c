// The land register: gisements fonciers and friches, on a map (points, no network basemap) and in a table.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { Link } from 'react-router';
import { api, formatNumber, useMe } from '../../platform/api.ts';
import type { LandSite } from '../../../modules/plh/contract.ts';
import { LAND_STATUS_LABELS } from '../../../modules/plh/model.ts';
import { TableWrap } from '../../platform/TableWrap.tsx';

type Geo = { type: 'FeatureCollection'; features: { geometry: { coordinates: [number, number] }; properties: LandSite }[] };

function SitesMap({ geo }: { geo: Geo }) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let map: import('maplibre-gl').Map | undefined;
    let cancelled = false;
    (async () => {
      const maplibregl = await import('../../platform/maplibre.ts').then((m) => m.loadMaplibre());
      if (cancelled || !container.current || !geo.features.length) return;
      const xs = geo.features.map((f) => f.geometry.coordinates[0]);
      const ys = geo.features.map((f) => f.geometry.coordinates[1]);
      map = new maplibregl.Map({
        container: container.current,
        style: {
          version: 8,
          sources: { sites: { type: 'geojson', data: geo as unknown as import('maplibre-gl').GeoJSONSourceSpecification['data'] } },
          layers: [
            { id: 'fond', type: 'background', paint: { 'background-color': '#f4f6f8' } },
            {
              id: 'sites',
              type: 'circle',
              source: 'sites',
              paint: { 'circle-radius': 7, 'circle-color': ['match', ['get', 'nature'], 'friche', '#b35806', '#08519c'], 'circle-stroke-color': '#fff', 'circle-stroke-width': 1.5 },
            },
          ],
        },
        bounds: [Math.min(...xs) - 0.02, Math.min(...ys) - 0.02, Math.max(...xs) + 0.02, Math.max(...ys) + 0.02],
        attributionControl: false,
      });
      map.getCanvas().setAttribute('aria-label', `Carte de ${geo.features.length} sites fonciers localisés ; le tableau donne les mêmes informations.`);
      map.once('idle', () => container.current?.setAttribute('data-map-ready', 'true'));
    })();
    return () => {
      cancelled = true;
      map?.remove();
    };
  }, [geo]);
  return (
    <figure className="map-figure">
      <div ref={container} className="map" data-testid="carte-foncier" />
      <figcaption>
        <ul className="legend" aria-label="Légende">
          <li>
            <span className="swatch" style={{ background: '#08519c' }} aria-hidden="true" /> gisement foncier
          </li>
          <li>
            <span className="swatch" style={{ background: '#b35806' }} aria-hidden="true" /> friche
          </li>
        </ul>
      </figcaption>
    </figure>
  );
}

export function FoncierPage() {
  const me = useMe();
  const sites = useQuery({ queryKey: ['plh', 'land'], queryFn: () => api<{ sites: LandSite[] }>('/api/plh/land'), enabled: !!me.data });
  const geo = useQuery({ queryKey: ['plh', 'land', 'geo'], queryFn: () => api<Geo>('/api/plh/land/geojson'), enabled: !!me.data });
  if (me.isLoading) return <p>Chargement…</p>;
  if (!me.data)
    return (
      <section>
        <h1 tabIndex={-1}>Observatoire du foncier</h1>
        <p>
          <Link to="/connexion">Connectez-vous</Link> pour consulter le registre des gisements fonciers et des friches.
        </p>
      </section>
    );
  const list = sites.data?.sites ?? [];
  return (
    <section>
      <h1 tabIndex={-1}>Observatoire du foncier</h1>
      <p>Gisements fonciers et friches recensés pour accueillir des logements, avec leur état d’avancement. Source : registre foncier de l’EPCI.</p>
      {geo.data && geo.data.features.length > 0 && <SitesMap geo={geo.data} />}
      {sites.data && list.length === 0 && <p>Aucun site n’est encore enregistré.</p>}
      {list.length > 0 && (
        <TableWrap>
          <table>
            <caption>{list.length} site(s)</caption>
            <thead>
              <tr>
                <th scope="col">Référence</th>
                <th scope="col">Nature</th>
                <th scope="col">Commune</th>
                <th scope="col">Parcelle</th>
                <th scope="col" className="num">Surface (m²)</th>
                <th scope="col">Zonage</th>
                <th scope="col" className="num">Logements potentiels</th>
                <th scope="col">État</th>
              </tr>
            </thead>
            <tbody>
              {list.map((s) => (
                <tr key={s.id}>
                  <th scope="row">{s.reference}</th>
                  <td>{s.nature === 'friche' ? 'Friche' : 'Gisement foncier'}</td>
                  <td>{s.commune_code}</td>
                  <td>{s.parcel ?? '—'}</td>
                  <td className="num">{formatNumber(s.surface_m2)}</td>
                  <td>{s.zoning || '—'}</td>
                  <td className="num">{formatNumber(s.potential_dwellings)}</td>
                  <td>{LAND_STATUS_LABELS[s.status] ?? s.status}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}
