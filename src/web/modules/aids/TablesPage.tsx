// The tables behind the simulators, with their legal sources and what is verified or not.
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../../platform/api.ts';
import { isVerified, type Verification } from './types.ts';
import './aids.css';

interface TableRow {
  fichier: string;
  dispositif: string;
  annee: number | null;
  verification: Verification;
  verification_libelle: string;
  note: string;
  sources: { titre: string; url?: string }[];
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
        <div className="table-wrap">
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
                <tr key={r.fichier}>
                  <th scope="row">{r.dispositif}</th>
                  <td>{r.annee ?? '—'}</td>
                  <td>
                    <strong className={isVerified(r.verification) ? 'ok' : 'warn'}>{r.verification_libelle}</strong>
                    <br />
                    <span className="source">{r.note}</span>
                  </td>
                  <td>
                    <ul className="plain">
                      {r.sources.map((s) => (
                        <li key={s.titre + (s.url ?? '')}>{s.url ? <a href={s.url}>{s.titre}</a> : s.titre}</li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
