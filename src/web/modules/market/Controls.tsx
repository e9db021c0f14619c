// The portal's choices (type of property, year, one year or five) kept in the URL, so any view can be shared.
import { useSearchParams } from 'react-router';
import { TYPE_OPTIONS, type PortalType, type Window } from './types.ts';

export interface PortalState {
  type: PortalType;
  annee?: number;
  fenetre: Window;
}

export function usePortalState(): [PortalState, (patch: Partial<PortalState> & Record<string, unknown>) => void, URLSearchParams] {
  const [params, setParams] = useSearchParams();
  const type = (TYPE_OPTIONS.some((o) => o.value === params.get('type')) ? params.get('type') : 'maison_appartement') as PortalType;
  const annee = /^\d{4}$/.test(params.get('annee') ?? '') ? Number(params.get('annee')) : undefined;
  const fenetre: Window = params.get('fenetre') === '5ans' ? '5ans' : 'annee';
  const update = (patch: Record<string, unknown>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined || v === '' || v === null) next.delete(k);
      else next.set(k, String(v));
    }
    setParams(next, { replace: true });
  };
  return [{ type, annee, fenetre }, update, params];
}

/** The query string the API and the links share. */
export function portalQuery(s: PortalState, annee: number | null | undefined): string {
  const q = new URLSearchParams({ type: s.type, fenetre: s.fenetre });
  if (annee) q.set('annee', String(annee));
  return q.toString();
}

export function PortalControls({ state, update, annees }: { state: PortalState; update: (p: Partial<PortalState>) => void; annees: number[] }) {
  return (
    <fieldset className="portal-controls">
      <legend>Ce que vous voulez voir</legend>
      <div className="field">
        <label htmlFor="prix-type">Type de bien</label>
        <select id="prix-type" value={state.type} onChange={(e) => update({ type: e.target.value as PortalType })}>
          {TYPE_OPTIONS.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="prix-annee">Année</label>
        <select id="prix-annee" value={state.annee ?? annees[0] ?? ''} onChange={(e) => update({ annee: Number(e.target.value) })} disabled={!annees.length}>
          {annees.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="prix-fenetre">Période</label>
        <select id="prix-fenetre" value={state.fenetre} onChange={(e) => update({ fenetre: e.target.value as Window })}>
          <option value="annee">L’année choisie</option>
          <option value="5ans">Les 5 ans jusqu’à l’année choisie</option>
        </select>
      </div>
    </fieldset>
  );
}
