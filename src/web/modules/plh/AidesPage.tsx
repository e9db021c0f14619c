// Aids granted by the EPCI, per case or operation: the list (a partner sees its own) and, for agents, the entry form.
// A case reference identifies the household's file: never a name.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import type { AidOut } from '../../../modules/plh/contract.ts';
import { AID_LABELS } from '../../../modules/plh/model.ts';
import { api, formatNumber, useMe } from '../../platform/api.ts';
import { TableWrap } from '../../platform/TableWrap.tsx';


export function AidesPage() {
  const me = useMe();
  const q = useQuery({ queryKey: ['plh', 'aids'], queryFn: () => api<{ aids: AidOut[] }>('/api/plh/aids'), enabled: !!me.data });
  if (me.isLoading) return <p>Chargement…</p>;
  if (!me.data)
    return (
      <section>
        <h1 tabIndex={-1}>Aides accordées</h1>
        <p>
          <Link to="/connexion">Connectez-vous</Link> pour consulter les aides accordées.
        </p>
      </section>
    );
  const canWrite = me.data.role === 'admin' || me.data.role === 'agent';
  const aides = q.data?.aids ?? [];
  return (
    <section>
      <h1 tabIndex={-1}>Aides accordées par l’EPCI</h1>
      <p>Chaque aide est enregistrée par dossier ou par opération, avec une référence (jamais le nom d’un ménage). Elles alimentent les réalisations et les bilans du PLH.</p>
      {canWrite && <AideForm />}
      {q.error && <p className="error">{(q.error as Error).message}</p>}
      {q.data && aides.length === 0 && <p>Aucune aide enregistrée.</p>}
      {aides.length > 0 && (
        <TableWrap>
          <table>
            <caption>{aides.length} aide(s)</caption>
            <thead>
              <tr>
                <th scope="col">Référence</th>
                <th scope="col">Aide</th>
                <th scope="col">Commune</th>
                <th scope="col" className="num">Année</th>
                <th scope="col" className="num">Montant (€)</th>
                <th scope="col" className="num">Logements (PLAI / PLUS / PLS)</th>
                <th scope="col">Opération</th>
              </tr>
            </thead>
            <tbody>
              {aides.map((a) => (
                <tr key={a.id}>
                  <th scope="row">{a.reference}</th>
                  <td>{AID_LABELS[a.type]}</td>
                  <td>{a.commune_code}</td>
                  <td className="num">{a.year}</td>
                  <td className="num">{formatNumber(a.amount_euros)}</td>
                  <td className="num">
                    {a.type === 'logement_social' ? `${a.plai_count + a.plus_count + a.pls_count} (${a.plai_count} / ${a.plus_count} / ${a.pls_count})` : formatNumber(a.dwellings_count)}
                  </td>
                  <td>{a.operation || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}

function AideForm() {
  const qc = useQueryClient();
  const [type, setType] = useState('logement_social');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const n = (k: string) => Number(f.get(k) || 0);
    const gain = String(f.get('gain') ?? '');
    try {
      await api('/api/plh/aids', {
        method: 'POST',
        body: JSON.stringify({
          reference: String(f.get('reference') ?? ''),
          type,
          commune_code: String(f.get('commune') ?? '').trim(),
          year: n('annee'),
          amount_euros: n('montant'),
          dwellings_count: n('logements'),
          plai_count: n('plai'),
          plus_count: n('plus'),
          pls_count: n('pls'),
          energy_gain_pct: gain ? Number(gain) : null,
          operation: String(f.get('operation') ?? ''),
        }),
      });
      setMessage({ ok: true, text: 'Aide enregistrée.' });
      await qc.invalidateQueries({ queryKey: ['plh'] });
    } catch (err) {
      setMessage({ ok: false, text: (err as Error).message });
    }
  }
  return (
    <form onSubmit={submit} aria-labelledby="aide-form" className="form-grid">
      <h2 id="aide-form">Enregistrer une aide</h2>
      <label>
        Référence du dossier <input name="reference" required maxLength={60} />
      </label>
      <label>
        Aide{' '}
        <select name="type" value={type} onChange={(e) => setType(e.target.value)}>
          {Object.entries(AID_LABELS).map(([k, v]) => (
            <option key={k} value={k}>
              {v}
            </option>
          ))}
        </select>
      </label>
      <label>
        Code INSEE de la commune <input name="commune" required pattern="[0-9][0-9AB][0-9]{3}" />
      </label>
      <label>
        Année <input name="annee" type="number" min={2000} max={2100} defaultValue={new Date().getFullYear()} required />
      </label>
      <label>
        Montant accordé (€) <input name="montant" type="number" min={0} step="0.01" required />
      </label>
      {type === 'logement_social' ? (
        <>
          <label>
            Logements PLAI <input name="plai" type="number" min={0} defaultValue={0} />
          </label>
          <label>
            Logements PLUS <input name="plus" type="number" min={0} defaultValue={0} />
          </label>
          <label>
            Logements PLS <input name="pls" type="number" min={0} defaultValue={0} />
          </label>
          <label>
            Opération <input name="operation" maxLength={300} />
          </label>
        </>
      ) : (
        <label>
          Logements ou places <input name="logements" type="number" min={0} defaultValue={1} />
        </label>
      )}
      {type === 'renovation' && (
        <label>
          Gain énergétique (%) <input name="gain" type="number" min={0} max={100} />
        </label>
      )}
      <button type="submit">Enregistrer</button>
      {message && (
        <p role="status" className={message.ok ? undefined : 'error'}>
          {message.text}
        </p>
      )}
    </form>
  );
}
