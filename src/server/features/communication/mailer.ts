// Outgoing mail. With SMTP_URL set, mail goes through that server (nodemailer); without it, each
// message is written to the log instead, so development and tests see what would have been sent.
import type { FastifyBaseLogger } from 'fastify';
import type { Transporter } from 'nodemailer';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface Mailer {
  /** Sends one message; resolves when the SMTP server has accepted it (or it has been logged). */
  send(mail: OutgoingMail): Promise<void>;
  /** Whether mail really leaves the platform (SMTP_URL is set). */
  readonly delivers: boolean;
  close(): void;
}

export interface MailSettings {
  smtpUrl: string | undefined;
  from: string;
}

export function createMailer(settings: MailSettings, log: FastifyBaseLogger): Mailer {
  if (!settings.smtpUrl) {
    return {
      delivers: false,
      send: async (mail) => {
        log.info({ mail: { to: mail.to, subject: mail.subject, text: mail.text } }, 'mail not sent (SMTP_URL is unset)');
      },
      close: () => undefined,
    };
  }
  const smtpUrl = settings.smtpUrl;
  // nodemailer is loaded with the first message rather than at start-up.
  let transport: Promise<Transporter> | undefined;
  let closed = false;
  const connect = () => (transport ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport(smtpUrl)));
  return {
    delivers: true,
    send: async (mail) => {
      await (await connect()).sendMail({ from: settings.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
    },
    close: () => {
      if (closed) return;
      closed = true;
      void transport?.then((open) => open.close());
    },
  };
}
