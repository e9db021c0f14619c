// The portal's choices (type of property, year, one year or five) kept in the page's URL, so any view can be shared.
// The page's address is French (`?type=maison&annee=2021&fenetre=5ans`: people share it); the API's is English.
import type { ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import type { PortalType, Window } from '../../../modules/market/contract.ts';
import { TYPE_OPTIONS } from './labels.ts';

export interface PortalState {
  type: PortalType;
  year?: number;
  window: Window;
}

/** A change of the page's URL parameters (French names: `type`, `annee`, `fenetre`, `epci`); empty removes one. */
export type PortalUpdate = (patch: Record<string, string | number | undefined>) => void;

export function usePortalState(): [PortalState, PortalUpdate, URLSearchParams] {
  const [params, setParams] = useSearchParams();
  const type = (TYPE_OPTIONS.some((o) => o.value === params.get('type')) ? params.get('type') : 'maison_appartement') as PortalType;
  const year = /^\d{4}$/.test(params.get('annee') ?? '') ? Number(params.get('annee')) : undefined;
  const window: Window = params.get('fenetre') === '5ans' ? 'five_years' : 'year';
  // From the latest URL, not this render's: two changes in a row (both months of a period) both stay.
  const update: PortalUpdate = (patch) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        for (const [k, v] of Object.entries(patch)) {
          if (v === undefined || v === '' || v === null) next.delete(k);
          else next.set(k, String(v));
        }
        return next;
      },
      { replace: true },
    );
  return [{ type, year, window }, update, params];
}

/** The query string of the page links (French, as the page's address). */
export function pageQuery(s: PortalState, year: number | null | undefined): string {
  const q = new URLSearchParams({ type: s.type, fenetre: s.window === 'five_years' ? '5ans' : 'annee' });
  if (year) q.set('annee', String(year));
  return q.toString();
}

/** The query string of the API and its downloads (contract.ts `portalQuery`). */
export function apiQuery(s: PortalState, year: number | null | undefined): string {
  const q = new URLSearchParams({ type: s.type, window: s.window });
  if (year) q.set('year', String(year));
  return q.toString();
}

/**
 * The first and last month of a period (`YYYY-MM`), within the months the data hold: the commune page's period and
 * the map's. Empty values fall back to the period the API chose (`shown`).
 */
export function MonthRange({ id, months, shown, onChange }: { id: string; months: string[]; shown: { from: string; to: string }; onChange(key: 'du' | 'au', value: string): void }) {
  return (
    <>
      <div className="field">
        <label htmlFor={`${id}-du`}>Du mois</label>
        <input id={`${id}-du`} type="month" min={months[0]} max={months.at(-1)} value={shown.from} onChange={(e) => onChange('du', e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-au`}>Au mois (inclus)</label>
        <input id={`${id}-au`} type="month" min={months[0]} max={months.at(-1)} value={shown.to} onChange={(e) => onChange('au', e.target.value)} />
      </div>
    </>
  );
}

/** Type of property, then the period: a year and one or five years, or (`period`) other fields such as a month range. */
export function PortalControls({ state, update, years, period }: { state: PortalState; update: PortalUpdate; years: number[]; period?: ReactNode }) {
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
      {period ?? (
        <>
          <div className="field">
            <label htmlFor="prix-annee">Année</label>
            <select id="prix-annee" value={state.year ?? years[0] ?? ''} onChange={(e) => update({ annee: Number(e.target.value) })} disabled={!years.length}>
              {years.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="prix-fenetre">Période</label>
            <select id="prix-fenetre" value={state.window === 'five_years' ? '5ans' : 'annee'} onChange={(e) => update({ fenetre: e.target.value })}>
              <option value="annee">L’année choisie</option>
              <option value="5ans">Les 5 ans jusqu’à l’année choisie</option>
            </select>
          </div>
        </>
      )}
    </fieldset>
  );
}
