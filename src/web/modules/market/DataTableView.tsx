// A published table as an HTML table, with units in the headers, withheld figures said in words, the period,
// source and date of the data beside it, and the same table to download as CSV or JSON.
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { formatNumber } from '../../platform/api.ts';
import type { Cell, DataTable } from '../../../modules/market/contract.ts';
import { frenchDate } from './labels.ts';
import { TableWrap } from '../../platform/TableWrap.tsx';

const FIGURES = new Set(['price_m2_q1', 'price_m2_median', 'price_m2_q3', 'price_median']);

/** Any published table's row: the pages read its cells by column key. */
type Row = Record<string, Cell>;
type AnyTable = DataTable<object>;
const rowsOf = (t: AnyTable) => t.rows as Row[];

/** What a withheld row shows instead of its figures. */
export function withheldText(row: Row, min: number): string {
  if (String(row.reason ?? '').startsWith('Aucune')) return 'aucune vente';
  return isSecondary(row) ? 'secret statistique (masqué pour protéger un chiffre voisin)' : `secret statistique (moins de ${min} ventes)`;
}

/** Withheld although from enough sales: it would give a small withheld figure back by subtraction. */
const isSecondary = (row: Row) => String(row.reason ?? '').includes('secondaire');

function formatCell(key: string, v: Cell): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'boolean') return v ? 'oui' : 'non';
  if (typeof v === 'number') return key === 'longitude' || key === 'latitude' ? v.toFixed(3).replace('.', ',') : formatNumber(v);
  return v;
}

export function SourceLine({ table, extra }: { table: AnyTable; extra?: ReactNode }) {
  const m = table.meta;
  return (
    <p className="source">
      Période : {m.period}. Source : DVF (DGFiP, édition géolocalisée d’Etalab), ventes jusqu’au {frenchDate(m.data_until)}
      {m.imported_at ? `, données importées le ${frenchDate(m.imported_at)}` : ''}. Chiffres publiés à partir de {m.secrecy_min_count} ventes.{' '}
      <Link to="/prix/methode">Comment ces chiffres sont calculés</Link>. {extra}
    </p>
  );
}

export function Downloads({ href, what }: { href: string; what: string }) {
  const sep = href.includes('?') ? '&' : '?';
  return (
    <p className="downloads">
      Télécharger {what} :{' '}
      <a href={`${href}${sep}format=csv`} download>
        CSV<span className="visually-hidden"> — {what}</span>
      </a>{' '}
      ·{' '}
      <a href={`${href}${sep}format=json`} download>
        JSON<span className="visually-hidden"> — {what}</span>
      </a>{' '}
      (méthode et source incluses)
    </p>
  );
}

export function DataTableView({
  table,
  caption,
  columns,
  rowHeader,
  cell,
}: {
  table: AnyTable;
  caption: string;
  /** Keys to show, in order (default: every column but withheld/reason). */
  columns?: string[];
  /** The key whose cell names the row (a <th scope="row">). */
  rowHeader?: string;
  /** Custom rendering of a cell (links); undefined = default. */
  cell?: (key: string, row: Row) => ReactNode | undefined;
}) {
  const keys = columns ?? table.columns.map((c) => c.key).filter((k) => k !== 'withheld' && k !== 'reason');
  const cols = keys.map((k) => table.columns.find((c) => c.key === k) ?? { key: k, label: k, unit: undefined });
  const min = table.meta.secrecy_min_count;
  if (!table.rows.length) return <p>Aucune ligne pour cette période et ce type de bien.</p>;
  return (
    <TableWrap label={caption}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {cols.map((c) => (
              <th key={c.key} scope="col" className={isNumeric(table, c.key) ? 'num' : undefined}>
                {c.label}
                {c.unit ? ` (${c.unit})` : ''}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rowsOf(table).map((row, i) => (
            <tr key={i}>
              {cols.map((c) => {
                const custom = cell?.(c.key, row);
                let content: ReactNode = custom ?? formatCell(c.key, row[c.key]);
                if (custom === undefined && row.withheld === true) {
                  if (c.key === 'price_m2_median') content = withheldText(row, min);
                  else if (c.key === 'sales_count') content = String(row.reason ?? '').startsWith('Aucune') ? '0' : isSecondary(row) ? 'non publié' : `moins de ${min}`;
                  else if (FIGURES.has(c.key)) content = '—';
                }
                const className = isNumeric(table, c.key) ? 'num' : undefined;
                return c.key === rowHeader ? (
                  <th key={c.key} scope="row" className={className}>
                    {content}
                  </th>
                ) : (
                  <td key={c.key} className={className}>
                    {content}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

function isNumeric(table: AnyTable, key: string): boolean {
  return rowsOf(table).some((r) => typeof r[key] === 'number');
}
