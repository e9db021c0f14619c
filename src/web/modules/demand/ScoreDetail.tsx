// The explanation of a score: one table per section, one row per criterion, in plain French.
import { formatNumber } from '../../platform/api.ts';
import type { ApplicantView, Score } from '../../../modules/demand/contract.ts';
import { TableWrap } from '../../platform/TableWrap.tsx';

const pts = (n: number) => `${formatNumber(n, 2)} point${Math.abs(n) >= 2 ? 's' : ''}`;

export function ScoreDetail({ score }: { score: Score }) {
  return (
    <>
      {score.sections.map((s) => (
        <TableWrap key={s.id}>
          <table>
            <caption>
              {s.label} : {pts(s.points)}
              {s.mode === 'meilleur' ? ' (seul le critère le plus favorable compte)' : ''}
              {s.capped ? ` — plafond de ${pts(s.cap ?? 0)} atteint` : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">Critère</th>
                <th scope="col">Votre situation</th>
                <th scope="col" className="num">Points</th>
              </tr>
            </thead>
            <tbody>
              {s.lines.map((l) => (
                <tr key={l.criterion_id}>
                  <th scope="row">{l.label}</th>
                  <td>{l.note}</td>
                  <td className="num">{formatNumber(l.points, 2)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ))}
    </>
  );
}

/** Position among similar demands and observed waiting time, with the reason when a figure is withheld. */
export function Position({ view }: { view: ApplicantView }) {
  const d = view.distribution;
  const w = view.waiting;
  const communes = view.communes.map((c) => c.name).join(', ');
  return (
    <>
      <h2>Votre position parmi les demandes comparables</h2>
      <p>
        Demandes comparables : demandes en cours de logement {view.typology} dans au moins une de vos communes ({communes}).
      </p>
      {!d ? (
        <p>Aucune grille de cotation n’est en vigueur : pas de comparaison possible.</p>
      ) : d.withheld ? (
        <p>{d.reason}</p>
      ) : (
        <>
          <p>
            Sur {formatNumber(d.count)} demandes comparables, <strong>{d.share_below} %</strong> ont une note inférieure à la vôtre.
            La moitié ont une note inférieure à {formatNumber(d.quartiles[1], 2)} points ; un quart dépassent{' '}
            {formatNumber(d.quartiles[2], 2)} points.
          </p>
          <TableWrap>
            <table>
              <caption>Répartition des notes des demandes comparables (tranches regroupées pour compter au moins {view.secrecy_min_count} demandes chacune)</caption>
              <thead>
                <tr>
                  <th scope="col">Note</th>
                  <th scope="col" className="num">Nombre de demandes</th>
                </tr>
              </thead>
              <tbody>
                {d.bands.map((b) => (
                  <tr key={b.from}>
                    <th scope="row">
                      de {b.from} à moins de {b.to} points
                    </th>
                    <td className="num">{formatNumber(b.count)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </>
      )}
      <h2>Délai d’attente constaté</h2>
      {w.withheld ? (
        <p>{w.reason}</p>
      ) : (
        <p>
          Pour un logement {view.typology} dans vos communes, les {formatNumber(w.count)} ménages logés ces {view.waiting_window_months} derniers
          mois avaient attendu <strong>{formatNumber(w.median_months, 1)} mois</strong> (valeur médiane ; moyenne : {formatNumber(w.mean_months, 1)}{' '}
          mois) entre leur demande et l’attribution.
        </p>
      )}
    </>
  );
}
