// The home page's key figures of an EPCI, read from its portrait: 6 to 8 cards, each with its value and unit, its
// trend (an arrow AND the change in words) and its source; a missing figure says « pas de donnée » and why.
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { Figure, PortraitAnswer, PortraitSection } from '../../../modules/observatory/contract.ts';
import { api } from '../../platform/api.ts';
import { formatValue, NO_DATA_LABEL, provenanceText } from './format.ts';
import { ARROW, DIRECTION_WORD, trendOf } from './trend.ts';

/** In the order of the cards; the first eight the portrait holds are shown, published figures first. */
const KEYS = ['population', 'median_income', 'price_m2_apartment', 'price_m2_house', 'authorised_dwellings', 'social_housing_stock', 'sru_rate', 'pending_demands', 'pressure_ratio', 'share_fg', 'vacancy_rate', 'poverty_rate'];
const MAX = 8;
const MIN = 6;

export function pickKeyFigures(sections: PortraitSection[]): { figure: Figure; section: PortraitSection }[] {
  const all = sections.flatMap((section) => section.figures.map((figure) => ({ figure, section })));
  const ordered = KEYS.map((k) => all.find((x) => x.figure.key === k)).filter((x): x is { figure: Figure; section: PortraitSection } => !!x);
  const ok = ordered.filter((x) => x.figure.status === 'ok');
  const missing = ordered.filter((x) => x.figure.status !== 'ok');
  return [...ok, ...missing].slice(0, Math.max(MIN, Math.min(MAX, ok.length)));
}

export function KeyFigures({ siren }: { siren: string }) {
  const q = useQuery({ queryKey: ['portrait', 'epci', siren], queryFn: () => api<PortraitAnswer>(`/api/territory/epci/${siren}/portrait`), enabled: !!siren });
  // The loading line holds about the room of the figures (two rows of cards): the map below does not jump when they come.
  if (q.isLoading) return <p className="kpis-loading">Chargement des chiffres clés…</p>;
  if (q.isError) return <p role="alert">Les chiffres clés n’ont pas pu être chargés : {(q.error as Error).message}</p>;
  const d = q.data!;
  return (
    <>
      <ul className="kpis" aria-label={`Chiffres clés de ${d.name}`}>
        {pickKeyFigures(d.sections).map(({ figure: f, section }) => {
          const t = trendOf(f, section);
          return (
            <li key={f.key} data-figure={f.key}>
              <span className="label">{f.label}</span>
              {f.status === 'ok' ? <span className="value">{formatValue(f.value, f.unit)}</span> : <span className="value">Pas de donnée</span>}
              {f.status !== 'ok' && <span className="trend">{NO_DATA_LABEL[f.reason]} : {f.message}</span>}
              {t && (
                <span className="trend">
                  <span aria-hidden="true">{ARROW[t.direction]}</span> <span className="visually-hidden">{DIRECTION_WORD[t.direction]} : </span>
                  {t.text}
                </span>
              )}
              <span className="source">
                {f.period ? `${f.period} · ` : ''}
                {provenanceText(f)}
              </span>
            </li>
          );
        })}
      </ul>
      <p>
        <Link to={`/territoire/epci/${d.code}`}>Le portrait complet de {d.name} (six thèmes, fiche à imprimer)</Link>
      </p>
    </>
  );
}
