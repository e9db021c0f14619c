// Agents: the demands with their score (no identity in the list), and the entry of a new demand.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { api, formatNumber, useMe } from '../../platform/api.ts';
import { ImportForm } from './ImportForm.tsx';
import { PartnersPanel } from './PartnersPanel.tsx';
import './demand.css';
import type { CreatedAnswer, DemandListAnswer } from '../../../modules/demand/contract.ts';
import { HOUSING_SITUATIONS } from '../../../modules/demand/model.ts';
import { TableWrap } from '../../platform/TableWrap.tsx';
const STATUS: Record<string, string> = { active: 'En attente', attribuee: 'Attribuée', radiee: 'Radiée' };
export const FLAGS: Record<string, string> = {
  dalo: 'Reconnu prioritaire DALO',
  pdalhpd: 'Public prioritaire du PDALHPD',
  handicap: 'Handicap ou perte d’autonomie',
  violences: 'Violences familiales ou conjugales',
  menace_expulsion: 'Menacé d’expulsion',
  insalubrite: 'Logement insalubre ou indigne',
  decohabitation: 'Cesser d’habiter avec une autre personne',
  chez_parents: 'Habite chez ses parents',
};
export const SITUATIONS: Record<string, string> = HOUSING_SITUATIONS;

export function DemandsPage() {
  const me = useMe();
  const [status, setStatus] = useState('active');
  const [typology, setTypology] = useState('');
  const [page, setPage] = useState(0);
  const params = new URLSearchParams({ limit: '50', offset: String(page * 50), ...(status ? { status } : {}), ...(typology ? { typology } : {}) });
  const q = useQuery({ queryKey: ['demand', 'list', status, typology, page], queryFn: () => api<DemandListAnswer>(`/api/demand/demands?${params}`) });
  return (
    <section>
      <h1 tabIndex={-1}>Demandes de logement social</h1>
      <p>
        Les demandes sont classées par note décroissante (grille en vigueur). Chaque consultation d’une demande est enregistrée dans le journal
        d’audit.{' '}
        {(me.data?.role === 'admin' || me.data?.role === 'agent') && <a href="/api/demand/export.csv">Télécharger l’export pseudonymisé (CSV)</a>}
      </p>
      <form className="demand-filters" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="f-statut">Statut</label>
          <select id="f-statut" value={status} onChange={(e) => (setStatus(e.target.value), setPage(0))}>
            <option value="">Tous</option>
            {Object.entries(STATUS).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-typo">Typologie demandée</label>
          <select id="f-typo" value={typology} onChange={(e) => (setTypology(e.target.value), setPage(0))}>
            <option value="">Toutes</option>
            {['T1', 'T2', 'T3', 'T4', 'T5', 'T6'].map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </div>
      </form>
      {q.error && <p className="error">{(q.error as Error).message}</p>}
      {q.data && (
        <>
          <p>{formatNumber(q.data.total)} demande(s).</p>
          <TableWrap>
            <table>
              <caption>Demandes, page {page + 1}</caption>
              <thead>
                <tr>
                  <th scope="col">Numéro</th>
                  <th scope="col">Dépôt</th>
                  <th scope="col">Statut</th>
                  <th scope="col">Typologie</th>
                  <th scope="col">Communes souhaitées</th>
                  <th scope="col" className="num">Note (points)</th>
                </tr>
              </thead>
              <tbody>
                {q.data.items.map((d) => (
                  <tr key={d.number}>
                    <th scope="row">
                      <Link to={`/demandes/${d.number}`}>{d.number}</Link>
                    </th>
                    <td>{new Date(d.filing_date).toLocaleDateString('fr-FR')}</td>
                    <td>{STATUS[d.status] ?? d.status}</td>
                    <td>{d.typology}</td>
                    <td>{d.communes.join(', ')}</td>
                    <td className="num">{formatNumber(d.score, 2)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          <p>
            <button type="button" disabled={page === 0} onClick={() => setPage(page - 1)}>
              Page précédente
            </button>{' '}
            <button type="button" disabled={(page + 1) * 50 >= q.data.total} onClick={() => setPage(page + 1)}>
              Page suivante
            </button>
          </p>
        </>
      )}
      {(me.data?.role === 'admin' || me.data?.role === 'agent') && (
        <>
          <NewDemand />
          <ImportForm />
        </>
      )}
      {me.data?.role === 'admin' && <PartnersPanel />}
    </section>
  );
}

function NewDemand() {
  const qc = useQueryClient();
  const [f, setF] = useState<Record<string, string>>({ adults: '1', children: '0', typology: 'T2', housing_situation: 'locataire_prive' });
  const [flags, setFlags] = useState<string[]>([]);
  const set = (k: string) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const num = (k: string) => (f[k] ? Number(f[k].replace(',', '.')) : null);
  const m = useMutation({
    mutationFn: () =>
      api<CreatedAnswer>('/api/demand/demands', {
        method: 'POST',
        body: JSON.stringify({
          demand: {
            number: (f.number ?? '').replace(/\s/g, '').toUpperCase(),
            epci_siren: f.epci_siren,
            filing_date: f.filing_date,
            adults: num('adults'),
            children: num('children'),
            monthly_income: num('monthly_income'),
            residual_rent: num('residual_rent'),
            housing_situation: f.housing_situation,
            current_surface: num('current_surface'),
            typology: f.typology,
            communes: (f.communes ?? '').split(/[\s,;|]+/).filter(Boolean),
            flags,
          },
          person: { last_name: f.last_name, first_name: f.first_name, birth_date: f.birth_date || null },
        }),
      }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['demand', 'list'] }),
  });
  const input = (k: string, label: string, type = 'text', required = false) => (
    <div className="field">
      <label htmlFor={`n-${k}`}>{label}</label>
      <input id={`n-${k}`} type={type} value={f[k] ?? ''} onChange={set(k)} required={required} />
    </div>
  );
  function submit(e: FormEvent) {
    e.preventDefault();
    m.mutate();
  }
  return (
    <form onSubmit={submit} className="narrow">
      <h2>Enregistrer une demande</h2>
      {input('number', 'Numéro unique', 'text', true)}
      {input('epci_siren', 'SIREN de l’EPCI', 'text', true)}
      {input('filing_date', 'Date de première demande', 'date', true)}
      {input('last_name', 'Nom', 'text', true)}
      {input('first_name', 'Prénom', 'text', true)}
      {input('birth_date', 'Date de naissance', 'date')}
      {input('adults', 'Nombre d’adultes', 'number', true)}
      {input('children', 'Nombre d’enfants', 'number', true)}
      {input('monthly_income', 'Ressources mensuelles du ménage (€)', 'number')}
      {input('residual_rent', 'Loyer actuel après aides (€ par mois)', 'number')}
      {input('current_surface', 'Surface du logement actuel (m²)', 'number')}
      <div className="field">
        <label htmlFor="n-situation">Situation de logement actuelle</label>
        <select id="n-situation" value={f.housing_situation} onChange={set('housing_situation')}>
          {Object.entries(SITUATIONS).map(([k, v]) => (
            <option key={k} value={k}>
              {v}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="n-typology">Typologie demandée</label>
        <select id="n-typology" value={f.typology} onChange={set('typology')}>
          {['T1', 'T2', 'T3', 'T4', 'T5', 'T6'].map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
      </div>
      {input('communes', 'Communes souhaitées (codes INSEE séparés par des espaces)', 'text', true)}
      <fieldset>
        <legend>Situations prioritaires</legend>
        {Object.entries(FLAGS).map(([k, v]) => (
          <div key={k}>
            <input
              type="checkbox"
              id={`n-flag-${k}`}
              checked={flags.includes(k)}
              onChange={(e) => setFlags(e.target.checked ? [...flags, k] : flags.filter((x) => x !== k))}
            />{' '}
            <label htmlFor={`n-flag-${k}`}>{v}</label>
          </div>
        ))}
      </fieldset>
      <button type="submit" disabled={m.isPending}>
        Enregistrer
      </button>
      {m.error && (
        <p className="error" role="alert">
          {(m.error as Error).message}
        </p>
      )}
      {m.data && (
        <p role="status">
          Demande {m.data.number} enregistrée. Code d’accès à remettre au demandeur (il ne sera plus affiché) : <strong>{m.data.access_code}</strong>
        </p>
      )}
    </form>
  );
}
