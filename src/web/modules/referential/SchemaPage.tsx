// Public: one schema as a readable page — every column, its type and rules, the checks across columns, the examples.
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api } from '../../platform/api.ts';
import './referential.css';
import type { SchemaField, TableSchema } from '../../../modules/referential/schema.ts';
import { PARTNER_LABELS, POLICY_LABELS } from './labels.ts';
import { TableWrap } from '../../platform/TableWrap.tsx';

const TYPE_LABELS: Record<string, string> = {
  string: 'texte',
  integer: 'nombre entier',
  number: 'nombre',
  boolean: 'booléen (true / false)',
  date: 'date (AAAA-MM-JJ)',
  datetime: 'date et heure',
  year: 'année',
  yearmonth: 'mois (AAAA-MM)',
  any: 'libre',
};

function rules(f: SchemaField): string[] {
  const c = f.constraints ?? {};
  const out: string[] = [];
  if (c.enum) out.push(`valeurs : ${c.enum.join(', ')}`);
  if (c.pattern) out.push(`forme : ${c.pattern}`);
  if (c.minimum !== undefined) out.push(`minimum ${c.minimum}`);
  if (c.maximum !== undefined) out.push(`maximum ${c.maximum}`);
  if (c.minLength !== undefined) out.push(`au moins ${c.minLength} caractères`);
  if (c.maxLength !== undefined) out.push(`au plus ${c.maxLength} caractères`);
  if (c.unique) out.push('unique');
  return out;
}

export function SchemaPage() {
  const { name = '' } = useParams();
  const q = useQuery({ queryKey: ['referential', 'schema', name], queryFn: () => api<TableSchema>(`/api/referential/schemas/${encodeURIComponent(name)}`) });
  if (q.isLoading) return <p>Chargement…</p>;
  if (q.error || !q.data)
    return (
      <section>
        <h1 tabIndex={-1}>Schéma introuvable</h1>
        <p className="error">{String((q.error as Error)?.message ?? '')}</p>
        <Link to="/referentiel">Retour au référentiel</Link>
      </section>
    );
  const s = q.data;
  const x = s['x-habitat'];
  const pk = Array.isArray(s.primaryKey) ? s.primaryKey : s.primaryKey ? [s.primaryKey] : [];
  const refs = new Set(x.references.map((r) => r.champ));
  return (
    <section>
      <p>
        <Link to="/referentiel">Référentiel</Link> › {s.title}
      </p>
      <h1 tabIndex={-1}>{s.title}</h1>
      <p className="ref-meta">
        <span className="ref-code">{s.name}</span> — version {s.version} — livré par {x.producteurs.map((p) => PARTNER_LABELS[p] ?? p).join(', ')}
      </p>
      <p>{s.description}</p>
      <p>
        <strong>Politique d’acceptation.</strong> {POLICY_LABELS[x.politique]}
      </p>
      {pk.length > 0 && (
        <p>
          <strong>Identifiant de ligne :</strong> <span className="ref-code">{pk.join(' + ')}</span> (une seule ligne par valeur).
        </p>
      )}
      <p>
        Fichier CSV (séparateur « , » ou « ; », encodage UTF-8 ou Latin-1) ou JSON (tableau d’objets). Première ligne : les noms de colonnes
        ci-dessous, écrits exactement ainsi. Exemples : <a href={`/api/referential/schemas/${s.name}/examples/valid`}>fichier valide</a>,{' '}
        <a href={`/api/referential/schemas/${s.name}/examples/invalid`}>fichier invalide</a>, <a href={`/api/referential/schemas/${s.name}`}>schéma JSON</a>.
      </p>
      <TableWrap>
        <table>
          <caption>Les {s.fields.length} colonnes</caption>
          <thead>
            <tr>
              <th scope="col">Colonne</th>
              <th scope="col">Description</th>
              <th scope="col">Type</th>
              <th scope="col">Obligatoire</th>
              <th scope="col">Règles</th>
              <th scope="col">Exemple</th>
            </tr>
          </thead>
          <tbody>
            {s.fields.map((f) => (
              <tr key={f.name}>
                <th scope="row" className="ref-code">
                  {f.name}
                </th>
                <td>
                  {f.description}
                  {f['x-unite'] ? ` (en ${f['x-unite']})` : ''}
                  {refs.has(f.name) ? '. Doit être une commune du territoire.' : ''}
                </td>
                <td>{TYPE_LABELS[f.type] ?? f.type}</td>
                <td>{f.constraints?.required || pk.includes(f.name) ? 'Oui' : 'Non'}</td>
                <td>{rules(f).join(' ; ')}</td>
                <td className="ref-code">{f.example === undefined ? '' : String(f.example)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      {x.controles.length > 0 && (
        <>
          <h2>Contrôles entre colonnes</h2>
          <ul>
            {x.controles.map((c, i) => (
              <li key={i}>
                {c.type === 'somme' ? (
                  <>
                    <span className="ref-code">{c.total}</span> = <span className="ref-code">{c.parties.join(' + ')}</span>
                  </>
                ) : (
                  <>
                    <span className="ref-code">{c.champ}</span> ≤ <span className="ref-code">{c.limite}</span> (lorsque les deux sont renseignés)
                  </>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
