// Public page: the social housing stock of the territory and its exposure to the rental ban, per commune, with
// statistical secrecy; the detail of one commune's classes (RPLS) and of the ADEME DPEs received there.
import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api } from '../../platform/api.ts';
import { DemoNotice } from '../../platform/DemoNotice.tsx';
import type { CommuneEnergy, TerritoryEnergy } from '../../../modules/stock/contract.ts';
import { CLASSES, frenchDate, showPublished } from './format.ts';
import { TableWrap } from '../../platform/TableWrap.tsx';

export function EnergyPage() {
  const territory = useQuery({ queryKey: ['stock', 'territory'], queryFn: () => api<TerritoryEnergy>('/api/stock/energy/territory') });
  const [code, setCode] = useState('');
  const selectId = useId();
  const communes = (territory.data?.communes ?? []).filter((c) => c.dwellings.withheld || (c.dwellings.value ?? 0) > 0);
  return (
    <section>
      <h1 tabIndex={-1}>Parc social et performance énergétique</h1>
      <DemoNotice sources={['rpls', 'dpe']} />
      <p>
        Logements locatifs sociaux de chaque commune du territoire par classe du diagnostic de performance énergétique (DPE), et
        nombre de logements qui ne peuvent plus — ou ne pourront plus — être loués.
      </p>
      {territory.data && <p className="note">{territory.data.calendar}</p>}
      {territory.isLoading && <p>Chargement…</p>}
      {territory.error && <p className="error">{(territory.error as Error).message}</p>}
      {territory.data && (
        <>
          <div className="field">
            <label htmlFor={selectId}>Voir le détail d’une commune</label>
            <select id={selectId} value={code} onChange={(e) => setCode(e.target.value)}>
              <option value="">— choisir une commune —</option>
              {communes.map((c) => (
                <option key={c.code} value={c.code}>
                  {c.name} ({c.code})
                </option>
              ))}
            </select>
          </div>
          {code && <CommuneDetail code={code} />}
          <TableWrap>
            <table>
              <caption>
                Logements sociaux au 1er janvier {territory.data.vintage ?? '—'} et logements interdits à la location par étape du calendrier
              </caption>
              <thead>
                <tr>
                  <th scope="col">Commune</th>
                  <th scope="col" className="num">Logements sociaux</th>
                  <th scope="col" className="num">dont DPE connu</th>
                  <th scope="col" className="num">Interdits en 2025 (G)</th>
                  <th scope="col" className="num">en 2028 (F, G)</th>
                  <th scope="col" className="num">en 2034 (E, F, G)</th>
                </tr>
              </thead>
              <tbody>
                {communes.map((c) => (
                  <tr key={c.code}>
                    <th scope="row">{c.name}</th>
                    <td className="num">{showPublished(c.dwellings)}</td>
                    <td className="num">{showPublished(c.known_class_dwellings)}</td>
                    <td className="num">{showPublished(c.banned_2025)}</td>
                    <td className="num">{showPublished(c.banned_2028)}</td>
                    <td className="num">{showPublished(c.banned_2034)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          <p className="source">
            Unité : logements. « secret » : chiffre calculé sur moins de {territory.data.secrecy_min_count} logements, non publié (secret statistique).
            Source : {territory.data.source}
          </p>
        </>
      )}
    </section>
  );
}

function CommuneDetail({ code }: { code: string }) {
  const q = useQuery({ queryKey: ['stock', 'commune', code], queryFn: () => api<CommuneEnergy>(`/api/stock/energy/communes/${code}`) });
  if (q.isLoading) return <p>Chargement…</p>;
  if (q.error) return <p className="error">{(q.error as Error).message}</p>;
  const d = q.data!;
  return (
    <section aria-labelledby="detail-commune">
      <h2 id="detail-commune">{d.commune.name}</h2>
      {d.rpls ? (
        <TableWrap>
          <table>
            <caption>Logements sociaux par classe énergie (RPLS {d.rpls.vintage})</caption>
            <thead>
              <tr>
                {CLASSES.map((c) => (
                  <th key={c} scope="col" className="num">
                    {c}
                  </th>
                ))}
                <th scope="col" className="num">Inconnue</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                {CLASSES.map((c) => (
                  <td key={c} className="num">
                    {showPublished(d.rpls!.classes[c])}
                  </td>
                ))}
                <td className="num">{showPublished(d.rpls.classes.unknown)}</td>
              </tr>
            </tbody>
          </table>
        </TableWrap>
      ) : (
        <p>Le répertoire RPLS n’est pas chargé.</p>
      )}
      {d.rpls && (
        <ul>
          {d.rpls.steps.map((s) => (
            <li key={s.date}>
              À partir du {frenchDate(s.date)} (classe {s.excluded_class} exclue) : {showPublished(s.banned_dwellings)} logements interdits à la location.
            </li>
          ))}
        </ul>
      )}
      <h3>Diagnostics reçus par l’ADEME</h3>
      <p>
        {showPublished(d.ademe_dpe.dpe_count)} DPE de logements
        {d.ademe_dpe.last_received ? `, le dernier reçu le ${frenchDate(d.ademe_dpe.last_received)}` : ''} :{' '}
        {CLASSES.map((c) => `${c} ${showPublished(d.ademe_dpe.classes[c])}`).join(' · ')}.
      </p>
      <p className="source">Sources : {d.rpls?.source} {d.ademe_dpe.source}</p>
    </section>
  );
}
