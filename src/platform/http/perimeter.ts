// Perimeters: on whose territory, and on which organisations' data, a caller acts. One instance may serve a club of
// several EPCIs; each EPCI's people act on their own territory and see another's data only if it was shared with the
// club. The perimeter is computed once, when the caller is resolved (session or API key), from facts the access
// module reads (`perimeterOf`, pure), and carried on `Principal.perimeter`. Routes call `assertInPerimeter` for one
// object and `perimeterFilter` for lists, so the rules live here and nowhere else. Table in docs/security.md.
import type { FastifyRequest } from 'fastify';
import { AppError, unauthenticated } from '../errors.ts';
import type { Principal, Role } from './access.ts';

/**
 * - `operateur`: the club's operator; administers every EPCI's organisations and users, reads no EPCI's data;
 * - `epci`: a user of an EPCI organisation (admin, agent, readonly): that EPCI's whole territory;
 * - `commune`: a user of a commune organisation: its commune (and arrondissements), read only;
 * - `partenaire`: any other organisation (bailleur, promoteur, ADIL, State…): its own data, and the PLH data of the
 *   EPCIs that linked it.
 */
export type PerimeterKind = 'operateur' | 'epci' | 'commune' | 'partenaire';

export interface Perimeter {
  kind: PerimeterKind;
  /** The EPCI whose staff the caller is (`epci`), or whose commune it belongs to (`commune`); null otherwise. */
  epci: string | null;
  /** Territory data (non-personal: PLH, SRU, targets, land, construction, stock) the caller reads: EPCI → communes. */
  territoires: Record<string, string[]>;
  /** Organisations whose own data (deliveries, buildings, keys, users) the caller reads. */
  organisations: string[];
  /** EPCIs whose demands (personal data) the caller reads, and for a commune the communes it is limited to. */
  demandes: { epci: string; communes: string[] | null }[];
  /** Writes on the territory of `epci` (an EPCI's admin or agent). */
  ecrit: boolean;
  /** Administers organisations and users: of the whole instance (operator) or of its EPCI (EPCI admin). */
  administre: 'instance' | 'epci' | null;
  /** Names of the instance's EPCIs, for messages. */
  noms: Record<string, string>;
}

/** What the access module reads from the store about a caller, once per request. */
export interface PerimeterFacts {
  role: Role;
  organisation: { id: string; kind: string; siren: string | null; communeCode: string | null };
  /** Every EPCI of the instance → its communes, arrondissements included. */
  territory: Record<string, string[]>;
  noms: Record<string, string>;
  /** For a commune organisation: the EPCI of its commune, and the commune with its arrondissements. */
  commune?: { epci: string | null; codes: string[] };
  /** EPCIs that linked the organisation (table organisation_epci). */
  links: string[];
  /** For an instance EPCI's organisation: the organisations attached to it (linked partners, its communes'). */
  epciOrganisations: string[];
  /** EPCIs that authorised the organisation to read their demands (table demand_partner_access). */
  demandGrants: string[];
}

const pick = (territory: Record<string, string[]>, sirens: string[]) =>
  Object.fromEntries(sirens.filter((s) => territory[s]).map((s) => [s, territory[s]]));

export function perimeterOf(f: PerimeterFacts): Perimeter {
  const o = f.organisation;
  const base: Pick<Perimeter, 'noms' | 'organisations' | 'ecrit' | 'administre' | 'epci' | 'demandes'> = {
    noms: f.noms,
    organisations: [o.id],
    ecrit: false,
    administre: null,
    epci: null,
    demandes: [],
  };
  if (f.role === 'operator')
    return { ...base, kind: 'operateur', territoires: {}, administre: 'instance', demandes: f.demandGrants.filter((e) => f.territory[e]).map((epci) => ({ epci, communes: null })) };
  const instanceEpci = o.kind === 'epci' && o.siren && f.territory[o.siren] ? o.siren : null;
  if (instanceEpci && f.role !== 'partner') {
    const staff = f.role === 'admin' || f.role === 'agent';
    return {
      ...base,
      kind: 'epci',
      epci: instanceEpci,
      territoires: pick(f.territory, [instanceEpci]),
      organisations: [...new Set([o.id, ...f.epciOrganisations])],
      demandes: staff ? [{ epci: instanceEpci, communes: null }] : [],
      ecrit: staff,
      administre: f.role === 'admin' ? 'epci' : null,
    };
  }
  if (o.kind === 'commune') {
    const epci = f.commune?.epci && f.territory[f.commune.epci] ? f.commune.epci : null;
    const codes = f.commune?.codes ?? [];
    return {
      ...base,
      kind: 'commune',
      epci,
      territoires: epci && codes.length ? { [epci]: codes } : {},
      demandes: epci && f.demandGrants.includes(epci) ? [{ epci, communes: codes }] : [],
    };
  }
  // A partner organisation, or an API key of an EPCI organisation (it acts as a partner of its own EPCI).
  const epcis = instanceEpci ? [instanceEpci, ...f.links] : f.links;
  return {
    ...base,
    kind: 'partenaire',
    territoires: pick(f.territory, [...new Set(epcis)]),
    demandes: f.demandGrants.filter((e) => f.territory[e]).map((epci) => ({ epci, communes: null })),
  };
}

// ------------------------------------------------------------------------------------------------------------------
// Pure questions on a perimeter.

export const communesOf = (p: Perimeter): string[] => Object.values(p.territoires).flat();
export const epcisOf = (p: Perimeter): string[] => Object.keys(p.territoires);
export const epciOfCommune = (p: Perimeter, code: string): string | null =>
  Object.entries(p.territoires).find(([, codes]) => codes.includes(code))?.[0] ?? null;
export const readsEpci = (p: Perimeter, siren: string) => !!p.territoires[siren];
export const readsCommune = (p: Perimeter, code: string) => epciOfCommune(p, code) !== null;
export const writesEpci = (p: Perimeter, siren: string) => p.ecrit && p.epci === siren;
export const writesCommune = (p: Perimeter, code: string) => p.ecrit && !!p.epci && (p.territoires[p.epci] ?? []).includes(code);
export const readsOrganisation = (p: Perimeter, id: string) => p.organisations.includes(id);

const nameOf = (p: Perimeter, siren: string) => (p.noms[siren] ? `${p.noms[siren]} (SIREN ${siren})` : `l’EPCI ${siren}`);

/** Who the caller acts for, in words: « Métropole de Lyon », « la commune 69123 », « votre organisation ». */
export function describePerimeter(p: Perimeter): string {
  if (p.kind === 'operateur') return 'l’administration du club (aucune donnée de territoire)';
  if (p.kind === 'epci' && p.epci) return nameOf(p, p.epci);
  if (p.kind === 'commune') return p.epci ? `votre commune, dans ${nameOf(p, p.epci)}` : 'votre commune';
  const epcis = epcisOf(p);
  return epcis.length ? `votre organisation et ${epcis.map((e) => nameOf(p, e)).join(', ')}` : 'votre organisation';
}

export type Target = { epci?: string | null; commune?: string | null; organisation?: string | null };
export type Mode = 'lire' | 'ecrire';

/** Null when the perimeter allows the action on the target, else the French reason of the refusal. */
export function refusal(p: Perimeter, target: Target, mode: Mode = 'lire'): string | null {
  const mine = describePerimeter(p);
  if (mode === 'ecrire' && !p.ecrit) return `Votre compte ne peut pas modifier ces données (périmètre : ${mine}).`;
  if (target.epci) {
    const ok = mode === 'ecrire' ? writesEpci(p, target.epci) : readsEpci(p, target.epci);
    if (!ok) return `Ces données relèvent de ${nameOf(p, target.epci)}, hors de votre périmètre (${mine}).`;
  }
  if (target.commune) {
    const ok = mode === 'ecrire' ? writesCommune(p, target.commune) : readsCommune(p, target.commune);
    if (!ok) return `La commune ${target.commune} est hors de votre périmètre (${mine}).`;
  }
  if (target.organisation && !readsOrganisation(p, target.organisation))
    return `Ces données appartiennent à une organisation hors de votre périmètre (${mine}).`;
  return null;
}

// ------------------------------------------------------------------------------------------------------------------
// Helpers the routes call.

declare module 'fastify' {
  interface FastifyRequest {
    /** The EPCI on whose perimeter the request acted, for the audit log (set by `assertInPerimeter`). */
    auditEpci?: string | null;
  }
}

export const perimeterRefused = (why: string) => new AppError('access.outside_perimeter', why, 403);

export function perimeterOfRequest(req: FastifyRequest): Perimeter {
  const p: Principal | undefined = req.principal;
  if (!p) throw unauthenticated();
  return p.perimeter;
}

/**
 * Refuses (403, French message) a read or a write outside the caller's perimeter, and notes the EPCI acted on for the
 * audit log. Give what the object belongs to: its EPCI, its commune, its owning organisation (any of them).
 */
export function assertInPerimeter(req: FastifyRequest, target: Target, mode: Mode = 'lire'): void {
  const p = perimeterOfRequest(req);
  const why = refusal(p, target, mode);
  if (why) throw perimeterRefused(why);
  const epci = target.epci ?? (target.commune ? epciOfCommune(p, target.commune) : null);
  if (epci) req.auditEpci = epci;
}

export interface PerimeterFilter {
  kind: PerimeterKind;
  /** EPCIs whose territory data the caller reads. */
  epcis: string[];
  /** Communes (with arrondissements) whose territory data the caller reads. */
  communes: string[];
  /** Organisations whose own data the caller reads. */
  organisations: string[];
  /** The caller is an EPCI's staff (reads every organisation's data on its territory, not only its own). */
  staff: boolean;
}

/** What a list may contain for this caller: filter rows by EPCI, commune or organisation with it. */
export function perimeterFilter(req: FastifyRequest): PerimeterFilter {
  const p = perimeterOfRequest(req);
  return { kind: p.kind, epcis: epcisOf(p), communes: communesOf(p), organisations: p.organisations, staff: p.kind === 'epci' };
}

/**
 * The EPCI a request is about: the one asked for (checked), else the caller's own, else the only one it reads.
 * Refuses when the caller reads none, and asks to choose when it reads several.
 */
export function requestedEpci(req: FastifyRequest, asked: string | undefined, mode: Mode = 'lire'): string {
  const p = perimeterOfRequest(req);
  if (asked) {
    assertInPerimeter(req, { epci: asked }, mode);
    return asked;
  }
  const epcis = epcisOf(p);
  const epci = p.epci ?? (epcis.length === 1 ? epcis[0] : null);
  if (epci) {
    assertInPerimeter(req, { epci }, mode);
    return epci;
  }
  if (!epcis.length) throw perimeterRefused(`Aucun EPCI n’est dans votre périmètre (${describePerimeter(p)}).`);
  throw new AppError('access.epci_required', `Précisez l’EPCI (paramètre epci) : ${epcis.map((e) => nameOf(p, e)).join(', ')}.`, 400);
}

/**
 * Outside HTTP (the CLI): the EPCI a command acts on — the one given, which the instance must serve, else the
 * instance's only EPCI; a club must say which.
 */
export function chooseEpci(instanceEpcis: string[], asked: string | undefined, how = 'avec --epci <SIREN>'): string {
  if (asked) {
    if (!instanceEpcis.includes(asked)) throw new AppError('access.epci_not_served', `L’EPCI ${asked} n’est pas servi par cette instance (EPCI servis : ${instanceEpcis.join(', ')}).`, 400);
    return asked;
  }
  if (instanceEpcis.length === 1) return instanceEpcis[0];
  throw new AppError('access.epci_required', `Cette instance sert plusieurs EPCI (${instanceEpcis.join(', ')}) : précisez lequel ${how}.`, 400);
}
