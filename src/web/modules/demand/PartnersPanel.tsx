// Administrators: which bailleurs the EPCI authorises to read its demands (to prepare allocation committees).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import type { Grant, PublicGridsAnswer } from '../../../modules/demand/contract.ts';
import { api } from '../../platform/api.ts';

export function PartnersPanel() {
  const qc = useQueryClient();
  const grants = useQuery({ queryKey: ['demand', 'partners'], queryFn: () => api<Grant[]>('/api/demand/partners') });
  const orgs = useQuery({
    queryKey: ['access', 'organisations'],
    queryFn: () => api<{ organisations: { id: string; kind: string; name: string }[] }>('/api/access/organisations'),
  });
  const epcis = useQuery({ queryKey: ['demand', 'public-grids'], queryFn: () => api<PublicGridsAnswer>('/api/demand/grids/public') });
  const [org, setOrg] = useState('');
  const [epci, setEpci] = useState('');
  const refresh = () => qc.invalidateQueries({ queryKey: ['demand', 'partners'] });
  const grant = useMutation({
    mutationFn: () => api('/api/demand/partners', { method: 'POST', body: JSON.stringify({ organisation_id: org, epci_siren: epci }) }),
    onSuccess: refresh,
  });
  const revoke = useMutation({
    mutationFn: (g: Grant) => api(`/api/demand/partners/${g.organisation_id}/${g.epci_siren}`, { method: 'DELETE' }),
    onSuccess: refresh,
  });
  const bailleurs = (orgs.data?.organisations ?? []).filter((o) => o.kind === 'bailleur');
  const epciName = (s: string) => epcis.data?.grids.find((g) => g.epci_siren === s)?.epci_name ?? s;
  function submit(e: FormEvent) {
    e.preventDefault();
    grant.mutate();
  }
  return (
    <section aria-labelledby="bailleurs-autorises">
      <h2 id="bailleurs-autorises">Bailleurs autorisés à lire les demandes</h2>
      <p>Un bailleur autorisé lit les demandes de l’intercommunalité choisie, sans pouvoir les modifier ; chacune de ses lectures est journalisée.</p>
      {grants.data && !grants.data.length && <p>Aucun bailleur n’est autorisé.</p>}
      {!!grants.data?.length && (
        <ul>
          {grants.data.map((g) => (
            <li key={`${g.organisation_id}-${g.epci_siren}`}>
              {g.name} — {epciName(g.epci_siren)}{' '}
              <button type="button" onClick={() => revoke.mutate(g)}>
                Retirer l’accès de {g.name}
              </button>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={submit} className="demand-filters">
        <div className="field">
          <label htmlFor="p-org">Bailleur</label>
          <select id="p-org" value={org} onChange={(e) => setOrg(e.target.value)} required>
            <option value="">Choisir…</option>
            {bailleurs.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="p-epci">Intercommunalité</label>
          <select id="p-epci" value={epci} onChange={(e) => setEpci(e.target.value)} required>
            <option value="">Choisir…</option>
            {epcis.data?.grids.map((g) => (
              <option key={g.epci_siren} value={g.epci_siren}>
                {g.epci_name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <button type="submit">Autoriser</button>
        </div>
      </form>
      {(grant.error || revoke.error) && <p className="error">{((grant.error || revoke.error) as Error).message}</p>}
    </section>
  );
}
