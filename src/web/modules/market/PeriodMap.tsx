// The sales of a period, and the cadastral sections as the outline of their sales with their centre, on one MapLibre map (loaded lazily, no network
// basemap). A click on a sale selects it (its details appear beside, as when its line of the list is chosen); the
// list below the map carries the same sales for keyboard and screen-reader users.
import { useEffect, useRef, useState } from 'react';

interface MapSale {
  id: string;
  lon: number;
  lat: number;
  kind: string;
  label: string;
}
interface MapSection {
  code: string;
  lon: number;
  lat: number;
  label: string;
  /** The convex hull of its sales' positions (statistics.ts convexHull), null under three distinct points. */
  outline: [number, number][] | null;
}

const KIND_COLORS: Record<string, string> = { Maison: '#1b7837', Appartement: '#54278f' };

export function PeriodMap({ sales, sections, label, onSelect }: { sales: MapSale[]; sections: MapSection[]; label: string; onSelect(id: string): void }) {
  const container = useRef<HTMLDivElement>(null);
  const [status, setStatus] = useState<'chargement' | 'prête' | 'erreur'>('chargement');
  const [hover, setHover] = useState<string | null>(null);
  const select = useRef(onSelect);
  select.current = onSelect;
  useEffect(() => {
    const all = [...sales, ...sections];
    if (!all.length) return;
    let map: import('maplibre-gl').Map | undefined;
    let cancelled = false;
    (async () => {
      try {
        const maplibregl = await import('../../platform/maplibre.ts').then((m) => m.loadMaplibre());
        if (cancelled || !container.current) return;
        const lons = all.map((p) => p.lon);
        const lats = all.map((p) => p.lat);
        const points = (xs: (MapSale | MapSection)[]) => ({
          type: 'FeatureCollection' as const,
          features: xs.map((p) => ({
            type: 'Feature' as const,
            properties: { label: p.label, kind: 'kind' in p ? p.kind : 'section', id: 'id' in p ? p.id : p.code },
            geometry: { type: 'Point' as const, coordinates: [p.lon, p.lat] },
          })),
        });
        // Each section with an area: the outline of its sales, drawn under the points (not its cadastral outline).
        const outlines = {
          type: 'FeatureCollection' as const,
          features: sections
            .filter((p) => p.outline)
            .map((p) => ({ type: 'Feature' as const, properties: { label: p.label }, geometry: { type: 'Polygon' as const, coordinates: [[...p.outline!, p.outline![0]]] } })),
        };
        const color = ['match', ['get', 'kind'], ...Object.entries(KIND_COLORS).flat(), '#b35806'] as unknown as import('maplibre-gl').ExpressionSpecification;
        map = new maplibregl.Map({
          container: container.current,
          style: {
            version: 8,
            sources: { ventes: { type: 'geojson', data: points(sales) }, sections: { type: 'geojson', data: points(sections) }, contours: { type: 'geojson', data: outlines } },
            layers: [
              { id: 'fond', type: 'background', paint: { 'background-color': '#f4f6f8' } },
              { id: 'contours-fond', type: 'fill', source: 'contours', paint: { 'fill-color': '#b35806', 'fill-opacity': 0.08 } },
              { id: 'contours', type: 'line', source: 'contours', paint: { 'line-color': '#1e1e1e', 'line-width': 1.5, 'line-dasharray': [3, 2] } },
              { id: 'sections', type: 'circle', source: 'sections', paint: { 'circle-radius': 14, 'circle-color': '#ffffff', 'circle-opacity': 0.6, 'circle-stroke-color': '#1e1e1e', 'circle-stroke-width': 2 } },
              { id: 'ventes', type: 'circle', source: 'ventes', paint: { 'circle-radius': 6, 'circle-color': color, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1.5, 'circle-opacity': 0.85 } },
            ],
          },
          bounds: [Math.min(...lons) - 0.005, Math.min(...lats) - 0.005, Math.max(...lons) + 0.005, Math.max(...lats) + 0.005],
          fitBoundsOptions: { padding: 24, maxZoom: 15 },
          attributionControl: false,
        });
        map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
        map.getCanvas().setAttribute('aria-label', label);
        for (const layer of ['ventes', 'sections']) {
          map.on('mousemove', layer, (e) => setHover(String(e.features?.[0]?.properties.label ?? '')));
          map.on('mouseleave', layer, () => setHover(null));
        }
        map.on('click', 'ventes', (e) => {
          const id = e.features?.[0]?.properties.id;
          if (id) select.current(String(id));
        });
        // The view on the container (centre, zoom): a browser test finds where a sale is drawn from its coordinates,
        // by the Web Mercator projection, and clicks it there as a reader would.
        const showView = () => {
          const c = map!.getCenter();
          container.current?.setAttribute('data-map-view', `${c.lng},${c.lat},${map!.getZoom()}`);
        };
        map.on('moveend', showView);
        map.once('idle', () => {
          if (cancelled) return;
          showView();
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
  }, [sales, sections, label]);
  if (!sales.length && !sections.length) return <p>Les ventes de cette période ne sont pas géolocalisées dans les données.</p>;
  return (
    <figure className="map-figure">
      <div ref={container} className="map map-small" data-testid="carte-periode" />
      <figcaption>
        <p className="map-hover" aria-live="polite">
          {status === 'chargement' ? 'Chargement de la carte…' : status === 'erreur' ? 'La carte n’a pas pu être affichée ; la liste donne les mêmes ventes.' : (hover ?? 'Survolez un point ; cliquez sur une vente pour la voir en détail.')}
        </p>
        <ul className="legend" aria-label="Légende de la carte des ventes">
          {Object.entries(KIND_COLORS).map(([k, c]) => (
            <li key={k}>
              <span className="swatch round" style={{ background: c }} aria-hidden="true" />
              {k}
            </li>
          ))}
          <li>
            <span className="swatch round" style={{ background: '#b35806' }} aria-hidden="true" />
            Autre vente (plusieurs biens, local, terrain)
          </li>
          <li>
            <span className="swatch round" style={{ background: '#ffffff', border: '2px solid #1e1e1e' }} aria-hidden="true" />
            Section cadastrale (centre de ses ventes)
          </li>
          <li>
            <span className="swatch" style={{ background: 'rgba(179, 88, 6, 0.08)', border: '2px dashed #1e1e1e' }} aria-hidden="true" />
            Contour des ventes d’une section (pas son contour cadastral)
          </li>
        </ul>
      </figcaption>
    </figure>
  );
}
