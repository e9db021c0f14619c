// Small SVG charts written in React (no charting library): a line chart of a series over periods and a bar chart.
// Each is an image with a text title and description; the page always gives the same figures in a table.
import { useId } from 'react';
import { formatNumber } from '../../platform/api.ts';

interface SeriesPoint {
  x: string;
  y: number | null;
}
export interface Series {
  name: string;
  color: string;
  /** Dash pattern, so series differ by more than their colour. */
  dash?: string;
  points: SeriesPoint[];
}

const W = 640;
const H = 260;
const M = { top: 16, right: 16, bottom: 36, left: 64 };

function niceTicks(min: number, max: number, count = 5): number[] {
  if (min === max) return [min];
  const raw = (max - min) / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  const out: number[] = [];
  // Up to the first tick at or above the largest value: the axis holds every point (Caluire's houses at 4 375 €/m²
  // were drawn above a frame that stopped at 4 000).
  for (let v = Math.floor(min / step) * step; out.length === 0 || out.at(-1)! < max - 1e-9; v += step) out.push(v);
  return out;
}

/** A label cut to fit `chars` characters (the full text stays in the chart's description and table). */
const fitLabel = (s: string, chars: number) => (s.length <= chars ? s : `${s.slice(0, chars - 1)}…`);

export function LineChart({ title, description, series, unit }: { title: string; description: string; series: Series[]; unit: string }) {
  const id = useId();
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p.x)))].sort();
  const ys = series.flatMap((s) => s.points.map((p) => p.y)).filter((y): y is number => y !== null);
  if (!ys.length) return <p>Pas assez de ventes pour tracer une courbe (secret statistique).</p>;
  const ticks = niceTicks(Math.min(0, ...ys), Math.max(...ys));
  const yMax = ticks.at(-1)!;
  const yMin = ticks[0];
  const x = (v: string) => M.left + (xs.length === 1 ? (W - M.left - M.right) / 2 : (xs.indexOf(v) * (W - M.left - M.right)) / (xs.length - 1));
  const y = (v: number) => H - M.bottom - ((v - yMin) / (yMax - yMin || 1)) * (H - M.top - M.bottom);
  const labelEvery = Math.max(1, Math.ceil(xs.length / 12));
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-t ${id}-d`}>
        <title id={`${id}-t`}>{title}</title>
        <desc id={`${id}-d`}>{description}</desc>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={M.left} x2={W - M.right} y1={y(t)} y2={y(t)} stroke="#d0d4da" />
            <text x={M.left - 6} y={y(t) + 4} textAnchor="end" fontSize="11" fill="#4a4a4a">
              {formatNumber(t)}
            </text>
          </g>
        ))}
        {xs.map((v, i) =>
          i % labelEvery === 0 ? (
            <text key={v} x={x(v)} y={H - M.bottom + 16} textAnchor="middle" fontSize="11" fill="#4a4a4a">
              {v}
            </text>
          ) : null,
        )}
        <text x={12} y={M.top + 4} fontSize="11" fill="#4a4a4a">
          {unit}
        </text>
        {series.map((s) => {
          // A withheld period breaks the line: nothing is drawn where nothing is published.
          const segments: SeriesPoint[][] = [[]];
          for (const xv of xs) {
            const p = s.points.find((q) => q.x === xv);
            if (p && p.y !== null) segments.at(-1)!.push(p);
            else if (segments.at(-1)!.length) segments.push([]);
          }
          return (
            <g key={s.name}>
              {segments
                .filter((g) => g.length > 1)
                .map((g, i) => (
                  <polyline key={i} fill="none" stroke={s.color} strokeWidth="2.5" strokeDasharray={s.dash} points={g.map((p) => `${x(p.x)},${y(p.y!)}`).join(' ')} />
                ))}
              {s.points
                .filter((p) => p.y !== null)
                .map((p) => (
                  <circle key={p.x} cx={x(p.x)} cy={y(p.y!)} r="3.5" fill={s.color} />
                ))}
            </g>
          );
        })}
      </svg>
      {series.length > 1 && (
        <figcaption>
          <ul className="legend">
            {series.map((s) => (
              <li key={s.name}>
                <svg width="28" height="10" aria-hidden="true">
                  <line x1="0" x2="28" y1="5" y2="5" stroke={s.color} strokeWidth="2.5" strokeDasharray={s.dash} />
                </svg>{' '}
                {s.name}
              </li>
            ))}
          </ul>
        </figcaption>
      )}
    </figure>
  );
}

export function BarChart({ title, description, bars, unit }: { title: string; description: string; bars: { label: string; value: number; color?: string }[]; unit: string }) {
  const id = useId();
  if (!bars.length) return null;
  const max = Math.max(...bars.map((b) => b.value), 1);
  const rowH = 26;
  const labelW = 190;
  const h = bars.length * rowH + 8;
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${h}`} role="img" aria-labelledby={`${id}-t ${id}-d`}>
        <title id={`${id}-t`}>{title}</title>
        <desc id={`${id}-d`}>{description}</desc>
        {bars.map((b, i) => {
          const w = ((W - labelW - 90) * b.value) / max;
          return (
            <g key={b.label} transform={`translate(0 ${i * rowH + 4})`}>
              <text x={labelW - 8} y={rowH / 2 + 4} textAnchor="end" fontSize="12" fill="#1e1e1e">
                {fitLabel(b.label, 28)}
              </text>
              <rect x={labelW} y={3} width={Math.max(w, 1)} height={rowH - 8} fill={b.color ?? '#756bb1'} />
              <text x={labelW + w + 6} y={rowH / 2 + 4} fontSize="12" fill="#1e1e1e">
                {formatNumber(b.value)} {unit}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
