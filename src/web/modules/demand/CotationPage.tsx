// Public page: the cotation grids in force, criterion by criterion, as the law asks them to be published.
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, formatNumber } from '../../platform/api.ts';
import type { PublicGridsAnswer, PublishedGrid } from '../../../modules/demand/contract.ts';
import { TableWrap } from '../../platform/TableWrap.tsx';

export function GridTables({ grid }: { grid: PublishedGrid }) {
  return (
    <>
      {(grid.seniority || grid.abnormal_delay) && (
        <ul>
          {grid.seniority && (
            <li>
              {grid.seniority.label} : {formatNumber(grid.seniority.points_per_month, 2)} point(s) par mois d’attente
              {grid.seniority.cap !== null ? `, ${grid.seniority.cap} points au plus` : ''}.
            </li>
          )}
          {grid.abnormal_delay && (
            <li>
              {grid.abnormal_delay.label} : {grid.abnormal_delay.points} points après {grid.abnormal_delay.months} mois d’attente.
            </li>
          )}
        </ul>
      )}
      {grid.sections.map((s) => (
        <TableWrap key={s.id}>
          <table>
            <caption>
              {s.label} — {s.mode === 'meilleur' ? 'seul le critère le plus favorable compte' : 'les points s’additionnent'}
              {s.cap !== null ? `, ${s.cap} points au plus` : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">Critère</th>
                <th scope="col">S’applique si</th>
                <th scope="col" className="num">Points</th>
              </tr>
            </thead>
            <tbody>
              {s.criteria.map((c) => (
                <tr key={c.id}>
                  <th scope="row">{c.label}</th>
                  <td>{c.condition_text}</td>
                  <td className="num">{formatNumber(c.points, 2)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ))}
      <p>
        {grid.refusals
          ? `Refus d’un logement adapté à vos besoins et à vos ressources : ${grid.refusals.points_per_refusal} points de moins par refus${
              grid.refusals.max_loss !== null ? `, ${grid.refusals.max_loss} points au plus` : ''
            }.`
          : 'Refuser un logement proposé ne change pas votre note.'}{' '}
        Une note n’est jamais négative.
      </p>
      {grid.provenance && (
        <p className="source">
          Source : {grid.provenance.sources.filter((s) => s.startsWith('http')).join(' ; ') || 'aucune'} — {grid.provenance.completeness}.{' '}
          {grid.provenance.note}
        </p>
      )}
    </>
  );
}

export function CotationPage() {
  const q = useQuery({ queryKey: ['demand', 'public-grids'], queryFn: () => api<PublicGridsAnswer>('/api/demand/grids/public') });
  return (
    <section>
      <h1 tabIndex={-1}>La cotation des demandes de logement social</h1>
      <p>
        Chaque demande reçoit une note : la somme des points des critères qui correspondent à la situation du ménage. La note aide à choisir les
        candidats présentés en commission d’attribution ; elle ne décide pas seule. Les critères et leurs points sont publics (code de la
        construction et de l’habitation, articles L441-2-8 et R441-2-17).
      </p>
      <p>
        <Link to="/cotation/ma-demande">Consulter la note de ma demande</Link>
      </p>
      {q.isLoading && <p>Chargement…</p>}
      {q.error && <p className="error">{(q.error as Error).message}</p>}
      {q.data && !q.data.grids.length && <p>Aucune grille n’est en vigueur aujourd’hui.</p>}
      {q.data?.grids.map((g) => (
        <article key={g.epci_siren}>
          <h2>
            {g.epci_name} — {g.grid.name}
          </h2>
          <p>
            Version {g.grid.version}, en vigueur depuis le {new Date(g.grid.valid_from).toLocaleDateString('fr-FR')}
            {g.grid.valid_to ? ` jusqu’au ${new Date(g.grid.valid_to).toLocaleDateString('fr-FR')}` : ''}.
          </p>
          <GridTables grid={g.grid} />
        </article>
      ))}
    </section>
  );
}
