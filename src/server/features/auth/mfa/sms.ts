// Outgoing SMS for sign-in and phone verification codes. With SMS_PROVIDER_URL set, each message is a
// JSON POST `{ to, message }` to the provider (bearer SMS_PROVIDER_TOKEN); without it, development and
// tests read the message in the log, and production refuses SMS as a second factor.
import type { FastifyBaseLogger } from 'fastify';
import { AppError } from '../../../http/errors.js';

export interface SmsSender {
  /** Whether codes can reach a phone (or, outside production, the log). */
  readonly available: boolean;
  send(to: string, message: string): Promise<void>;
}

export interface SmsSettings {
  providerUrl: string | undefined;
  providerToken: string | undefined;
  env: 'development' | 'production' | 'test';
}

const SEND_TIMEOUT_MS = 10_000;
const unavailable = () => new AppError('SMS_UNAVAILABLE', 'Text messages cannot be sent right now; use another method');

export function createSmsSender(settings: SmsSettings, log: FastifyBaseLogger): SmsSender {
  const { providerUrl, providerToken } = settings;
  if (!providerUrl) {
    const logs = settings.env !== 'production';
    return {
      available: logs,
      async send(to, message) {
        if (!logs) throw unavailable();
        log.info({ sms: { to, message } }, 'SMS not sent (SMS_PROVIDER_URL is unset)');
      },
    };
  }
  return {
    available: true,
    async send(to, message) {
      let response: Response;
      try {
        response = await fetch(providerUrl, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(providerToken ? { authorization: `Bearer ${providerToken}` } : {}),
          },
          body: JSON.stringify({ to, message }),
          signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
        });
      } catch (error) {
        log.error({ err: error }, 'the SMS provider could not be reached');
        throw unavailable();
      }
      if (!response.ok) {
        log.error({ status: response.status }, 'the SMS provider refused a message');
        throw unavailable();
      }
    },
  };
}
