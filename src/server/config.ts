// Environment to typed config, validated once at start.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { z } from 'zod';

const booleanFlag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const postgresUrl = z
  .string()
  .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// or postgresql:// URL');

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    DATA_DIR: z.string().min(1).default('./data'),
    DATABASE_URL: postgresUrl.optional(),
    DATABASE_READ_URL: postgresUrl.optional(),
    REDIS_URL: z
      .string()
      .refine((v) => /^rediss?:\/\//.test(v), 'must be a redis:// or rediss:// URL')
      .optional(),
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    ADMIN_EMAIL: z.email().optional(),
    ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
    SEED_DEMO: booleanFlag.optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    BODY_LIMIT: z.coerce.number().int().positive().default(1024 * 1024),
    ACCESS_TOKEN_TTL: z.coerce.number().int().min(60).default(15 * 60),
    REFRESH_TOKEN_TTL: z.coerce.number().int().min(300).default(30 * 24 * 60 * 60),
    TRUST_PROXY: booleanFlag.default(false),
    INSTANCE_ID: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'must be 1 to 64 letters, digits or . _ : -').optional(),
    EVENT_RETENTION_HOURS: z.coerce.number().positive().max(24 * 365).default(72),
    WS_MAX_BUFFERED_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
    WS_HEARTBEAT_SECONDS: z.coerce.number().positive().max(3600).default(25),
    SSE_KEEPALIVE_SECONDS: z.coerce.number().positive().max(3600).default(15),
    UPLOAD_MAX_BYTES: z.coerce.number().int().positive().default(100 * 1024 * 1024),
    // Operations: shutdown, metrics, overload bounds, HTTP timeouts, the PostgreSQL pool.
    SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().positive().max(3600).default(10),
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: z.coerce.number().min(0).default(1000),
    OVERLOAD_MAX_HEAP_MB: z.coerce.number().min(0).optional(),
    OVERLOAD_MAX_RSS_MB: z.coerce.number().min(0).default(0),
    OVERLOAD_RETRY_AFTER_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
    HTTP_HEADERS_TIMEOUT_SECONDS: z.coerce.number().positive().max(3600).default(30),
    HTTP_REQUEST_TIMEOUT_SECONDS: z.coerce.number().positive().max(86_400).default(300),
    HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: z.coerce.number().positive().max(3600).default(72),
    // One pipelined connection for the statements outside transactions, at least one for transactions.
    DATABASE_POOL_SIZE: z.coerce
      .number()
      .int()
      .min(2, 'must be at least 2: one connection for statements outside transactions, one for transactions')
      .max(1000)
      .default(10),
    DATABASE_CONNECT_TIMEOUT_SECONDS: z.coerce.number().positive().max(300).default(5),
    SMTP_URL: z
      .string()
      .refine((v) => /^smtps?:\/\//.test(v), 'must be an smtp:// or smtps:// URL')
      .optional(),
    MAIL_FROM: z.string().min(3).default('skillEd <no-reply@skilled.local>'),
    PUBLIC_URL: z.url().optional(),
    REFRESH_IDLE_TTL: z.coerce.number().int().min(60).default(7 * 24 * 60 * 60),
    MAX_SESSIONS: z.coerce.number().int().min(1).max(100).default(10),
    SESSION_IP_BINDING: z
      .string()
      .regex(/^(off|\/\d{1,2}(,\/\d{1,3})?)$/, 'must be off, /N (IPv4 prefix) or /N,/M (IPv4 and IPv6 prefixes)')
      .refine((v) => v === 'off' || ipBindingPrefixes(v) !== null, 'prefixes must be at most /32 (IPv4) and /128 (IPv6)')
      .default('off'),
    SMS_PROVIDER_URL: z.url().optional(),
    SMS_PROVIDER_TOKEN: z.string().min(1).optional(),
    MAIL_POLL_SECONDS: z.coerce.number().min(0.05).max(3600).default(2),
    NOTIFICATION_JOBS_SECONDS: z.coerce.number().min(0.05).max(86_400).default(300),
    DIGEST_HOUR_UTC: z.coerce.number().int().min(0).max(23).default(7),
    RATE_LIMIT_ENABLED: booleanFlag.default(true),
    RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().positive().max(86_400).default(60),
    RATE_LIMIT_IP_MAX: z.coerce.number().int().min(1).default(600),
    RATE_LIMIT_USER_MAX: z.coerce.number().int().min(1).default(300),
    RATE_LIMIT_API_KEY_MAX: z.coerce.number().int().min(1).default(120),
    RATE_LIMIT_AUTH_MAX: z.coerce.number().int().min(1).default(10),
    RATE_LIMIT_AUTH_WINDOW_SECONDS: z.coerce.number().positive().max(86_400).default(60),
    LOCKOUT_THRESHOLD: z.coerce.number().int().min(1).max(1000).default(5),
    LOCKOUT_MINUTES: z.coerce.number().positive().max(7 * 1440).default(15),
    LOCKOUT_MAX_MINUTES: z.coerce.number().positive().max(30 * 1440).default(240),
    LOCKOUT_ACCOUNT_THRESHOLD: z.coerce.number().int().min(1).max(100_000).default(20),
    LOCKOUT_ACCOUNT_WINDOW_MINUTES: z.coerce.number().positive().max(7 * 1440).default(60),
    LOCKOUT_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(250),
    CORS_ORIGINS: z
      .string()
      .transform((v, ctx) => {
        const origins: string[] = [];
        for (const item of v.split(',').map((o) => o.trim()).filter(Boolean)) {
          const origin = URL.canParse(item) ? new URL(item).origin : 'null';
          if (origin === 'null' || !/^https?:/.test(origin)) {
            ctx.addIssue({ code: 'custom', message: `${item} is not an http(s) origin` });
            return z.NEVER;
          }
          origins.push(origin);
        }
        return origins;
      })
      .optional(),
    JWT_KEY_ROTATION_DAYS: z.coerce.number().min(0).max(3660).default(30),
    WEBHOOK_POLL_INTERVAL_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
    WEBHOOK_TIMEOUT_SECONDS: z.coerce.number().positive().max(60).default(10),
    WEBHOOK_RETRY_BASE_SECONDS: z.coerce.number().positive().max(86_400).default(60),
    WEBHOOK_RETRY_MAX_DELAY_SECONDS: z.coerce.number().positive().max(7 * 86_400).default(6 * 3600),
    WEBHOOK_RETRY_WINDOW_HOURS: z.coerce.number().positive().max(24 * 30).default(72),
    WEBHOOK_PAUSE_AFTER_FAILURES: z.coerce.number().int().min(1).max(10_000).default(20),
    WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
    WEBHOOK_LOG_RETENTION_DAYS: z.coerce.number().positive().max(3660).default(30),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'is required when NODE_ENV=production' });
    }
    if (env.HTTP_HEADERS_TIMEOUT_SECONDS > env.HTTP_REQUEST_TIMEOUT_SECONDS) {
      ctx.addIssue({ code: 'custom', path: ['HTTP_HEADERS_TIMEOUT_SECONDS'], message: 'must not exceed HTTP_REQUEST_TIMEOUT_SECONDS' });
    }
    if (env.DATABASE_READ_URL && !env.DATABASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['DATABASE_READ_URL'], message: 'needs DATABASE_URL (a read replica of that PostgreSQL database)' });
    }
    if (Boolean(env.ADMIN_EMAIL) !== Boolean(env.ADMIN_PASSWORD)) {
      ctx.addIssue({ code: 'custom', path: ['ADMIN_PASSWORD'], message: 'ADMIN_EMAIL and ADMIN_PASSWORD go together' });
    }
  });

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  /** A read replica of DATABASE_URL for the heavy read-only analytics and reports; they use the primary when unset. */
  databaseReadUrl: string | undefined;
  redisUrl: string | undefined;
  jwtSecret: string;
  admin: { email: string; password: string } | undefined;
  /** undefined: decide from the database (seed an empty embedded database only). */
  seedDemo: boolean | undefined;
  logLevel: string;
  bodyLimit: number;
  accessTokenTtl: number;
  refreshTokenTtl: number;
  /** A refresh token unused this long (seconds) ends its session; refreshTokenTtl bounds a session from sign-in. */
  refreshIdleTtl: number;
  accountSecurity: AccountSecuritySettings;
  trustProxy: boolean;
  /** Names this instance in an X-Instance-Id response header (behind a load balancer); no header when unset. */
  instanceId: string | undefined;
  /** Real-time: how long events stay resumable, the bound of a slow client's send buffer, heartbeats. */
  realtime: { eventRetentionHours: number; maxBufferedBytes: number; heartbeatSeconds: number; sseKeepAliveSeconds: number };
  /** Largest uploaded file in bytes; a larger one is cut off with 413. */
  uploadMaxBytes: number;
  /** How long a graceful shutdown may wait for requests in flight before it cuts them. */
  shutdownTimeoutMs: number;
  /** Bearer token for GET /metrics; when unset, only loopback clients may read it. */
  metricsToken: string | undefined;
  overload: OverloadSettings;
  /** Bounds on how long a client may take to send its headers, its whole request, and to reuse a connection. */
  httpTimeouts: { headersMs: number; requestMs: number; keepAliveMs: number };
  /** node-postgres pool (DATABASE_URL only): connections, and how long to wait for one before failing. */
  databasePool: { size: number; connectTimeoutMs: number };
  /** Outgoing mail: SMTP server (mail is logged when unset) and sender address. */
  mail: { smtpUrl: string | undefined; from: string };
  /** Address of the web app as users reach it, for links in mail (defaults to http://localhost:PORT). */
  publicUrl: string;
  /** Notifications: how often mail waiting to be sent is looked for, how often the digest and alert checks run, the digest's hour. */
  notifications: { mailPollMs: number; jobsIntervalMs: number; digestHourUtc: number };
  /** Platform protection: rate limits, sign-in lockout, cross-origin access, signing-key rotation. */
  security: SecuritySettings;
  /** Outgoing webhooks: how often each instance looks for work, the HTTP timeout, the retry schedule, when to pause. */
  webhooks: WebhookSettings;
}

export interface WebhookSettings {
  pollIntervalMs: number;
  timeoutMs: number;
  /** The first retry's delay; each next one doubles, up to retryMaxDelayMs, with jitter. */
  retryBaseMs: number;
  retryMaxDelayMs: number;
  /** Retries stop this long after the first attempt. */
  retryWindowMs: number;
  /** Failed attempts in a row (no success between) after which an endpoint is paused. */
  pauseAfterFailures: number;
  /** Deliveries in flight at once, per instance. */
  concurrency: number;
  /** Finished deliveries are kept in the log this long. */
  logRetentionMs: number;
}

/** Load shedding: above any of these (0 turns one off), requests get 503 OVERLOADED with Retry-After. */
export interface OverloadSettings {
  /** Mean event-loop delay over a one-second sample. */
  maxEventLoopDelayMs: number;
  maxHeapUsedBytes: number;
  maxRssBytes: number;
  retryAfterSeconds: number;
}

const MB = 1024 * 1024;

/** 90% of the V8 heap limit: past it, a process is close to dying of an out-of-memory error. */
function defaultHeapBoundMb(): number {
  return Math.floor((getHeapStatistics().heap_size_limit * 0.9) / MB);
}

export interface SecuritySettings {
  rateLimit: {
    enabled: boolean;
    windowMs: number;
    perIp: number;
    perUser: number;
    perApiKey: number;
    /** Sign-in, registration, password reset and MFA: per IP and endpoint group, in their own window. */
    auth: number;
    authWindowMs: number;
  };
  lockout: {
    threshold: number;
    lockMs: number;
    maxLockMs: number;
    accountThreshold: number;
    accountWindowMs: number;
    /** The first failure's added delay; each next failure of the same account and IP doubles it. */
    delayMs: number;
  };
  /** Browser origins other than the platform's own that may call the API with credentials. */
  corsOrigins: string[];
  /** Days after which a new access-token signing key is made; 0: only when an admin rotates. */
  signingKeyRotationDays: number;
}

/** Account security: concurrent sessions, binding of refreshes to the client's network, the SMS provider. */
export interface AccountSecuritySettings {
  /** Signed-in sessions a user may hold at once; signing in past it ends the oldest. */
  maxSessions: number;
  /** A refresh must come from the same network as the session's last use: prefix lengths, or null (off). */
  ipBinding: { ipv4: number; ipv6: number } | null;
  /** Where SMS codes are posted (JSON `{ to, message }`, bearer token); unset: codes are logged outside production. */
  sms: { providerUrl: string | undefined; providerToken: string | undefined };
}

/** `/24` or `/24,/64`: the IPv4 and IPv6 prefix lengths (IPv6 defaults to /64); null when out of range. */
function ipBindingPrefixes(value: string): { ipv4: number; ipv6: number } | null {
  const [ipv4, ipv6 = 64] = value.split(',').map((part) => Number(part.slice(1)));
  return ipv4 !== undefined && ipv4 <= 32 && ipv6 <= 128 ? { ipv4, ipv6 } : null;
}

export class ConfigError extends Error {}

/** Reads the JWT secret kept in DATA_DIR, creating it on first start. */
function persistedSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) return existing;
  } catch {
    // first start: fall through and create it
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "unset", as they do in most shells and .env files.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || 'environment'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const env = parsed.data;
  const dataDir = resolve(env.DATA_DIR);
  return {
    env: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    dataDir,
    databaseUrl: env.DATABASE_URL,
    databaseReadUrl: env.DATABASE_READ_URL,
    redisUrl: env.REDIS_URL,
    jwtSecret: env.JWT_SECRET ?? persistedSecret(dataDir),
    admin: env.ADMIN_EMAIL && env.ADMIN_PASSWORD ? { email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD } : undefined,
    seedDemo: env.SEED_DEMO,
    logLevel: env.LOG_LEVEL,
    bodyLimit: env.BODY_LIMIT,
    accessTokenTtl: env.ACCESS_TOKEN_TTL,
    refreshTokenTtl: env.REFRESH_TOKEN_TTL,
    refreshIdleTtl: Math.min(env.REFRESH_IDLE_TTL, env.REFRESH_TOKEN_TTL),
    accountSecurity: {
      maxSessions: env.MAX_SESSIONS,
      ipBinding: env.SESSION_IP_BINDING === 'off' ? null : ipBindingPrefixes(env.SESSION_IP_BINDING),
      sms: { providerUrl: env.SMS_PROVIDER_URL, providerToken: env.SMS_PROVIDER_TOKEN },
    },
    trustProxy: env.TRUST_PROXY,
    instanceId: env.INSTANCE_ID,
    realtime: {
      eventRetentionHours: env.EVENT_RETENTION_HOURS,
      maxBufferedBytes: env.WS_MAX_BUFFERED_BYTES,
      heartbeatSeconds: env.WS_HEARTBEAT_SECONDS,
      sseKeepAliveSeconds: env.SSE_KEEPALIVE_SECONDS,
    },
    uploadMaxBytes: env.UPLOAD_MAX_BYTES,
    shutdownTimeoutMs: Math.round(env.SHUTDOWN_TIMEOUT_SECONDS * 1000),
    metricsToken: env.METRICS_TOKEN,
    overload: {
      maxEventLoopDelayMs: env.OVERLOAD_MAX_EVENT_LOOP_DELAY_MS,
      maxHeapUsedBytes: Math.round((env.OVERLOAD_MAX_HEAP_MB ?? defaultHeapBoundMb()) * MB),
      maxRssBytes: Math.round(env.OVERLOAD_MAX_RSS_MB * MB),
      retryAfterSeconds: env.OVERLOAD_RETRY_AFTER_SECONDS,
    },
    httpTimeouts: {
      headersMs: Math.round(env.HTTP_HEADERS_TIMEOUT_SECONDS * 1000),
      requestMs: Math.round(env.HTTP_REQUEST_TIMEOUT_SECONDS * 1000),
      keepAliveMs: Math.round(env.HTTP_KEEP_ALIVE_TIMEOUT_SECONDS * 1000),
    },
    databasePool: { size: env.DATABASE_POOL_SIZE, connectTimeoutMs: Math.round(env.DATABASE_CONNECT_TIMEOUT_SECONDS * 1000) },
    mail: { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM },
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ''),
    notifications: {
      mailPollMs: Math.round(env.MAIL_POLL_SECONDS * 1000),
      jobsIntervalMs: Math.round(env.NOTIFICATION_JOBS_SECONDS * 1000),
      digestHourUtc: env.DIGEST_HOUR_UTC,
    },
    security: {
      rateLimit: {
        enabled: env.RATE_LIMIT_ENABLED,
        windowMs: Math.round(env.RATE_LIMIT_WINDOW_SECONDS * 1000),
        perIp: env.RATE_LIMIT_IP_MAX,
        perUser: env.RATE_LIMIT_USER_MAX,
        perApiKey: env.RATE_LIMIT_API_KEY_MAX,
        auth: env.RATE_LIMIT_AUTH_MAX,
        authWindowMs: Math.round(env.RATE_LIMIT_AUTH_WINDOW_SECONDS * 1000),
      },
      lockout: {
        threshold: env.LOCKOUT_THRESHOLD,
        lockMs: Math.round(env.LOCKOUT_MINUTES * 60_000),
        maxLockMs: Math.round(Math.max(env.LOCKOUT_MAX_MINUTES, env.LOCKOUT_MINUTES) * 60_000),
        accountThreshold: env.LOCKOUT_ACCOUNT_THRESHOLD,
        accountWindowMs: Math.round(env.LOCKOUT_ACCOUNT_WINDOW_MINUTES * 60_000),
        delayMs: env.LOCKOUT_DELAY_MS,
      },
      corsOrigins: env.CORS_ORIGINS ?? [],
      signingKeyRotationDays: env.JWT_KEY_ROTATION_DAYS,
    },
    webhooks: {
      pollIntervalMs: env.WEBHOOK_POLL_INTERVAL_MS,
      timeoutMs: Math.round(env.WEBHOOK_TIMEOUT_SECONDS * 1000),
      retryBaseMs: Math.round(env.WEBHOOK_RETRY_BASE_SECONDS * 1000),
      retryMaxDelayMs: Math.round(env.WEBHOOK_RETRY_MAX_DELAY_SECONDS * 1000),
      retryWindowMs: Math.round(env.WEBHOOK_RETRY_WINDOW_HOURS * 3_600_000),
      pauseAfterFailures: env.WEBHOOK_PAUSE_AFTER_FAILURES,
      concurrency: env.WEBHOOK_CONCURRENCY,
      logRetentionMs: Math.round(env.WEBHOOK_LOG_RETENTION_DAYS * 86_400_000),
    },
  };
}
