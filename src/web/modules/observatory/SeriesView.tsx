// A series of the portrait (prices over the years, dwellings per year): a chart readable without colour (one series,
// values written on the bars, points on the line) and the same figures in a table; « pas de donnée » when missing.
import type { Series } from '../../../modules/observatory/contract.ts';
import { formatNumber } from '../../platform/api.ts';
import { BarChart, LineChart } from '../market/charts.tsx';
import { formatValue, NO_DATA_LABEL, provenanceText } from './format.ts';
import { TableWrap } from '../../platform/TableWrap.tsx';

/** Counts per year read best as bars; prices and rates as a line. */
const isCount = (unit: string) => !unit.includes('/') && unit !== '%' && !unit.includes('€');

/** The same series of the commune's EPCI, drawn on the commune's line chart (a price beside its EPCI's). */
export interface CompareSeries {
  place: string;
  epci: string;
  series: Series;
}

export function SeriesView({ series, compare }: { series: Series; compare?: CompareSeries }) {
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
  // Counts per year are not drawn beside the EPCI's (not on the same scale); prices and rates are.
  const other = !bars && compare?.series.status === 'ok' ? { place: compare.place, epci: compare.epci, points: compare.series.points } : null;
  const periods = [...new Set([...series.points.map((p) => p.period), ...(other?.points.map((p) => p.period) ?? [])])].sort();
  const cell = (p: { value: number | null; withheld: boolean } | undefined) =>
    p && p.value !== null ? formatNumber(p.value, series.unit === '%' ? 1 : 0) : p?.withheld ? 'secret statistique' : '—';
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
        <LineChart
          title={series.label}
          description={other ? `${summary} ${other.epci} : ${other.points.filter((p) => p.value !== null).map((p) => `${p.period} ${formatValue(p.value!, series.unit)}`).join(', ')}.` : summary}
          unit={series.unit}
          series={[
            { name: other ? other.place : series.label, color: '#00498f', points: series.points.map((p) => ({ x: p.period, y: p.value })) },
            // The EPCI dashed, so the two lines differ by more than their colour; the legend names both.
            ...(other ? [{ name: other.epci, color: '#a34a00', dash: '7 4', points: other.points.map((p) => ({ x: p.period, y: p.value })) }] : []),
          ]}
        />
      )}
      <details>
        <summary>Voir les données : {series.label.toLowerCase()}</summary>
        <TableWrap>
          <table>
            <caption>
              {series.label} ({series.unit}). Source : {provenanceText(series)}.
            </caption>
            <thead>
              <tr>
                <th scope="col">Période</th>
                <th scope="col" className="num">
                  {other ? other.place : series.label} ({series.unit})
                </th>
                {other && (
                  <th scope="col" className="num">
                    {other.epci} ({series.unit})
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {periods.map((period) => (
                <tr key={period}>
                  <th scope="row">{period}</th>
                  <td className="num">{cell(series.points.find((p) => p.period === period))}</td>
                  {other && <td className="num">{cell(other.points.find((p) => p.period === period))}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </details>
      <p className="source">Source : {provenanceText(series)}.</p>
    </div>
  );
}
