// The one line that says a page shows demo data (real but partial extracts), with a link to « Sources et couverture ».
// Whether a source is demo comes from the sources catalogue (/api/sources, `demo` per source: its loaded files are
// those of data/demo), so the line disappears by itself once the instance has loaded the real data. A page lists the
// sources it shows that come as partial extracts (the INSEE demo file is whole for the demo territory: not listed).
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { SourcesAnswer } from '../../modules/sources/contract.ts';
import { api } from './api.ts';

/** Source ids of the catalogue (src/modules/sources/model.ts). */
export type SourceId = 'dvf' | 'sitadel' | 'rpls' | 'dpe' | 'insee' | 'cog';

export function useSources() {
  return useQuery({ queryKey: ['sources'], queryFn: () => api<SourcesAnswer>('/api/sources'), staleTime: 5 * 60_000 });
}

/** Shows « données de démonstration : extrait partiel » when any of the page's sources is a demo extract. */
export function DemoNotice({ sources }: { sources: SourceId[] }) {
  const q = useSources();
  // While the catalogue loads, the line keeps its place (hidden): appearing later would push the whole page down
  // (Lighthouse measured a layout shift of 0.72 on a portrait). On a real instance it then goes away once.
  if (q.isLoading)
    return (
      <p className="demo-notice" aria-hidden="true" style={{ visibility: 'hidden' }}>
        <strong>Données de démonstration : extrait partiel</strong> ({sources.join(', ')}) — les chiffres sont réels mais ne couvrent pas tout le
        territoire ni toutes les années. Voir les sources et leur couverture.
      </p>
    );
  const demo = (q.data?.sources ?? []).filter((s) => sources.includes(s.id as SourceId) && s.demo);
  if (!demo.length) return null;
  return (
    <p className="demo-notice" data-testid="demo-notice">
      <strong>Données de démonstration : extrait partiel</strong> ({demo.map((s) => s.name).join(', ')}) — les chiffres sont réels mais ne couvrent
      pas tout le territoire ni toutes les années. <Link to="/sources">Voir les sources et leur couverture</Link>.
    </p>
  );
}
