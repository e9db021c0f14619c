// Staff page: the EPCI's own aids (first-time-buyer aid, renovation top-ups) as its council voted them.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import type { LocalAidAnswer as LocalAid } from '../../../modules/aids/contract.ts';
import type { TerritoryAnswer } from '../../../modules/territory/contract.ts';
import { api, useMe } from '../../platform/api.ts';
import './aids.css';
import { TableWrap } from '../../platform/TableWrap.tsx';

const HOUSING: [LocalAid['housing_types'][number], string][] = [
  ['new_build', 'Logement neuf'],
  ['existing_with_works', 'Ancien avec travaux'],
  ['existing_without_works', 'Ancien sans travaux'],
];
const MPR: [LocalAid['mpr_categories'][number], string][] = [
  ['very_modest', 'Très modestes'],
  ['modest', 'Modestes'],
  ['intermediate', 'Intermédiaires'],
  ['higher', 'Supérieurs'],
];
const DPE: LocalAid['dpe_classes'] = ['A', 'B', 'C', 'D', 'E', 'F', 'G'];

export function LocalAidsPage() {
  const me = useMe();
  const staff = me.data && (me.data.role === 'admin' || me.data.role === 'agent');
  const territory = useQuery({ queryKey: ['territory'], queryFn: () => api<TerritoryAnswer>('/api/territory') });
  const aids = useQuery({ queryKey: ['aids-local-all'], queryFn: () => api<LocalAid[]>('/api/aids/local-aids/all'), enabled: !!staff });
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<LocalAid | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const statusRef = useRef<HTMLParagraphElement>(null);

  if (me.isLoading) return <p>Chargement…</p>;
  if (!staff) {
    return (
      <section className="aids">
        <h1 tabIndex={-1}>Aides propres de l’intercommunalité</h1>
        <p>Cette page est réservée aux agents et administrateurs de l’EPCI. <Link to="/connexion">Se connecter</Link></p>
      </section>
    );
  }

  async function save(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const list = (name: string) => f.getAll(name).map(String);
    const amount = String(f.get('amount') ?? '').replace(/\s/g, '');
    const body = {
      epci_siren: f.get('epci_siren'),
      kind: f.get('kind'),
      name: f.get('name'),
      description: f.get('description') ?? '',
      amount_euros: amount ? Number(amount) : null,
      ceiling_reference: f.get('ceiling_reference') ?? 'none',
      primo_accedant_required: f.get('primo') === 'on',
      housing_types: list('housing_types'),
      mpr_categories: list('mpr_categories'),
      dpe_classes: list('dpe_classes'),
      communes: String(f.get('communes') ?? '').split(/[\s,;]+/).filter(Boolean),
      contact: f.get('contact') ?? '',
      deliberation: String(f.get('deliberation') ?? '') || null,
      active: f.get('active') === 'on',
    };
    setError(null);
    try {
      if (editing?.id) await api(`/api/aids/local-aids/${editing.id}`, { method: 'PUT', body: JSON.stringify(body) });
      else await api('/api/aids/local-aids', { method: 'POST', body: JSON.stringify(body) });
      setMessage(`Aide « ${body.name} » enregistrée.`);
      setEditing(null);
      await queryClient.invalidateQueries({ queryKey: ['aids-local-all'] });
      statusRef.current?.focus();
    } catch (err) {
      setError((err as Error).message);
    }
  }

  const epcis = territory.data?.epcis ?? [];
  const form = editing ?? ({ kind: 'accession', active: true, housing_types: [], mpr_categories: [], dpe_classes: [], communes: [] } as unknown as LocalAid);
  return (
    <section className="aids aids-admin">
      <h1 tabIndex={-1}>Aides propres de l’intercommunalité</h1>
      <p>Ces aides apparaissent dans les simulateurs publics « Devenir propriétaire » et « Rénover un logement ».</p>
      <p ref={statusRef} tabIndex={-1} role="status">
        {message}
      </p>
      {aids.data && (
        <TableWrap>
          <table>
            <caption>Aides enregistrées</caption>
            <thead>
              <tr>
                <th scope="col">Aide</th>
                <th scope="col">Type</th>
                <th scope="col">Montant</th>
                <th scope="col">État</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {aids.data.map((a) => (
                <tr key={a.id}>
                  <th scope="row">{a.name}</th>
                  <td>{a.kind === 'accession' ? 'Accession' : 'Rénovation'}</td>
                  <td className="num">{a.amount_euros === null ? '—' : `${a.amount_euros.toLocaleString('fr-FR')} €`}</td>
                  <td>{a.active ? 'En vigueur' : 'Inactive'}</td>
                  <td>
                    <button type="button" onClick={() => setEditing(a)}>
                      Modifier<span className="visually-hidden"> {a.name}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <h2>{editing ? `Modifier « ${editing.name} »` : 'Nouvelle aide'}</h2>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <form key={editing?.id ?? 'new'} onSubmit={save}>
        <div className="field">
          <label htmlFor="la-epci">Intercommunalité</label>
          <select id="la-epci" name="epci_siren" defaultValue={form.epci_siren} required>
            {epcis.map((e) => (
              <option key={e.siren} value={e.siren}>
                {e.name}
              </option>
            ))}
          </select>
        </div>
        <fieldset className="field">
          <legend>Type d’aide</legend>
          <label className="radio"><input type="radio" name="kind" value="accession" defaultChecked={form.kind === 'accession'} /> Accession à la propriété</label>
          <label className="radio"><input type="radio" name="kind" value="renovation" defaultChecked={form.kind === 'renovation'} /> Rénovation</label>
        </fieldset>
        <div className="field">
          <label htmlFor="la-nom">Nom de l’aide</label>
          <input id="la-nom" name="name" defaultValue={form.name} required />
        </div>
        <div className="field">
          <label htmlFor="la-description">Description pour les ménages</label>
          <textarea id="la-description" name="description" rows={3} defaultValue={form.description} />
        </div>
        <div className="field">
          <label htmlFor="la-montant">Montant en euros (vide s’il varie)</label>
          <input id="la-montant" name="amount" inputMode="numeric" defaultValue={form.amount_euros ?? ''} />
        </div>
        <div className="field">
          <label htmlFor="la-plafond">Plafond de ressources (accession)</label>
          <select id="la-plafond" name="ceiling_reference" defaultValue={form.ceiling_reference ?? 'none'}>
            <option value="none">Aucun</option>
            <option value="PTZ">Plafonds du PTZ</option>
            <option value="PSLA">Plafonds du PSLA</option>
            <option value="BRS">Plafonds du BRS</option>
          </select>
        </div>
        <label className="radio"><input type="checkbox" name="primo" defaultChecked={form.primo_accedant_required} /> Réservée aux primo-accédants</label>
        <fieldset className="field">
          <legend>Types de logement (aucun coché = tous)</legend>
          {HOUSING.map(([v, l]) => (
            <label key={v} className="radio"><input type="checkbox" name="housing_types" value={v} defaultChecked={form.housing_types.includes(v)} /> {l}</label>
          ))}
        </fieldset>
        <fieldset className="field">
          <legend>Catégories MaPrimeRénov’ (rénovation ; aucune cochée = toutes)</legend>
          {MPR.map(([v, l]) => (
            <label key={v} className="radio"><input type="checkbox" name="mpr_categories" value={v} defaultChecked={form.mpr_categories.includes(v!)} /> {l}</label>
          ))}
        </fieldset>
        <fieldset className="field">
          <legend>Classes DPE avant travaux (rénovation ; aucune cochée = toutes)</legend>
          {DPE.map((c) => (
            <label key={c} className="radio"><input type="checkbox" name="dpe_classes" value={c} defaultChecked={form.dpe_classes.includes(c)} /> {c}</label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor="la-communes">Communes (codes INSEE séparés par des espaces ; vide = toutes les communes de l’EPCI)</label>
          <input id="la-communes" name="communes" defaultValue={form.communes.join(' ')} />
        </div>
        <div className="field">
          <label htmlFor="la-contact">Contact pour les ménages</label>
          <input id="la-contact" name="contact" defaultValue={form.contact} />
        </div>
        <div className="field">
          <label htmlFor="la-deliberation">Délibération (référence)</label>
          <input id="la-deliberation" name="deliberation" defaultValue={form.deliberation ?? ''} />
        </div>
        <label className="radio"><input type="checkbox" name="active" defaultChecked={form.active} /> En vigueur</label>
        <p>
          <button type="submit">Enregistrer</button>{' '}
          {editing && (
            <button type="button" onClick={() => setEditing(null)}>
              Annuler
            </button>
          )}
        </p>
      </form>
    </section>
  );
}
