// The compliance dashboard: for each partner and each feed of its charter, the last delivery, freshness, valid share
// and trend. EPCI staff see every partner; a partner sees itself.
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, useMe } from '../../platform/api.ts';
import './referential.css';
import type { ClubComplianceAnswer, ComplianceAnswer } from '../../../modules/referential/contract.ts';
import { FRESHNESS_LABELS, PARTNER_LABELS, STATUS_LABELS, formatDate, formatShare } from './labels.ts';
const TREND = { hausse: '↗ en hausse', baisse: '↘ en baisse', stable: '→ stable' } as const;

export function CompliancePage() {
  const me = useMe();
  const q = useQuery({
    queryKey: ['referential', 'compliance'],
    queryFn: () => api<ComplianceAnswer>('/api/referential/compliance'),
    enabled: !!me.data,
  });
  if (me.isLoading) return <p>Chargement…</p>;
  if (!me.data)
    return (
      <section>
        <h1 tabIndex={-1}>Conformité des livraisons</h1>
        <p>
          <Link to="/connexion">Connectez-vous</Link> pour voir le suivi des livraisons.
        </p>
      </section>
    );
  const partners = q.data?.partenaires ?? [];
  const expected = partners.flatMap((p) => p.flux.filter((f) => f.obligatoire));
  const upToDate = expected.filter((f) => f.fraicheur === 'a-jour').length;
  return (
    <section>
      <h1 tabIndex={-1}>Conformité des livraisons</h1>
      <p>
        Pour chaque partenaire et chaque flux de sa <Link to="/referentiel">charte</Link> : la dernière livraison, sa fraîcheur par rapport à la fréquence
        attendue, la part de lignes valides et son évolution sur les dernières livraisons.
      </p>
      {q.isLoading && <p>Chargement…</p>}
      {q.error && <p className="error">{String((q.error as Error).message)}</p>}
      {q.data && (
        <dl className="key-figures">
          <div>
            <dt>Partenaires suivis</dt>
            <dd>{partners.length}</dd>
          </div>
          <div>
            <dt>Flux obligatoires à jour</dt>
            <dd>
              {upToDate} / {expected.length}
            </dd>
          </div>
        </dl>
      )}
      {partners.map((p) => (
        <section key={p.organisation.id} aria-labelledby={`org-${p.organisation.id}`}>
          <h2 id={`org-${p.organisation.id}`}>
            {p.organisation.name} <span className="ref-meta">({PARTNER_LABELS[p.organisation.kind] ?? p.organisation.kind})</span>
          </h2>
          {p.flux.length === 0 ? (
            <p>Aucun flux attendu par la charte de ce type de partenaire.</p>
          ) : (
            <div className="table-wrap">
              <table>
                <caption>{p.charte ?? 'Flux livrés'}</caption>
                <thead>
                  <tr>
                    <th scope="col">Flux</th>
                    <th scope="col">Attendu</th>
                    <th scope="col">Dernière livraison</th>
                    <th scope="col">Fraîcheur</th>
                    <th scope="col">Prochaine échéance</th>
                    <th scope="col" className="num">
                      Lignes valides (toutes livraisons)
                    </th>
                    <th scope="col">Tendance</th>
                  </tr>
                </thead>
                <tbody>
                  {p.flux.map((f) => (
                    <tr key={f.schema}>
                      <th scope="row">
                        <Link to={`/referentiel/schemas/${f.schema}`}>{f.schema}</Link>
                      </th>
                      <td>{!f.attendu ? 'Hors charte' : `${f.obligatoire ? 'Obligatoire' : 'Facultatif'}, ${f.frequence}`}</td>
                      <td>{f.derniereLivraison ? `${formatDate(f.derniereLivraison.date)} — ${STATUS_LABELS[f.derniereLivraison.statut] ?? f.derniereLivraison.statut}` : '—'}</td>
                      <td>{f.fraicheur ? <span className={`ref-status ref-fresh-${f.fraicheur}`}>{FRESHNESS_LABELS[f.fraicheur]}</span> : '—'}</td>
                      <td>{f.echeance ? formatDate(f.echeance) : '—'}</td>
                      <td className="num">{formatShare(f.partValide)}</td>
                      <td>
                        {f.sens ? TREND[f.sens] : '—'}
                        {f.tendance.length > 1 && <span className="ref-meta"> ({f.tendance.map((t) => formatShare(t.partValide)).join(' · ')})</span>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      ))}
      {q.data && <p className="source">Calculé le {formatDate(q.data.genereLe)} à partir des livraisons reçues sur la plateforme.</p>}
      <ClubCompliance />
    </section>
  );
}

/** The club's members side by side, for those that share their partners' compliance (and one's own EPCI). */
function ClubCompliance() {
  const club = useQuery({ queryKey: ['referential', 'compliance', 'club'], queryFn: () => api<ClubComplianceAnswer>('/api/referential/compliance/club') });
  if (!club.data || club.data.epcis.length < 2) return null;
  return (
    <section aria-labelledby="conformite-club">
      <h2 id="conformite-club">Le club</h2>
      <table>
        <caption>Flux attendus des partenaires de chaque intercommunalité, selon leur fraîcheur</caption>
        <thead>
          <tr>
            <th scope="col">Intercommunalité</th>
            <th scope="col">Partenaires</th>
            <th scope="col">Flux attendus</th>
            <th scope="col">À jour</th>
            <th scope="col">En retard</th>
            <th scope="col">Jamais livrés</th>
          </tr>
        </thead>
        <tbody>
          {club.data.epcis.map((e) => (
            <tr key={e.epci}>
              <th scope="row">{e.nom}</th>
              {e.partage ? (
                [e.partenaires, e.flux_attendus, e.a_jour, e.en_retard, e.jamais_livres].map((v, i) => <td key={i}>{v ?? '—'}</td>)
              ) : (
                <td colSpan={5}>Non partagé par cette intercommunalité.</td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
