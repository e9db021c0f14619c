// Programmes of new housing: filters, a map of units in progress per commune, the list, CSV export and manual entry.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useMemo, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, formatNumber, useMe } from '../../platform/api.ts';
import { ChoroplethMap, type MapClass } from '../../platform/ChoroplethMap.tsx';
import type { CommuneStates, Programme, ProgrammeBody, ProgrammeList } from '../../../modules/construction/contract.ts';
import { FINANCING_LABELS, SOURCE_LABELS, STATE_LABELS, STATES, type Financing } from '../../../modules/construction/model.ts';
import { bboxOf, type Bbox } from '../../../modules/territory/model.ts';
import { useConstructionLive } from './live.ts';
import { formatDate, MATCH_LABELS } from './format.ts';
import './construction.css';
import { TableWrap } from '../../platform/TableWrap.tsx';

/** The financings an agent enters by hand (the others come from Sitadel, which does not split them). */
const ENTERED_FINANCINGS: Financing[] = ['plai', 'plus', 'pls', 'psla', 'brs', 'free_market'];

/** The communes' contours as /api/territory/map gives them. */
interface CommuneMap {
  type: 'FeatureCollection';
  bbox: Bbox | null;
  features: { type: 'Feature'; geometry: { type: string; coordinates: unknown }; properties: { code: string; name: string; epci: string | null } }[];
}

const CLASSES: MapClass[] = [
  { min: 0, max: 0, color: '#eef3f8', label: 'aucun' },
  { min: 1, max: 99, color: '#b9d1e8', label: '1 à 99 logements' },
  { min: 100, max: 999, color: '#5b93c7', label: '100 à 999' },
  { min: 1000, max: 1e9, color: '#1c4f82', label: '1 000 et plus' },
];

function NewProgrammeForm() {
  const client = useQueryClient();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: (body: ProgrammeBody) => api<Programme>('/api/construction/programmes', { method: 'POST', body: JSON.stringify(body) }),
    onSuccess: (p) => {
      void client.invalidateQueries({ queryKey: ['construction'] });
      navigate(`/construction/programmes/${p.id}`);
    },
    onError: (e) => setError((e as Error).message),
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const num = (k: string) => (f.get(k) ? Number(f.get(k)) : undefined);
    const financing = Object.fromEntries(ENTERED_FINANCINGS.map((k) => [k, num(k) ?? 0]));
    const text = (k: string) => String(f.get(k) ?? '');
    create.mutate({
      name: text('nom'),
      commune_code: text('code_commune'),
      address: text('adresse') || null,
      lat: num('lat') ?? null,
      lon: num('lon') ?? null,
      state: text('etat') as ProgrammeBody['state'],
      state_date: text('date_etat') || undefined,
      dwellings: num('logements') ?? 0,
      financing,
      permits: text('permis').split(/[\s,;]+/).filter(Boolean),
    });
  };
  return (
    <details>
      <summary>Saisir un programme</summary>
      <form onSubmit={submit} className="inline-form">
        <label>Nom <input name="nom" required maxLength={200} /></label>
        <label>Code INSEE de la commune <input name="code_commune" required pattern="[0-9][0-9AB][0-9]{3}" size={6} /></label>
        <label>Adresse <input name="adresse" maxLength={300} /></label>
        <label>Latitude <input name="lat" type="number" step="any" min={-90} max={90} /></label>
        <label>Longitude <input name="lon" type="number" step="any" min={-180} max={180} /></label>
        <label>État <select name="etat" defaultValue="project">{Object.entries(STATE_LABELS).filter(([k]) => k !== 'abandoned').map(([k, v]) => <option key={k} value={k}>{v}</option>)}</select></label>
        <label>Date de cet état <input name="date_etat" type="date" /></label>
        <label>Logements <input name="logements" type="number" required min={1} /></label>
        {ENTERED_FINANCINGS.map((k) => <label key={k}>{FINANCING_LABELS[k]} <input name={k} type="number" min={0} size={5} /></label>)}
        <label>Numéros de permis <input name="permis" placeholder="PC 03155524C0301" /></label>
        <button type="submit">Enregistrer</button>
      </form>
      {error && <p className="error" role="alert">{error}</p>}
    </details>
  );
}

export function ProgrammesPage() {
  const me = useMe();
  const signedIn = !!me.data;
  const live = useConstructionLive(signedIn);
  const [filters, setFilters] = useState({ commune: '', state: '', source: '', q: '', duplicates: '' });
  const params = new URLSearchParams(Object.entries(filters).filter(([, v]) => v));
  const list = useQuery({ queryKey: ['construction', 'programmes', params.toString()], queryFn: () => api<ProgrammeList>(`/api/construction/programmes?${params}&limit=200`), enabled: signedIn });
  const map = useQuery({ queryKey: ['territory', 'map'], queryFn: () => api<CommuneMap>('/api/territory/map'), enabled: signedIn });
  const active = useQuery({ queryKey: ['construction', 'communes'], queryFn: () => api<CommuneStates>('/api/construction/communes'), enabled: signedIn });
  const geojson = useMemo(() => {
    if (!map.data) return null;
    const perCommune = new Map<string, number>(Object.entries(active.data?.communes ?? {}).map(([code, s]) => [code, s.works_started?.dwellings ?? 0]));
    const features = map.data.features.map((f) => ({ ...f, properties: { ...f.properties, chantier: perCommune.get(f.properties.code) ?? 0 } }));
    // Show only the EPCIs where works are under way (a club instance spans several, far apart), framed on them.
    const epcis = new Set(features.filter((f) => f.properties.chantier > 0).map((f) => f.properties.epci));
    const shown = epcis.size ? features.filter((f) => epcis.has(f.properties.epci)) : features;
    return { ...map.data, features: shown, bbox: (epcis.size ? bboxOf(shown.map((f) => f.geometry)) : null) ?? map.data.bbox };
  }, [map.data, active.data]);
  const describe = useCallback((p: Record<string, unknown>) => `${p.name} : ${formatNumber(p.chantier as number)} logements en chantier`, []);
  const canWrite = me.data?.role === 'admin' || me.data?.role === 'agent';

  if (me.isLoading) return <p>Chargement…</p>;
  if (!signedIn) return <section><h1 tabIndex={-1}>Programmes de logements</h1><p><Link to="/connexion">Connectez-vous</Link> pour voir les programmes.</p></section>;
  const set = (k: keyof typeof filters) => (e: { target: { value: string } }) => setFilters({ ...filters, [k]: e.target.value });
  return (
    <section>
      <h1 tabIndex={-1}>Programmes de logements</h1>
      <p className="live-status" aria-live="polite">Mise à jour en direct : <strong>{live.status}</strong>. <Link to="/construction">Tableau de bord des objectifs</Link></p>
      {canWrite && <NewProgrammeForm />}
      <form className="construction-filters" onSubmit={(e) => e.preventDefault()} aria-label="Filtres">
        <label>Code INSEE de la commune <input value={filters.commune} onChange={set('commune')} size={6} /></label>
        <label>État <select value={filters.state} onChange={set('state')}><option value="">Tous</option>{STATES.map((k) => <option key={k} value={k}>{STATE_LABELS[k]}</option>)}</select></label>
        <label>Source <select value={filters.source} onChange={set('source')}><option value="">Toutes</option>{Object.entries(SOURCE_LABELS).map(([k, v]) => <option key={k} value={k}>{v}</option>)}</select></label>
        <label>Recherche (nom, adresse, permis) <input value={filters.q} onChange={set('q')} /></label>
        <label>Doublons <select value={filters.duplicates} onChange={set('duplicates')}><option value="">Tous les programmes</option><option value="true">Seulement les rapprochés</option></select></label>
      </form>
      <p><a href={`/api/construction/programmes.csv?${params}`} download>Exporter la liste en CSV</a></p>
      {geojson && (
        <ChoroplethMap geojson={geojson} valueProperty="chantier" classes={CLASSES} label="Carte des logements en chantier par commune" describe={describe} />
      )}
      {list.data && (
        <TableWrap>
          <table>
            <caption>{formatNumber(list.data.total)} programme(s){list.data.total > list.data.programmes.length ? ` — les ${list.data.programmes.length} derniers modifiés affichés` : ''}</caption>
            <thead>
              <tr><th scope="col">Programme</th><th scope="col">Commune</th><th scope="col">État</th><th scope="col">Depuis</th><th scope="col" className="num">Logements</th><th scope="col" className="num">dont sociaux</th><th scope="col">Source</th><th scope="col">Doublon</th></tr>
            </thead>
            <tbody>
              {list.data.programmes.map((p) => (
                <tr key={p.id}>
                  <th scope="row"><Link to={`/construction/programmes/${p.id}`}>{p.name}</Link></th>
                  <td>{p.commune}</td>
                  <td>{STATE_LABELS[p.state]}</td>
                  <td>{formatDate(p.state_since)}</td>
                  <td className="num">{formatNumber(p.dwellings)}</td>
                  <td className="num">{formatNumber(p.social_dwellings)}</td>
                  <td>{SOURCE_LABELS[p.source]}</td>
                  <td>{p.match ? MATCH_LABELS[p.match.status] : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}
