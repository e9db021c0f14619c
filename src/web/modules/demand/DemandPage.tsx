// Agents: one demand — household, identity (this read is logged), score explained, attribution, access code, erasure.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api, formatNumber } from '../../platform/api.ts';
import { FLAGS, SITUATIONS } from './DemandsPage.tsx';
import { Position, ScoreDetail } from './ScoreDetail.tsx';
import type { AccessCodeAnswer, DemandDetail } from '../../../modules/demand/contract.ts';

export function DemandPage() {
  const { numero = '' } = useParams();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const q = useQuery({ queryKey: ['demand', 'one', numero], queryFn: () => api<DemandDetail>(`/api/demand/demands/${encodeURIComponent(numero)}`) });
  const code = useMutation({ mutationFn: () => api<AccessCodeAnswer>(`/api/demand/demands/${encodeURIComponent(numero)}/access-code`, { method: 'POST' }) });
  const erase = useMutation({
    mutationFn: () => api(`/api/demand/demands/${encodeURIComponent(numero)}`, { method: 'DELETE' }),
    onSuccess: () => navigate('/demandes'),
  });
  const [att, setAtt] = useState({ attribution_date: '', commune_code: '', typology: '' });
  const attribute = useMutation({
    mutationFn: () =>
      api(`/api/demand/demands/${encodeURIComponent(numero)}/attribution`, {
        method: 'POST',
        body: JSON.stringify({ ...att, typology: att.typology || q.data?.demand.typology }),
      }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['demand'] }),
  });
  if (q.isLoading) return <p>Chargement…</p>;
  if (q.error) return <p className="error">{(q.error as Error).message}</p>;
  const { demand: d, person, attribution, view } = q.data!;
  function submitAttribution(e: FormEvent) {
    e.preventDefault();
    attribute.mutate();
  }
  return (
    <section>
      <h1 tabIndex={-1}>Demande n° {d.number}</h1>
      <p className="source">Votre consultation de cette demande est enregistrée dans le journal d’audit.</p>
      <h2>Ménage</h2>
      <dl className="key-figures">
        <div>
          <dt>Demandeur</dt>
          <dd>{person ? `${person.first_name} ${person.last_name}` : '—'}</dd>
        </div>
        <div>
          <dt>Composition</dt>
          <dd>
            {d.adults} adulte(s), {d.children} enfant(s)
          </dd>
        </div>
        <div>
          <dt>Ressources mensuelles</dt>
          <dd>{formatNumber(d.monthly_income)} €</dd>
        </div>
        <div>
          <dt>Loyer après aides</dt>
          <dd>{formatNumber(d.residual_rent)} €</dd>
        </div>
        <div>
          <dt>Logement actuel</dt>
          <dd>{SITUATIONS[d.housing_situation] ?? d.housing_situation}</dd>
        </div>
        <div>
          <dt>Demande</dt>
          <dd>
            {d.typology} — {view.communes.map((c) => c.name).join(', ')}
          </dd>
        </div>
      </dl>
      <p>Situations prioritaires : {d.flags.length ? d.flags.map((f) => FLAGS[f] ?? f).join(', ') : 'aucune'}.</p>
      <h2>Note</h2>
      {view.score ? (
        <>
          <p>
            <strong>{formatNumber(view.score.total, 2)} points</strong> — grille « {view.grid?.name} » (version {view.grid?.version}).
          </p>
          <ScoreDetail score={view.score} />
        </>
      ) : (
        <p>Aucune grille en vigueur.</p>
      )}
      <Position view={view} />
      <h2>Attribution</h2>
      {attribution ? (
        <p>
          Logement {attribution.typology} attribué le {new Date(attribution.attribution_date).toLocaleDateString('fr-FR')} ({attribution.commune_code}).
        </p>
      ) : (
        <form onSubmit={submitAttribution} className="narrow">
          <div className="field">
            <label htmlFor="a-date">Date de l’attribution</label>
            <input id="a-date" type="date" required value={att.attribution_date} onChange={(e) => setAtt({ ...att, attribution_date: e.target.value })} />
          </div>
          <div className="field">
            <label htmlFor="a-commune">Commune du logement (code INSEE)</label>
            <input id="a-commune" required value={att.commune_code} onChange={(e) => setAtt({ ...att, commune_code: e.target.value })} />
          </div>
          <div className="field">
            <label htmlFor="a-typo">Typologie du logement</label>
            <select id="a-typo" value={att.typology || d.typology} onChange={(e) => setAtt({ ...att, typology: e.target.value })}>
              {['T1', 'T2', 'T3', 'T4', 'T5', 'T6'].map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
          </div>
          <button type="submit">Enregistrer l’attribution</button>
          {attribute.error && <p className="error">{(attribute.error as Error).message}</p>}
        </form>
      )}
      <h2>Accès du demandeur et effacement</h2>
      <p>
        <button type="button" onClick={() => code.mutate()}>
          Donner un nouveau code d’accès
        </button>{' '}
        {code.data && (
          <span role="status">
            Nouveau code à remettre au demandeur : <strong>{code.data.access_code}</strong>
          </span>
        )}
      </p>
      <p>
        <button
          type="button"
          onClick={() => {
            if (window.confirm('Supprimer définitivement cette demande, à la demande du ménage ?')) erase.mutate();
          }}
        >
          Supprimer la demande (droit à l’effacement)
        </button>
      </p>
    </section>
  );
}
