// « Mon espace » for administrators: the accounts of their perimeter (deactivate, role, password, sessions), and for an
// EPCI's admin, the partners it works with and what it shares with the club.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import type {
  Me,
  OrganisationsAnswer,
  OrganisationWithEpcis,
  SessionsAnswer,
  SessionsClosedAnswer,
  Sharing,
  SharingAnswer,
  UserWithOrganisation as Account,
  UsersAnswer,
} from '../../../modules/access/contract.ts';
import { api } from '../../platform/api.ts';

export const ROLE_LABELS: Record<string, string> = {
  operator: 'Opérateur du club',
  admin: 'Administrateur',
  agent: 'Agent de l’intercommunalité',
  partner: 'Partenaire',
  readonly: 'Lecture seule',
};
/** The roles an organisation's accounts may have (the server checks it again). */
const rolesFor = (kind: string) => (kind === 'club' ? ['operator'] : kind === 'epci' ? ['admin', 'agent', 'readonly', 'partner'] : ['partner', 'readonly']);

const dateTime = (s: string) => new Date(s).toLocaleString('fr-FR', { dateStyle: 'short', timeStyle: 'short' });

export function AccountsPanel({ me }: { me: Me }) {
  const qc = useQueryClient();
  const accounts = useQuery({ queryKey: ['access', 'users'], queryFn: () => api<UsersAnswer>('/api/access/users') });
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const done = (text: string) => {
    setMessage({ ok: true, text });
    return qc.invalidateQueries({ queryKey: ['access', 'users'] });
  };
  const fail = (e: Error) => setMessage({ ok: false, text: e.message });
  const change = useMutation({
    mutationFn: (v: { id: string; body: { active?: boolean; role?: string } }) => api<Account>(`/api/access/users/${v.id}`, { method: 'PATCH', body: JSON.stringify(v.body) }),
    onSuccess: (a) => done(`${a.email} : ${a.active ? 'actif' : 'désactivé, ses sessions sont fermées'}, ${ROLE_LABELS[a.role] ?? a.role}.`),
    onError: fail,
  });
  const operator = me.role === 'operator';
  return (
    <section aria-labelledby="comptes">
      <h2 id="comptes">Comptes {operator ? 'de toutes les organisations du club' : 'de votre périmètre'}</h2>
      {message && (
        <p role="status" className={message.ok ? undefined : 'error'}>
          {message.text}
        </p>
      )}
      {accounts.isError && <p className="error">{(accounts.error as Error).message}</p>}
      {accounts.data && (
        <table>
          <caption>Comptes, leur organisation, leur rôle et leur état</caption>
          <thead>
            <tr>
              <th scope="col">Compte</th>
              <th scope="col">Organisation</th>
              <th scope="col">Rôle</th>
              <th scope="col">État</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {accounts.data.users.map((u) => (
              <AccountRow key={u.id} u={u} self={u.name === me.name && u.organisation_name === me.organisation.name} operator={operator} onChange={(body) => change.mutate({ id: u.id, body })} onDone={done} onFail={fail} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function AccountRow(props: { u: Account; self: boolean; operator: boolean; onChange: (b: { active?: boolean; role?: string }) => void; onDone: (t: string) => void; onFail: (e: Error) => void }) {
  const { u } = props;
  const [password, setPassword] = useState('');
  const [showSessions, setShowSessions] = useState(false);
  const sessions = useQuery({ queryKey: ['access', 'sessions', u.id], queryFn: () => api<SessionsAnswer>(`/api/access/users/${u.id}/sessions`), enabled: showSessions });
  const reset = useMutation({
    mutationFn: () => api(`/api/access/users/${u.id}/password`, { method: 'POST', body: JSON.stringify({ password }) }),
    onSuccess: () => {
      setPassword('');
      props.onDone(`Mot de passe de ${u.email} réinitialisé ; ses sessions sont fermées.`);
    },
    onError: props.onFail,
  });
  const close = useMutation({
    mutationFn: () => api<SessionsClosedAnswer>(`/api/access/users/${u.id}/sessions`, { method: 'DELETE' }),
    onSuccess: (r) => {
      void sessions.refetch();
      props.onDone(`${r.closed} session(s) de ${u.email} fermée(s).`);
    },
    onError: props.onFail,
  });
  function submitPassword(e: FormEvent) {
    e.preventDefault();
    reset.mutate();
  }
  const id = `compte-${u.id}`;
  return (
    <tr>
      <td>
        {u.name}
        <br />
        {u.email}
      </td>
      <td>{u.organisation_name}</td>
      <td>
        {props.self ? (
          (ROLE_LABELS[u.role] ?? u.role)
        ) : (
          <>
            <select id={`${id}-role`} aria-label={`Rôle de ${u.email}`} value={u.role} onChange={(e) => props.onChange({ role: e.target.value })}>
              {[...new Set([u.role, ...rolesFor(u.organisation_kind)])].map((r) => (
                <option key={r} value={r}>
                  {ROLE_LABELS[r] ?? r}
                </option>
              ))}
            </select>
          </>
        )}
      </td>
      <td>{u.active ? 'Actif' : 'Désactivé'}</td>
      <td>
        {props.self ? (
          <span>Votre compte</span>
        ) : (
          <>
            <button type="button" onClick={() => props.onChange({ active: !u.active })}>
              {u.active ? `Désactiver ${u.email}` : `Réactiver ${u.email}`}
            </button>
            <form onSubmit={submitPassword} className="inline-form">
              <label htmlFor={`${id}-mdp`}>Nouveau mot de passe (12 caractères au moins)</label>
              <input id={`${id}-mdp`} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} minLength={12} required />
              <button type="submit">Réinitialiser</button>
            </form>
            <button type="button" aria-expanded={showSessions} onClick={() => setShowSessions(!showSessions)}>
              Sessions de {u.email}
            </button>
            {showSessions && sessions.data && (
              <div>
                {sessions.data.sessions.length ? (
                  <ul>
                    {sessions.data.sessions.map((s) => (
                      <li key={s.created_at}>
                        ouverte le {dateTime(s.created_at)}, jusqu’au {dateTime(s.expires_at)} — {s.ip ?? 'adresse inconnue'}, {s.user_agent ?? 'navigateur inconnu'}
                      </li>
                    ))}
                  </ul>
                ) : (
                  <p>Aucune session ouverte.</p>
                )}
                {!!sessions.data.sessions.length && (
                  <button type="button" onClick={() => close.mutate()}>
                    Fermer toutes les sessions de {u.email}
                  </button>
                )}
              </div>
            )}
          </>
        )}
      </td>
    </tr>
  );
}

const SHARABLE: [Sharing['items'][number], string][] = [
  ['indicateurs_plh', 'Indicateurs du PLH (objectifs, réalisations, situation SRU)'],
  ['conformite_referentiel', 'Conformité des partenaires au référentiel'],
];

export function SharingPanel({ epci }: { epci: string }) {
  const qc = useQueryClient();
  const all = useQuery({ queryKey: ['access', 'sharing'], queryFn: () => api<SharingAnswer>('/api/access/sharing') });
  const mine = all.data?.sharing.find((p) => p.epci === epci);
  const [chosen, setChosen] = useState<Sharing['items'] | null>(null);
  const current = chosen ?? mine?.items ?? [];
  const save = useMutation({
    mutationFn: () => api<Sharing>(`/api/access/sharing/${epci}`, { method: 'PUT', body: JSON.stringify({ items: current }) }),
    onSuccess: () => {
      setChosen(null);
      return qc.invalidateQueries({ queryKey: ['access', 'sharing'] });
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    save.mutate();
  }
  return (
    <section aria-labelledby="partage">
      <h2 id="partage">Partage avec le club</h2>
      <p>
        Les autres intercommunalités du club ne voient de {mine?.name ?? 'votre EPCI'} que ce qui est public et ce que vous cochez ici. Les données personnelles (demandes,
        contacts des locataires) ne se partagent jamais ainsi.
      </p>
      <form onSubmit={submit}>
        <fieldset>
          <legend>Ce que {mine?.name ?? 'votre EPCI'} partage</legend>
          {SHARABLE.map(([value, label]) => (
            <div key={value}>
              <input
                type="checkbox"
                id={`partage-${value}`}
                checked={current.includes(value)}
                onChange={(e) => setChosen(e.target.checked ? [...current, value] : current.filter((v) => v !== value))}
              />
              <label htmlFor={`partage-${value}`}>{label}</label>
            </div>
          ))}
        </fieldset>
        <button type="submit">Enregistrer le partage</button>
      </form>
      {save.isSuccess && <p role="status">Partage enregistré.</p>}
      {save.isError && <p className="error">{(save.error as Error).message}</p>}
      {all.data && (
        <>
          <h3>Ce que partagent les membres du club</h3>
          <ul>
            {all.data.sharing.map((p) => (
              <li key={p.epci}>
                {p.name} : {p.items.length ? p.items.map((o) => SHARABLE.find(([v]) => v === o)?.[1] ?? o).join(' ; ') : 'rien'}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

type Organisation = OrganisationWithEpcis;

export function PartnerLinksPanel({ epci }: { epci: string }) {
  const qc = useQueryClient();
  const orgs = useQuery({ queryKey: ['access', 'organisations'], queryFn: () => api<OrganisationsAnswer>('/api/access/organisations') });
  const [id, setId] = useState('');
  const refresh = () => qc.invalidateQueries({ queryKey: ['access', 'organisations'] });
  const link = useMutation({ mutationFn: () => api(`/api/access/organisations/${id.trim()}/epcis`, { method: 'POST', body: JSON.stringify({ epci }) }), onSuccess: refresh });
  const unlink = useMutation({ mutationFn: (o: Organisation) => api(`/api/access/organisations/${o.id}/epcis/${epci}`, { method: 'DELETE' }), onSuccess: refresh });
  const partners = (orgs.data?.organisations ?? []).filter((o) => o.epcis.includes(epci));
  function submit(e: FormEvent) {
    e.preventDefault();
    link.mutate();
  }
  return (
    <section aria-labelledby="partenaires-epci">
      <h2 id="partenaires-epci">Partenaires de votre intercommunalité</h2>
      <p>Un partenaire rattaché livre ses données pour vos communes, lit votre PLH, et vous voyez ses livraisons et sa conformité.</p>
      {partners.length ? (
        <ul>
          {partners.map((o) => (
            <li key={o.id}>
              {o.name} ({o.kind}
              {o.siren ? `, SIREN ${o.siren}` : ''}){' '}
              <button type="button" onClick={() => unlink.mutate(o)}>
                Retirer le rattachement de {o.name}
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p>Aucun partenaire rattaché.</p>
      )}
      <form onSubmit={submit} className="inline-form">
        <label htmlFor="rattacher-id">Identifiant d’un partenaire à rattacher</label>
        <input id="rattacher-id" value={id} onChange={(e) => setId(e.target.value)} pattern="[0-9a-fA-F-]{36}" required />
        <button type="submit">Rattacher</button>
      </form>
      {(link.error || unlink.error) && <p className="error">{((link.error || unlink.error) as Error).message}</p>}
    </section>
  );
}
