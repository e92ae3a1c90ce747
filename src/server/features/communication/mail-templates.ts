// The text of the mail notifications become: one notification, or a day's digest of them.
import type { OutgoingMail } from './mailer.js';
import { excerpt } from './text.js';

export interface MailRecipient {
  email: string;
  firstName: string;
}

export interface MailedNotification {
  title: string;
  body: string;
  link: string | null;
  createdAt: Date;
}

/** The most notifications a digest lists; it counts the rest. */
export const DIGEST_MAX_ITEMS = 50;

const footer = (publicUrl: string) =>
  `--\nYou receive this mail because of your notification settings. Change them at ${publicUrl}/settings/notifications.`;

const absolute = (publicUrl: string, link: string | null) => (link ? `${publicUrl}${link}` : publicUrl);

export function notificationMail(to: MailRecipient, notification: MailedNotification, publicUrl: string): OutgoingMail {
  const lines = [`Hi ${to.firstName},`, '', notification.body, '', `Open it: ${absolute(publicUrl, notification.link)}`, '', footer(publicUrl)];
  return { to: to.email, subject: notification.title, text: lines.join('\n') };
}

/** `items`: what arrived since the last digest and is still unread, oldest first; `unread`: all unread. */
export function digestMail(to: MailRecipient, items: readonly MailedNotification[], unread: number, publicUrl: string): OutgoingMail {
  const plural = (n: number) => `${n} notification${n === 1 ? '' : 's'}`;
  const listed = items.slice(0, DIGEST_MAX_ITEMS);
  const lines = [
    `Hi ${to.firstName},`,
    '',
    `Here is what happened since your last digest: ${plural(items.length)}. You have ${plural(unread)} unread in all.`,
    '',
  ];
  for (const item of listed) {
    lines.push(`* ${item.title} (${item.createdAt.toISOString().slice(0, 16).replace('T', ' ')} UTC)`);
    if (item.body) lines.push(`  ${excerpt(item.body, 200)}`);
    lines.push(`  ${absolute(publicUrl, item.link)}`, '');
  }
  if (items.length > listed.length) lines.push(`...and ${items.length - listed.length} more: ${publicUrl}/notifications`, '');
  lines.push(footer(publicUrl));
  return { to: to.email, subject: `Your skillEd digest: ${plural(items.length)}`, text: lines.join('\n') };
}
