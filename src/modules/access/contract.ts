// The access module's contract: its requests and answers. No I/O: routes validate with these schemas, OpenAPI is
// generated from them, and the web pages import their types (`import type`).
import { z } from 'zod';
import { ROLES } from '../../platform/http/access.ts';
import { communeCode, siren } from '../territory/index.ts';
import { PARTNER_KINDS, SHARABLE } from './model.ts';

export const loginBody = z.object({ email: z.string().min(3).max(200), password: z.string().min(1).max(500) });
export const loginAnswer = z.object({ ok: z.literal(true), name: z.string(), role: z.string() });
export const okAnswer = z.object({ ok: z.literal(true) });

const organisation = z.object({
  id: z.string(),
  kind: z.string(),
  name: z.string(),
  siren: z.string().nullable(),
  commune_code: z.string().nullable(),
});
export const organisationWithEpcis = organisation.extend({ epcis: z.array(z.string()).describe('EPCI avec lesquels travaille un partenaire') });
export type OrganisationWithEpcis = z.infer<typeof organisationWithEpcis>;
export const organisationsAnswer = z.object({ organisations: z.array(organisationWithEpcis) });
export type OrganisationsAnswer = z.infer<typeof organisationsAnswer>;

export const newOrganisationBody = z.object({
  kind: z.enum(PARTNER_KINDS),
  name: z.string().min(2).max(200),
  siren: siren.nullish(),
  commune_code: communeCode.nullish(),
  epcis: z.array(siren).max(50).optional().describe('Opérateur : EPCI avec lesquels travaille le partenaire'),
});
export const organisationParams = z.object({ id: z.uuid() });
export const linkBody = z.object({ epci: siren });
export const linkParams = z.object({ id: z.uuid(), siren });

/** Where the caller acts (docs/security.md, « Périmètres »). */
const perimeter = z.object({
  kind: z.enum(['operator', 'epci', 'commune', 'partner']),
  description: z.string(),
  epci: z.string().nullable(),
  epcis: z.array(z.object({ siren: z.string(), name: z.string() })),
  communes: z.number().describe('Nombre de communes (et arrondissements) dont les données sont lisibles'),
  writes: z.boolean(),
  administers: z.enum(['instance', 'epci']).nullable(),
});
export const meAnswer = z.object({ kind: z.string(), name: z.string(), role: z.string(), organisation, perimeter });
export type Me = z.infer<typeof meAnswer>;

export const user = z.object({ id: z.string(), email: z.string(), name: z.string(), role: z.string(), organisation_id: z.string() });
export const userWithOrganisation = user.extend({ active: z.boolean(), organisation_name: z.string(), organisation_kind: z.string() });
export type UserWithOrganisation = z.infer<typeof userWithOrganisation>;
export const usersAnswer = z.object({ users: z.array(userWithOrganisation) });
export type UsersAnswer = z.infer<typeof usersAnswer>;
export const newUserBody = z.object({
  email: z.email('Adresse e-mail invalide'),
  name: z.string().min(2).max(200),
  password: z.string().max(500),
  role: z.enum(ROLES),
  organisation_id: z.uuid(),
});
export const userParams = z.object({ id: z.uuid() });
export const userChangeBody = z.object({ active: z.boolean().optional(), role: z.enum(ROLES).optional() });
export const passwordBody = z.object({ password: z.string().max(500) });

// Timestamps travel as ISO 8601 strings.
const session = z.object({ created_at: z.string(), expires_at: z.string(), ip: z.string().nullable(), user_agent: z.string().nullable() });
export const sessionsAnswer = z.object({ sessions: z.array(session) });
export type SessionsAnswer = z.infer<typeof sessionsAnswer>;
export const sessionsClosedAnswer = z.object({ closed: z.number() });
export type SessionsClosedAnswer = z.infer<typeof sessionsClosedAnswer>;

const apiKey = z.object({
  id: z.string(),
  organisation_id: z.string(),
  name: z.string(),
  prefix: z.string(),
  created_at: z.string(),
  revoked_at: z.string().nullable(),
  last_used_at: z.string().nullable(),
});
export const apiKeysAnswer = z.object({ keys: z.array(apiKey) });
export const newApiKeyBody = z.object({ name: z.string().min(2).max(100), organisation_id: z.uuid().optional() });
export const newApiKeyAnswer = z.object({ id: z.string(), organisation_id: z.string(), name: z.string(), prefix: z.string(), key: z.string() });
export const apiKeyParams = z.object({ id: z.uuid() });

export const auditQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100), entity: z.string().optional(), epci: siren.optional() });
const auditEntry = z.object({
  id: z.number(),
  at: z.string(),
  actor_kind: z.string(),
  actor_id: z.string().nullable(),
  organisation_id: z.string().nullable(),
  action: z.string(),
  entity: z.string(),
  entity_id: z.string().nullable(),
  detail: z.unknown(),
  ip: z.string().nullable(),
  epci_siren: z.string().nullable(),
  /** Personal data the operator may not read: identifiers and detail removed, with the French reason. */
  masked: z.string().optional(),
});
export const auditAnswer = z.object({ entries: z.array(auditEntry) });

export const sharing = z.object({ epci: z.string(), name: z.string(), items: z.array(z.enum(SHARABLE)) });
export type Sharing = z.infer<typeof sharing>;
export const sharingAnswer = z.object({ sharing: z.array(sharing) });
export type SharingAnswer = z.infer<typeof sharingAnswer>;
export const sharingParams = z.object({ siren });
export const sharingBody = z.object({ items: z.array(z.enum(SHARABLE)).max(SHARABLE.length) });
