// Agents: the grid versions, a form to write a new version without code, the simulation against the grid in force,
// and adoption (administrators).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { describeCondition } from '../../../modules/demand/conditions.ts';
import type { Condition } from '../../../modules/demand/conditions.ts';
import { type Criterion, FACT_FIELDS, type Grid } from '../../../modules/demand/model.ts';
import { api, formatNumber, useMe } from '../../platform/api.ts';
import { GridTables } from './CotationPage.tsx';
import type { GridWithPublished, SimulationAnswer, StoredGridAnswer as StoredGrid } from '../../../modules/demand/contract.ts';
import './demand.css';
import { TableWrap } from '../../platform/TableWrap.tsx';

export function GridsPage() {
  const me = useMe();
  const qc = useQueryClient();
  const grids = useQuery({ queryKey: ['demand', 'grids'], queryFn: () => api<StoredGrid[]>('/api/demand/grids') });
  const [shown, setShown] = useState<string | null>(null);
  const [draft, setDraft] = useState<Grid | null>(null);
  const [draftId, setDraftId] = useState<string | null>(null);
  const [epci, setEpci] = useState('');
  const one = useQuery({
    queryKey: ['demand', 'grid', shown],
    enabled: !!shown,
    queryFn: () => api<GridWithPublished>(`/api/demand/grids/${shown}`),
  });
  const save = useMutation({
    mutationFn: () =>
      draftId
        ? api<StoredGrid>(`/api/demand/grids/${draftId}`, { method: 'PUT', body: JSON.stringify({ definition: draft }) })
        : api<StoredGrid>('/api/demand/grids', { method: 'POST', body: JSON.stringify({ epci_siren: epci, definition: draft }) }),
    onSuccess: (g) => {
      setDraftId(g.id);
      qc.invalidateQueries({ queryKey: ['demand', 'grids'] });
    },
  });
  const simulate = useMutation({
    mutationFn: () => {
      const inForce = (grids.data ?? []).filter((g) => g.epci_siren === epci && g.status === 'adopted').sort((a, b) => (a.valid_from < b.valid_from ? 1 : -1))[0];
      if (!inForce) throw new Error('Aucune grille adoptée pour cet EPCI : rien à comparer.');
      return api<SimulationAnswer>('/api/demand/simulation', { method: 'POST', body: JSON.stringify({ epci_siren: epci, before: inForce.id, after: draft }) });
    },
  });
  const adopt = useMutation({
    mutationFn: (id: string) => api<StoredGrid>(`/api/demand/grids/${id}/adopt`, { method: 'POST' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['demand'] }),
  });

  function startFrom(g: StoredGrid) {
    const max = Math.max(...(grids.data ?? []).filter((x) => x.epci_siren === g.epci_siren).map((x) => x.version));
    const copy = structuredClone(g.definition);
    setEpci(g.epci_siren);
    setDraftId(g.status === 'draft' ? g.id : null);
    setDraft(g.status === 'draft' ? copy : { ...copy, version: max + 1, name: `${copy.name} (nouvelle version)`, valid_to: null });
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
      <TableWrap>
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
                <td>{g.epci_siren}</td>
                <th scope="row">{g.version}</th>
                <td>{g.name}</td>
                <td>{g.status === 'adopted' ? 'Adoptée' : 'Brouillon'}</td>
                <td>
                  du {g.valid_from} {g.valid_to ? `au ${g.valid_to}` : '(sans fin)'}
                </td>
                <td>
                  <button type="button" onClick={() => setShown(g.id)}>
                    Voir
                  </button>{' '}
                  <button type="button" onClick={() => startFrom(g)}>
                    {g.status === 'draft' ? 'Modifier' : 'Nouvelle version'}
                  </button>{' '}
                  {g.status === 'draft' && me.data?.role === 'admin' && (
                    <button type="button" onClick={() => adopt.mutate(g.id)}>
                      Adopter
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
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

function SimulationResult({ s }: { s: SimulationAnswer }) {
  const moved = [...s.rows.slice(0, 10), ...s.rows.slice(-10).filter((r) => !s.rows.slice(0, 10).includes(r))];
  return (
    <>
      <h3>Effet sur les {formatNumber(s.count)} demandes en cours</h3>
      <p>
        {formatNumber(s.up)} demande(s) montent (au plus +{formatNumber(s.max_up, 2)} points), {formatNumber(s.down)} descendent (au plus{' '}
        {formatNumber(s.max_down, 2)} points), {formatNumber(s.same)} ne changent pas. Écart moyen : {formatNumber(s.mean_delta, 2)} points.
      </p>
      <TableWrap>
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
              <tr key={r.number}>
                <th scope="row">{r.number}</th>
                <td className="num">{formatNumber(r.before, 2)}</td>
                <td className="num">{formatNumber(r.after, 2)}</td>
                <td className="num">{r.delta > 0 ? `+${formatNumber(r.delta, 2)}` : formatNumber(r.delta, 2)}</td>
                <td className="num">
                  {r.rank_before} → {r.rank_after}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </>
  );
}

const OPS: Record<string, string> = { eq: 'égal à', ne: 'différent de', gt: 'supérieur à', gte: 'au moins', lt: 'inférieur à', lte: 'au plus', in: 'parmi' };

/** A form over the grid's JSON: every number and label editable; simple conditions as field / operator / value. */
function GridEditor({ grid, onChange }: { grid: Grid; onChange: (g: Grid) => void }) {
  // Sets one value deep in a copy of the grid; the server checks the whole grid again (parseGrid) when it is saved.
  const set = (path: (string | number)[], value: unknown) => {
    const g = structuredClone(grid);
    let o = g as unknown as Record<string | number, unknown>;
    for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
    o[path[path.length - 1]] = value;
    onChange(g);
  };
  const numOrNull = (v: string) => (v === '' ? null : Number(v));
  const field = (id: string, label: string, value: string | number | null | undefined, on: (v: string) => void, type = 'text') => (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type={type} value={value ?? ''} onChange={(e) => on(e.target.value)} />
    </div>
  );
  return (
    <div className="grid-editor">
      {field('g-name', 'Nom de la grille', grid.name, (v) => set(['name'], v))}
      {field('g-version', 'Numéro de version', grid.version, (v) => set(['version'], Number(v)), 'number')}
      {field('g-from', 'En vigueur à partir du', grid.valid_from, (v) => set(['valid_from'], v), 'date')}
      {field('g-to', 'Jusqu’au (facultatif)', grid.valid_to, (v) => set(['valid_to'], v || null), 'date')}
      <fieldset>
        <legend>Ancienneté</legend>
        {field('g-ppm', 'Points par mois d’attente (vide : aucun)', grid.seniority?.points_per_month, (v) =>
          set(['seniority'], v === '' ? null : { label: 'Ancienneté de la demande', cap: null, ...grid.seniority, points_per_month: Number(v) }), 'number')}
        {grid.seniority && field('g-pcap', 'Plafond de points d’ancienneté (vide : aucun)', grid.seniority.cap, (v) => set(['seniority', 'cap'], numOrNull(v)), 'number')}
        {field('g-dal', 'Délai anormalement long, en mois (vide : pas de bonus)', grid.abnormal_delay?.months, (v) =>
          set(['abnormal_delay'], v === '' ? null : { label: 'Délai anormalement long dépassé', points: 0, ...grid.abnormal_delay, months: Number(v) }), 'number')}
        {grid.abnormal_delay && field('g-dalp', 'Bonus après ce délai (points)', grid.abnormal_delay.points, (v) => set(['abnormal_delay', 'points'], Number(v)), 'number')}
      </fieldset>
      <fieldset>
        <legend>Refus d’un logement adapté</legend>
        {field('g-ref', 'Points retirés par refus (vide : aucun effet)', grid.refusals?.points_per_refusal, (v) =>
          set(['refusals'], v === '' ? null : { label: 'Refus d’un logement adapté', max_loss: null, ...grid.refusals, points_per_refusal: Number(v) }), 'number')}
        {grid.refusals && field('g-refmax', 'Perte maximale (vide : sans limite)', grid.refusals.max_loss, (v) => set(['refusals', 'max_loss'], numOrNull(v)), 'number')}
      </fieldset>
      {grid.sections.map((s, si) => (
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
          {s.criteria.map((c, ci) => (
            <CriterionEditor key={ci} id={`s${si}c${ci}`} c={c} onChange={(nc) => set(['sections', si, 'criteria', ci], nc)} onRemove={() => set(['sections', si, 'criteria'], s.criteria.filter((_, i) => i !== ci))} />
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

/** A condition on one fact (field / operator / value), the kind the form edits; composed ones are shown in words. */
type SimpleCondition = Extract<Condition, { field: string }>;

function CriterionEditor({ id, c, onChange, onRemove }: { id: string; c: Criterion; onChange: (c: Criterion) => void; onRemove: () => void }) {
  const simple: SimpleCondition | null = 'field' in c.condition ? c.condition : null;
  const spec = simple ? FACT_FIELDS[simple.field] : undefined;
  const setCond = (patch: Partial<SimpleCondition>) => {
    const next: SimpleCondition = { ...simple!, ...patch };
    const s = FACT_FIELDS[next.field];
    if (patch.field) next.value = s?.type === 'boolean' ? true : s?.type === 'number' ? 0 : Object.keys(s?.values ?? {})[0] ?? '';
    if (s?.type === 'boolean' && !['eq', 'ne'].includes(next.op)) next.op = 'eq';
    if (next.op === 'in' && !Array.isArray(next.value)) next.value = [next.value as number | string];
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
            <select id={`${id}-field`} value={simple.field} onChange={(e) => setCond({ field: e.target.value })}>
              {Object.entries(FACT_FIELDS).map(([k, f]) => (
                <option key={k} value={k}>
                  {f.label}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-op`}>Comparaison</label>
            <select id={`${id}-op`} value={simple.op} onChange={(e) => setCond({ op: e.target.value as SimpleCondition['op'] })}>
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
              <select id={`${id}-value`} value={String(simple.value)} onChange={(e) => setCond({ value: e.target.value === 'true' })}>
                <option value="true">oui</option>
                <option value="false">non</option>
              </select>
            ) : spec?.type === 'number' ? (
              <input id={`${id}-value`} type="number" value={Number(simple.value)} onChange={(e) => setCond({ value: Number(e.target.value) })} />
            ) : (
              <select
                id={`${id}-value`}
                multiple={simple.op === 'in'}
                value={Array.isArray(simple.value) ? simple.value.map(String) : String(simple.value)}
                onChange={(e) => setCond({ value: simple.op === 'in' ? [...e.target.selectedOptions].map((o) => o.value) : e.target.value })}
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
