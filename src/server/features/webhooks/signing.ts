// The signature of a delivery: `X-Skilled-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
// While a rotated secret's grace period lasts, a second `v1=` is signed with the previous secret, so a
// receiver that still has the old one keeps verifying. The timestamp is signed too: a receiver that
// refuses old timestamps cannot be fed a recorded delivery later.
import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-skilled-signature';
export const EVENT_HEADER = 'x-skilled-event';
export const DELIVERY_HEADER = 'x-skilled-delivery';

export function signatureHeader(secrets: readonly string[], body: string, at: Date): string {
  const timestamp = Math.floor(at.getTime() / 1000);
  const signatures = secrets.map((secret) => `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`);
  return [`t=${timestamp}`, ...signatures].join(',');
}
