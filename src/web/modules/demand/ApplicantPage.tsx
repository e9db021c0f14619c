// The applicant's page: with the demand number and the access code received at registration, the household sees
// its score, why, where it stands among similar demands, and how long similar households waited.
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, formatNumber } from '../../platform/api.ts';
import { Position, ScoreDetail } from './ScoreDetail.tsx';
import type { ApplicantView } from '../../../modules/demand/contract.ts';

export function ApplicantPage() {
  const [demandNumber, setDemandNumber] = useState('');
  const [code, setCode] = useState('');
  const m = useMutation({
    mutationFn: () => api<ApplicantView>('/api/demand/applicant', { method: 'POST', body: JSON.stringify({ number: demandNumber, code }) }),
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    m.mutate();
  }
  const v = m.data;
  return (
    <section>
      <h1 tabIndex={-1}>Ma demande de logement social</h1>
      <form onSubmit={submit} className="narrow" aria-describedby="aide-code">
        <p id="aide-code">
          Saisissez le numéro unique de votre demande et le code d’accès remis lors de son enregistrement. Si vous avez perdu votre code,
          demandez-en un nouveau au guichet où vous avez déposé votre demande.
        </p>
        <div className="field">
          <label htmlFor="numero">Numéro unique de la demande</label>
          <input id="numero" name="numero" value={demandNumber} onChange={(e) => setDemandNumber(e.target.value)} required autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="code">Code d’accès</label>
          <input id="code" name="code" value={code} onChange={(e) => setCode(e.target.value)} required autoComplete="off" placeholder="XXXX-XXXX-XXXX" />
        </div>
        <button type="submit" disabled={m.isPending}>
          Voir ma note
        </button>
        {m.error && (
          <p className="error" role="alert">
            {(m.error as Error).message}
          </p>
        )}
      </form>
      {v && (
        <div aria-live="polite">
          <h2>Demande n° {v.number}</h2>
          {v.status !== 'active' && <p>Cette demande n’est plus en attente ({v.status === 'attribuee' ? 'un logement a été attribué' : 'radiée'}).</p>}
          {v.score ? (
            <>
              <p className="key-figures">
                <span>
                  Votre note : <strong data-testid="note">{formatNumber(v.score.total, 2)} points</strong>
                </span>
              </p>
              <p>
                Calculée le {new Date(v.score.ref_date).toLocaleDateString('fr-FR')} avec la grille « {v.grid?.name} » (version {v.grid?.version}).
                Le détail ci-dessous montre chaque critère : ceux qui s’appliquent à votre situation et ceux qui ne s’appliquent pas.
              </p>
              <ScoreDetail score={v.score} />
            </>
          ) : (
            <p>Aucune grille de cotation n’est en vigueur pour votre territoire.</p>
          )}
          <Position view={v} />
        </div>
      )}
    </section>
  );
}
