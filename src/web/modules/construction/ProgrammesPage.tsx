// Programmes of new housing: filters, a map of units in progress per commune, the list, CSV export and manual entry.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useMemo, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, formatNumber, useMe } from '../../platform/api.ts';
import { ChoroplethMap, type MapClass } from '../../platform/ChoroplethMap.tsx';
import { useConstructionLive } from './live.ts';
import { FINANCING_LABELS, SOURCE_LABELS, STATE_LABELS, formatDate, type Programme } from './types.ts';
import './construction.css';

const CLASSES: MapClass[] = [
  { min: 0, max: 0, color: '#eef3f8', label: 'aucun' },
  { min: 1, max: 99, color: '#b9d1e8', label: '1 à 99 logements' },
  { min: 100, max: 999, color: '#5b93c7', label: '100 à 999' },
  { min: 1000, max: 1e9, color: '#1c4f82', label: '1 000 et plus' },
];

function bboxOf(features: { geometry: { coordinates: unknown } }[]) {
  const b = { west: 180, south: 90, east: -180, north: -90 };
  const walk = (c: any): void => {
    if (typeof c[0] === 'number') {
      b.west = Math.min(b.west, c[0]); b.east = Math.max(b.east, c[0]); b.south = Math.min(b.south, c[1]); b.north = Math.max(b.north, c[1]);
    } else for (const x of c) walk(x);
  };
  for (const f of features) walk(f.geometry.coordinates);
  return b;
}

function NewProgrammeForm() {
  const client = useQueryClient();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: (body: unknown) => api<Programme>('/api/construction/programmes', { method: 'POST', body: JSON.stringify(body) }),
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
    const financement = Object.fromEntries(['plai', 'plus', 'pls', 'psla', 'brs', 'libre'].map((k) => [k, num(k) ?? 0]));
    create.mutate({
      nom: f.get('nom'),
      code_commune: f.get('code_commune'),
      adresse: f.get('adresse') || null,
      lat: num('lat') ?? null,
      lon: num('lon') ?? null,
      etat: f.get('etat'),
      date_etat: f.get('date_etat') || undefined,
      logements: num('logements'),
      financement,
      permis: String(f.get('permis') ?? '').split(/[\s,;]+/).filter(Boolean),
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
        <label>État <select name="etat" defaultValue="projet">{Object.entries(STATE_LABELS).filter(([k]) => k !== 'abandonne').map(([k, v]) => <option key={k} value={k}>{v}</option>)}</select></label>
        <label>Date de cet état <input name="date_etat" type="date" /></label>
        <label>Logements <input name="logements" type="number" required min={1} /></label>
        {['plai', 'plus', 'pls', 'psla', 'brs', 'libre'].map((k) => <label key={k}>{FINANCING_LABELS[k]} <input name={k} type="number" min={0} size={5} /></label>)}
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
  const [filters, setFilters] = useState({ commune: '', etat: '', source: '', q: '', doublons: '' });
  const params = new URLSearchParams(Object.entries(filters).filter(([, v]) => v));
  const list = useQuery({ queryKey: ['construction', 'programmes', params.toString()], queryFn: () => api<{ total: number; programmes: Programme[] }>(`/api/construction/programmes?${params}&limit=200`), enabled: signedIn });
  const map = useQuery({ queryKey: ['territory', 'map'], queryFn: () => api<any>('/api/territory/map'), enabled: signedIn });
  const active = useQuery({ queryKey: ['construction', 'communes'], queryFn: () => api<{ communes: Record<string, Record<string, { logements: number }>> }>('/api/construction/communes'), enabled: signedIn });
  const geojson = useMemo(() => {
    if (!map.data) return null;
    const perCommune = new Map<string, number>(Object.entries(active.data?.communes ?? {}).map(([code, s]) => [code, s.chantier_ouvert?.logements ?? 0]));
    const features = map.data.features.map((f: any) => ({ ...f, properties: { ...f.properties, chantier: perCommune.get(f.properties.code) ?? 0 } }));
    // Show only the EPCIs where works are under way (a club instance spans several, far apart), framed on them.
    const epcis = new Set(features.filter((f: any) => f.properties.chantier > 0).map((f: any) => f.properties.epci));
    const shown = epcis.size ? features.filter((f: any) => epcis.has(f.properties.epci)) : features;
    return { ...map.data, features: shown, bbox: epcis.size ? bboxOf(shown) : map.data.bbox };
  }, [map.data, active.data]);
  const describe = useCallback((p: Record<string, unknown>) => `${p.nom} : ${formatNumber(p.chantier as number)} logements en chantier`, []);
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
        <label>État <select value={filters.etat} onChange={set('etat')}><option value="">Tous</option>{Object.entries(STATE_LABELS).map(([k, v]) => <option key={k} value={k}>{v}</option>)}</select></label>
        <label>Source <select value={filters.source} onChange={set('source')}><option value="">Toutes</option>{Object.entries(SOURCE_LABELS).map(([k, v]) => <option key={k} value={k}>{v}</option>)}</select></label>
        <label>Recherche (nom, adresse, permis) <input value={filters.q} onChange={set('q')} /></label>
        <label>Doublons <select value={filters.doublons} onChange={set('doublons')}><option value="">Tous les programmes</option><option value="oui">Seulement les rapprochés</option></select></label>
      </form>
      <p><a href={`/api/construction/programmes.csv?${params}`} download>Exporter la liste en CSV</a></p>
      {geojson && (
        <ChoroplethMap geojson={geojson} valueProperty="chantier" classes={CLASSES} label="Carte des logements en chantier par commune" describe={describe} />
      )}
      {list.data && (
        <div className="table-wrap">
          <table>
            <caption>{formatNumber(list.data.total)} programme(s){list.data.total > list.data.programmes.length ? ` — les ${list.data.programmes.length} derniers modifiés affichés` : ''}</caption>
            <thead>
              <tr><th scope="col">Programme</th><th scope="col">Commune</th><th scope="col">État</th><th scope="col">Depuis</th><th scope="col" className="num">Logements</th><th scope="col" className="num">dont sociaux</th><th scope="col">Source</th><th scope="col">Doublon</th></tr>
            </thead>
            <tbody>
              {list.data.programmes.map((p) => (
                <tr key={p.id}>
                  <th scope="row"><Link to={`/construction/programmes/${p.id}`}>{p.nom}</Link></th>
                  <td>{p.commune}</td>
                  <td>{STATE_LABELS[p.etat]}</td>
                  <td>{formatDate(p.etat_depuis)}</td>
                  <td className="num">{formatNumber(p.logements)}</td>
                  <td className="num">{formatNumber(p.logements_sociaux)}</td>
                  <td>{SOURCE_LABELS[p.source]}</td>
                  <td>{p.rapprochement ? (p.rapprochement.statut === 'suggere' ? 'suggéré' : p.rapprochement.statut === 'confirme' ? 'confirmé' : 'rejeté') : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
