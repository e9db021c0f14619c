// The signed-in user's space: who they are, and the tools their role opens (filled by the modules).
import { useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { api, useMe } from '../../platform/api.ts';
import { routes } from '../../routes.tsx';
import { AccountsPanel, PartnerLinksPanel, ROLE_LABELS, SharingPanel } from './AdminPanels.tsx';

export function SpacePage() {
  const me = useMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  if (me.isLoading) return <p>Chargement…</p>;
  if (!me.data)
    return (
      <section>
        <h1 tabIndex={-1}>Mon espace</h1>
        <p>
          Vous n’êtes pas connecté. <Link to="/connexion">Se connecter</Link>
        </p>
      </section>
    );
  const tools = routes.filter((r) => r.audience === 'connected' && r.label && r.path !== '/espace');
  async function logout() {
    await api('/api/access/logout', { method: 'POST' });
    await queryClient.invalidateQueries({ queryKey: ['me'] });
    navigate('/');
  }
  return (
    <section>
      <h1 tabIndex={-1}>Mon espace</h1>
      <p>
        {me.data.name} — {ROLE_LABELS[me.data.role] ?? me.data.role}, {me.data.organisation.name}.
      </p>
      <p>Votre périmètre : {me.data.perimeter.description}.</p>
      <h2>Mes outils</h2>
      {tools.length ? (
        <ul>
          {tools.map((t) => (
            <li key={t.path}>
              <Link to={t.path}>{t.label}</Link>
            </li>
          ))}
        </ul>
      ) : (
        <p>Les outils de pilotage s’ajouteront ici au fil des modules.</p>
      )}
      <button type="button" onClick={logout}>
        Se déconnecter
      </button>
      {me.data.perimeter.administers && <AccountsPanel me={me.data} />}
      {me.data.perimeter.administers === 'epci' && me.data.perimeter.epci && (
        <>
          <PartnerLinksPanel epci={me.data.perimeter.epci} />
          <SharingPanel epci={me.data.perimeter.epci} />
        </>
      )}
    </section>
  );
}
