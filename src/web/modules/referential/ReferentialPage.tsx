// Public: the data the EPCI expects from its partners — the schemas, and the charter of each kind of partner.
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../../platform/api.ts';
import './referential.css';
import type { Charters } from '../../../modules/referential/compliance.ts';
import type { SchemaListItem } from '../../../modules/referential/contract.ts';
import { PARTNER_LABELS, POLICY_LABELS } from './labels.ts';
import { TableWrap } from '../../platform/TableWrap.tsx';

export function ReferentialPage() {
  const schemas = useQuery({ queryKey: ['referential', 'schemas'], queryFn: () => api<{ schemas: SchemaListItem[] }>('/api/referential/schemas') });
  const charters = useQuery({ queryKey: ['referential', 'charters'], queryFn: () => api<Charters>('/api/referential/charters') });
  const territory = useQuery({
    queryKey: ['territory'],
    queryFn: () => api<{ communes: { code: string; name: string }[]; source: string }>('/api/territory'),
  });
  const titles = new Map((schemas.data?.schemas ?? []).map((s) => [s.name, s.title]));
  return (
    <section>
      <h1 tabIndex={-1}>Référentiel territorial des données</h1>
      <p>
        Ce que l’intercommunalité attend de ses partenaires : des fichiers décrits par des schémas publics (format Table Schema, comme sur
        schema.data.gouv.fr), livrés sur la plateforme par dépôt de fichier ou par API, validés à la réception. <Link to="/referentiel/livrer">Livrer un fichier</Link>
      </p>
      <h2>Les schémas</h2>
      {schemas.isLoading && <p>Chargement…</p>}
      {schemas.error && <p className="error">{String((schemas.error as Error).message)}</p>}
      <ul className="ref-cards">
        {schemas.data?.schemas.map((s) => (
          <li key={s.name}>
            <h3>
              <Link to={`/referentiel/schemas/${s.name}`}>{s.title}</Link>
            </h3>
            <p className="ref-meta">
              <span className="ref-code">{s.name}</span> — version {s.version} — {s.field_count} colonnes
            </p>
            <p>{s.description}</p>
            <p className="ref-meta">
              Livré par : {s.producers.map((p) => PARTNER_LABELS[p] ?? p).join(', ')}. {POLICY_LABELS[s.policy]}
            </p>
          </li>
        ))}
      </ul>
      <h2>Les chartes des partenaires</h2>
      {charters.data && <p>{charters.data.description}</p>}
      {charters.data?.chartes.map((c) => (
        <section key={c.type_partenaire} aria-labelledby={`charte-${c.type_partenaire}`}>
          <h3 id={`charte-${c.type_partenaire}`}>{c.titre}</h3>
          <TableWrap>
            <table>
              <caption>Flux de données attendus</caption>
              <thead>
                <tr>
                  <th scope="col">Flux</th>
                  <th scope="col">Fréquence</th>
                  <th scope="col">Obligatoire</th>
                  <th scope="col">Précisions</th>
                </tr>
              </thead>
              <tbody>
                {c.flux.map((f) => (
                  <tr key={f.schema}>
                    <th scope="row">
                      <Link to={`/referentiel/schemas/${f.schema}`}>{titles.get(f.schema) ?? f.schema}</Link>
                    </th>
                    <td>
                      {charters.data.frequences[f.frequence]?.libelle ?? f.frequence}
                      {f.delai_de_grace_jours ? ` (délai de grâce : ${f.delai_de_grace_jours} jours)` : ''}
                    </td>
                    <td>{f.obligatoire ? 'Oui' : 'Non'}</td>
                    <td>{f.precisions ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          {c.services.length > 0 && (
            <>
              <h4>Services numériques attendus</h4>
              <ul>
                {c.services.map((s) => (
                  <li key={s}>{s}</li>
                ))}
              </ul>
            </>
          )}
        </section>
      ))}
      <h2>Les communes du territoire</h2>
      <p>
        Les colonnes <span className="ref-code">code_commune</span> attendent le code INSEE (5 caractères) de l’une de ces communes, et non son code
        postal. Pour Paris, Lyon et Marseille, le code de la commune et ceux de ses arrondissements sont acceptés.
      </p>
      {territory.data && (
        <details>
          <summary>Voir les {territory.data.communes.length} communes et leurs codes</summary>
          <TableWrap>
            <table>
              <caption>Communes du territoire ({territory.data.source})</caption>
              <thead>
                <tr>
                  <th scope="col">Code INSEE</th>
                  <th scope="col">Commune</th>
                </tr>
              </thead>
              <tbody>
                {territory.data.communes.map((c) => (
                  <tr key={c.code}>
                    <td className="ref-code">{c.code}</td>
                    <td>{c.name}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </details>
      )}
      <p className="source">
        Format lisible par machine : <a href="/api/referential/schemas">/api/referential/schemas</a>, <a href="/api/referential/charters">/api/referential/charters</a>.
      </p>
    </section>
  );
}
