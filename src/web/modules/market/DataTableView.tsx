// A published table as an HTML table, with units in the headers, withheld figures said in words, the period,
// source and date of the data beside it, and the same table to download as CSV or JSON.
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { formatNumber } from '../../platform/api.ts';
import { frenchDate, type Cell, type DataTable } from './types.ts';

const FIGURES = new Set(['prix_m2_q1', 'prix_m2_median', 'prix_m2_q3', 'prix_median']);

/** What a withheld row shows instead of its figures. */
export function withheldText(row: Record<string, Cell>, seuil: number): string {
  if (String(row.raison ?? '').startsWith('Aucune')) return 'aucune vente';
  return isSecondary(row) ? 'secret statistique (masqué pour protéger un chiffre voisin)' : `secret statistique (moins de ${seuil} ventes)`;
}

/** Withheld although from enough sales: it would give a small withheld figure back by subtraction. */
export const isSecondary = (row: Record<string, Cell>) => String(row.raison ?? '').includes('secondaire');

export function formatCell(key: string, v: Cell): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'boolean') return v ? 'oui' : 'non';
  if (typeof v === 'number') return key === 'longitude' || key === 'latitude' ? v.toFixed(3).replace('.', ',') : formatNumber(v);
  return v;
}

export function SourceLine({ table, extra }: { table: DataTable; extra?: ReactNode }) {
  const m = table.meta;
  return (
    <p className="source">
      Période : {m.periode}. Source : DVF (DGFiP, édition géolocalisée d’Etalab), ventes jusqu’au {frenchDate(m.donnees_jusqu_au)}
      {m.importe_le ? `, données importées le ${frenchDate(m.importe_le)}` : ''}. Chiffres publiés à partir de {m.seuil_secret} ventes.{' '}
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
  table: DataTable;
  caption: string;
  /** Keys to show, in order (default: every column but secret/raison). */
  columns?: string[];
  /** The key whose cell names the row (a <th scope="row">). */
  rowHeader?: string;
  /** Custom rendering of a cell (links); undefined = default. */
  cell?: (key: string, row: Record<string, Cell>) => ReactNode | undefined;
}) {
  const keys = columns ?? table.colonnes.map((c) => c.cle).filter((k) => k !== 'secret' && k !== 'raison');
  const cols = keys.map((k) => table.colonnes.find((c) => c.cle === k) ?? { cle: k, libelle: k });
  const seuil = table.meta.seuil_secret;
  if (!table.lignes.length) return <p>Aucune ligne pour cette période et ce type de bien.</p>;
  return (
    <div className="table-wrap">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {cols.map((c) => (
              <th key={c.cle} scope="col" className={isNumeric(table, c.cle) ? 'num' : undefined}>
                {c.libelle}
                {c.unite ? ` (${c.unite})` : ''}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.lignes.map((row, i) => (
            <tr key={i}>
              {cols.map((c) => {
                const custom = cell?.(c.cle, row);
                let content: ReactNode = custom ?? formatCell(c.cle, row[c.cle]);
                if (custom === undefined && row.secret === true) {
                  if (c.cle === 'prix_m2_median') content = withheldText(row, seuil);
                  else if (c.cle === 'nb_ventes') content = String(row.raison ?? '').startsWith('Aucune') ? '0' : isSecondary(row) ? 'non publié' : `moins de ${seuil}`;
                  else if (FIGURES.has(c.cle)) content = '—';
                }
                const className = isNumeric(table, c.cle) ? 'num' : undefined;
                return c.cle === rowHeader ? (
                  <th key={c.cle} scope="row" className={className}>
                    {content}
                  </th>
                ) : (
                  <td key={c.cle} className={className}>
                    {content}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function isNumeric(table: DataTable, key: string): boolean {
  return table.lignes.some((r) => typeof r[key] === 'number');
}
