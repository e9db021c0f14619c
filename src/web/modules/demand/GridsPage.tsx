// Agents: the grid versions, a form to write a new version without code, the simulation against the grid in force,
// and adoption (administrators).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { describeCondition } from '../../../modules/demand/conditions.ts';
import { FACT_FIELDS } from '../../../modules/demand/model.ts';
import { api, formatNumber, useMe } from '../../platform/api.ts';
import { GridTables } from './CotationPage.tsx';
import type { PublishedGrid } from './types.ts';
import './demand.css';

interface StoredGrid {
  id: string;
  epciSiren: string;
  version: number;
  name: string;
  status: string;
  validFrom: string;
  validTo: string | null;
  definition: any;
}
interface Simulation {
  count: number;
  up: number;
  down: number;
  same: number;
  meanDelta: number;
  maxUp: number;
  maxDown: number;
  rows: { numero: string; before: number; after: number; delta: number; rankBefore: number; rankAfter: number }[];
}

export function GridsPage() {
  const me = useMe();
  const qc = useQueryClient();
  const grids = useQuery({ queryKey: ['demand', 'grids'], queryFn: () => api<StoredGrid[]>('/api/demand/grids') });
  const [shown, setShown] = useState<string | null>(null);
  const [draft, setDraft] = useState<any | null>(null);
  const [draftId, setDraftId] = useState<string | null>(null);
  const [epci, setEpci] = useState('');
  const one = useQuery({
    queryKey: ['demand', 'grid', shown],
    enabled: !!shown,
    queryFn: () => api<StoredGrid & { published: PublishedGrid }>(`/api/demand/grids/${shown}`),
  });
  const save = useMutation({
    mutationFn: () =>
      draftId
        ? api<StoredGrid>(`/api/demand/grids/${draftId}`, { method: 'PUT', body: JSON.stringify({ definition: draft }) })
        : api<StoredGrid>('/api/demand/grids', { method: 'POST', body: JSON.stringify({ epciSiren: epci, definition: draft }) }),
    onSuccess: (g) => {
      setDraftId(g.id);
      qc.invalidateQueries({ queryKey: ['demand', 'grids'] });
    },
  });
  const simulate = useMutation({
    mutationFn: () => {
      const inForce = (grids.data ?? []).filter((g) => g.epciSiren === epci && g.status === 'adoptee').sort((a, b) => (a.validFrom < b.validFrom ? 1 : -1))[0];
      if (!inForce) throw new Error('Aucune grille adoptée pour cet EPCI : rien à comparer.');
      return api<Simulation>('/api/demand/simulation', { method: 'POST', body: JSON.stringify({ epciSiren: epci, before: inForce.id, after: draft }) });
    },
  });
  const adopt = useMutation({
    mutationFn: (id: string) => api<StoredGrid>(`/api/demand/grids/${id}/adopt`, { method: 'POST' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['demand'] }),
  });

  function startFrom(g: StoredGrid) {
    const max = Math.max(...(grids.data ?? []).filter((x) => x.epciSiren === g.epciSiren).map((x) => x.version));
    const copy = structuredClone(g.definition);
    setEpci(g.epciSiren);
    setDraftId(g.status === 'brouillon' ? g.id : null);
    setDraft(g.status === 'brouillon' ? copy : { ...copy, version: max + 1, name: `${copy.name} (nouvelle version)`, validTo: null });
    save.reset();
    simulate.reset();
  }

  return (
    <section>
      <h1 tabIndex={-1}>Grilles de cotation</h1>
      <p>
        Une grille adoptée ne se modifie plus : on en crée une nouvelle version, on la simule sur les demandes en cours, puis un administrateur
        l’adopte. À l’adoption, la version précédente prend fin et toutes les notes sont recalculées.
      </p>
      {grids.error && <p className="error">{(grids.error as Error).message}</p>}
      <div className="table-wrap">
        <table>
          <caption>Versions</caption>
          <thead>
            <tr>
              <th scope="col">EPCI</th>
              <th scope="col">Version</th>
              <th scope="col">Nom</th>
              <th scope="col">Statut</th>
              <th scope="col">Validité</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {grids.data?.map((g) => (
              <tr key={g.id}>
                <td>{g.epciSiren}</td>
                <th scope="row">{g.version}</th>
                <td>{g.name}</td>
                <td>{g.status === 'adoptee' ? 'Adoptée' : 'Brouillon'}</td>
                <td>
                  du {g.validFrom} {g.validTo ? `au ${g.validTo}` : '(sans fin)'}
                </td>
                <td>
                  <button type="button" onClick={() => setShown(g.id)}>
                    Voir
                  </button>{' '}
                  <button type="button" onClick={() => startFrom(g)}>
                    {g.status === 'brouillon' ? 'Modifier' : 'Nouvelle version'}
                  </button>{' '}
                  {g.status === 'brouillon' && me.data?.role === 'admin' && (
                    <button type="button" onClick={() => adopt.mutate(g.id)}>
                      Adopter
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {adopt.error && <p className="error">{(adopt.error as Error).message}</p>}
      {one.data && (
        <article>
          <h2>
            {one.data.name} (version {one.data.version})
          </h2>
          <GridTables grid={one.data.published} />
        </article>
      )}
      {draft && (
        <article>
          <h2>
            {draftId ? 'Modifier le brouillon' : 'Nouvelle version'} — EPCI {epci}
          </h2>
          <GridEditor grid={draft} onChange={setDraft} />
          <p>
            <button type="button" onClick={() => save.mutate()} disabled={save.isPending}>
              Enregistrer le brouillon
            </button>{' '}
            <button type="button" onClick={() => simulate.mutate()} disabled={simulate.isPending}>
              Simuler sur les demandes en cours
            </button>
          </p>
          {save.error && (
            <p className="error" role="alert">
              {(save.error as Error).message}
            </p>
          )}
          {save.isSuccess && <p role="status">Brouillon enregistré.</p>}
          {simulate.error && <p className="error">{(simulate.error as Error).message}</p>}
          {simulate.data && <SimulationResult s={simulate.data} />}
        </article>
      )}
    </section>
  );
}

function SimulationResult({ s }: { s: Simulation }) {
  const moved = [...s.rows.slice(0, 10), ...s.rows.slice(-10).filter((r) => !s.rows.slice(0, 10).includes(r))];
  return (
    <>
      <h3>Effet sur les {formatNumber(s.count)} demandes en cours</h3>
      <p>
        {formatNumber(s.up)} demande(s) montent (au plus +{formatNumber(s.maxUp, 2)} points), {formatNumber(s.down)} descendent (au plus{' '}
        {formatNumber(s.maxDown, 2)} points), {formatNumber(s.same)} ne changent pas. Écart moyen : {formatNumber(s.meanDelta, 2)} points.
      </p>
      <div className="table-wrap">
        <table>
          <caption>Les plus fortes baisses et hausses</caption>
          <thead>
            <tr>
              <th scope="col">Demande</th>
              <th scope="col" className="num">Note actuelle</th>
              <th scope="col" className="num">Nouvelle note</th>
              <th scope="col" className="num">Écart</th>
              <th scope="col" className="num">Rang actuel → nouveau</th>
            </tr>
          </thead>
          <tbody>
            {moved.map((r) => (
              <tr key={r.numero}>
                <th scope="row">{r.numero}</th>
                <td className="num">{formatNumber(r.before, 2)}</td>
                <td className="num">{formatNumber(r.after, 2)}</td>
                <td className="num">{r.delta > 0 ? `+${formatNumber(r.delta, 2)}` : formatNumber(r.delta, 2)}</td>
                <td className="num">
                  {r.rankBefore} → {r.rankAfter}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

const OPS: Record<string, string> = { eq: 'égal à', ne: 'différent de', gt: 'supérieur à', gte: 'au moins', lt: 'inférieur à', lte: 'au plus', in: 'parmi' };

/** A form over the grid's JSON: every number and label editable; simple conditions as field / operator / value. */
function GridEditor({ grid, onChange }: { grid: any; onChange: (g: any) => void }) {
  const set = (path: (string | number)[], value: unknown) => {
    const g = structuredClone(grid);
    let o = g;
    for (const k of path.slice(0, -1)) o = o[k];
    o[path[path.length - 1]] = value;
    onChange(g);
  };
  const numOrNull = (v: string) => (v === '' ? null : Number(v));
  const field = (id: string, label: string, value: any, on: (v: string) => void, type = 'text') => (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type={type} value={value ?? ''} onChange={(e) => on(e.target.value)} />
    </div>
  );
  return (
    <div className="grid-editor">
      {field('g-name', 'Nom de la grille', grid.name, (v) => set(['name'], v))}
      {field('g-version', 'Numéro de version', grid.version, (v) => set(['version'], Number(v)), 'number')}
      {field('g-from', 'En vigueur à partir du', grid.validFrom, (v) => set(['validFrom'], v), 'date')}
      {field('g-to', 'Jusqu’au (facultatif)', grid.validTo, (v) => set(['validTo'], v || null), 'date')}
      <fieldset>
        <legend>Ancienneté</legend>
        {field('g-ppm', 'Points par mois d’attente (vide : aucun)', grid.seniority?.pointsPerMonth, (v) =>
          set(['seniority'], v === '' ? null : { label: 'Ancienneté de la demande', cap: null, ...grid.seniority, pointsPerMonth: Number(v) }), 'number')}
        {grid.seniority && field('g-pcap', 'Plafond de points d’ancienneté (vide : aucun)', grid.seniority.cap, (v) => set(['seniority', 'cap'], numOrNull(v)), 'number')}
        {field('g-dal', 'Délai anormalement long, en mois (vide : pas de bonus)', grid.abnormalDelay?.months, (v) =>
          set(['abnormalDelay'], v === '' ? null : { label: 'Délai anormalement long dépassé', points: 0, ...grid.abnormalDelay, months: Number(v) }), 'number')}
        {grid.abnormalDelay && field('g-dalp', 'Bonus après ce délai (points)', grid.abnormalDelay.points, (v) => set(['abnormalDelay', 'points'], Number(v)), 'number')}
      </fieldset>
      <fieldset>
        <legend>Refus d’un logement adapté</legend>
        {field('g-ref', 'Points retirés par refus (vide : aucun effet)', grid.refusals?.pointsPerRefusal, (v) =>
          set(['refusals'], v === '' ? null : { label: 'Refus d’un logement adapté', maxLoss: null, ...grid.refusals, pointsPerRefusal: Number(v) }), 'number')}
        {grid.refusals && field('g-refmax', 'Perte maximale (vide : sans limite)', grid.refusals.maxLoss, (v) => set(['refusals', 'maxLoss'], numOrNull(v)), 'number')}
      </fieldset>
      {grid.sections.map((s: any, si: number) => (
        <fieldset key={si}>
          <legend>Rubrique « {s.label} »</legend>
          {field(`s${si}-label`, 'Nom de la rubrique', s.label, (v) => set(['sections', si, 'label'], v))}
          <div className="field">
            <label htmlFor={`s${si}-mode`}>Calcul</label>
            <select id={`s${si}-mode`} value={s.mode} onChange={(e) => set(['sections', si, 'mode'], e.target.value)}>
              <option value="somme">Somme des critères remplis</option>
              <option value="meilleur">Seul le meilleur critère compte</option>
            </select>
          </div>
          {field(`s${si}-cap`, 'Plafond de la rubrique (vide : aucun)', s.cap, (v) => set(['sections', si, 'cap'], numOrNull(v)), 'number')}
          {s.criteria.map((c: any, ci: number) => (
            <CriterionEditor key={ci} id={`s${si}c${ci}`} c={c} onChange={(nc) => set(['sections', si, 'criteria', ci], nc)} onRemove={() => set(['sections', si, 'criteria'], s.criteria.filter((_: any, i: number) => i !== ci))} />
          ))}
          <button
            type="button"
            onClick={() =>
              set(['sections', si, 'criteria'], [...s.criteria, { id: `critere_${s.criteria.length + 1}_${si}`, label: 'Nouveau critère', points: 0, condition: { field: 'dalo', op: 'eq', value: true } }])
            }
          >
            Ajouter un critère
          </button>
        </fieldset>
      ))}
      <button
        type="button"
        onClick={() => set(['sections'], [...grid.sections, { id: `rubrique_${grid.sections.length + 1}`, label: 'Nouvelle rubrique', mode: 'somme', cap: null, criteria: [{ id: `critere_r${grid.sections.length + 1}`, label: 'Nouveau critère', points: 0, condition: { field: 'dalo', op: 'eq', value: true } }] }])}
      >
        Ajouter une rubrique
      </button>
    </div>
  );
}

function CriterionEditor({ id, c, onChange, onRemove }: { id: string; c: any; onChange: (c: any) => void; onRemove: () => void }) {
  const simple = 'field' in c.condition;
  const spec = simple ? FACT_FIELDS[c.condition.field] : undefined;
  const setCond = (patch: any) => {
    const next = { ...c.condition, ...patch };
    const s = FACT_FIELDS[next.field];
    if (patch.field) next.value = s?.type === 'boolean' ? true : s?.type === 'number' ? 0 : Object.keys(s?.values ?? {})[0] ?? '';
    if (s?.type === 'boolean' && !['eq', 'ne'].includes(next.op)) next.op = 'eq';
    if (next.op === 'in' && !Array.isArray(next.value)) next.value = [next.value];
    if (next.op !== 'in' && Array.isArray(next.value)) next.value = next.value[0];
    onChange({ ...c, condition: next });
  };
  return (
    <div className="criterion">
      <div className="field">
        <label htmlFor={`${id}-label`}>Critère</label>
        <input id={`${id}-label`} value={c.label} onChange={(e) => onChange({ ...c, label: e.target.value })} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-points`}>Points</label>
        <input id={`${id}-points`} type="number" min={0} value={c.points} onChange={(e) => onChange({ ...c, points: Number(e.target.value) })} />
      </div>
      {simple ? (
        <>
          <div className="field">
            <label htmlFor={`${id}-field`}>S’applique si</label>
            <select id={`${id}-field`} value={c.condition.field} onChange={(e) => setCond({ field: e.target.value })}>
              {Object.entries(FACT_FIELDS).map(([k, f]) => (
                <option key={k} value={k}>
                  {f.label}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-op`}>Comparaison</label>
            <select id={`${id}-op`} value={c.condition.op} onChange={(e) => setCond({ op: e.target.value })}>
              {Object.entries(OPS)
                .filter(([k]) => (spec?.type === 'boolean' ? ['eq', 'ne'].includes(k) : spec?.type === 'text' ? ['eq', 'ne', 'in'].includes(k) : k !== 'in'))
                .map(([k, v]) => (
                  <option key={k} value={k}>
                    {v}
                  </option>
                ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-value`}>Valeur</label>
            {spec?.type === 'boolean' ? (
              <select id={`${id}-value`} value={String(c.condition.value)} onChange={(e) => setCond({ value: e.target.value === 'true' })}>
                <option value="true">oui</option>
                <option value="false">non</option>
              </select>
            ) : spec?.type === 'number' ? (
              <input id={`${id}-value`} type="number" value={c.condition.value} onChange={(e) => setCond({ value: Number(e.target.value) })} />
            ) : (
              <select
                id={`${id}-value`}
                multiple={c.condition.op === 'in'}
                value={c.condition.value}
                onChange={(e) => setCond({ value: c.condition.op === 'in' ? [...e.target.selectedOptions].map((o) => o.value) : e.target.value })}
              >
                {Object.entries(spec?.values ?? {}).map(([k, v]) => (
                  <option key={k} value={k}>
                    {v}
                  </option>
                ))}
              </select>
            )}
          </div>
        </>
      ) : (
        <p>Condition composée : {describeCondition(c.condition, FACT_FIELDS)}</p>
      )}
      <button type="button" onClick={onRemove}>
        Retirer ce critère
      </button>
    </div>
  );
}
