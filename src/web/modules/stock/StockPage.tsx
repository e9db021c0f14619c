// Signed-in page: exposure to the rental ban and renovation priorities (an EPCI, or the landlord's own stock), the
// incidents with their durations; a landlord can report an incident on one of its buildings from here.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, useMe } from '../../platform/api.ts';
import type { BuildingList, DurationGroup, DurationsPage, ExposurePage, IncidentCreated, IncidentList, PrioritiesPage, ScopeLevel } from '../../../modules/stock/contract.ts';
import type { TerritoryAnswer } from '../../../modules/territory/contract.ts';
import { CLASSES, INCIDENT_CATEGORY_LABELS, INCIDENT_STATUS_LABELS, frenchDate, frenchDateTime } from './format.ts';
import { TableWrap } from '../../platform/TableWrap.tsx';

export function StockPage() {
  const me = useMe();
  const territory = useQuery({ queryKey: ['territory'], queryFn: () => api<TerritoryAnswer>('/api/territory') });
  const isBailleur = me.data?.organisation.kind === 'bailleur';
  const isStaff = !!me.data && ['admin', 'agent'].includes(me.data.role);
  const [epci, setEpci] = useState('');
  const selectId = useId();
  if (me.isLoading) return <p>Chargement…</p>;
  if (!me.data)
    return (
      <section>
        <h1 tabIndex={-1}>Gestion du parc social</h1>
        <p>
          <Link to="/connexion">Connectez-vous</Link> pour suivre l’exposition du parc à l’interdiction de louer et les incidents.
        </p>
      </section>
    );
  const siren = epci || territory.data?.epcis[0]?.siren || '';
  const scope: { level: ScopeLevel; code: string } = isBailleur ? { level: 'bailleur', code: me.data.organisation.id } : { level: 'epci', code: siren };
  return (
    <section>
      <h1 tabIndex={-1}>Gestion du parc social</h1>
      {!isBailleur && (territory.data?.epcis.length ?? 0) > 1 && (
        <div className="field">
          <label htmlFor={selectId}>EPCI</label>
          <select id={selectId} value={siren} onChange={(e) => setEpci(e.target.value)}>
            {territory.data!.epcis.map((e) => (
              <option key={e.siren} value={e.siren}>
                {e.name}
              </option>
            ))}
          </select>
        </div>
      )}
      {scope.code && <ExposureView level={scope.level} code={scope.code} />}
      {scope.code && <PrioritiesView level={scope.level} code={scope.code} />}
      {isBailleur && <ReportIncident />}
      {(isBailleur || isStaff) && <IncidentsView by={isBailleur ? 'building' : 'bailleur'} />}
    </section>
  );
}

function ExposureView({ level, code }: { level: ScopeLevel; code: string }) {
  const q = useQuery({ queryKey: ['stock', 'exposure', level, code], queryFn: () => api<ExposurePage>(`/api/stock/exposure?level=${level}&code=${code}`) });
  if (q.isLoading) return <p>Chargement…</p>;
  if (q.error) return <p className="error">{(q.error as Error).message}</p>;
  const d = q.data!;
  const rows = [
    ...(d.rpls ? [{ label: `Parc social RPLS ${d.rpls.vintage}`, classes: d.rpls.classes, e: d.rpls.exposure }] : []),
    { label: `Bâtiments déclarés par les bailleurs (${d.declared_buildings.buildings_count})`, classes: d.declared_buildings.classes, e: d.declared_buildings.exposure },
  ];
  return (
    <section aria-labelledby="exposition">
      <h2 id="exposition">Exposition à l’interdiction de louer — {d.name}</h2>
      <p className="note">{d.calendar}</p>
      <TableWrap>
        <table>
          <caption>Logements par classe DPE et logements interdits à la location (nombre de logements)</caption>
          <thead>
            <tr>
              <th scope="col">Source</th>
              {CLASSES.map((c) => (
                <th key={c} scope="col" className="num">
                  {c}
                </th>
              ))}
              <th scope="col" className="num">Inconnue</th>
              <th scope="col" className="num">Interdits aujourd’hui</th>
              {rows[0].e.steps.map((s) => (
                <th key={s.date} scope="col" className="num">
                  Interdits au {frenchDate(s.date)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.label}>
                <th scope="row">{r.label}</th>
                {CLASSES.map((c) => (
                  <td key={c} className="num">
                    {r.classes[c].toLocaleString('fr-FR')}
                  </td>
                ))}
                <td className="num">{r.classes.unknown.toLocaleString('fr-FR')}</td>
                <td className="num">{r.e.banned_today.toLocaleString('fr-FR')}</td>
                {r.e.steps.map((s) => (
                  <td key={s.date} className="num">
                    {s.banned_dwellings.toLocaleString('fr-FR')}
                    {s.share_of_known !== null ? ` (${s.share_of_known.toLocaleString('fr-FR')} %)` : ''}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      <p className="source">
        Pourcentages : part des logements dont la classe est connue. Sources : {d.rpls?.source ?? ''} {d.declared_buildings.source}
      </p>
    </section>
  );
}

function PrioritiesView({ level, code }: { level: ScopeLevel; code: string }) {
  const q = useQuery({ queryKey: ['stock', 'priorities', level, code], queryFn: () => api<PrioritiesPage>(`/api/stock/priorities?level=${level}&code=${code}`) });
  const list = q.data?.priorities ?? [];
  return (
    <section aria-labelledby="priorites">
      <h2 id="priorites">Bâtiments à rénover en priorité</h2>
      {q.isLoading && <p>Chargement…</p>}
      {q.data && list.length === 0 && <p>Aucun bâtiment déclaré en classe E, F ou G.</p>}
      {list.length > 0 && (
        <ol>
          {list.map((p) => (
            <li key={p.id}>
              <strong>{p.label}</strong> — {p.reason}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function ReportIncident() {
  const client = useQueryClient();
  const buildings = useQuery({ queryKey: ['stock', 'buildings'], queryFn: () => api<BuildingList>('/api/stock/buildings') });
  const [form, setForm] = useState({ building_id: '', category: 'ascenseur', severity: 'moyenne' });
  const ids = { b: useId(), t: useId(), g: useId() };
  const send = useMutation({
    mutationFn: () => api<IncidentCreated>('/api/stock/incidents', { method: 'POST', body: JSON.stringify({ ...form, started_at: new Date().toISOString() }) }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['stock'] }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    send.mutate();
  };
  const list = buildings.data?.buildings ?? [];
  return (
    <section aria-labelledby="signaler">
      <h2 id="signaler">Signaler un incident</h2>
      {list.length === 0 ? (
        <p>Déclarez d’abord vos bâtiments (API : PUT /api/stock/buildings).</p>
      ) : (
        <form onSubmit={submit}>
          <div className="field">
            <label htmlFor={ids.b}>Bâtiment</label>
            <select id={ids.b} required value={form.building_id} onChange={(e) => setForm({ ...form, building_id: e.target.value })}>
              <option value="">— choisir —</option>
              {list.map((b) => (
                <option key={b.id} value={b.id}>
                  {b.reference}
                  {b.address ? ` — ${b.address}` : ''}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={ids.t}>Type d’incident</label>
            <select id={ids.t} value={form.category} onChange={(e) => setForm({ ...form, category: e.target.value })}>
              {Object.entries(INCIDENT_CATEGORY_LABELS).map(([k, v]) => (
                <option key={k} value={k}>
                  {v}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={ids.g}>Gravité</label>
            <select id={ids.g} value={form.severity} onChange={(e) => setForm({ ...form, severity: e.target.value })}>
              <option value="faible">Faible</option>
              <option value="moyenne">Moyenne</option>
              <option value="elevee">Élevée (alerte aussi les agents de l’EPCI)</option>
              <option value="critique">Critique (danger pour les personnes)</option>
            </select>
          </div>
          <button type="submit" disabled={send.isPending}>
            Signaler et prévenir les locataires inscrits
          </button>
          {send.error && <p className="error" role="alert">{(send.error as Error).message}</p>}
          {send.data && (
            <p role="status">
              Incident enregistré : {send.data.notifications.tenants} locataire(s) et {send.data.notifications.agents} agent(s) prévenus.
            </p>
          )}
        </form>
      )}
    </section>
  );
}

function IncidentsView({ by }: { by: DurationGroup }) {
  const client = useQueryClient();
  const incidents = useQuery({ queryKey: ['stock', 'incidents'], queryFn: () => api<IncidentList>('/api/stock/incidents') });
  const durations = useQuery({ queryKey: ['stock', 'durations', by], queryFn: () => api<DurationsPage>(`/api/stock/incident-durations?by=${by}`) });
  const resolve = useMutation({
    mutationFn: (id: string) => api(`/api/stock/incidents/${id}`, { method: 'PATCH', body: JSON.stringify({ status: 'resolu' }) }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['stock'] }),
  });
  const list = incidents.data?.incidents ?? [];
  const canResolve = by === 'building';
  return (
    <section aria-labelledby="incidents">
      <h2 id="incidents">Incidents</h2>
      {list.length === 0 && incidents.data && <p>Aucun incident signalé.</p>}
      {list.length > 0 && (
        <TableWrap>
          <table>
            <caption>Incidents signalés, les plus récents d’abord</caption>
            <thead>
              <tr>
                <th scope="col">Bâtiment</th>
                <th scope="col">Type</th>
                <th scope="col">Gravité</th>
                <th scope="col">Début</th>
                <th scope="col">Statut</th>
                {canResolve && <th scope="col">Action</th>}
              </tr>
            </thead>
            <tbody>
              {list.map((i) => (
                <tr key={i.id}>
                  <th scope="row">
                    {i.building_reference}
                    {i.address ? ` — ${i.address}` : ''}
                  </th>
                  <td>{INCIDENT_CATEGORY_LABELS[i.category]}</td>
                  <td>{i.severity}</td>
                  <td>{frenchDateTime(i.started_at)}</td>
                  <td>{i.resolved_at ? `Résolu le ${frenchDateTime(i.resolved_at)}` : INCIDENT_STATUS_LABELS[i.status]}</td>
                  {canResolve && (
                    <td>
                      {i.status !== 'resolu' && (
                        <button type="button" onClick={() => resolve.mutate(i.id)} disabled={resolve.isPending}>
                          Marquer résolu
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {(durations.data?.rows.length ?? 0) > 0 && (
        <TableWrap>
          <table>
            <caption>Durée des incidents par {by === 'building' ? 'bâtiment' : 'bailleur'} (heures)</caption>
            <thead>
              <tr>
                <th scope="col">{by === 'building' ? 'Bâtiment' : 'Bailleur'}</th>
                <th scope="col" className="num">Incidents</th>
                <th scope="col" className="num">En cours</th>
                <th scope="col" className="num">Durée moyenne</th>
                <th scope="col" className="num">Durée médiane</th>
                <th scope="col" className="num">Durée maximale</th>
                <th scope="col" className="num">Plus ancien en cours</th>
              </tr>
            </thead>
            <tbody>
              {durations.data!.rows.map((l) => (
                <tr key={l.key}>
                  <th scope="row">{l.label}</th>
                  <td className="num">{l.incidents}</td>
                  <td className="num">{l.open}</td>
                  <td className="num">{l.mean_duration_h ?? '—'}</td>
                  <td className="num">{l.median_duration_h ?? '—'}</td>
                  <td className="num">{l.max_duration_h ?? '—'}</td>
                  <td className="num">{l.oldest_open_h ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}
