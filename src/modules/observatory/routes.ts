// Observatory HTTP, all public: the portrait of a commune or an EPCI (also as a printable sheet), one indicator for
// every commune (ranking and map), the coverage of each source. Thin: validate (contract.ts) → service.ts → reply.
// The portrait routes live under /api/territory/… as the issue asks (a commune's page is the territory's), but the
// observatory registers them: docs/modules.md says so.
import type { App } from '../types.ts';
import { indicatorsListAnswer } from './contract.ts';
import { INDICATORS } from './indicators.ts';

export function observatoryRoutes(app: App) {
  app.get('/api/observatory/indicators', {
    config: { access: 'public' },
    schema: { tags: ['observatoire'], summary: 'Les indicateurs comparables entre communes (clé, libellé, unité, source)', response: { 200: indicatorsListAnswer } },
    handler: async () => ({ indicators: [...INDICATORS] }),
  });
}
