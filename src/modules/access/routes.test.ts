// The accounts' lifecycle (issue 21): deactivation, role change, password reset, sessions, the login lock, the cookie;
// and what an EPCI's admin does for its perimeter: link partners, choose what it shares with the club.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_PASSWORD, type Actor, type TestApp } from '../../../test/support/app.ts';
import { loadConfig } from '../../platform/config.ts';
import { LOGIN_MAX_FAILURES } from './model.ts';

const LYON = '200046977';
const TOULOUSE = '243100518';
let t: TestApp;
let admin: Actor;
let ip = 0;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login('admin');
});
afterAll(() => t?.close());

const emailOf = async (a: Actor) => (await t.ctx.db.selectFrom('app_user').select('email').where('id', '=', a.userId).executeTakeFirstOrThrow()).email;
/** Each attempt from another address: the lock must hold per account, not only per address (nor trip the rate limit). */
const login = (email: string, password: string) =>
  t.app.inject({ method: 'POST', url: '/api/access/login', payload: { email, password }, remoteAddress: `10.0.${Math.floor(++ip / 250)}.${ip % 250}`, headers: { 'user-agent': 'Navigateur de test' } });
const me = (a: { headers: Record<string, string> }) => t.app.inject({ url: '/api/access/me', headers: a.headers });
const patch = (id: string, payload: unknown, who = admin) => t.app.inject({ method: 'PATCH', url: `/api/access/users/${id}`, headers: who.headers, payload: payload as any });

describe('account lifecycle', () => {
  it('deactivating an account closes its sessions at once; reactivating lets it sign in again', async () => {
    const agent = await t.login('agent');
    expect((await me(agent)).statusCode).toBe(200);
    const off = await patch(agent.userId, { active: false });
    expect(off.json()).toMatchObject({ active: false });
    expect((await me(agent)).statusCode).toBe(401);
    const refused = await login(await emailOf(agent), TEST_PASSWORD);
    expect(refused.statusCode).toBe(401);
    expect(refused.json().detail).toBe('Adresse e-mail ou mot de passe incorrect.');
    await patch(agent.userId, { active: true });
    expect((await login(await emailOf(agent), TEST_PASSWORD)).statusCode).toBe(200);
  });

  it('a new role applies from the next request', async () => {
    const agent = await t.login('agent');
    const write = () => t.app.inject({ method: 'POST', url: '/api/plh/land', headers: agent.headers, payload: { reference: `R-${agent.userId.slice(0, 8)}`, nature: 'friche', commune_code: '69123', surface_m2: 10 } });
    expect((await write()).statusCode).toBe(200);
    expect((await patch(agent.userId, { role: 'readonly' })).json()).toMatchObject({ role: 'readonly' });
    expect((await write()).statusCode).toBe(403);
    // A role must fit the organisation, and only the operator names an operator.
    expect((await patch(agent.userId, { role: 'partner' })).statusCode).toBe(200);
    expect((await patch(agent.userId, { role: 'operator' })).statusCode).toBe(403);
    const partner = await t.login('partner', 'bailleur');
    expect((await patch(partner.userId, { role: 'agent' })).json()).toMatchObject({ status: 400, code: 'access.role_mismatch' });
  });

  it('resets a password: the old one stops working, sessions close, the new one opens', async () => {
    const agent = await t.login('agent');
    const res = await t.app.inject({ method: 'POST', url: `/api/access/users/${agent.userId}/password`, headers: admin.headers, payload: { password: 'un-tout-nouveau-mot-de-passe' } });
    expect(res.statusCode, res.body).toBe(200);
    expect((await me(agent)).statusCode).toBe(401);
    expect((await login(await emailOf(agent), TEST_PASSWORD)).statusCode).toBe(401);
    expect((await login(await emailOf(agent), 'un-tout-nouveau-mot-de-passe')).statusCode).toBe(200);
    const weak = await t.app.inject({ method: 'POST', url: `/api/access/users/${agent.userId}/password`, headers: admin.headers, payload: { password: 'court' } });
    expect(weak.json().detail).toMatch(/au moins 12 caractères/);
    // An admin does not change its own account here (nobody locks themselves out).
    expect((await patch(admin.userId, { active: false })).statusCode).toBe(403);
  });

  it('lists an account’s sessions, with where they were opened, and closes them all', async () => {
    const agent = await t.login('agent');
    await login(await emailOf(agent), TEST_PASSWORD);
    const list = (await t.app.inject({ url: `/api/access/users/${agent.userId}/sessions`, headers: admin.headers })).json().sessions;
    expect(list).toHaveLength(2);
    expect(list[0]).toMatchObject({ user_agent: 'Navigateur de test' });
    expect(list[0].ip).toMatch(/^10\.0\./);
    expect(JSON.stringify(list)).not.toMatch(/token/);
    const closed = await t.app.inject({ method: 'DELETE', url: `/api/access/users/${agent.userId}/sessions`, headers: admin.headers });
    expect(closed.json()).toEqual({ closed: 2 });
    expect((await me(agent)).statusCode).toBe(401);
  });

  it('an admin manages the accounts of its EPCI’s perimeter only', async () => {
    const toulouseAgent = await t.login('agent', 'epci', await t.epciOrg(TOULOUSE));
    expect((await patch(toulouseAgent.userId, { active: false })).json()).toMatchObject({ status: 403, code: 'access.outside_perimeter' });
    expect((await t.app.inject({ url: `/api/access/users/${toulouseAgent.userId}/sessions`, headers: admin.headers })).statusCode).toBe(403);
    const users = (await t.app.inject({ url: '/api/access/users', headers: admin.headers })).json().users.map((u: any) => u.id);
    expect(users).not.toContain(toulouseAgent.userId);
    expect(users).toContain(admin.userId);
  });
});

describe('login lock', () => {
  it(`locks an account after ${LOGIN_MAX_FAILURES} failures, whatever the address, even with the right password`, async () => {
    const agent = await t.login('agent');
    const email = await emailOf(agent);
    for (let i = 1; i < LOGIN_MAX_FAILURES; i++) expect((await login(email, 'mauvais mot de passe')).statusCode).toBe(401);
    const last = await login(email, 'mauvais mot de passe');
    expect(last.statusCode).toBe(429);
    expect(last.json().detail).toMatch(/^Trop d’échecs de connexion avec cette adresse : la connexion est bloquée jusqu’à \d\d:\d\d \(heure de Paris\)\./);
    const right = await login(email, TEST_PASSWORD);
    expect(right.statusCode).toBe(429);
    // The admin lifts it by resetting the password.
    await t.app.inject({ method: 'POST', url: `/api/access/users/${agent.userId}/password`, headers: admin.headers, payload: { password: 'mot-de-passe-apres-blocage' } });
    expect((await login(email, 'mot-de-passe-apres-blocage')).statusCode).toBe(200);
  });

  it('answers an unknown address exactly as a known one: the lock tells nothing about which accounts exist', async () => {
    const agent = await t.login('agent');
    const known = await emailOf(agent);
    const unknown = 'personne.inconnue@exemple.fr';
    const answers = async (email: string) => {
      const out: string[] = [];
      for (let i = 0; i <= LOGIN_MAX_FAILURES; i++) {
        const r = await login(email, 'mauvais mot de passe');
        out.push(`${r.statusCode} ${r.json().code} ${r.json().detail.replace(/\d\d:\d\d/, 'HH:MM')}`);
      }
      return out;
    };
    const a = await answers(known);
    expect(a[LOGIN_MAX_FAILURES - 1]).toMatch(/^429 access\.too_many_failures/);
    expect(await answers(unknown)).toEqual(a);
  });
});

describe('session cookie', () => {
  it('is Secure unless the server listens on a loopback address', async () => {
    expect(loadConfig({ HOST: '0.0.0.0' }).cookieSecure).toBe(true);
    expect(loadConfig({ HOST: 'habitat.exemple.fr' }).cookieSecure).toBe(true);
    expect(loadConfig({}).cookieSecure).toBe(false); // 127.0.0.1 by default
    expect(loadConfig({ HOST: '::1' }).cookieSecure).toBe(false);
    expect(loadConfig({ HOST: '0.0.0.0', HABITAT_COOKIE_SECURE: 'false' }).cookieSecure).toBe(false);
    const served = await createTestApp({ config: { host: '0.0.0.0', cookieSecure: loadConfig({ HOST: '0.0.0.0' }).cookieSecure } });
    try {
      const agent = await served.login('agent');
      const email = (await served.ctx.db.selectFrom('app_user').select('email').where('id', '=', agent.userId).executeTakeFirstOrThrow()).email;
      const res = await served.app.inject({ method: 'POST', url: '/api/access/login', payload: { email, password: TEST_PASSWORD } });
      expect(String(res.headers['set-cookie'])).toMatch(/hc_session=.*; Secure/);
    } finally {
      await served.close();
    }
  });
});

describe('an EPCI’s partners and what it shares', () => {
  it('an admin links a partner to its EPCI, which then reads its PLH; another EPCI’s admin may not', async () => {
    const partnerOrg = await t.org('bailleur');
    const partner = await t.login('partner', 'bailleur', partnerOrg);
    const programme = () => t.app.inject({ url: '/api/plh/programme', headers: partner.headers });
    expect((await programme()).json()).toMatchObject({ code: 'access.outside_perimeter' });
    const toulouseAdmin = await t.login('admin', 'epci', await t.epciOrg(TOULOUSE));
    const wrong = await t.app.inject({ method: 'POST', url: `/api/access/organisations/${partnerOrg}/epcis`, headers: toulouseAdmin.headers, payload: { epci: LYON } });
    expect(wrong.statusCode).toBe(403);
    const link = await t.app.inject({ method: 'POST', url: `/api/access/organisations/${partnerOrg}/epcis`, headers: admin.headers, payload: { epci: LYON } });
    expect(link.statusCode, link.body).toBe(200);
    expect((await programme()).json()).toEqual({ programme: null });
    const orgs = (await t.app.inject({ url: '/api/access/organisations', headers: admin.headers })).json().organisations;
    expect(orgs.find((o: any) => o.id === partnerOrg)).toMatchObject({ epcis: [LYON] });
    await t.app.inject({ method: 'DELETE', url: `/api/access/organisations/${partnerOrg}/epcis/${LYON}`, headers: admin.headers });
    expect((await programme()).statusCode).toBe(403);
  });

  it('an admin creates a partner already linked to its EPCI', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/access/organisations', headers: admin.headers, payload: { kind: 'promoteur', name: 'Promoteur du Rhône', siren: '123456789' } });
    expect(res.json()).toMatchObject({ kind: 'promoteur', epcis: [LYON] });
    const again = await t.app.inject({ method: 'POST', url: '/api/access/organisations', headers: admin.headers, payload: { kind: 'promoteur', name: 'Doublon', siren: '123456789' } });
    expect(again.json()).toMatchObject({ status: 409, code: 'access.siren_taken' });
    expect((await t.app.inject({ method: 'POST', url: '/api/access/organisations', headers: admin.headers, payload: { kind: 'epci', name: 'X' } })).statusCode).toBe(400);
  });

  it('an admin chooses what its EPCI shares with the club, and everyone signed in can see the choice', async () => {
    const put = await t.app.inject({ method: 'PUT', url: `/api/access/sharing/${LYON}`, headers: admin.headers, payload: { items: ['indicateurs_plh', 'indicateurs_plh'] } });
    expect(put.json()).toMatchObject({ epci: LYON, items: ['indicateurs_plh'] });
    const partner = await t.login('partner', 'bailleur');
    const all = (await t.app.inject({ url: '/api/access/sharing', headers: partner.headers })).json().sharing;
    expect(all).toEqual([
      { epci: LYON, name: 'Métropole de Lyon', items: ['indicateurs_plh'] },
      { epci: TOULOUSE, name: 'Toulouse Métropole', items: [] },
    ]);
    const agent = await t.login('agent');
    expect((await t.app.inject({ method: 'PUT', url: `/api/access/sharing/${LYON}`, headers: agent.headers, payload: { items: [] } })).statusCode).toBe(403);
    // Toulouse's agent now sees Lyon's PLH indicators in the club comparison; not the reverse.
    const toulouse = await t.login('agent', 'epci', await t.epciOrg(TOULOUSE));
    const club = (await t.app.inject({ url: '/api/plh/club?year=2026', headers: toulouse.headers })).json().epcis;
    expect(club.find((e: any) => e.epci === LYON)).toMatchObject({ shared: true });
    const fromLyon = (await t.app.inject({ url: '/api/plh/club?year=2026', headers: agent.headers })).json().epcis;
    expect(fromLyon.find((e: any) => e.epci === TOULOUSE)).toMatchObject({ shared: false, programme: null, targets: [], sru: null });
    await t.app.inject({ method: 'PUT', url: `/api/access/sharing/${LYON}`, headers: admin.headers, payload: { items: [] } });
    expect((await t.app.inject({ url: '/api/plh/club?year=2026', headers: toulouse.headers })).json().epcis.find((e: any) => e.epci === LYON).shared).toBe(false);
  });
});
