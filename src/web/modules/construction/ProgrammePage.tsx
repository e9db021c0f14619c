// One programme: its unit mix, permits, the history of its states, the moves an agent may make, and a suggested match.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, formatNumber, useMe } from '../../platform/api.ts';
import type { ProgrammeDetail } from '../../../modules/construction/contract.ts';
import { BUILDING_TYPE_LABELS, FINANCING_LABELS, SOURCE_LABELS, STATE_LABELS, type BuildingType, type Financing, type ProgrammeState, type Source } from '../../../modules/construction/model.ts';
import { useConstructionLive } from './live.ts';
import { formatDate, MATCH_LABELS, nextStates, stateLabel } from './format.ts';
import './construction.css';
import { TableWrap } from '../../platform/TableWrap.tsx';

export function ProgrammePage() {
  const { id } = useParams();
  const me = useMe();
  useConstructionLive(!!me.data);
  const client = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const q = useQuery({ queryKey: ['construction', 'programme', id], queryFn: () => api<ProgrammeDetail>(`/api/construction/programmes/${id}`), enabled: !!me.data });
  const onDone = { onSuccess: () => { setError(null); void client.invalidateQueries({ queryKey: ['construction'] }); }, onError: (e: Error) => setError(e.message) };
  const move = useMutation({ mutationFn: (state: ProgrammeState) => api(`/api/construction/programmes/${id}/state`, { method: 'POST', body: JSON.stringify({ state }) }), ...onDone });
  const decide = useMutation({ mutationFn: (decision: 'confirmed' | 'rejected') => api(`/api/construction/programmes/${id}/match`, { method: 'POST', body: JSON.stringify({ decision }) }), ...onDone });
  const canWrite = me.data?.role === 'admin' || me.data?.role === 'agent';
  if (!q.data) return <section><h1 tabIndex={-1}>Programme</h1>{q.error ? <p className="error">{(q.error as Error).message}</p> : <p>Chargement…</p>}</section>;
  const { programme: p, events, matched_with } = q.data;
  return (
    <section>
      <p><Link to="/construction/programmes">← Tous les programmes</Link></p>
      <h1 tabIndex={-1}>{p.name}</h1>
      <dl className="key-figures">
        <div><dt>Commune</dt><dd>{p.commune} ({p.commune_code})</dd></div>
        <div><dt>Adresse</dt><dd>{p.address ?? '—'}</dd></div>
        <div><dt>État</dt><dd>{STATE_LABELS[p.state]} depuis le {formatDate(p.state_since)}</dd></div>
        <div><dt>Logements</dt><dd>{formatNumber(p.dwellings)} dont {formatNumber(p.social_dwellings)} sociaux</dd></div>
        <div><dt>Source</dt><dd>{SOURCE_LABELS[p.source]}{p.permits.length ? ` — ${p.permits.join(', ')}` : ''}</dd></div>
      </dl>
      {canWrite && nextStates(p.state).length > 0 && (
        <p>
          Faire avancer le programme :{' '}
          {nextStates(p.state).map((s) => <button key={s} type="button" onClick={() => move.mutate(s)}>{STATE_LABELS[s]}</button>)}
        </p>
      )}
      {error && <p className="error" role="alert">{error}</p>}
      {p.match && matched_with && (
        <section aria-labelledby="rapprochement">
          <h2 id="rapprochement">Doublon {MATCH_LABELS[p.match.status]}</h2>
          <p>
            Même opération que <Link to={`/construction/programmes/${matched_with.id}`}>{matched_with.name}</Link> ({SOURCE_LABELS[matched_with.source]}) : {p.match.reason}.
            {p.match.status !== 'rejected' ? ' Ce programme n’est pas compté une seconde fois.' : ' Les deux programmes sont comptés.'}
          </p>
          {canWrite && p.match.status === 'suggested' && (
            <p>
              <button type="button" onClick={() => decide.mutate('confirmed')}>Confirmer le doublon</button>{' '}
              <button type="button" onClick={() => decide.mutate('rejected')}>Ce sont deux opérations différentes</button>
            </p>
          )}
        </section>
      )}
      <TableWrap>
        <table>
          <caption>Répartition des logements</caption>
          <thead><tr><th scope="col">Financement</th><th scope="col" className="num">Logements</th></tr></thead>
          <tbody>{Object.entries(p.financing).filter(([, v]) => v > 0).map(([k, v]) => <tr key={k}><th scope="row">{FINANCING_LABELS[k as Financing]}</th><td className="num">{formatNumber(v)}</td></tr>)}</tbody>
        </table>
        <table>
          <caption>Types de logements</caption>
          <thead><tr><th scope="col">Type</th><th scope="col" className="num">Logements</th></tr></thead>
          <tbody>{Object.entries(p.types).filter(([, v]) => v > 0).map(([k, v]) => <tr key={k}><th scope="row">{BUILDING_TYPE_LABELS[k as BuildingType]}</th><td className="num">{formatNumber(v)}</td></tr>)}</tbody>
        </table>
      </TableWrap>
      <TableWrap>
        <table>
          <caption>Historique</caption>
          <thead><tr><th scope="col">Date</th><th scope="col">Événement</th><th scope="col">Source</th><th scope="col">Auteur</th></tr></thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.id}>
                <td>{formatDate(e.date)}</td>
                <td>{e.kind === 'created' ? `Création (${stateLabel(e.to)})` : e.kind === 'state' ? `${stateLabel(e.from)} → ${stateLabel(e.to)}` : e.kind === 'matched' ? 'Rapprochement de doublons' : 'Modification'}</td>
                <td>{SOURCE_LABELS[e.source as Source] ?? e.source}</td>
                <td>{e.author}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </section>
  );
}
