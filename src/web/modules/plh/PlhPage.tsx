// The PLH steering page for signed-in users: the action programme, the targets per commune against achievements,
// the programme's import and export as a spreadsheet, and the bilans to download.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { ApiError, api, formatNumber, useMe } from '../../platform/api.ts';
import { refusalText } from './refusal.ts';
import type { ClubLine, Programme, TargetLine } from '../../../modules/plh/contract.ts';
import { CATEGORY_LABELS, ACTION_STATUS_LABELS } from '../../../modules/plh/model.ts';
import { pct } from './format.ts';
import { TableWrap } from '../../platform/TableWrap.tsx';

export function PlhPage() {
  const me = useMe();
  const year = new Date().getFullYear();
  const [annee, setAnnee] = useState(year);
  const programme = useQuery({ queryKey: ['plh', 'programme'], queryFn: () => api<{ programme: Programme | null }>('/api/plh/programme'), enabled: !!me.data });
  const targets = useQuery({
    queryKey: ['plh', 'targets', annee],
    queryFn: () => api<{ targets: TargetLine[] }>(`/api/plh/targets?year=${annee}`),
    enabled: !!me.data,
  });
  if (me.isLoading) return <p>Chargement…</p>;
  if (!me.data)
    return (
      <section>
        <h1 tabIndex={-1}>Pilotage du PLH</h1>
        <p>
          <Link to="/connexion">Connectez-vous</Link> pour suivre le programme local de l’habitat. La{' '}
          <Link to="/plh/sru">situation SRU des communes</Link> est publique.
        </p>
      </section>
    );
  const canWrite = me.data.role === 'admin' || me.data.role === 'agent';
  const canReport = canWrite || me.data.role === 'readonly';
  const p = programme.data?.programme;
  return (
    <section>
      <h1 tabIndex={-1}>Pilotage du PLH</h1>
      {programme.error && <p className="error">{(programme.error as Error).message}</p>}
      {programme.data && !p && <p>Aucun programme d’actions n’est enregistré. {canWrite ? 'Importez le classeur du programme ci-dessous.' : ''}</p>}
      {p && (
        <p>
          Programme « {p.name} », {p.start_year}–{p.end_year} : {p.orientations.length} orientations, {p.actions.length} actions. Rattrapage SRU retenu :{' '}
          {pct(p.sru_catch_up_rate, 0)} du déficit par période triennale.
        </p>
      )}

      <label>
        Année de suivi{' '}
        <input type="number" min={2000} max={2100} value={annee} onChange={(e) => setAnnee(Number(e.target.value) || year)} />
      </label>

      {canReport && <BilanLinks annee={annee} />}

      {p && (
        <>
          <h2>Programme d’actions</h2>
          {p.orientations.map((o) => (
            <section key={o.code} aria-labelledby={`orientation-${o.code}`}>
              <h3 id={`orientation-${o.code}`}>
                Orientation {o.code}. {o.title}
              </h3>
              <TableWrap label={`Actions de l’orientation ${o.code}`}>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Action</th>
                      <th scope="col">Pilote</th>
                      <th scope="col">Statut</th>
                      <th scope="col" className="num">Budget prévu {annee} (€)</th>
                      <th scope="col" className="num">Dépensé {annee} (€)</th>
                      <th scope="col">Commentaire</th>
                    </tr>
                  </thead>
                  <tbody>
                    {p.actions
                      .filter((a) => a.orientation_code === o.code)
                      .map((a) => {
                        const b = a.budgets.find((x) => x.year === annee);
                        return (
                          <tr key={a.code}>
                            <th scope="row">
                              {a.code}. {a.title}
                            </th>
                            <td>{a.lead}</td>
                            <td>{canWrite ? <StatusSelect code={a.code} value={a.status} /> : ACTION_STATUS_LABELS[a.status]}</td>
                            <td className="num">{formatNumber(b?.planned_euros)}</td>
                            <td className="num">{formatNumber(b?.spent_euros)}</td>
                            <td>{a.comment}</td>
                          </tr>
                        );
                      })}
                  </tbody>
                </table>
              </TableWrap>
            </section>
          ))}
        </>
      )}

      {targets.data && targets.data.targets.length > 0 && (
        <>
          <h2>Objectifs par commune et réalisations</h2>
          <TableWrap>
            <table>
              <caption>Réalisations cumulées depuis le début de chaque objectif jusqu’à {annee}</caption>
              <thead>
                <tr>
                  <th scope="col">Commune</th>
                  <th scope="col">Catégorie</th>
                  <th scope="col">Période</th>
                  <th scope="col" className="num">Objectif</th>
                  <th scope="col" className="num">Réalisé</th>
                  <th scope="col" className="num">Taux</th>
                  <th scope="col" className="num">Avancement attendu</th>
                  <th scope="col">Sources</th>
                </tr>
              </thead>
              <tbody>
                {targets.data.targets.map((o) => (
                  <tr key={`${o.commune_code}-${o.category}-${o.start_year}`}>
                    <th scope="row">{o.commune}</th>
                    <td>{CATEGORY_LABELS[o.category]}</td>
                    <td>
                      {o.start_year}–{o.end_year}
                    </td>
                    <td className="num">{formatNumber(o.target)}</td>
                    <td className="num">{formatNumber(o.achieved)}</td>
                    <td className="num">{pct(o.rate)}</td>
                    <td className="num">{pct(o.expected_progress, 0)}</td>
                    <td>{o.sources.join(' ; ') || '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </>
      )}

      <h2>Classeur du programme</h2>
      <p>
        Le programme s’échange en classeur (feuilles Programme, Actions, Budgets, Objectifs).{' '}
        {p && (
          <>
            <a href="/api/plh/programme/export?format=xlsx">Télécharger le classeur (XLSX)</a> ·{' '}
            <a href="/api/plh/programme/export?format=csv&sheet=objectifs">Objectifs (CSV)</a>
          </>
        )}
      </p>
      {canWrite && <ImportForm />}
      <ClubComparison annee={annee} />
    </section>
  );
}

/** The club's members side by side, from what each one shares (and one's own EPCI). */
function ClubComparison({ annee }: { annee: number }) {
  const club = useQuery({ queryKey: ['plh', 'club', annee], queryFn: () => api<{ epcis: ClubLine[] }>(`/api/plh/club?year=${annee}`) });
  if (!club.data || club.data.epcis.length < 2) return null;
  return (
    <section aria-labelledby="club">
      <h2 id="club">Comparaison avec le club</h2>
      <p>Chaque intercommunalité choisit ce qu’elle partage avec les autres membres du club (dans « Mon espace »). Réalisations cumulées jusqu’à {annee}.</p>
      <table>
        <caption>Indicateurs du PLH des membres du club</caption>
        <thead>
          <tr>
            <th scope="col">Intercommunalité</th>
            <th scope="col">Programme</th>
            <th scope="col">Logements : réalisés / objectif</th>
            <th scope="col">Logements sociaux : réalisés / objectif</th>
            <th scope="col">Communes SRU déficitaires</th>
          </tr>
        </thead>
        <tbody>
          {club.data.epcis.map((e) => {
            const cat = (c: string) => e.targets.find((o) => o.category === c);
            const cell = (c: string) => {
              const o = cat(c);
              return o ? `${formatNumber(o.achieved)} / ${formatNumber(o.target)}${o.rate !== null ? ` (${pct(o.rate)})` : ''}` : '—';
            };
            return (
              <tr key={e.epci}>
                <th scope="row">{e.name}</th>
                {e.shared ? (
                  <>
                    <td>{e.programme ? `${e.programme.name}, ${e.programme.start_year}–${e.programme.end_year}` : 'aucun programme enregistré'}</td>
                    <td>{cell('logements')}</td>
                    <td>{cell('logements_sociaux')}</td>
                    <td>{e.sru ? `${e.sru.in_deficit} sur ${e.sru.communes} (déficit : ${formatNumber(e.sru.deficit)} logements)` : '—'}</td>
                  </>
                ) : (
                  <td colSpan={4}>Non partagé par cette intercommunalité.</td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

function BilanLinks({ annee }: { annee: number }) {
  const [triennal, setTriennal] = useState(false);
  const url = (format: string) => `/api/plh/report?year=${annee}&triennial=${triennal}&format=${format}`;
  return (
    <section aria-labelledby="bilans">
      <h2 id="bilans">Bilans</h2>
      <label>
        <input type="checkbox" checked={triennal} onChange={(e) => setTriennal(e.target.checked)} /> Bilan triennal ({annee - 2}–{annee})
      </label>
      <p>
        Produire le bilan {triennal ? `triennal ${annee - 2}–${annee}` : `annuel ${annee}`} :{' '}
        <a href={url('docx')} data-testid="bilan-docx">
          Word (DOCX, modifiable)
        </a>{' '}
        · <a href={url('pdf')}>PDF</a> ·{' '}
        <a href={url('html')} target="_blank" rel="noreferrer">
          page web (HTML)
        </a>
      </p>
    </section>
  );
}

function StatusSelect({ code, value }: { code: string; value: string }) {
  const qc = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <select
        aria-label={`Statut de l’action ${code}`}
        value={value}
        onChange={async (e) => {
          try {
            await api(`/api/plh/actions/${encodeURIComponent(code)}`, { method: 'PATCH', body: JSON.stringify({ status: e.target.value }) });
            setError(null);
            await qc.invalidateQueries({ queryKey: ['plh'] });
          } catch (err) {
            setError((err as Error).message);
          }
        }}
      >
        {Object.entries(ACTION_STATUS_LABELS).map(([k, v]) => (
          <option key={k} value={k}>
            {v}
          </option>
        ))}
      </select>
      {error && <span className="error">{error}</span>}
    </>
  );
}

function ImportForm() {
  const qc = useQueryClient();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const file = form.get('fichier') as File | null;
    const feuille = String(form.get('feuille') ?? '');
    if (!file || !file.size) return setMessage({ ok: false, text: 'Choisissez un fichier.' });
    setBusy(true);
    try {
      const params = new URLSearchParams({ filename: file.name });
      if (!file.name.toLowerCase().endsWith('.xlsx') && feuille) params.set('sheet', feuille);
      const res = await fetch(`/api/plh/programme/import?${params}`, {
        method: 'POST',
        body: file,
        headers: { 'content-type': 'application/octet-stream', accept: 'application/json' },
        credentials: 'same-origin',
      });
      const body = await res.json();
      if (!res.ok) throw new ApiError(res.status, refusalText(body, res.status), body);
      setMessage({ ok: true, text: `Import réussi : ${body.actions} action(s), ${body.budgets} budget(s), ${body.targets} objectif(s).` });
      await qc.invalidateQueries({ queryKey: ['plh'] });
    } catch (err) {
      setMessage({ ok: false, text: (err as Error).message });
    } finally {
      setBusy(false);
    }
  }
  return (
    <form onSubmit={submit} aria-labelledby="import-titre">
      <h3 id="import-titre">Importer</h3>
      <p>Un classeur XLSX remplace tout le programme de même année de début ; un fichier CSV complète une feuille. Un fichier avec une erreur n’enregistre rien.</p>
      <label>
        Fichier (XLSX ou CSV) <input type="file" name="fichier" accept=".xlsx,.csv" />
      </label>{' '}
      <label>
        Feuille (pour un CSV){' '}
        <select name="feuille" defaultValue="objectifs">
          <option value="actions">Actions</option>
          <option value="budgets">Budgets</option>
          <option value="objectifs">Objectifs</option>
        </select>
      </label>{' '}
      <button type="submit" disabled={busy}>
        Importer
      </button>
      {message && (
        <p role="status" className={message.ok ? undefined : 'error'}>
          {message.text}
        </p>
      )}
    </form>
  );
}
