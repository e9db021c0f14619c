// Public page: dwellings authorised, started and delivered per commune and year. Aggregates only, small counts withheld.
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api, formatNumber } from '../../platform/api.ts';
import { DemoNotice } from '../../platform/DemoNotice.tsx';
import type { PublicCommunes } from '../../../modules/construction/contract.ts';
import './construction.css';
import { TableWrap } from '../../platform/TableWrap.tsx';

export function PublicConstructionPage() {
  const q = useQuery({ queryKey: ['construction', 'public'], queryFn: () => api<PublicCommunes>('/api/construction/public/communes') });
  const communes = useMemo(() => [...new Map((q.data?.rows ?? []).map((l) => [l.commune_code, l.commune])).entries()], [q.data]);
  const [commune, setCommune] = useState('');
  const shown = (q.data?.rows ?? []).filter((l) => l.commune_code === (commune || communes[0]?.[0]));
  const cell = (v: number | null) => (v === null ? <abbr title="secret statistique">s</abbr> : formatNumber(v));
  return (
    <section>
      <h1 tabIndex={-1}>Construction neuve par commune</h1>
      <DemoNotice sources={['sitadel']} />
      <p>Nombre de logements autorisés, commencés (chantier ouvert) et livrés chaque année, d’après les permis de construire et les programmes déclarés.</p>
      {q.error && <p className="error">{(q.error as Error).message}</p>}
      {communes.length > 0 && (
        <label>
          Commune{' '}
          <select value={commune || communes[0][0]} onChange={(e) => setCommune(e.target.value)}>
            {communes.map(([code, nom]) => <option key={code} value={code}>{nom}</option>)}
          </select>
        </label>
      )}
      {q.data && communes.length === 0 && <p>Aucune donnée publiée pour le moment.</p>}
      {shown.length > 0 && (
        <TableWrap>
          <table>
            <caption>{shown[0].commune} : logements par année</caption>
            <thead><tr><th scope="col">Année</th><th scope="col" className="num">Autorisés</th><th scope="col" className="num">Commencés</th><th scope="col" className="num">Livrés</th></tr></thead>
            <tbody>
              {shown.map((l) => (
                <tr key={l.year}><th scope="row">{l.year}</th><td className="num">{cell(l.authorised)}</td><td className="num">{cell(l.started)}</td><td className="num">{cell(l.delivered)}</td></tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {q.data && <p className="source">Source : {q.data.source} {q.data.note} Les livraisons sont sous-déclarées dans Sitadel (déclarations d’achèvement souvent absentes).</p>}
    </section>
  );
}
