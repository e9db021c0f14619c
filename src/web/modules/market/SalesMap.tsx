// The latest sales as points (positions rounded to about 100 m), on a plain background: MapLibre, loaded lazily,
// no network basemap. The table beside it carries the same sales for keyboard and screen-reader users.
import { useEffect, useRef, useState } from 'react';

export interface SalePoint {
  lon: number;
  lat: number;
  label: string;
  kind: string;
}

const KIND_COLORS: Record<string, string> = { Maison: '#1b7837', Appartement: '#54278f' };

export function SalesMap({ points, label }: { points: SalePoint[]; label: string }) {
  const container = useRef<HTMLDivElement>(null);
  const [status, setStatus] = useState<'chargement' | 'prête' | 'erreur'>('chargement');
  const [hover, setHover] = useState<string | null>(null);
  useEffect(() => {
    if (!points.length) return;
    let map: import('maplibre-gl').Map | undefined;
    let cancelled = false;
    (async () => {
      try {
        const maplibregl = await import('../../platform/maplibre.ts').then((m) => m.loadMaplibre());
        if (cancelled || !container.current) return;
        const lons = points.map((p) => p.lon);
        const lats = points.map((p) => p.lat);
        const data = {
          type: 'FeatureCollection' as const,
          features: points.map((p) => ({ type: 'Feature' as const, properties: { label: p.label, kind: p.kind }, geometry: { type: 'Point' as const, coordinates: [p.lon, p.lat] } })),
        };
        // A `match` expression built from a list: its length is not known to the compiler, hence the cast.
        const color = ['match', ['get', 'kind'], ...Object.entries(KIND_COLORS).flat(), '#b35806'] as unknown as import('maplibre-gl').ExpressionSpecification;
        map = new maplibregl.Map({
          container: container.current,
          style: {
            version: 8,
            sources: { ventes: { type: 'geojson', data } },
            layers: [
              { id: 'fond', type: 'background', paint: { 'background-color': '#f4f6f8' } },
              { id: 'ventes', type: 'circle', source: 'ventes', paint: { 'circle-radius': 6, 'circle-color': color, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1.5, 'circle-opacity': 0.85 } },
            ],
          },
          bounds: [Math.min(...lons) - 0.005, Math.min(...lats) - 0.005, Math.max(...lons) + 0.005, Math.max(...lats) + 0.005],
          fitBoundsOptions: { padding: 24, maxZoom: 15 },
          attributionControl: false,
        });
        map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
        map.getCanvas().setAttribute('aria-label', label);
        map.on('mousemove', 'ventes', (e) => setHover(String(e.features?.[0]?.properties.label ?? '')));
        map.on('mouseleave', 'ventes', () => setHover(null));
        map.once('idle', () => {
          if (cancelled) return;
          setStatus('prête');
          container.current?.setAttribute('data-map-ready', 'true');
        });
      } catch {
        if (!cancelled) setStatus('erreur');
      }
    })();
    return () => {
      cancelled = true;
      map?.remove();
    };
  }, [points, label]);
  if (!points.length) return <p>Les ventes de cette commune ne sont pas géolocalisées dans les données.</p>;
  return (
    <figure className="map-figure">
      <div ref={container} className="map map-small" data-testid="carte-ventes" />
      <figcaption>
        <p className="map-hover" aria-live="polite">
          {status === 'chargement' ? 'Chargement de la carte…' : status === 'erreur' ? 'La carte n’a pas pu être affichée ; le tableau donne les mêmes ventes.' : hover ?? 'Survolez un point pour voir la vente.'}
        </p>
        <ul className="legend" aria-label="Légende">
          {Object.entries(KIND_COLORS).map(([k, c]) => (
            <li key={k}>
              <span className="swatch round" style={{ background: c }} aria-hidden="true" />
              {k}
            </li>
          ))}
          <li>
            <span className="swatch round" style={{ background: '#b35806' }} aria-hidden="true" />
            Autre (plusieurs biens, local, terrain)
          </li>
        </ul>
      </figcaption>
    </figure>
  );
}
