// Charters (what each partner kind must deliver, how often) and compliance computed from delivery facts. Pure.
import { z } from 'zod';
import type { DeliveryStatus } from './model.ts';

export const chartersZ = z.object({
  version: z.string(),
  description: z.string(),
  frequences: z.record(z.string(), z.object({ libelle: z.string(), jours: z.number().int().positive() })),
  chartes: z.array(
    z.object({
      type_partenaire: z.string(),
      titre: z.string(),
      flux: z.array(
        z.object({
          schema: z.string(),
          frequence: z.string(),
          obligatoire: z.boolean(),
          delai_de_grace_jours: z.number().int().nonnegative().default(0),
          precisions: z.string().optional(),
        }),
      ),
      services: z.array(z.string()).default([]),
    }),
  ),
});
export type Charters = z.infer<typeof chartersZ>;
export type CharterFeed = Charters['chartes'][number]['flux'][number];

export function charterInconsistencies(c: Charters, schemaNames: Set<string>): string[] {
  const out: string[] = [];
  for (const ch of c.chartes)
    for (const f of ch.flux) {
      if (!schemaNames.has(f.schema)) out.push(`charte ${ch.type_partenaire} : schéma « ${f.schema} » inconnu`);
      if (!c.frequences[f.frequence]) out.push(`charte ${ch.type_partenaire} : fréquence « ${f.frequence} » inconnue`);
    }
  return out;
}

export interface DeliveryFact {
  schemaName: string;
  receivedAt: Date;
  status: DeliveryStatus;
  rowsTotal: number;
  rowsValid: number;
}

type Freshness = 'a-jour' | 'en-retard' | 'jamais-livre';
export const FRESHNESS_LABELS: Record<Freshness, string> = {
  'a-jour': 'À jour',
  'en-retard': 'En retard',
  'jamais-livre': 'Aucune livraison acceptée',
};

export interface FeedCompliance {
  schema: string;
  /** In the partner's charter; false for a feed the partner delivers of its own accord. */
  attendu: boolean;
  obligatoire: boolean;
  frequence: string | null;
  derniereLivraison: { date: string; statut: DeliveryStatus; partValide: number | null } | null;
  /** Last delivery that was accepted in whole or in part: the one that counts for freshness. */
  derniereAcceptee: string | null;
  /** When the next delivery is due (last accepted + frequency + grace), or null when never delivered. */
  echeance: string | null;
  fraicheur: Freshness | null;
  /** Share of valid rows over all deliveries of the feed (0..1), null when no row was ever delivered. */
  partValide: number | null;
  /** Share of valid rows of each of the last deliveries, oldest first. */
  tendance: { date: string; partValide: number | null }[];
  sens: 'hausse' | 'baisse' | 'stable' | null;
  livraisons: number;
}

const DAY = 86_400_000;
const share = (valid: number, total: number) => (total > 0 ? valid / total : null);

/** Compliance of one partner: every feed of its charter, plus any other feed it delivered. */
export function complianceOf(
  feeds: CharterFeed[],
  frequencies: Charters['frequences'],
  deliveries: DeliveryFact[],
  now: Date,
  trendLength = 6,
): FeedCompliance[] {
  const bySchema = new Map<string, DeliveryFact[]>();
  for (const d of deliveries) {
    const list = bySchema.get(d.schemaName) ?? [];
    list.push(d);
    bySchema.set(d.schemaName, list);
  }
  const out: FeedCompliance[] = feeds.map((f) => feedCompliance(f.schema, f, frequencies, bySchema.get(f.schema) ?? [], now, trendLength));
  const expected = new Set(feeds.map((f) => f.schema));
  for (const [schema, list] of bySchema) if (!expected.has(schema)) out.push(feedCompliance(schema, null, frequencies, list, now, trendLength));
  return out;
}

function feedCompliance(
  schema: string,
  feed: CharterFeed | null,
  frequencies: Charters['frequences'],
  list: DeliveryFact[],
  now: Date,
  trendLength: number,
): FeedCompliance {
  const sorted = [...list].sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
  const last = sorted.at(-1) ?? null;
  const lastAccepted = [...sorted].reverse().find((d) => d.status !== 'refusee') ?? null;
  const days = feed ? frequencies[feed.frequence]?.jours : undefined;
  let echeance: Date | null = null;
  let fraicheur: Freshness | null = null;
  if (feed && days) {
    if (!lastAccepted) fraicheur = 'jamais-livre';
    else {
      echeance = new Date(lastAccepted.receivedAt.getTime() + (days + feed.delai_de_grace_jours) * DAY);
      fraicheur = now.getTime() <= echeance.getTime() ? 'a-jour' : 'en-retard';
    }
  }
  const totals = sorted.reduce((s, d) => ({ v: s.v + d.rowsValid, t: s.t + d.rowsTotal }), { v: 0, t: 0 });
  const tendance = sorted.slice(-trendLength).map((d) => ({ date: d.receivedAt.toISOString(), partValide: share(d.rowsValid, d.rowsTotal) }));
  return {
    schema,
    attendu: !!feed,
    obligatoire: feed?.obligatoire ?? false,
    frequence: feed?.frequence ?? null,
    derniereLivraison: last ? { date: last.receivedAt.toISOString(), statut: last.status, partValide: share(last.rowsValid, last.rowsTotal) } : null,
    derniereAcceptee: lastAccepted?.receivedAt.toISOString() ?? null,
    echeance: echeance?.toISOString() ?? null,
    fraicheur,
    partValide: share(totals.v, totals.t),
    tendance,
    sens: trendDirection(tendance.map((t) => t.partValide)),
    livraisons: sorted.length,
  };
}

/** The last delivery's share against the mean of the earlier ones in the window; 2 points either way is "stable". */
export function trendDirection(shares: (number | null)[]): FeedCompliance['sens'] {
  const known = shares.filter((s): s is number => s !== null);
  if (known.length < 2) return null;
  const last = known.at(-1)!;
  const before = known.slice(0, -1);
  const mean = before.reduce((a, b) => a + b, 0) / before.length;
  if (last - mean > 0.02) return 'hausse';
  if (mean - last > 0.02) return 'baisse';
  return 'stable';
}
