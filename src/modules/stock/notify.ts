// The channels alerts go through: e-mail over SMTP (nodemailer, `HABITAT_SMTP_URL`) and SMS through a provider the
// operator plugs in. Nothing is sent when a channel is not configured; the notification is recorded as such.
import nodemailer from 'nodemailer';
import type { AppContext } from '../../platform/context.ts';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
}

/** An SMS gateway. Implement this for the operator's provider and install it with `useNotificationChannels`. */
export interface SmsProvider {
  name: string;
  send(to: string, text: string): Promise<void>;
}

export interface NotificationChannels {
  mailer: Mailer | null;
  sms: SmsProvider | null;
}

export function smtpMailer(url: string, from = 'Habitat Commun <ne-pas-repondre@habitat-commun.fr>'): Mailer {
  const transport = nodemailer.createTransport(url);
  return {
    async send(m) {
      await transport.sendMail({ from, to: m.to, subject: m.subject, text: m.text });
    },
  };
}

const installed = new WeakMap<AppContext, NotificationChannels>();

/** Installs channels for one running context (the server at start, a test with its own SMTP server and fake SMS). */
export function useNotificationChannels(ctx: AppContext, channels: Partial<NotificationChannels>): void {
  installed.set(ctx, { ...channelsFor(ctx), ...channels });
}

export function channelsFor(ctx: AppContext): NotificationChannels {
  const set = installed.get(ctx);
  if (set) return set;
  const url = ctx.config.smtpUrl;
  const channels: NotificationChannels = { mailer: url ? smtpMailer(url, ctx.config.smtpFrom) : null, sms: null };
  installed.set(ctx, channels);
  return channels;
}
