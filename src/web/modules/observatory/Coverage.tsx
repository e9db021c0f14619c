// « Sources et couverture », detail: for each source, its edition, period and the communes of the instance it covers
// (names, not only a count), so that a reader knows which communes have no price, no permit, no DPE.
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { CoverageAnswer } from '../../../modules/observatory/contract.ts';
import { api, formatNumber } from '../../platform/api.ts';
import { portraitPath } from './Comparison.tsx';
import { frenchDate } from './format.ts';
import './observatory.css';

export function CoverageDetails() {
  const q = useQuery({ queryKey: ['observatory', 'coverage'], queryFn: () => api<CoverageAnswer>('/api/sources/coverage'), retry: false });
  if (!q.data) return null; // the catalogue above already says what each source covers in numbers
  const d = q.data;
  return (
    <section aria-labelledby="couverture-communes">
      <h2 id="couverture-communes">Communes couvertes, source par source</h2>
      {d.sources.map((s) => (
        <details key={s.key} data-source={s.key}>
          <summary>
            {s.name} : {formatNumber(s.communes_covered)} commune{s.communes_covered > 1 ? 's' : ''} sur {formatNumber(d.communes_total)}
            {s.edition ? `, édition ${s.edition}` : ''}
            {s.edition_date ? ` (${frenchDate(s.edition_date)})` : ''}
            {s.period ? `, période ${s.period}` : ''}
          </summary>
          {s.communes.length ? (
            <ul className="inline-list">
              {s.communes.map((c) => (
                <li key={c.code}>
                  <Link to={portraitPath(c.code)}>{c.name}</Link>
                </li>
              ))}
            </ul>
          ) : (
            <p>Aucune commune du territoire : la source n’est pas chargée pour ce territoire.</p>
          )}
          {s.module_path && (
            <p>
              <Link to={s.module_path}>La page qui utilise cette source</Link>
            </p>
          )}
        </details>
      ))}
    </section>
  );
}
