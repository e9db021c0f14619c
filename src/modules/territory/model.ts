// Territory rules: which COG entries the platform keeps, and how EPCI membership is derived.
// Pure functions over the @etalab/decoupage-administratif records; no I/O.

export interface CogCommune {
  code: string;
  nom: string;
  type: string;
  commune?: string; // parent commune of a municipal arrondissement
  departement?: string;
  region?: string;
  population?: number;
  codesPostaux?: string[];
}
export interface CogEpci {
  code: string; // SIREN
  nom: string;
  type: string;
  populationTotale?: number;
  membres: { code: string }[];
}

export interface CommuneRow {
  code: string;
  name: string;
  type: 'commune-actuelle' | 'arrondissement-municipal';
  parent_code: string | null;
  departement_code: string | null;
  region_code: string | null;
  epci_siren: string | null;
  population: number | null;
  postal_codes: string[];
}

/**
 * An INSEE commune code: 5 characters, digits, or `2A`/`2B` then 3 digits in Corsica (2A004). `0A123` is not one.
 * Every module checks codes with this pattern (through `communeCode` in contract.ts), never with its own.
 */
export const COMMUNE_CODE = /^(?:[0-9]{2}|2[AB])[0-9]{3}$/;
/** A cadastral section as DVF writes it in `id_parcelle`: commune (5), prefix (3), section (2) — 10 characters. */
export const CADASTRAL_SECTION = /^(?:[0-9]{2}|2[AB])[0-9]{3}[0-9A-Z]{3}[0-9A-Z]{2}$/;
/** A DVF `id_parcelle`: the section then the plot number (4 digits) — 14 characters. */
export const PARCEL_ID = /^(?:[0-9]{2}|2[AB])[0-9]{3}[0-9A-Z]{3}[0-9A-Z]{2}[0-9]{4}$/;
export const SIREN = /^[0-9]{9}$/;


/**
 * Keeps current communes and municipal arrondissements; the COG repeats a code for communes déléguées and
 * associées, which are not administrative units any more and would collide with their parent's code.
 * Arrondissements inherit their parent commune's EPCI.
 */
export function communeRows(communes: CogCommune[], epcis: CogEpci[]): CommuneRow[] {
  const epciOf = new Map<string, string>();
  for (const e of epcis) for (const m of e.membres) epciOf.set(m.code, e.code);
  const rows: CommuneRow[] = [];
  for (const c of communes) {
    if (c.type !== 'commune-actuelle' && c.type !== 'arrondissement-municipal') continue;
    if (!COMMUNE_CODE.test(c.code)) continue; // the COG has none, but a malformed code would break every lookup
    const parent = c.type === 'arrondissement-municipal' ? (c.commune ?? null) : null;
    rows.push({
      code: c.code,
      name: c.nom,
      type: c.type,
      parent_code: parent,
      departement_code: c.departement ?? null,
      region_code: c.region ?? null,
      epci_siren: epciOf.get(parent ?? c.code) ?? null,
      population: c.population ?? null,
      postal_codes: c.codesPostaux ?? [],
    });
  }
  // Parents first, so the self-reference (arrondissement -> commune) is satisfied inside one batch order.
  rows.sort((a, b) => Number(a.parent_code !== null) - Number(b.parent_code !== null));
  return rows;
}

/** The configured SIRENs that are not EPCIs of the COG: the instance refuses to start with them. */
export function unknownSirens(configured: string[], known: Set<string>): string[] {
  return configured.filter((s) => !known.has(s));
}

export interface Bbox {
  west: number;
  south: number;
  east: number;
  north: number;
}

/** Bounding box of GeoJSON geometries, to frame the map on the instance's territory. */
export function bboxOf(geometries: { type: string; coordinates: unknown }[]): Bbox | null {
  let west = Infinity, south = Infinity, east = -Infinity, north = -Infinity;
  const visit = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number' && typeof c[1] === 'number') {
      west = Math.min(west, c[0]); east = Math.max(east, c[0]);
      south = Math.min(south, c[1]); north = Math.max(north, c[1]);
    } else if (Array.isArray(c)) c.forEach(visit);
  };
  for (const g of geometries) visit(g.coordinates);
  return Number.isFinite(west) ? { west, south, east, north } : null;
}
