// The observatory's front door for the EPCI shown: its key figures with their trend, the map of any indicator with
// its ranking, what changed since the last visit, a commune's portrait in two clicks, and a door per public.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import type { TerritoryAnswer as Territory } from '../../../modules/territory/contract.ts';
import { api } from '../../platform/api.ts';
import { DemoNotice } from '../../platform/DemoNotice.tsx';
import { Comparison, portraitPath } from '../observatory/Comparison.tsx';
import { KeyFigures } from '../observatory/KeyFigures.tsx';
import { Publics } from '../observatory/Publics.tsx';
import { WhatsNew } from '../observatory/WhatsNew.tsx';
import '../observatory/observatory.css';

export function HomePage() {
  const territory = useQuery({ queryKey: ['territory'], queryFn: () => api<Territory>('/api/territory') });
  // A club of EPCIs may lie far apart (Lyon and Toulouse in the demo): the page shows one EPCI at a time.
  const [epciShown, setEpciShown] = useState<string>('');
  const shown = territory.data?.epcis.find((e) => e.siren === epciShown) ?? territory.data?.epcis[0];
  const communes = (territory.data?.communes ?? []).filter((c) => c.epci_siren === shown?.siren).sort((a, b) => a.name.localeCompare(b.name, 'fr'));
  const navigate = useNavigate();
  const [commune, setCommune] = useState('');
  return (
    <section className="home">
      <h1 tabIndex={-1}>
        L’habitat {shown ? `: ${shown.name}` : 'sur le territoire'}
        <span className="subtitle">Observatoire de l’habitat : les chiffres de toutes les sources, commune par commune</span>
      </h1>
      {territory.isError && <p role="alert">Le territoire n’a pas pu être chargé : {(territory.error as Error).message}</p>}
      <DemoNotice sources={['dvf', 'sitadel', 'rpls', 'dpe']} />
      {territory.data && territory.data.epcis.length > 1 && (
        <div className="field inline">
          <label htmlFor="epci-carte">Intercommunalité affichée</label>
          <select id="epci-carte" value={shown?.siren ?? ''} onChange={(e) => setEpciShown(e.target.value)}>
            {territory.data.epcis.map((e) => (
              <option key={e.siren} value={e.siren}>
                {e.name}
              </option>
            ))}
          </select>
        </div>
      )}
      {shown && (
        <>
          <h2>Chiffres clés</h2>
          <KeyFigures siren={shown.siren} />
          <form
            className="field commune-picker"
            onSubmit={(e) => {
              e.preventDefault();
              if (commune) navigate(portraitPath(commune));
            }}
          >
            <label htmlFor="commune-portrait">Le portrait d’une commune</label>
            <div className="field inline">
              <select id="commune-portrait" value={commune} onChange={(e) => setCommune(e.target.value)}>
                <option value="">Choisir une commune…</option>
                {communes.map((c) => (
                  <option key={c.code} value={c.code}>
                    {c.name}
                  </option>
                ))}
              </select>
              <button type="submit">Ouvrir</button>
            </div>
          </form>
          <h2 id="carte-titre">Comparer les communes</h2>
          <Comparison key={shown.siren} epci={shown.siren} headingId="carte" />
          <h2>Quoi de neuf ?</h2>
          <WhatsNew />
          <h2>Pour qui ?</h2>
          <Publics siren={shown.siren} />
        </>
      )}
    </section>
  );
}
