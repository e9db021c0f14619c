// Outgoing e-mail for every module: one SMTP transport per running context, from `HABITAT_SMTP_URL`, with one sender
// (`HABITAT_SMTP_FROM`). Without a URL there is no mailer: callers record that nothing was sent.
import nodemailer from 'nodemailer';
import type { AppContext } from './context.ts';

interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
}

/** The sender when `HABITAT_SMTP_FROM` is not set (the configuration's default). */
const DEFAULT_SENDER = 'Habitat Commun <ne-pas-repondre@habitat-commun.fr>';

/** A mailer over SMTP (`smtp://host:port`, `smtps://user:password@host:465`), every message from `from`. */
export function smtpMailer(url: string, from = DEFAULT_SENDER): Mailer {
  const transport = nodemailer.createTransport(url);
  return {
    async send(m) {
      await transport.sendMail({ from, to: m.to, subject: m.subject, text: m.text });
    },
  };
}

const installed = new WeakMap<AppContext, Mailer | null>();

/** The context's mailer, from its configuration; null when no SMTP server is configured. */
export function mailerOf(ctx: AppContext): Mailer | null {
  if (!installed.has(ctx)) installed.set(ctx, ctx.config.smtpUrl ? smtpMailer(ctx.config.smtpUrl, ctx.config.smtpFrom) : null);
  return installed.get(ctx) ?? null;
}
