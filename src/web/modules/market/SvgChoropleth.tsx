// The price map drawn as plain SVG from the communes' GeoJSON: no WebGL, a few kilobytes of code, and every commune is
// a link that keyboard users reach with Tab and that says its figure on focus as on hover. (MapLibre, 1 MB of script
// and a WebGL context, stays one click away for zooming: see PricesMapPage.)
import { useMemo, useState, type MouseEvent } from 'react';
import { useNavigate } from 'react-router';

export interface SvgFeature {
  properties: { code: string; name: string; [k: string]: unknown };
  geometry: { type: string; coordinates: unknown };
}

export interface SvgClass {
  min: number;
  max: number;
  color: string;
  label: string;
}

const WIDTH = 800;

/** Equirectangular projection scaled at the territory's latitude: faithful enough at the scale of an EPCI. */
function projector(features: SvgFeature[]) {
  let west = Infinity, south = Infinity, east = -Infinity, north = -Infinity;
  const visit = (c: unknown): void => {
    if (!Array.isArray(c)) return;
    if (typeof c[0] === 'number') {
      west = Math.min(west, c[0]); east = Math.max(east, c[0]);
      south = Math.min(south, c[1]); north = Math.max(north, c[1]);
    } else c.forEach(visit);
  };
  features.forEach((f) => visit(f.geometry.coordinates));
  const k = Math.cos((((south + north) / 2) * Math.PI) / 180);
  const scale = WIDTH / Math.max((east - west) * k, 1e-9);
  const height = Math.max(1, (north - south) * scale);
  const project = (c: number[]) => `${((c[0] - west) * k * scale).toFixed(1)},${((north - c[1]) * scale).toFixed(1)}`;
  return { height, project };
}

function pathOf(geometry: SvgFeature['geometry'], project: (c: number[]) => string): string {
  // GeoJSON: a Polygon's coordinates are rings of [lon, lat]; a MultiPolygon's, a list of such polygons.
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates as number[][][]] : geometry.type === 'MultiPolygon' ? (geometry.coordinates as number[][][][]) : [];
  return polygons.map((rings) => rings.map((ring) => `M${ring.map(project).join('L')}Z`).join('')).join('');
}

export function SvgChoropleth({
  features,
  value,
  classes,
  label,
  describe,
  hrefOf,
}: {
  features: SvgFeature[];
  value: (f: SvgFeature) => number;
  classes: SvgClass[];
  label: string;
  describe: (f: SvgFeature) => string;
  hrefOf: (code: string) => string;
}) {
  const navigate = useNavigate();
  const [active, setActive] = useState<string | null>(null);
  const drawn = useMemo(() => {
    const { height, project } = projector(features);
    return {
      height,
      shapes: features.map((f) => {
        const v = value(f);
        const color = classes.find((c) => v >= c.min && v < c.max)?.color ?? '#ffffff';
        return { code: f.properties.code, d: pathOf(f.geometry, project), color, text: describe(f) };
      }),
    };
  }, [features, value, classes, describe]);
  const open = (e: MouseEvent, code: string) => {
    e.preventDefault();
    navigate(hrefOf(code));
  };
  return (
    <figure className="map-figure svg-map">
      <svg viewBox={`0 0 ${WIDTH} ${drawn.height.toFixed(0)}`} role="group" aria-label={label} data-testid="carte" data-rendered-communes={drawn.shapes.length}>
        {drawn.shapes.map((s) => (
          <a key={s.code} href={hrefOf(s.code)} aria-label={s.text} onClick={(e) => open(e, s.code)} onMouseEnter={() => setActive(s.text)} onFocus={() => setActive(s.text)} onMouseLeave={() => setActive(null)}>
            <path d={s.d} fill={s.color} />
          </a>
        ))}
      </svg>
      <figcaption>
        <p className="map-hover" aria-live="polite">
          {active ?? 'Survolez une commune, ou parcourez-les avec la touche Tab, pour voir son chiffre ; cliquez pour ouvrir sa page.'}
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
