// « Quoi de neuf » on the home page: the latest editions of the data, and those loaded since this browser's last visit
// (kept in localStorage, nothing sent to the server). The date is written once the page has read it.
import { useEffect, useState } from 'react';
import { useSources } from '../../platform/DemoNotice.tsx';
import { frenchDate } from './format.ts';

const KEY = 'habitat-commun.derniere-visite';

function readLastVisit(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null; // storage refused (private mode): every visit is the first
  }
}

export function WhatsNew() {
  const [lastVisit] = useState(readLastVisit);
  useEffect(() => {
    try {
      localStorage.setItem(KEY, new Date().toISOString());
    } catch {
      /* see readLastVisit */
    }
  }, []);
  const q = useSources();
  const loaded = (q.data?.sources ?? []).filter((s) => s.edition && s.loaded_at).sort((a, b) => b.loaded_at!.localeCompare(a.loaded_at!));
  const fresh = lastVisit ? loaded.filter((s) => s.loaded_at! > lastVisit) : [];
  return (
    <div className="changes">
      <h3>Depuis votre dernière visite</h3>
      {!lastVisit ? (
        <p data-testid="nouveautes">Première visite sur ce navigateur : voici les dernières éditions des données.</p>
      ) : fresh.length ? (
        <ul data-testid="nouveautes">
          {fresh.map((s) => (
            <li key={s.id} className="new">
              Nouvelle édition : {s.name}, {s.edition} (chargée le {frenchDate(s.loaded_at)})
            </li>
          ))}
        </ul>
      ) : (
        <p data-testid="nouveautes">Rien de nouveau depuis votre dernière visite du {frenchDate(lastVisit)}.</p>
      )}
      <h3>Dernières éditions des données</h3>
      {q.isError && <p role="alert">Les sources n’ont pas pu être chargées.</p>}
      <ul>
        {loaded.slice(0, 6).map((s) => (
          <li key={s.id}>
            {s.name} : {s.edition}, chargée le {frenchDate(s.loaded_at)}
            {s.period ? ` (période ${s.period})` : ''}
          </li>
        ))}
      </ul>
    </div>
  );
}
