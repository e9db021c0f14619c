// Signed-in partners: deliver a file for one of the schemas and read the report at once; the latest deliveries below.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useRef, useState } from 'react';
import { Link } from 'react-router';
import { ApiError, api, formatNumber, useMe } from '../../platform/api.ts';
import './referential.css';
import { ReportView } from './ReportView.tsx';
import type { Delivery, DeliveryAnswer, SchemaListItem } from '../../../modules/referential/contract.ts';
import { STATUS_LABELS, formatDate } from './labels.ts';
import { TableWrap } from '../../platform/TableWrap.tsx';

const STAFF = new Set(['admin', 'agent']);

export function DeliveryPage() {
  const me = useMe();
  const queryClient = useQueryClient();
  const schemas = useQuery({ queryKey: ['referential', 'schemas'], queryFn: () => api<{ schemas: SchemaListItem[] }>('/api/referential/schemas') });
  const isStaff = !!me.data && STAFF.has(me.data.role);
  const orgs = useQuery({
    queryKey: ['access', 'organisations'],
    queryFn: () => api<{ organisations: { id: string; name: string; kind: string }[] }>('/api/access/organisations'),
    enabled: isStaff,
  });
  const deliveries = useQuery({
    queryKey: ['referential', 'deliveries'],
    queryFn: () => api<{ deliveries: Delivery[] }>('/api/referential/deliveries?limit=20'),
    enabled: !!me.data,
  });
  const [schema, setSchema] = useState('');
  const [organisation, setOrganisation] = useState('');
  const fileInput = useRef<HTMLInputElement>(null);
  const send = useMutation({
    mutationFn: async () => {
      const file = fileInput.current?.files?.[0];
      if (!file) throw new Error('Choisissez un fichier à livrer.');
      const body = new FormData();
      body.append('file', file, file.name);
      const params = new URLSearchParams(organisation ? { organisation } : {});
      return api<DeliveryAnswer>(`/api/referential/schemas/${encodeURIComponent(schema)}/deliveries?${params}`, { method: 'POST', body });
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['referential', 'deliveries'] }),
  });

  if (me.isLoading) return <p>Chargement…</p>;
  if (!me.data)
    return (
      <section>
        <h1 tabIndex={-1}>Livrer des données</h1>
        <p>
          Connectez-vous avec le compte de votre organisation pour livrer un fichier. <Link to="/connexion">Se connecter</Link>
        </p>
      </section>
    );
  const partners = (orgs.data?.organisations ?? []).filter((o) => o.kind !== 'epci' && o.kind !== 'public');
  function submit(e: FormEvent) {
    e.preventDefault();
    send.mutate();
  }
  return (
    <section>
      <h1 tabIndex={-1}>Livrer des données</h1>
      <p>
        Déposez un fichier CSV (séparateur « , » ou « ; », UTF-8 ou Latin-1) ou JSON conforme à l’un des <Link to="/referentiel">schémas du référentiel</Link>. Il
        est vérifié aussitôt ; le rapport indique chaque problème et comment le corriger. Un fichier identique déjà livré n’est pas enregistré deux fois.
      </p>
      <form onSubmit={submit} className="narrow">
        <div className="field">
          <label htmlFor="ref-schema">Schéma</label>
          <select id="ref-schema" required value={schema} onChange={(e) => setSchema(e.target.value)}>
            <option value="">— choisir —</option>
            {schemas.data?.schemas.map((s) => (
              <option key={s.name} value={s.name}>
                {s.title} ({s.version})
              </option>
            ))}
          </select>
        </div>
        {isStaff && (
          <div className="field">
            <label htmlFor="ref-org">Au nom de l’organisation</label>
            <select id="ref-org" required value={organisation} onChange={(e) => setOrganisation(e.target.value)}>
              <option value="">— choisir le partenaire —</option>
              {partners.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="field">
          <label htmlFor="ref-file">Fichier</label>
          <input id="ref-file" ref={fileInput} type="file" accept=".csv,.json,.txt,text/csv,application/json" required />
        </div>
        <button type="submit" disabled={send.isPending}>
          {send.isPending ? 'Vérification…' : 'Livrer et vérifier'}
        </button>
        {send.error && (
          <p className="error" role="alert">
            {send.error instanceof ApiError || send.error instanceof Error ? send.error.message : 'Erreur'}
          </p>
        )}
      </form>
      {send.data && (
        <>
          <p>
            Livraison enregistrée le {formatDate(send.data.delivery.received_at)}
            {send.data.delivery.times_received > 1 ? ' (fichier identique déjà reçu : la livraison existante est affichée)' : ''}.{' '}
            <Link to={`/referentiel/livraisons/${send.data.delivery.id}`}>Lien permanent vers ce rapport</Link>
          </p>
          <ReportView report={send.data.report} />
        </>
      )}
      <h2>Dernières livraisons{isStaff ? '' : ' de votre organisation'}</h2>
      <DeliveryTable deliveries={deliveries.data?.deliveries ?? []} showOrganisation={isStaff} />
    </section>
  );
}

function DeliveryTable({ deliveries, showOrganisation }: { deliveries: Delivery[]; showOrganisation: boolean }) {
  if (!deliveries.length) return <p>Aucune livraison pour l’instant.</p>;
  return (
    <TableWrap>
      <table>
        <caption>Livraisons, de la plus récente à la plus ancienne</caption>
        <thead>
          <tr>
            <th scope="col">Reçue le</th>
            {showOrganisation && <th scope="col">Organisation</th>}
            <th scope="col">Schéma</th>
            <th scope="col">Fichier</th>
            <th scope="col">Statut</th>
            <th scope="col" className="num">
              Lignes enregistrées / reçues
            </th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((d) => (
            <tr key={d.id}>
              <td>
                <Link to={`/referentiel/livraisons/${d.id}`}>{formatDate(d.received_at)}</Link>
              </td>
              {showOrganisation && <td>{d.organisation_name}</td>}
              <td className="ref-code">
                {d.schema_name} {d.schema_version}
              </td>
              <td>{d.filename ?? '—'}</td>
              <td>
                <span className={`ref-status ref-status-${d.status}`}>{STATUS_LABELS[d.status]}</span>
              </td>
              <td className="num">
                {formatNumber(d.rows_accepted)} / {formatNumber(d.rows_total)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}
