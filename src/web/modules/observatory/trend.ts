// The trend of a key figure: the last two published periods of the matching series of its section (same unit), or,
// for the population, its change since 2016. Pure: the home page's cards only draw what this returns.
import type { Figure, PortraitSection } from '../../../modules/observatory/contract.ts';

export interface Trend {
  direction: 'up' | 'down' | 'flat';
  /** In words, so that the arrow is never the only cue: « +4,1 % par rapport à 2017 (3 112 €/m²) ». */
  text: string;
}

const fr = (v: number, digits = 0) => v.toLocaleString('fr-FR', { maximumFractionDigits: digits });
const signed = (v: number, digits = 1) => `${v > 0 ? '+' : v < 0 ? '−' : ''}${fr(Math.abs(v), digits)}`;
const directionOf = (v: number): Trend['direction'] => (v > 0 ? 'up' : v < 0 ? 'down' : 'flat');

export function trendOf(figure: Figure, section: PortraitSection): Trend | null {
  if (figure.status !== 'ok') return null;
  if (figure.key === 'population') {
    const change = section.figures.find((f) => f.key === 'population_change');
    if (change?.status !== 'ok') return null;
    return { direction: directionOf(change.value), text: `${signed(change.value)} % depuis 2016` };
  }
  const series = section.series.find((s) => s.status === 'ok' && s.unit === figure.unit && (s.key.includes(figure.key) || figure.key.includes(s.key)))
    ?? section.series.find((s) => s.status === 'ok' && s.unit === figure.unit);
  if (!series || series.status !== 'ok') return null;
  const shown = series.points.filter((p) => p.value !== null);
  if (shown.length < 2) return null;
  const [prev, last] = shown.slice(-2);
  const diff = last.value! - prev.value!;
  if (prev.value === 0) return { direction: directionOf(diff), text: `${signed(diff, 0)} ${figure.unit} par rapport à ${prev.period}` };
  const pct = (100 * diff) / Math.abs(prev.value!);
  return { direction: directionOf(diff), text: `${signed(pct)} % en ${last.period} par rapport à ${prev.period} (${fr(prev.value!, 1)} ${figure.unit})` };
}

export const ARROW: Record<Trend['direction'], string> = { up: '▲', down: '▼', flat: '■' };
export const DIRECTION_WORD: Record<Trend['direction'], string> = { up: 'en hausse', down: 'en baisse', flat: 'stable' };
