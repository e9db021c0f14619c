// Public page: each SRU commune's social housing rate, deficit, triennial objective and what was produced.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, formatNumber, useMe } from '../../platform/api.ts';
import { refusalText } from './refusal.ts';
import type { SruAnswer } from '../../../modules/plh/contract.ts';
import { pct } from './format.ts';
import { TableWrap } from '../../platform/TableWrap.tsx';

export function SruPage() {
  const me = useMe();
  const canWrite = me.data?.role === 'admin' || me.data?.role === 'agent';
  const [annee, setAnnee] = useState(new Date().getFullYear());
  const q = useQuery({
    queryKey: ['plh', 'sru', annee],
    queryFn: () => api<SruAnswer>(`/api/plh/public/sru?year=${annee}`),
  });
  return (
    <section>
      <h1 tabIndex={-1}>Logement social : les communes soumises à la loi SRU</h1>
      <p>{q.data?.rules ?? 'Article 55 de la loi SRU : taux légal de 20 % ou 25 % de logements sociaux parmi les résidences principales.'}</p>
      <label>
        Année{' '}
        <input type="number" min={2002} max={2100} value={annee} onChange={(e) => setAnnee(Number(e.target.value) || annee)} />
      </label>
      {q.isLoading && <p>Chargement…</p>}
      {q.error && <p className="error">{(q.error as Error).message}</p>}
      {q.data && q.data.communes.length === 0 && <p>Aucun inventaire SRU n’a encore été saisi pour ce territoire.</p>}
      {q.data && q.data.communes.length > 0 && (
        <TableWrap>
          <table>
            <caption>Situation au regard de l’article 55 de la loi SRU, objectif triennal {q.data.communes[0].period}</caption>
            <thead>
              <tr>
                <th scope="col">Commune</th>
                <th scope="col" className="num">Résidences principales</th>
                <th scope="col" className="num">Logements sociaux</th>
                <th scope="col" className="num">Taux actuel</th>
                <th scope="col" className="num">Taux légal</th>
                <th scope="col" className="num">Déficit (logements)</th>
                <th scope="col" className="num">Objectif triennal</th>
                <th scope="col" className="num">Produits (PLAI / PLUS / PLS)</th>
                <th scope="col" className="num">Réalisation</th>
                <th scope="col">Source</th>
              </tr>
            </thead>
            <tbody>
              {q.data.communes.map((c) => (
                <tr key={c.commune_code}>
                  <th scope="row">{c.name}</th>
                  <td className="num">{formatNumber(c.main_residences)}</td>
                  <td className="num">{formatNumber(c.social_dwellings)}</td>
                  <td className="num">{pct(c.current_rate, 2)}</td>
                  <td className="num">{pct(c.legal_rate, 0)}</td>
                  <td className="num">{formatNumber(c.deficit)}</td>
                  <td className="num">{c.exempt ? 'exemptée' : formatNumber(c.triennial_target)}</td>
                  <td className="num">
                    {formatNumber(c.produced.total)} ({c.produced.plai} / {c.produced.plus} / {c.produced.pls})
                  </td>
                  <td className="num">{pct(c.rate)}</td>
                  <td>
                    {c.source} (inventaire au 1er janvier {c.inventory_year})
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {canWrite && <SruImport />}
    </section>
  );
}

/** For EPCI agents: the inventories notified by the State, one CSV line per commune and year. */
function SruImport() {
  const qc = useQueryClient();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const file = new FormData(e.currentTarget).get('fichier') as File | null;
    if (!file || !file.size) return setMessage({ ok: false, text: 'Choisissez un fichier CSV.' });
    const res = await fetch(`/api/plh/sru/import?filename=${encodeURIComponent(file.name)}`, {
      method: 'POST',
      body: file,
      headers: { 'content-type': 'text/csv', accept: 'application/json' },
      credentials: 'same-origin',
    });
    const body = await res.json();
    setMessage(res.ok ? { ok: true, text: `Inventaires importés : ${body.inventories}.` } : { ok: false, text: refusalText(body, res.status) });
    if (res.ok) await qc.invalidateQueries({ queryKey: ['plh', 'sru'] });
  }
  return (
    <form onSubmit={submit} aria-labelledby="sru-import">
      <h2 id="sru-import">Importer les inventaires SRU</h2>
      <p>
        Un fichier CSV, une ligne par commune et par année : commune_code, annee, residences_principales, logements_sociaux, taux_legal (20 % ou 25 %),
        source ; facultatifs : population, exemptee (oui/non), potentiel_fiscal_par_habitant, depenses_reelles_fonctionnement, depenses_deductibles.
      </p>
      <label>
        Fichier CSV <input type="file" name="fichier" accept=".csv" />
      </label>{' '}
      <button type="submit">Importer</button>
      {message && (
        <p role="status" className={message.ok ? undefined : 'error'}>
          {message.text}
        </p>
      )}
    </form>
  );
}
