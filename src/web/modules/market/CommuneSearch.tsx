// Find a commune by name or postcode (/api/territory/search) and open its price page, keeping the chosen type and year.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../platform/api.ts';

interface Found {
  code: string;
  name: string;
  departement_code: string | null;
  postal_codes: string[];
}

export function CommuneSearch({ keep }: { keep: string }) {
  const id = useId();
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  // Wait for a pause in typing: the search route is rate-limited and every keystroke need not ask.
  useEffect(() => {
    const t = setTimeout(() => setQ(text.trim()), 250);
    return () => clearTimeout(t);
  }, [text]);
  const found = useQuery({
    queryKey: ['commune-search', q],
    queryFn: () => api<{ communes: Found[] }>(`/api/territory/search?q=${encodeURIComponent(q)}`),
    enabled: q.length >= 2,
  });
  return (
    <div className="commune-search">
      <form role="search" onSubmit={(e) => e.preventDefault()}>
        <label htmlFor={`${id}-q`}>Chercher une commune (nom ou code postal)</label>
        <input id={`${id}-q`} type="search" value={text} onChange={(e) => setText(e.target.value)} autoComplete="off" placeholder="ex. Villeurbanne ou 69100" aria-describedby={`${id}-n`} />
      </form>
      <p id={`${id}-n`} className="visually-hidden" aria-live="polite">
        {q.length >= 2 && found.data ? `${found.data.communes.length} commune(s) trouvée(s)` : ''}
      </p>
      {found.isError && <p role="alert">La recherche n’a pas abouti : {(found.error as Error).message}</p>}
      {q.length >= 2 && found.data && (
        <ul className="search-results">
          {found.data.communes.length === 0 && <li>Aucune commune ne correspond à « {q} ».</li>}
          {found.data.communes.map((c) => (
            <li key={c.code}>
              <Link to={`/prix/communes/${c.code}${keep}`}>
                {c.name} ({c.postal_codes.slice(0, 3).join(', ') || c.departement_code})
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
