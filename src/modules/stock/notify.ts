// The channels alerts go through: e-mail over SMTP (nodemailer, `HABITAT_SMTP_URL`) and SMS through a provider the
// operator plugs in. Nothing is sent when a channel is not configured; the notification is recorded as such.
import type { AppContext } from '../../platform/context.ts';
import { mailerOf, type Mailer } from '../../platform/mail.ts';

// The mailer is the platform's (one SMTP set-up, one sender for every module).
export { smtpMailer, type Mailer } from '../../platform/mail.ts';

/** An SMS gateway. Implement this for the operator's provider and install it with `useNotificationChannels`. */
export interface SmsProvider {
  name: string;
  send(to: string, text: string): Promise<void>;
}

export interface NotificationChannels {
  mailer: Mailer | null;
  sms: SmsProvider | null;
}

const installed = new WeakMap<AppContext, NotificationChannels>();

/** Installs channels for one running context (the server at start, a test with its own SMTP server and fake SMS). */
export function useNotificationChannels(ctx: AppContext, channels: Partial<NotificationChannels>): void {
  installed.set(ctx, { ...channelsFor(ctx), ...channels });
}

export function channelsFor(ctx: AppContext): NotificationChannels {
  const set = installed.get(ctx);
  if (set) return set;
  const channels: NotificationChannels = { mailer: mailerOf(ctx), sms: null };
  installed.set(ctx, channels);
  return channels;
}
