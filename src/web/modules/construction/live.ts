// The live stream of construction changes: one EventSource per page, reconnecting by itself (the browser does it).
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { LiveChange } from '../../../modules/construction/contract.ts';

/** Opens the stream while the page is shown; each change refreshes the construction queries and is kept in a short log. */
export function useConstructionLive(enabled: boolean) {
  const client = useQueryClient();
  const [status, setStatus] = useState<'connexion' | 'en direct' | 'interrompu'>('connexion');
  const [recent, setRecent] = useState<LiveChange[]>([]);
  useEffect(() => {
    if (!enabled || typeof EventSource === 'undefined') return;
    const source = new EventSource('/api/construction/events');
    source.addEventListener('ready', () => setStatus('en direct'));
    source.addEventListener('change', (e) => {
      const change = JSON.parse((e as MessageEvent).data) as LiveChange;
      setRecent((r) => [change, ...r].slice(0, 10));
      void client.invalidateQueries({ queryKey: ['construction'] });
    });
    source.onerror = () => setStatus('interrompu');
    return () => source.close();
  }, [enabled, client]);
  return { status, recent };
}
