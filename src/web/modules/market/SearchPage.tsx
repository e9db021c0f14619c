// Search the portal: a commune, a postal code or a street (from the DVF addresses), with a type, rooms and budget
// (« appartements de 2 pièces sous 200 000 € ») — past sales, not an estimate. The state is in the URL.
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, formatNumber } from '../../platform/api.ts';
import type { SearchAnswer } from '../../../modules/market/contract-portal.ts';
import { TYPE_OPTIONS } from './labels.ts';
import './portal.css';
import { TableWrap } from '../../platform/TableWrap.tsx';

export function SearchPage() {
  const [params, setParams] = useSearchParams();
  const asked = { q: params.get('q') ?? '', type: params.get('type') ?? '', rooms: params.get('pieces') ?? '', max: params.get('budget') ?? '' };
  const [form, setForm] = useState(asked);
  const query = new URLSearchParams({ q: asked.q });
  if (asked.type) query.set('type', asked.type);
  if (asked.rooms) query.set('rooms', asked.rooms);
  if (asked.max) query.set('max_price', asked.max);
  const found = useQuery({ queryKey: ['prix-recherche', query.toString()], queryFn: () => api<SearchAnswer>(`/api/market/portal/search?${query}`), enabled: asked.q.trim().length >= 2 });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next = new URLSearchParams();
    if (form.q) next.set('q', form.q);
    if (form.type) next.set('type', form.type);
    if (form.rooms) next.set('pieces', form.rooms);
    if (form.max) next.set('budget', form.max);
    setParams(next);
  };
  const d = found.data;
  return (
    <section className="portal">
      <p className="breadcrumb">
        <Link to="/prix">Prix de l’immobilier</Link> › Recherche
      </p>
      <h1 tabIndex={-1}>Chercher une commune, une rue ou des ventes</h1>
      <form role="search" onSubmit={submit} className="portal-controls search-form">
        <div className="field">
          <label htmlFor="recherche-q">Commune, code postal ou rue</label>
          <input id="recherche-q" value={form.q} onChange={(e) => setForm({ ...form, q: e.target.value })} placeholder="ex. Villeurbanne, 69100, rue de la République" />
        </div>
        <div className="field">
          <label htmlFor="recherche-type">Type de bien</label>
          <select id="recherche-type" value={form.type} onChange={(e) => setForm({ ...form, type: e.target.value })}>
            <option value="">Tous</option>
            {TYPE_OPTIONS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="recherche-pieces">Pièces</label>
          <input id="recherche-pieces" type="number" min={1} max={20} value={form.rooms} onChange={(e) => setForm({ ...form, rooms: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="recherche-budget">Budget maximal (€)</label>
          <input id="recherche-budget" type="number" min={1} value={form.max} onChange={(e) => setForm({ ...form, max: e.target.value })} />
        </div>
        <div className="field">
          <button type="submit">Chercher</button>
        </div>
      </form>
      {found.isError && <p role="alert">La recherche n’a pas abouti : {(found.error as Error).message}</p>}
      {d && (
        <div aria-live="polite">
          <h2>Communes ({d.communes.length})</h2>
          {d.communes.length ? (
            <ul className="search-results">
              {d.communes.map((c) => (
                <li key={c.code}>
                  <Link to={`/prix/communes/${c.code}`}>
                    {c.name} ({c.postal_codes.join(', ') || c.code})
                  </Link>
                </li>
              ))}
            </ul>
          ) : (
            <p>Aucune commune du territoire ne correspond.</p>
          )}
          <h2>Rues des ventes enregistrées ({d.streets.length})</h2>
          {d.streets.length ? (
            <ul className="search-results" data-testid="rues">
              {d.streets.map((s) => (
                <li key={`${s.street}|${s.commune_code}`}>
                  <Link to={`/prix/communes/${s.commune_code}`}>
                    {s.street.toLowerCase()}, {s.commune_name}
                  </Link>{' '}
                  : {formatNumber(s.sales_count)} vente{s.sales_count > 1 ? 's' : ''}
                </li>
              ))}
            </ul>
          ) : (
            <p>Aucune rue des ventes enregistrées ne correspond.</p>
          )}
          {d.sales && (
            <>
              <h2>
                Ventes correspondantes : {d.sales.where} ({d.sales.rows.length})
              </h2>
              <p className="source">{d.sales.note}</p>
              <TableWrap label="Ventes correspondantes">
                <table>
                  <caption>Ventes correspondant à la recherche, {d.sales.where}</caption>
                  <thead>
                    <tr>
                      {['Date', 'Bien', 'Surface (m²)', 'Pièces', 'Prix (€)', 'Prix au m² (€/m²)'].map((h) => (
                        <th key={h} scope="col">
                          {h}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {d.sales.rows.map((s) => (
                      <tr key={s.id}>
                        <th scope="row">{s.date}</th>
                        <td>{s.type}</td>
                        <td>{s.surface === null ? '—' : formatNumber(s.surface)}</td>
                        <td>{s.rooms ?? '—'}</td>
                        <td>{s.price === null ? '—' : formatNumber(s.price)}</td>
                        <td>{s.price_m2 === null ? '—' : formatNumber(s.price_m2)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
            </>
          )}
          <p className="source">Source : {d.source}.</p>
        </div>
      )}
    </section>
  );
}
