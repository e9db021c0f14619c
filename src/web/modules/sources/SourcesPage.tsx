// Public page « Sources et couverture »: every data source the platform knows, its publisher, licence, rhythm and
// channel, the edition loaded and what it covers of the territory; for the EPCI's staff, the history of the updates.
import { useQuery } from '@tanstack/react-query';
import type { HistoryAnswer, SourcesAnswer } from '../../../modules/sources/contract.ts';
import { api, formatNumber, useMe } from '../../platform/api.ts';
import { DemoNotice } from '../../platform/DemoNotice.tsx';
import { CoverageDetails } from '../observatory/Coverage.tsx';
import { TableWrap } from '../../platform/TableWrap.tsx';

const RESULT: Record<string, string> = { imported: 'Importée', unchanged: 'Inchangée', failed: 'Échec', running: 'En cours' };
const TRIGGER: Record<string, string> = { command: 'commande', schedule: 'planification' };
const frenchDate = (iso: string | null) =>
  iso ? new Date(iso).toLocaleDateString('fr-FR', { day: 'numeric', month: 'short', year: 'numeric' }) : '—';
const frenchDateTime = (iso: string | null) =>
  iso ? new Date(iso).toLocaleString('fr-FR', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' }) : '—';

export function SourcesPage() {
  const q = useQuery({ queryKey: ['sources'], queryFn: () => api<SourcesAnswer>('/api/sources') });
  const me = useMe();
  const staff = !!me.data && ['admin', 'agent'].includes(me.data.role);
  if (q.isLoading) return <p>Chargement…</p>;
  if (q.error) return <p className="error">{(q.error as Error).message}</p>;
  const d = q.data!;
  const open = d.sources.filter((s) => s.channel === 'connector');
  const transmitted = d.sources.filter((s) => s.channel === 'transmitted_file');
  return (
    <section>
      <h1 tabIndex={-1}>Sources et couverture</h1>
      <DemoNotice sources={['dvf', 'sitadel', 'rpls', 'dpe']} />
      <p>
        Les chiffres de la plateforme viennent de données publiques, téléchargées chez leur éditeur à leur rythme, et de fichiers transmis à
        l’EPCI sous convention. Pour chacune : qui la publie, sous quelle licence, l’édition chargée et ce qu’elle couvre des{' '}
        {formatNumber(d.communes_total)} communes du territoire.
      </p>
      <TableWrap>
        <table>
          <caption>Données ouvertes téléchargées par la plateforme</caption>
          <thead>
            <tr>
              <th scope="col">Source</th>
              <th scope="col">Éditeur et licence</th>
              <th scope="col">Rythme de publication</th>
              <th scope="col">Édition chargée</th>
              <th scope="col">Chargée le</th>
              <th scope="col" className="num">Communes couvertes</th>
              <th scope="col">Période</th>
            </tr>
          </thead>
          <tbody>
            {open.map((s) => (
              <tr key={s.id}>
                <th scope="row">
                  {s.name}
                  <br />
                  <small>{s.usage}</small>
                </th>
                <td>
                  {s.publisher}
                  <br />
                  <small>{s.licence}</small>
                </td>
                <td>{s.frequency}</td>
                <td>{s.edition ?? 'aucune'}</td>
                <td>{frenchDate(s.loaded_at)}</td>
                <td className="num">{s.communes_covered === null ? '—' : `${formatNumber(s.communes_covered)} sur ${formatNumber(d.communes_total)}`}</td>
                <td>{s.period ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      <TableWrap>
        <table>
          <caption>Fichiers transmis à l’EPCI sous convention (pas en données ouvertes)</caption>
          <thead>
            <tr>
              <th scope="col">Source</th>
              <th scope="col">Éditeur</th>
              <th scope="col">Conditions</th>
              <th scope="col">Rythme</th>
              <th scope="col">Usage</th>
            </tr>
          </thead>
          <tbody>
            {transmitted.map((s) => (
              <tr key={s.id}>
                <th scope="row">{s.name}</th>
                <td>{s.publisher}</td>
                <td>{s.licence}</td>
                <td>{s.frequency}</td>
                <td>{s.usage}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      <CoverageDetails />
      <details>
        <summary>Adresses de téléchargement</summary>
        <ul>
          {open.map((s) => (
            <li key={s.id}>
              {s.name} : <code>{s.url}</code>
            </li>
          ))}
        </ul>
      </details>
      {staff && <History />}
    </section>
  );
}

function History() {
  const q = useQuery({ queryKey: ['sources', 'historique'], queryFn: () => api<HistoryAnswer>('/api/sources/history?limit=50') });
  return (
    <section aria-labelledby="historique">
      <h2 id="historique">Historique des mises à jour</h2>
      {q.isLoading && <p>Chargement…</p>}
      {q.error && <p className="error">{(q.error as Error).message}</p>}
      {q.data && q.data.runs.length === 0 && <p>Aucune mise à jour pour l’instant (commande « habitat fetch » ou « habitat refresh »).</p>}
      {q.data && q.data.runs.length > 0 && (
        <TableWrap>
          <table>
            <caption>Les 50 derniers passages des connecteurs (commande ou planification)</caption>
            <thead>
              <tr>
                <th scope="col">Source</th>
                <th scope="col">Début</th>
                <th scope="col">Fin</th>
                <th scope="col">Déclenchement</th>
                <th scope="col">Résultat</th>
                <th scope="col">Édition</th>
                <th scope="col" className="num">Lignes</th>
                <th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              {q.data.runs.map((r) => (
                <tr key={r.id}>
                  <th scope="row">{r.source}</th>
                  <td>{frenchDateTime(r.started_at)}</td>
                  <td>{frenchDateTime(r.ended_at)}</td>
                  <td>{TRIGGER[r.trigger] ?? r.trigger}</td>
                  <td>{RESULT[r.result] ?? r.result}</td>
                  <td>{r.edition ?? '—'}</td>
                  <td className="num">{formatNumber(r.lines)}</td>
                  <td>{r.message ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}
