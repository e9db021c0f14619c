// One programme: its unit mix, permits, the history of its states, the moves an agent may make, and a suggested match.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, formatNumber, useMe } from '../../platform/api.ts';
import { useConstructionLive } from './live.ts';
import { FINANCING_LABELS, SOURCE_LABELS, STATE_LABELS, TYPE_LABELS, formatDate, nextStates, type Programme } from './types.ts';
import './construction.css';

interface Detail {
  programme: Programme;
  evenements: { id: number; type: string; de: string | null; vers: string | null; date: string; source: string; auteur: string }[];
  rapproche_de: Programme | null;
}

export function ProgrammePage() {
  const { id } = useParams();
  const me = useMe();
  useConstructionLive(!!me.data);
  const client = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const q = useQuery({ queryKey: ['construction', 'programme', id], queryFn: () => api<Detail>(`/api/construction/programmes/${id}`), enabled: !!me.data });
  const onDone = { onSuccess: () => { setError(null); void client.invalidateQueries({ queryKey: ['construction'] }); }, onError: (e: Error) => setError(e.message) };
  const move = useMutation({ mutationFn: (etat: string) => api(`/api/construction/programmes/${id}/etat`, { method: 'POST', body: JSON.stringify({ etat }) }), ...onDone });
  const decide = useMutation({ mutationFn: (decision: string) => api(`/api/construction/programmes/${id}/rapprochement`, { method: 'POST', body: JSON.stringify({ decision }) }), ...onDone });
  const canWrite = me.data?.role === 'admin' || me.data?.role === 'agent';
  if (!q.data) return <section><h1 tabIndex={-1}>Programme</h1>{q.error ? <p className="error">{(q.error as Error).message}</p> : <p>Chargement…</p>}</section>;
  const { programme: p, evenements, rapproche_de } = q.data;
  return (
    <section>
      <p><Link to="/construction/programmes">← Tous les programmes</Link></p>
      <h1 tabIndex={-1}>{p.nom}</h1>
      <dl className="key-figures">
        <div><dt>Commune</dt><dd>{p.commune} ({p.code_commune})</dd></div>
        <div><dt>Adresse</dt><dd>{p.adresse ?? '—'}</dd></div>
        <div><dt>État</dt><dd>{STATE_LABELS[p.etat]} depuis le {formatDate(p.etat_depuis)}</dd></div>
        <div><dt>Logements</dt><dd>{formatNumber(p.logements)} dont {formatNumber(p.logements_sociaux)} sociaux</dd></div>
        <div><dt>Source</dt><dd>{SOURCE_LABELS[p.source]}{p.permis.length ? ` — ${p.permis.join(', ')}` : ''}</dd></div>
      </dl>
      {canWrite && nextStates(p.etat).length > 0 && (
        <p>
          Faire avancer le programme :{' '}
          {nextStates(p.etat).map((s) => <button key={s} type="button" onClick={() => move.mutate(s)}>{STATE_LABELS[s]}</button>)}
        </p>
      )}
      {error && <p className="error" role="alert">{error}</p>}
      {p.rapprochement && rapproche_de && (
        <section aria-labelledby="rapprochement">
          <h2 id="rapprochement">Doublon {p.rapprochement.statut === 'suggere' ? 'suggéré' : p.rapprochement.statut === 'confirme' ? 'confirmé' : 'rejeté'}</h2>
          <p>
            Même opération que <Link to={`/construction/programmes/${rapproche_de.id}`}>{rapproche_de.nom}</Link> ({SOURCE_LABELS[rapproche_de.source]}) : {p.rapprochement.motif}.
            {p.rapprochement.statut !== 'rejete' ? ' Ce programme n’est pas compté une seconde fois.' : ' Les deux programmes sont comptés.'}
          </p>
          {canWrite && p.rapprochement.statut === 'suggere' && (
            <p>
              <button type="button" onClick={() => decide.mutate('confirme')}>Confirmer le doublon</button>{' '}
              <button type="button" onClick={() => decide.mutate('rejete')}>Ce sont deux opérations différentes</button>
            </p>
          )}
        </section>
      )}
      <div className="table-wrap">
        <table>
          <caption>Répartition des logements</caption>
          <thead><tr><th scope="col">Financement</th><th scope="col" className="num">Logements</th></tr></thead>
          <tbody>{Object.entries(p.financement).filter(([, v]) => v > 0).map(([k, v]) => <tr key={k}><th scope="row">{FINANCING_LABELS[k]}</th><td className="num">{formatNumber(v)}</td></tr>)}</tbody>
        </table>
        <table>
          <caption>Types de logements</caption>
          <thead><tr><th scope="col">Type</th><th scope="col" className="num">Logements</th></tr></thead>
          <tbody>{Object.entries(p.types).filter(([, v]) => v > 0).map(([k, v]) => <tr key={k}><th scope="row">{TYPE_LABELS[k]}</th><td className="num">{formatNumber(v)}</td></tr>)}</tbody>
        </table>
      </div>
      <div className="table-wrap">
        <table>
          <caption>Historique</caption>
          <thead><tr><th scope="col">Date</th><th scope="col">Événement</th><th scope="col">Source</th><th scope="col">Auteur</th></tr></thead>
          <tbody>
            {evenements.map((e) => (
              <tr key={e.id}>
                <td>{formatDate(e.date)}</td>
                <td>{e.type === 'creation' ? `Création (${STATE_LABELS[e.vers ?? ''] ?? ''})` : e.type === 'etat' ? `${STATE_LABELS[e.de ?? '']} → ${STATE_LABELS[e.vers ?? '']}` : e.type === 'rapprochement' ? 'Rapprochement de doublons' : 'Modification'}</td>
                <td>{SOURCE_LABELS[e.source] ?? e.source}</td>
                <td>{e.auteur}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
