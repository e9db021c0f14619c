// One delivery: who sent what, when, and its report; the file as received can be downloaded.
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, formatNumber } from '../../platform/api.ts';
import './referential.css';
import { ReportView } from './ReportView.tsx';
import type { DeliveryAnswer } from '../../../modules/referential/contract.ts';
import { formatDate } from './labels.ts';

export function DeliveryReportPage() {
  const { id = '' } = useParams();
  const q = useQuery({ queryKey: ['referential', 'delivery', id], queryFn: () => api<DeliveryAnswer>(`/api/referential/deliveries/${encodeURIComponent(id)}`) });
  if (q.isLoading) return <p>Chargement…</p>;
  if (q.error || !q.data)
    return (
      <section>
        <h1 tabIndex={-1}>Livraison introuvable</h1>
        <p className="error">{String((q.error as Error)?.message ?? '')}</p>
        <Link to="/referentiel/livrer">Retour aux livraisons</Link>
      </section>
    );
  const d = q.data.delivery;
  return (
    <section>
      <p>
        <Link to="/referentiel/livrer">Livraisons</Link> › {d.filename ?? d.id}
      </p>
      <h1 tabIndex={-1}>
        Livraison {d.schema_name} du {formatDate(d.received_at)}
      </h1>
      <p>
        {d.organisation_name}
        {d.on_behalf ? ' (déposée par l’EPCI pour son compte)' : ''} — fichier {d.filename ?? 'sans nom'}, {formatNumber(d.byte_size / 1024, 1)} Kio
        {d.times_received > 1 ? `, reçu ${d.times_received} fois à l’identique (dernière fois le ${formatDate(d.last_received_at)})` : ''}.{' '}
        <a href={`/api/referential/deliveries/${d.id}/file`}>Télécharger le fichier tel que reçu</a>
      </p>
      <ReportView report={q.data.report} />
    </section>
  );
}
