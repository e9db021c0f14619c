// The tables behind the simulators, with their legal sources and what is verified or not.
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../../platform/api.ts';
import type { TableRow } from '../../../modules/aids/contract.ts';
import { isVerified } from './form.ts';
import './aids.css';
import { TableWrap } from '../../platform/TableWrap.tsx';

const COLUMN_LABEL: Record<string, string> = {
  paris_and_neighbours: 'Paris et communes limitrophes',
  ile_de_france: 'Île-de-France hors Paris et communes limitrophes',
  other_regions: 'Autres régions',
  Abis: 'Zone A bis',
  A: 'Zone A',
  B1: 'Zone B1',
  B2: 'Zone B2',
  C: 'Zone C',
};
const MPR_LABEL: Record<string, string> = {
  ile_de_france: 'Île-de-France',
  outside_ile_de_france: 'hors Île-de-France',
  very_modest: 'très modestes',
  modest: 'modestes',
  intermediate: 'intermédiaires',
};
const columnLabel = (k: string) => COLUMN_LABEL[k] ?? k.split(' · ').map((p) => MPR_LABEL[p] ?? p).join(', ');
const rowLabel = (k: string) =>
  k === 'per_extra_person'
    ? 'Par personne supplémentaire'
    : /^\d+_and_more$/.test(k)
      ? `${k.split('_')[0]} personnes et plus`
      : k;
const euros = (n: number) => `${String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ')} €`;

/** The figures of one table, columns = zones, a mark on each cell less sure than the table. */
function Figures({ r }: { r: TableRow }) {
  const columns = Object.keys(r.values!);
  const keys = [...new Set(columns.flatMap((c) => Object.keys(r.values![c]!)))].sort((a, b) => {
    const n = (k: string) => (k === 'per_extra_person' ? 1000 : parseInt(k, 10));
    return n(a) - n(b);
  });
  const marked = Object.values(r.verification_values ?? {}).some((cells) => Object.keys(cells).length > 0);
  return (
    <details className="figures">
      <summary>
        Chiffres : {r.scheme} {r.year ?? ''}
      </summary>
      <TableWrap label={`Plafonds ${r.scheme} ${r.year ?? ''}`}>
        <table>
          <caption>
            {r.scheme} {r.year ?? ''} — plafonds en euros{marked ? ' ; * chiffre non vérifié (déduit)' : ''}
          </caption>
          <thead>
            <tr>
              <th scope="col">Catégorie ou personnes</th>
              {columns.map((c) => (
                <th scope="col" key={c}>
                  {columnLabel(c)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k}>
                <th scope="row">{rowLabel(k)}</th>
                {columns.map((c) => {
                  const v = r.values![c]![k];
                  const cell = r.verification_values?.[c]?.[k];
                  const unsure = cell !== undefined && !isVerified(cell);
                  return (
                    <td key={c} className={unsure ? 'warn' : undefined}>
                      {v === undefined ? '—' : euros(v)}
                      {unsure && <abbr title="chiffre non vérifié (déduit)">*</abbr>}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </details>
  );
}

export function TablesPage() {
  const rows = useQuery({ queryKey: ['aids-tables'], queryFn: () => api<TableRow[]>('/api/aids/tables') });
  return (
    <section className="aids">
      <p className="breadcrumb">
        <Link to="/aides">Aides au logement</Link> › Barèmes
      </p>
      <h1 tabIndex={-1}>Barèmes utilisés par les simulateurs</h1>
      <p>Chaque barème vient d’un texte officiel, lu directement ou à travers une source qui le cite. Ceux qui ne sont pas vérifiés sont signalés.</p>
      {rows.isError && <p role="alert">Les barèmes n’ont pas pu être chargés : {(rows.error as Error).message}</p>}
      {rows.data && (
        <TableWrap>
          <table>
            <caption>Barèmes, état de vérification et sources</caption>
            <thead>
              <tr>
                <th scope="col">Dispositif</th>
                <th scope="col">Année</th>
                <th scope="col">Vérification</th>
                <th scope="col">Sources</th>
              </tr>
            </thead>
            <tbody>
              {rows.data.map((r) => (
                <tr key={r.file}>
                  <th scope="row">{r.scheme}</th>
                  <td>{r.year ?? '—'}</td>
                  <td>
                    <strong className={isVerified(r.verification) ? 'ok' : 'warn'}>{r.verification_label}</strong>
                    <br />
                    <span className="source">{r.note}</span>
                  </td>
                  <td>
                    <ul className="plain">
                      {r.sources.map((s) => (
                        <li key={s.title + (s.url ?? '')}>{s.url ? <a href={s.url}>{s.title}</a> : s.title}</li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {rows.data && (
        <>
          <h2>Les chiffres de chaque barème</h2>
          {rows.data.filter((r) => r.values).map((r) => (
            <Figures key={r.file} r={r} />
          ))}
        </>
      )}
    </section>
  );
}
