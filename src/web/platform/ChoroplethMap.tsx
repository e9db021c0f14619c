// A MapLibre map of commune polygons coloured by classes, with no network basemap (the product runs offline).
// MapLibre is loaded lazily so public pages stay light until a map is on screen.
import type { ExpressionSpecification, GeoJSONSourceSpecification } from 'maplibre-gl';
import { useEffect, useRef, useState } from 'react';

export interface MapClass {
  min: number;
  max: number;
  color: string;
  label: string;
}

export interface ChoroplethProps {
  geojson: { type: 'FeatureCollection'; features: { properties: Record<string, unknown> }[] } & { bbox?: { west: number; south: number; east: number; north: number } | null };
  /** Feature property holding the value to colour. */
  valueProperty: string;
  classes: MapClass[];
  /** Accessible description of what the map shows (the table beside it is the accessible equivalent). */
  label: string;
  describe: (props: Record<string, unknown>) => string;
  onSelect?: (code: string) => void;
}

export function ChoroplethMap({ geojson, valueProperty, classes, label, describe, onSelect }: ChoroplethProps) {
  const container = useRef<HTMLDivElement>(null);
  const [hover, setHover] = useState<string | null>(null);
  const [status, setStatus] = useState<'chargement' | 'prête' | 'erreur'>('chargement');

  useEffect(() => {
    let map: import('maplibre-gl').Map | undefined;
    let cancelled = false;
    (async () => {
      try {
        const maplibregl = await import('./maplibre.ts').then((m) => m.loadMaplibre());
        if (cancelled || !container.current) return;
        const b = geojson.bbox;
        const steps = classes.flatMap((c) => [c.min, c.color]);
        const colorExpr = ['step', ['coalesce', ['get', valueProperty], -1], '#d9d9d9', ...steps] as unknown as ExpressionSpecification;
        map = new maplibregl.Map({
          container: container.current,
          style: {
            version: 8,
            sources: { communes: { type: 'geojson', data: geojson as unknown as GeoJSONSourceSpecification['data'], promoteId: 'code' } },
            layers: [
              { id: 'fond', type: 'background', paint: { 'background-color': '#f4f6f8' } },
              { id: 'communes', type: 'fill', source: 'communes', paint: { 'fill-color': colorExpr, 'fill-opacity': 0.85 } },
              {
                id: 'limites',
                type: 'line',
                source: 'communes',
                paint: {
                  'line-color': ['case', ['boolean', ['feature-state', 'hover'], false], '#000000', '#ffffff'],
                  'line-width': ['case', ['boolean', ['feature-state', 'hover'], false], 2.5, 0.8],
                },
              },
            ],
          },
          bounds: b ? [b.west, b.south, b.east, b.north] : undefined,
          fitBoundsOptions: { padding: 20 },
          attributionControl: false,
        });
        map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
        // MapLibre names its canvas "Map": say what it shows instead (the table beside it carries the same figures).
        map.getCanvas().setAttribute('aria-label', label);
        let hovered: string | number | undefined;
        map.on('mousemove', 'communes', (e) => {
          const f = e.features?.[0];
          if (!f) return;
          if (hovered !== undefined) map!.setFeatureState({ source: 'communes', id: hovered }, { hover: false });
          hovered = f.id;
          map!.setFeatureState({ source: 'communes', id: hovered! }, { hover: true });
          map!.getCanvas().style.cursor = onSelect ? 'pointer' : '';
          setHover(describe(f.properties));
        });
        map.on('mouseleave', 'communes', () => {
          if (hovered !== undefined) map!.setFeatureState({ source: 'communes', id: hovered }, { hover: false });
          hovered = undefined;
          setHover(null);
        });
        if (onSelect) map.on('click', 'communes', (e) => e.features?.[0] && onSelect(String(e.features[0].properties.code)));
        map.once('idle', () => {
          if (cancelled) return;
          setStatus('prête');
          // What was actually drawn, for tests and monitoring: the number of commune polygons rendered.
          const drawn = new Set(map!.queryRenderedFeatures({ layers: ['communes'] }).map((f) => f.id)).size;
          container.current?.setAttribute('data-rendered-communes', String(drawn));
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
  }, [geojson, valueProperty, classes, describe, onSelect]);

  return (
    <figure className="map-figure">
      <div ref={container} className="map" data-testid="carte" />
      <figcaption>
        <p className="map-hover" aria-live="polite">
          {status === 'chargement' ? 'Chargement de la carte…' : status === 'erreur' ? 'La carte n’a pas pu être affichée ; le tableau ci-dessous donne les mêmes chiffres.' : hover ?? 'Survolez une commune pour voir son chiffre.'}
        </p>
        <ul className="legend" aria-label="Légende">
          {classes.map((c) => (
            <li key={c.label}>
              <span className="swatch" style={{ background: c.color }} aria-hidden="true" />
              {c.label}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
