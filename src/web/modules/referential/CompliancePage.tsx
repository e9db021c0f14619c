// The compliance dashboard: for each partner and each feed of its charter, the last delivery, freshness, valid share
// and trend. EPCI staff see every partner; a partner sees itself.
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, useMe } from '../../platform/api.ts';
import './referential.css';
import type { ClubComplianceAnswer, ComplianceAnswer } from '../../../modules/referential/contract.ts';
import { FRESHNESS_LABELS, PARTNER_LABELS, STATUS_LABELS, formatDate, formatShare } from './labels.ts';
import { TableWrap } from '../../platform/TableWrap.tsx';
const TREND = { up: '↗ en hausse', down: '↘ en baisse', stable: '→ stable' } as const;

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
  const partners = q.data?.partners ?? [];
  const expected = partners.flatMap((p) => p.feeds.filter((f) => f.required));
  const upToDate = expected.filter((f) => f.freshness === 'up_to_date').length;
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
          {p.feeds.length === 0 ? (
            <p>Aucun flux attendu par la charte de ce type de partenaire.</p>
          ) : (
            <TableWrap>
              <table>
                <caption>{p.charter ?? 'Flux livrés'}</caption>
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
                  {p.feeds.map((f) => (
                    <tr key={f.schema}>
                      <th scope="row">
                        <Link to={`/referentiel/schemas/${f.schema}`}>{f.schema}</Link>
                      </th>
                      <td>{!f.expected ? 'Hors charte' : `${f.required ? 'Obligatoire' : 'Facultatif'}, ${f.frequency}`}</td>
                      <td>{f.last_delivery ? `${formatDate(f.last_delivery.date)} — ${STATUS_LABELS[f.last_delivery.status] ?? f.last_delivery.status}` : '—'}</td>
                      <td>{f.freshness ? <span className={`ref-status ref-fresh-${f.freshness}`}>{FRESHNESS_LABELS[f.freshness]}</span> : '—'}</td>
                      <td>{f.due_date ? formatDate(f.due_date) : '—'}</td>
                      <td className="num">{formatShare(f.valid_share)}</td>
                      <td>
                        {f.direction ? TREND[f.direction] : '—'}
                        {f.trend.length > 1 && <span className="ref-meta"> ({f.trend.map((t) => formatShare(t.valid_share)).join(' · ')})</span>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
        </section>
      ))}
      {q.data && <p className="source">Calculé le {formatDate(q.data.generated_at)} à partir des livraisons reçues sur la plateforme.</p>}
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
              <th scope="row">{e.name}</th>
              {e.shared ? (
                [e.partners, e.expected_feeds, e.up_to_date, e.late, e.never_delivered].map((v, i) => <td key={i}>{v ?? '—'}</td>)
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
