// What landlords deliver through the referential's "parc-social" feed (per landlord × commune × year: dwellings,
// QPV, F/G classes, vacancy), summed for a scope. Read through the referential's `acceptedRows`, as its comment
// invites; only each landlord's newest delivery counts (a delivery replaces the previous one).
import type { Db } from '../../platform/db.ts';
import { acceptedRows } from '../referential/index.ts';

export interface DeclaredStock {
  source: string;
  bailleurs: number;
  lignes: number;
  annee: number | null;
  nb_logements: number;
  nb_logements_qpv: number;
  /** Null when no delivered line gave the (optional) F/G count. */
  nb_logements_dpe_f_g: number | null;
  nb_logements_vacants: number;
}

const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : null);

export async function declaredStock(db: Db, scope: { communes?: string[]; organisationId?: string }): Promise<DeclaredStock> {
  const rows = await acceptedRows(db, 'parc-social', { latestPerOrganisation: true, organisationId: scope.organisationId });
  const communes = scope.communes ? new Set(scope.communes) : null;
  const kept = rows.filter((r) => !communes || communes.has(String(r.data.code_commune)));
  // A delivery may hold several years: keep each landlord's most recent year only.
  const lastYear = new Map<string, number>();
  for (const r of kept) lastYear.set(r.organisationId, Math.max(lastYear.get(r.organisationId) ?? 0, num(r.data.annee) ?? 0));
  const latest = kept.filter((r) => num(r.data.annee) === lastYear.get(r.organisationId));
  let fg: number | null = null;
  const sum = (k: string) => latest.reduce((s, r) => s + (num(r.data[k]) ?? 0), 0);
  for (const r of latest) {
    const v = num(r.data.nb_logements_dpe_f_g);
    if (v !== null) fg = (fg ?? 0) + v;
  }
  return {
    source: 'Livraisons « parc-social » des bailleurs au référentiel (dernière livraison de chaque bailleur, année la plus récente).',
    bailleurs: lastYear.size,
    lignes: latest.length,
    annee: lastYear.size ? Math.max(...lastYear.values()) : null,
    nb_logements: sum('nb_logements'),
    nb_logements_qpv: sum('nb_logements_qpv'),
    nb_logements_dpe_f_g: fg,
    nb_logements_vacants: sum('nb_logements_vacants'),
  };
}
