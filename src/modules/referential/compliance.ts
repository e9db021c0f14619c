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

type Freshness = 'up_to_date' | 'late' | 'never_delivered';
export const FRESHNESS_LABELS: Record<Freshness, string> = {
  up_to_date: 'À jour',
  late: 'En retard',
  never_delivered: 'Aucune livraison acceptée',
};

export interface FeedCompliance {
  schema: string;
  /** In the partner's charter; false for a feed the partner delivers of its own accord. */
  expected: boolean;
  required: boolean;
  frequency: string | null;
  last_delivery: { date: string; status: DeliveryStatus; valid_share: number | null } | null;
  /** Last delivery that was accepted in whole or in part: the one that counts for freshness. */
  last_accepted: string | null;
  /** When the next delivery is due (last accepted + frequency + grace), or null when never delivered. */
  due_date: string | null;
  freshness: Freshness | null;
  /** Share of valid rows over all deliveries of the feed (0..1), null when no row was ever delivered. */
  valid_share: number | null;
  /** Share of valid rows of each of the last deliveries, oldest first. */
  trend: { date: string; valid_share: number | null }[];
  direction: 'up' | 'down' | 'stable' | null;
  delivery_count: number;
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
  let dueDate: Date | null = null;
  let freshness: Freshness | null = null;
  if (feed && days) {
    if (!lastAccepted) freshness = 'never_delivered';
    else {
      dueDate = new Date(lastAccepted.receivedAt.getTime() + (days + feed.delai_de_grace_jours) * DAY);
      freshness = now.getTime() <= dueDate.getTime() ? 'up_to_date' : 'late';
    }
  }
  const totals = sorted.reduce((s, d) => ({ v: s.v + d.rowsValid, t: s.t + d.rowsTotal }), { v: 0, t: 0 });
  const trend = sorted.slice(-trendLength).map((d) => ({ date: d.receivedAt.toISOString(), valid_share: share(d.rowsValid, d.rowsTotal) }));
  return {
    schema,
    expected: !!feed,
    required: feed?.obligatoire ?? false,
    frequency: feed?.frequence ?? null,
    last_delivery: last ? { date: last.receivedAt.toISOString(), status: last.status, valid_share: share(last.rowsValid, last.rowsTotal) } : null,
    last_accepted: lastAccepted?.receivedAt.toISOString() ?? null,
    due_date: dueDate?.toISOString() ?? null,
    freshness,
    valid_share: share(totals.v, totals.t),
    trend,
    direction: trendDirection(trend.map((t) => t.valid_share)),
    delivery_count: sorted.length,
  };
}

/** The last delivery's share against the mean of the earlier ones in the window; 2 points either way is "stable". */
export function trendDirection(shares: (number | null)[]): FeedCompliance['direction'] {
  const known = shares.filter((s): s is number => s !== null);
  if (known.length < 2) return null;
  const last = known.at(-1)!;
  const before = known.slice(0, -1);
  const mean = before.reduce((a, b) => a + b, 0) / before.length;
  if (last - mean > 0.02) return 'up';
  if (mean - last > 0.02) return 'down';
  return 'stable';
}
