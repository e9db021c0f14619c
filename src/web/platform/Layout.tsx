import { useEffect } from 'react';
import { Link, NavLink, Outlet, useLocation } from 'react-router';
import { routes } from '../routes.tsx';
import { useMe } from './api.ts';

export function Layout() {
  const me = useMe();
  const location = useLocation();
  // Move focus to the page's heading on navigation so screen-reader users hear where they are.
  useEffect(() => {
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [location.pathname]);
  const signedIn = !!me.data;
  // The header carries the public pages and « Mon espace »; the tools of a signed-in user are listed in their space.
  const links = routes.filter((r) => r.label && (r.audience === 'public' || (signedIn && r.path === '/espace')));
  return (
    <>
      <a className="skip-link" href="#contenu">
        Aller au contenu
      </a>
      <header className="site-header">
        <div className="brand">
          <Link to="/">Habitat Commun</Link>
          <span className="tagline">La politique locale de l’habitat, en partage</span>
        </div>
        <nav aria-label="Menu principal">
          <ul>
            {links.map((r) => (
              <li key={r.path}>
                <NavLink to={r.path} end={r.path === '/'}>
                  {r.label}
                </NavLink>
              </li>
            ))}
            <li>{signedIn ? <span className="who">{me.data!.name}</span> : <NavLink to="/connexion">Se connecter</NavLink>}</li>
          </ul>
        </nav>
      </header>
      <main id="contenu" tabIndex={-1}>
        <Outlet />
      </main>
      <footer className="site-footer">
        <p>
          Données ouvertes : INSEE (Code officiel géographique), IGN (contours). Documentation de l’API :{' '}
          <a href="/api/docs">/api/docs</a>.
        </p>
      </footer>
    </>
  );
}
