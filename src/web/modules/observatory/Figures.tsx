// The figures of a portrait section: each value with its unit, period, source and edition date, or « pas de donnée »
// with its reason (never an empty cell).
import type { Figure } from '../../../modules/observatory/contract.ts';
import { formatValue, NO_DATA_LABEL, provenanceText } from './format.ts';

export function FigureList({ figures }: { figures: Figure[] }) {
  if (!figures.length) return null;
  return (
    <dl className="figures">
      {figures.map((f) => (
        <div key={f.key} className={f.status === 'ok' ? undefined : 'no-data'} data-figure={f.key}>
          <dt>{f.label}</dt>
          <dd>
            {f.status === 'ok' ? (
              <span className="value">{formatValue(f.value, f.unit)}</span>
            ) : (
              <span className="value-missing">
                Pas de donnée <small>({NO_DATA_LABEL[f.reason]})</small>
              </span>
            )}
            {f.status === 'ok' && f.note && <span className="note">{f.note}</span>}
            {f.status !== 'ok' && <span className="note">{f.message}</span>}
            <span className="source">
              {f.period ? `${f.period} · ` : ''}
              {provenanceText(f)}
            </span>
          </dd>
        </div>
      ))}
    </dl>
  );
}
