// TOTP (RFC 6238) as authenticator apps speak it: HMAC-SHA1, 6 digits, 30-second steps. A code is
// accepted for the current step or one step either side (clock drift); which step matched is returned,
// so that the caller can refuse any code of that step or an earlier one afterwards.
import { Secret, TOTP } from 'otpauth';

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted on either side of the current one. */
export const TOTP_DRIFT_STEPS = 1;
const ISSUER = 'skillEd';

const totpFor = (secret: Secret, label = ''): TOTP =>
  new TOTP({ issuer: ISSUER, label, secret, algorithm: 'SHA1', digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS });

/** A new random secret: 20 bytes (160 bits, as RFC 4226 recommends), base32-encoded. */
export const newTotpSecret = (): string => new Secret({ size: 20 }).base32;

/** The code of the step that contains `timestampMs`. */
export const totpCode = (base32Secret: string, timestampMs: number): string =>
  totpFor(Secret.fromBase32(base32Secret)).generate({ timestamp: timestampMs });

export const totpStep = (timestampMs: number): number => Math.floor(timestampMs / 1000 / TOTP_PERIOD_SECONDS);

/** The time step the code belongs to, or null when it matches none within the drift window. */
export function matchTotp(base32Secret: string, code: string, timestampMs = Date.now()): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totpFor(Secret.fromBase32(base32Secret)).validate({ token: code, timestamp: timestampMs, window: TOTP_DRIFT_STEPS });
  return delta === null ? null : totpStep(timestampMs) + delta;
}

/** The `otpauth://` URI and its QR code (a PNG data: URL) that an authenticator app scans. */
export async function totpProvisioning(base32Secret: string, accountName: string): Promise<{ otpauthUri: string; qrCode: string }> {
  const otpauthUri = totpFor(Secret.fromBase32(base32Secret), accountName).toString();
  // Loaded when someone sets up an authenticator, not at start-up.
  const { default: QRCode } = await import('qrcode');
  const qrCode = await QRCode.toDataURL(otpauthUri, { type: 'image/png', errorCorrectionLevel: 'M', margin: 2, width: 240 });
  return { otpauthUri, qrCode };
}
