// The EPCI's dashboard of new construction against PLH targets, refreshed live as changes arrive from any source.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import type { InputProblem } from '../../../platform/errors.ts';
import { api, ApiError, formatNumber, useMe } from '../../platform/api.ts';
import { DemoNotice } from '../../platform/DemoNotice.tsx';
import type { Dashboard, DashboardCommune, DashboardEpci, NotificationList, SavedAnswer, TargetsBody } from '../../../modules/construction/contract.ts';
import { useConstructionLive } from './live.ts';
import { stateLabel } from './format.ts';
import './construction.css';
import { TableWrap } from '../../platform/TableWrap.tsx';

const pct = (r: number | null) => (r === null ? '—' : `${Math.round(r * 100)} %`);

function ProgressCells({ row }: { row: DashboardCommune | DashboardEpci }) {
  return (
    <>
      <td className="num">{formatNumber(row.target_dwellings)}</td>
      <td className="num">{formatNumber(row.authorised)}</td>
      <td className="num">{pct(row.progress.rate)}</td>
      <td className="num">
        {formatNumber(row.authorised_social)} / {formatNumber(row.target_social_dwellings)}
      </td>
      <td className="num">{formatNumber(row.started)}</td>
      <td className="num">{formatNumber(row.delivered)}</td>
      <td className="num">
        {row.progress.years_left
          ? `${formatNumber(Math.ceil(row.progress.pace_per_year))} dont ${formatNumber(Math.ceil(row.progress.pace_per_year_social))} sociaux`
          : `période close ; reste ${formatNumber(row.progress.remaining)} dont ${formatNumber(row.progress.remaining_social)} sociaux`}
      </td>
      <td>
        {row.progress.behind ? (
          <strong className="behind">En retard{row.progress.behind_total ? '' : ' (logements sociaux)'}</strong>
        ) : (
          'Dans le rythme'
        )}
      </td>
    </>
  );
}

const HEAD = (
  <>
    <th scope="col" className="num">Objectif (logements)</th>
    <th scope="col" className="num">Autorisés</th>
    <th scope="col" className="num">Réalisé</th>
    <th scope="col" className="num">Sociaux autorisés / objectif</th>
    <th scope="col" className="num">Commencés</th>
    <th scope="col" className="num">Livrés</th>
    <th scope="col" className="num">Rythme nécessaire (logements autorisés par an)</th>
    <th scope="col">Rythme</th>
  </>
);

function TargetForm() {
  const client = useQueryClient();
  const [message, setMessage] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (body: TargetsBody) => api<SavedAnswer>('/api/construction/targets', { method: 'PUT', body: JSON.stringify(body) }),
    onSuccess: (r) => {
      setMessage(`${r.saved} objectif enregistré.`);
      void client.invalidateQueries({ queryKey: ['construction'] });
    },
    onError: (e) => setMessage((e as Error).message),
  });
  const upload = useMutation({
    mutationFn: async (file: File) => api<SavedAnswer>('/api/construction/targets/csv', { method: 'POST', body: JSON.stringify({ csv: await file.text(), file: file.name }) }),
    onSuccess: (r) => {
      setMessage(`${r.saved} objectif(s) importé(s).`);
      void client.invalidateQueries({ queryKey: ['construction'] });
    },
    onError: (e: Error) => {
      const problems = ((e instanceof ApiError ? e.problem?.details : undefined) as { problems?: InputProblem[] } | undefined)?.problems ?? [];
      setMessage([e.message, ...problems.slice(0, 5).map((p) => `ligne ${p.line}, ${p.column} : ${p.message}`)].join(' '));
    },
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    save.mutate({
      targets: [
        {
          commune_code: String(f.get('code_commune')),
          period_start: Number(f.get('periode_debut')),
          period_end: Number(f.get('periode_fin')),
          target_dwellings: Number(f.get('objectif_logements')),
          target_social_dwellings: Number(f.get('objectif_logements_sociaux')),
          sru: f.get('sru') === 'on',
        },
      ],
    });
  };
  return (
    <section aria-labelledby="objectifs-titre">
      <h2 id="objectifs-titre">Saisir ou importer des objectifs</h2>
      <form onSubmit={submit} className="inline-form">
        <label>Code INSEE de la commune <input name="code_commune" required pattern="[0-9][0-9AB][0-9]{3}" size={6} /></label>
        <label>Début de période <input name="periode_debut" type="number" required min={2000} max={2100} defaultValue={2020} /></label>
        <label>Fin de période <input name="periode_fin" type="number" required min={2000} max={2100} defaultValue={2025} /></label>
        <label>Objectif (logements) <input name="objectif_logements" type="number" required min={0} /></label>
        <label>dont sociaux <input name="objectif_logements_sociaux" type="number" required min={0} /></label>
        <label><input name="sru" type="checkbox" /> Commune soumise à l’article 55 de la loi SRU</label>
        <button type="submit">Enregistrer</button>
      </form>
      <p>
        <label>
          Importer un fichier CSV (code_commune;periode_debut;periode_fin;objectif_logements;objectif_logements_sociaux;sru){' '}
          <input type="file" accept=".csv,text/csv" onChange={(e) => e.target.files?.[0] && upload.mutate(e.target.files[0])} />
        </label>
      </p>
      {message && <p role="status">{message}</p>}
    </section>
  );
}

export function ConstructionDashboardPage() {
  const me = useMe();
  const signedIn = !!me.data;
  const live = useConstructionLive(signedIn);
  const client = useQueryClient();
  const board = useQuery({ queryKey: ['construction', 'dashboard'], queryFn: () => api<Dashboard>('/api/construction/dashboard'), enabled: signedIn });
  const notes = useQuery({ queryKey: ['construction', 'notifications'], queryFn: () => api<NotificationList>('/api/construction/notifications?unread=true&limit=50'), enabled: signedIn });
  const read = useMutation({ mutationFn: (id: string) => api(`/api/construction/notifications/${id}/read`, { method: 'POST', body: '{}' }), onSuccess: () => client.invalidateQueries({ queryKey: ['construction', 'notifications'] }) });
  const canWrite = me.data?.role === 'admin' || me.data?.role === 'agent';

  if (me.isLoading) return <p>Chargement…</p>;
  if (!signedIn)
    return (
      <section>
        <h1 tabIndex={-1}>Construction neuve</h1>
        <p><Link to="/connexion">Connectez-vous</Link> pour suivre les programmes et les objectifs du PLH. Les chiffres publics sont sur la page <Link to="/construction-neuve">Construction neuve par commune</Link>.</p>
      </section>
    );
  return (
    <section>
      <h1 tabIndex={-1}>Construction neuve : objectifs du PLH</h1>
      <DemoNotice sources={['sitadel']} />
      <p className="live-status" aria-live="polite">
        Mise à jour en direct : <strong>{live.status}</strong>. <Link to="/construction/programmes">Voir les programmes</Link>
      </p>
      {board.error && <p className="error">{(board.error as Error).message}</p>}
      {board.data && (
        <>
          <TableWrap>
            <table>
              <caption>Par EPCI, au {new Date(board.data.date).toLocaleDateString('fr-FR')}</caption>
              <thead><tr><th scope="col">EPCI</th><th scope="col">Période</th>{HEAD}</tr></thead>
              <tbody>
                {board.data.epci.map((r) => (
                  <tr key={`${r.epci}-${r.period_start}`}><th scope="row">{r.epci_name ?? r.epci}</th><td>{r.period_start}–{r.period_end}</td><ProgressCells row={r} /></tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          <TableWrap>
            <table>
              <caption>Par commune (communes SRU signalées)</caption>
              <thead><tr><th scope="col">Commune</th><th scope="col">Période</th>{HEAD}</tr></thead>
              <tbody>
                {board.data.communes.map((r) => (
                  <tr key={`${r.commune_code}-${r.period_start}`} className={r.sru ? 'sru' : undefined}>
                    <th scope="row">{r.commune} {r.sru && <span className="badge">SRU</span>}</th>
                    <td>{r.period_start}–{r.period_end}</td>
                    <ProgressCells row={r} />
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          {board.data.communes.length === 0 && <p>Aucun objectif saisi : saisissez-en ou importez-les ci-dessous.</p>}
          <p className="source">{board.data.note} Source : Sit@del2 (SDES), flux des partenaires, saisies de l’EPCI.</p>
        </>
      )}
      <section aria-labelledby="alertes-titre">
        <h2 id="alertes-titre">Alertes non lues</h2>
        {notes.data?.notifications.length ? (
          <ul className="alerts">
            {notes.data.notifications.map((n) => (
              <li key={n.id}>
                {n.message} <button type="button" onClick={() => read.mutate(n.id)}>Marquer comme lue</button>
              </li>
            ))}
          </ul>
        ) : (
          <p>Aucune alerte non lue.</p>
        )}
      </section>
      <section aria-labelledby="direct-titre">
        <h2 id="direct-titre">Derniers changements reçus</h2>
        {live.recent.length ? (
          <ul>
            {live.recent.map((c, i) => (
              <li key={i}>
                {new Date(c.at).toLocaleTimeString('fr-FR')} — {c.type === 'programme' && c.id ? <Link to={`/construction/programmes/${c.id}`}>programme {c.id.slice(0, 8)}</Link> : c.type} {c.from ? `${stateLabel(c.from)} → ` : ''}{stateLabel(c.state)} {c.detail ?? ''}
              </li>
            ))}
          </ul>
        ) : (
          <p>Aucun changement depuis l’ouverture de la page.</p>
        )}
      </section>
      {canWrite && <TargetForm />}
    </section>
  );
}
