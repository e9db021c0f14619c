// Signed-in page: exposure to the rental ban and renovation priorities (an EPCI, or the landlord's own stock), the
// incidents with their durations; a landlord can report an incident on one of its buildings from here.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, useMe } from '../../platform/api.ts';
import { CLASSES, INCIDENT_TYPES, STATUS_LABELS, frenchDate, frenchDateTime, type DurationLine, type ExposureAnswer, type Incident, type Priority } from './types.ts';

interface Territory {
  epcis: { siren: string; nom: string }[];
}

export function StockPage() {
  const me = useMe();
  const territory = useQuery({ queryKey: ['territory'], queryFn: () => api<Territory>('/api/territory') });
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
  const scope = isBailleur ? { niveau: 'bailleur', code: me.data.organisation.id } : { niveau: 'epci', code: siren };
  return (
    <section>
      <h1 tabIndex={-1}>Gestion du parc social</h1>
      {!isBailleur && (territory.data?.epcis.length ?? 0) > 1 && (
        <div className="field">
          <label htmlFor={selectId}>EPCI</label>
          <select id={selectId} value={siren} onChange={(e) => setEpci(e.target.value)}>
            {territory.data!.epcis.map((e) => (
              <option key={e.siren} value={e.siren}>
                {e.nom}
              </option>
            ))}
          </select>
        </div>
      )}
      {scope.code && <ExposureView niveau={scope.niveau} code={scope.code} />}
      {scope.code && <PrioritiesView niveau={scope.niveau} code={scope.code} />}
      {isBailleur && <ReportIncident />}
      {(isBailleur || isStaff) && <IncidentsView par={isBailleur ? 'batiment' : 'bailleur'} />}
    </section>
  );
}

function ExposureView({ niveau, code }: { niveau: string; code: string }) {
  const q = useQuery({ queryKey: ['stock', 'exposition', niveau, code], queryFn: () => api<ExposureAnswer>(`/api/stock/exposition?niveau=${niveau}&code=${code}`) });
  if (q.isLoading) return <p>Chargement…</p>;
  if (q.error) return <p className="error">{(q.error as Error).message}</p>;
  const d = q.data!;
  const rows = [
    ...(d.rpls ? [{ label: `Parc social RPLS ${d.rpls.millesime}`, classes: d.rpls.classes, e: d.rpls.exposition }] : []),
    { label: `Bâtiments déclarés par les bailleurs (${d.parc_declare.batiments})`, classes: d.parc_declare.classes, e: d.parc_declare.exposition },
  ];
  return (
    <section aria-labelledby="exposition">
      <h2 id="exposition">Exposition à l’interdiction de louer — {d.nom}</h2>
      <p className="note">{d.calendrier}</p>
      <div className="table-wrap">
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
              {rows[0].e.etapes.map((s) => (
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
                <td className="num">{r.classes.inconnu.toLocaleString('fr-FR')}</td>
                <td className="num">{r.e.interditsAujourdhui.toLocaleString('fr-FR')}</td>
                {r.e.etapes.map((s) => (
                  <td key={s.date} className="num">
                    {s.logements_interdits.toLocaleString('fr-FR')}
                    {s.part_des_connus !== null ? ` (${s.part_des_connus.toLocaleString('fr-FR')} %)` : ''}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="source">
        Pourcentages : part des logements dont la classe est connue. Sources : {d.rpls?.source ?? ''} {d.parc_declare.source}
      </p>
    </section>
  );
}

function PrioritiesView({ niveau, code }: { niveau: string; code: string }) {
  const q = useQuery({ queryKey: ['stock', 'priorites', niveau, code], queryFn: () => api<{ priorites: Priority[] }>(`/api/stock/priorites?niveau=${niveau}&code=${code}`) });
  const list = q.data?.priorites ?? [];
  return (
    <section aria-labelledby="priorites">
      <h2 id="priorites">Bâtiments à rénover en priorité</h2>
      {q.isLoading && <p>Chargement…</p>}
      {q.data && list.length === 0 && <p>Aucun bâtiment déclaré en classe E, F ou G.</p>}
      {list.length > 0 && (
        <ol>
          {list.map((p) => (
            <li key={p.id}>
              <strong>{p.label}</strong> — {p.raison}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function ReportIncident() {
  const client = useQueryClient();
  const buildings = useQuery({ queryKey: ['stock', 'batiments'], queryFn: () => api<{ batiments: { id: string; reference: string; adresse: string | null }[] }>('/api/stock/batiments') });
  const [form, setForm] = useState({ batiment_id: '', type: 'ascenseur', gravite: 'moyenne' });
  const ids = { b: useId(), t: useId(), g: useId() };
  const send = useMutation({
    mutationFn: () => api<{ notifications: { locataires: number; agents: number } }>('/api/stock/incidents', { method: 'POST', body: JSON.stringify({ ...form, debut: new Date().toISOString() }) }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['stock'] }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    send.mutate();
  };
  const list = buildings.data?.batiments ?? [];
  return (
    <section aria-labelledby="signaler">
      <h2 id="signaler">Signaler un incident</h2>
      {list.length === 0 ? (
        <p>Déclarez d’abord vos bâtiments (API : PUT /api/stock/batiments).</p>
      ) : (
        <form onSubmit={submit}>
          <div className="field">
            <label htmlFor={ids.b}>Bâtiment</label>
            <select id={ids.b} required value={form.batiment_id} onChange={(e) => setForm({ ...form, batiment_id: e.target.value })}>
              <option value="">— choisir —</option>
              {list.map((b) => (
                <option key={b.id} value={b.id}>
                  {b.reference}
                  {b.adresse ? ` — ${b.adresse}` : ''}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={ids.t}>Type d’incident</label>
            <select id={ids.t} value={form.type} onChange={(e) => setForm({ ...form, type: e.target.value })}>
              {Object.entries(INCIDENT_TYPES).map(([k, v]) => (
                <option key={k} value={k}>
                  {v}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={ids.g}>Gravité</label>
            <select id={ids.g} value={form.gravite} onChange={(e) => setForm({ ...form, gravite: e.target.value })}>
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
              Incident enregistré : {send.data.notifications.locataires} locataire(s) et {send.data.notifications.agents} agent(s) prévenus.
            </p>
          )}
        </form>
      )}
    </section>
  );
}

function IncidentsView({ par }: { par: 'batiment' | 'bailleur' }) {
  const client = useQueryClient();
  const incidents = useQuery({ queryKey: ['stock', 'incidents'], queryFn: () => api<{ incidents: Incident[] }>('/api/stock/incidents') });
  const durations = useQuery({ queryKey: ['stock', 'durees', par], queryFn: () => api<{ lignes: DurationLine[] }>(`/api/stock/incidents-durees?par=${par}`) });
  const resolve = useMutation({
    mutationFn: (id: string) => api(`/api/stock/incidents/${id}`, { method: 'PATCH', body: JSON.stringify({ statut: 'resolu' }) }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['stock'] }),
  });
  const list = incidents.data?.incidents ?? [];
  const canResolve = par === 'batiment';
  return (
    <section aria-labelledby="incidents">
      <h2 id="incidents">Incidents</h2>
      {list.length === 0 && incidents.data && <p>Aucun incident signalé.</p>}
      {list.length > 0 && (
        <div className="table-wrap">
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
                    {i.batiment}
                    {i.adresse ? ` — ${i.adresse}` : ''}
                  </th>
                  <td>{INCIDENT_TYPES[i.type] ?? i.type}</td>
                  <td>{i.gravite}</td>
                  <td>{frenchDateTime(i.debut)}</td>
                  <td>{i.resolution ? `Résolu le ${frenchDateTime(i.resolution)}` : STATUS_LABELS[i.statut]}</td>
                  {canResolve && (
                    <td>
                      {i.statut !== 'resolu' && (
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
        </div>
      )}
      {(durations.data?.lignes.length ?? 0) > 0 && (
        <div className="table-wrap">
          <table>
            <caption>Durée des incidents par {par === 'batiment' ? 'bâtiment' : 'bailleur'} (heures)</caption>
            <thead>
              <tr>
                <th scope="col">{par === 'batiment' ? 'Bâtiment' : 'Bailleur'}</th>
                <th scope="col" className="num">Incidents</th>
                <th scope="col" className="num">En cours</th>
                <th scope="col" className="num">Durée moyenne</th>
                <th scope="col" className="num">Durée médiane</th>
                <th scope="col" className="num">Durée maximale</th>
                <th scope="col" className="num">Plus ancien en cours</th>
              </tr>
            </thead>
            <tbody>
              {durations.data!.lignes.map((l) => (
                <tr key={l.key}>
                  <th scope="row">{l.libelle}</th>
                  <td className="num">{l.incidents}</td>
                  <td className="num">{l.en_cours}</td>
                  <td className="num">{l.duree_moyenne_h ?? '—'}</td>
                  <td className="num">{l.duree_mediane_h ?? '—'}</td>
                  <td className="num">{l.duree_max_h ?? '—'}</td>
                  <td className="num">{l.plus_ancien_en_cours_h ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
