// A series of the portrait (prices over the years, dwellings per year): a chart readable without colour (one series,
// values written on the bars, points on the line) and the same figures in a table; « pas de donnée » when missing.
import type { Series } from '../../../modules/observatory/contract.ts';
import { formatNumber } from '../../platform/api.ts';
import { BarChart, LineChart } from '../market/charts.tsx';
import { formatValue, NO_DATA_LABEL, provenanceText } from './format.ts';

/** Counts per year read best as bars; prices and rates as a line. */
const isCount = (unit: string) => !unit.includes('/') && unit !== '%' && !unit.includes('€');

export function SeriesView({ series }: { series: Series }) {
  if (series.status !== 'ok')
    return (
      <div className="series no-data">
        <h3>{series.label}</h3>
        <p>
          Pas de donnée ({NO_DATA_LABEL[series.reason]}) : {series.message}
        </p>
      </div>
    );
  const shown = series.points.filter((p) => p.value !== null);
  const summary = shown.length
    ? `${series.label} : ${shown.map((p) => `${p.period} ${formatValue(p.value!, series.unit)}`).join(', ')}.`
    : `${series.label} : aucune valeur publiée.`;
  const bars = isCount(series.unit);
  return (
    <div className="series">
      <h3>{series.label}</h3>
      {shown.length === 0 ? (
        <p>Aucune valeur publiée (secret statistique ou source vide).</p>
      ) : bars ? (
        <BarChart title={series.label} description={summary} unit={series.unit} bars={shown.map((p) => ({ label: p.period, value: p.value!, color: '#00498f' }))} />
      ) : shown.length < 2 ? (
        <p className="lone-value">
          {shown[0].period} : <strong>{formatValue(shown[0].value!, series.unit)}</strong> (une seule période publiée : pas de courbe).
        </p>
      ) : (
        <LineChart title={series.label} description={summary} unit={series.unit} series={[{ name: series.label, color: '#00498f', points: series.points.map((p) => ({ x: p.period, y: p.value })) }]} />
      )}
      <details>
        <summary>Voir les données : {series.label.toLowerCase()}</summary>
        <div className="table-wrap">
          <table>
            <caption>
              {series.label} ({series.unit}). Source : {provenanceText(series)}.
            </caption>
            <thead>
              <tr>
                <th scope="col">Période</th>
                <th scope="col" className="num">
                  {series.label} ({series.unit})
                </th>
              </tr>
            </thead>
            <tbody>
              {series.points.map((p) => (
                <tr key={p.period}>
                  <th scope="row">{p.period}</th>
                  <td className="num">{p.value !== null ? formatNumber(p.value, series.unit === '%' ? 1 : 0) : p.withheld ? 'secret statistique' : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
      <p className="source">Source : {provenanceText(series)}.</p>
    </div>
  );
}
