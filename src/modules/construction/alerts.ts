// Alert rules applied to the store: a commune behind its PLH target pace, a programme stalled in a state. Each situation
// raises one notification (its key is unique), shown in the app and sent by e-mail to the agents concerned.
import nodemailer from 'nodemailer';
import { sql } from 'kysely';
import type { Db } from '../../platform/db.ts';
import type { Logger } from '../../platform/log.ts';
import { behindAlert, stalledAlert, STALL_MONTHS, type Alert, type ProgrammeState } from './model.ts';
import { countedProgramme } from './store.ts';
import { dashboard } from './targets.ts';

/** The alerts of these communes (an EPCI's territory), or of every commune. */
export async function evaluateAlerts(db: Db, now: Date, communes?: string[]): Promise<Alert[]> {
  const alerts: Alert[] = [];
  const year = now.getUTCFullYear();
  for (const row of (await dashboard(db, now, { communes })).communes) {
    if (year < row.periode_debut || year > row.periode_fin) continue;
    const a = behindAlert(
      row.commune,
      { communeCode: row.code_commune, periodStart: row.periode_debut, periodEnd: row.periode_fin, total: row.objectif_logements, social: row.objectif_logements_sociaux, sru: row.sru },
      { authorised: row.autorises, authorisedSocial: row.autorises_sociaux, started: row.commences, delivered: row.livres },
      now,
    );
    if (a) alerts.push(a);
  }
  let stalled = db
    .selectFrom('construction_programme as p')
    .select(['p.id', 'p.name', 'p.commune_code', 'p.state'])
    .select(sql<string>`p.state_since::text`.as('since'));
  if (communes) stalled = stalled.where('p.commune_code', 'in', communes.length ? communes : ['']);
  const programmes = await stalled
    .where('p.state', 'in', Object.keys(STALL_MONTHS))
    .where(countedProgramme)
    .execute();
  for (const p of programmes as any[]) {
    const a = stalledAlert({ id: p.id, name: p.name, communeCode: p.commune_code, state: p.state as ProgrammeState, stateSince: new Date(`${p.since}T00:00:00Z`) }, now);
    if (a) alerts.push(a);
  }
  return alerts;
}

/** The agents and admins of the commune's EPCI (not of the club's other EPCIs), and the commune's own users. */
async function recipients(db: Db, communeCode: string): Promise<string[]> {
  const commune = await db.selectFrom('commune').select('epci_siren').where('code', '=', communeCode).executeTakeFirst();
  const rows = await db
    .selectFrom('app_user as u')
    .innerJoin('organisation as o', 'o.id', 'u.organisation_id')
    .select('u.email')
    .where('u.active', '=', true)
    .where((eb) =>
      eb.or([
        eb.and([eb('o.kind', '=', 'epci'), eb('o.siren', '=', commune?.epci_siren ?? ''), eb('u.role', 'in', ['agent', 'admin'])]),
        eb.and([eb('o.kind', '=', 'commune'), eb('o.commune_code', '=', communeCode)]),
      ]),
    )
    .execute();
  return rows.map((r) => r.email as string).sort();
}

export async function runAlerts(db: Db, now: Date, opts: { smtpUrl?: string; from?: string; log?: Logger; communes?: string[] } = {}): Promise<{ created: Alert[]; emailed: number }> {
  const alerts = await evaluateAlerts(db, now, opts.communes);
  const created: (Alert & { id: string })[] = [];
  for (let i = 0; i < alerts.length; i += 500) {
    const batch = alerts.slice(i, i + 500);
    const rows = await db
      .insertInto('construction_notification')
      .values(batch.map((a) => ({ alert_key: a.key, rule: a.rule, commune_code: a.communeCode, programme_id: a.programmeId ?? null, message: a.message })))
      .onConflict((oc) => oc.column('alert_key').doNothing())
      .returning(['id', 'alert_key'])
      .execute();
    const byKey = new Map(batch.map((a) => [a.key, a]));
    for (const r of rows as any[]) created.push({ ...byKey.get(r.alert_key)!, id: r.id });
  }
  if (!opts.smtpUrl || !created.length) return { created, emailed: 0 };

  // One digest per person, not one message per alert.
  const perRecipient = new Map<string, (Alert & { id: string })[]>();
  const byCommune = new Map<string, string[]>();
  for (const a of created) {
    if (!byCommune.has(a.communeCode)) byCommune.set(a.communeCode, await recipients(db, a.communeCode));
    for (const to of byCommune.get(a.communeCode)!) perRecipient.set(to, [...(perRecipient.get(to) ?? []), a]);
  }
  const transport = nodemailer.createTransport(opts.smtpUrl);
  let emailed = 0;
  try {
    for (const [to, list] of perRecipient) {
      try {
        await transport.sendMail({
          from: opts.from ?? 'Habitat Commun <ne-pas-repondre@habitat-commun.fr>',
          to,
          subject: `Construction neuve : ${list.length} nouvelle(s) alerte(s)`,
          text: ['Bonjour,', '', 'Nouvelles alertes sur la construction neuve :', '', ...list.map((a) => `- ${a.message}`), '', 'Retrouvez-les dans l’application, rubrique Construction neuve.'].join('\n'),
        });
        emailed++;
        const ids = list.map((a) => a.id);
        await db.updateTable('construction_notification').set({ emailed_to: sql`array_append(emailed_to, ${to})` }).where('id', 'in', ids).execute();
      } catch (err) {
        opts.log?.warn({ err, to }, 'alerte construction : courriel non envoyé');
      }
    }
  } finally {
    transport.close();
  }
  return { created, emailed };
}

export async function listNotifications(db: Db, opts: { unreadOnly?: boolean; limit?: number; communes?: string[] } = {}) {
  let q = db
    .selectFrom('construction_notification as n')
    .leftJoin('commune as c', 'c.code', 'n.commune_code')
    .select(['n.id', 'n.rule', 'n.commune_code', 'c.nom as commune', 'n.programme_id', 'n.message', 'n.created_at', 'n.read_at'])
    .select(sql<number>`cardinality(n.emailed_to)`.as('courriels'))
    .orderBy('n.created_at', 'desc')
    .orderBy('n.id')
    .limit(opts.limit ?? 200);
  if (opts.unreadOnly) q = q.where('n.read_at', 'is', null);
  if (opts.communes) q = q.where('n.commune_code', 'in', opts.communes.length ? opts.communes : ['']);
  return (await q.execute()).map((r: any) => ({
    id: r.id,
    regle: r.rule,
    code_commune: r.commune_code,
    commune: r.commune,
    programme_id: r.programme_id,
    message: r.message,
    creee_le: new Date(r.created_at).toISOString(),
    lue_le: r.read_at ? new Date(r.read_at).toISOString() : null,
    courriels: Number(r.courriels),
  }));
}

/** The commune an alert is about (to check the perimeter before marking it read). */
export async function notificationCommune(db: Db, id: string): Promise<string | null | undefined> {
  const row = await db.selectFrom('construction_notification').select('commune_code').where('id', '=', id).executeTakeFirst();
  return row ? (row.commune_code ?? null) : undefined;
}

export async function markRead(db: Db, id: string): Promise<boolean> {
  const r = await db.updateTable('construction_notification').set({ read_at: sql`coalesce(read_at, now())` }).where('id', '=', id).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
