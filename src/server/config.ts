// Environment to typed config, validated once at start.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
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
    EVENT_RETENTION_HOURS: z.coerce.number().positive().max(24 * 365).default(72),
    WS_MAX_BUFFERED_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
    WS_HEARTBEAT_SECONDS: z.coerce.number().positive().max(3600).default(25),
    SSE_KEEPALIVE_SECONDS: z.coerce.number().positive().max(3600).default(15),
    UPLOAD_MAX_BYTES: z.coerce.number().int().positive().default(100 * 1024 * 1024),
    SMTP_URL: z
      .string()
      .refine((v) => /^smtps?:\/\//.test(v), 'must be an smtp:// or smtps:// URL')
      .optional(),
    MAIL_FROM: z.string().min(3).default('skillEd <no-reply@skilled.local>'),
    PUBLIC_URL: z.url().optional(),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'is required when NODE_ENV=production' });
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
  redisUrl: string | undefined;
  jwtSecret: string;
  admin: { email: string; password: string } | undefined;
  /** undefined: decide from the database (seed an empty embedded database only). */
  seedDemo: boolean | undefined;
  logLevel: string;
  bodyLimit: number;
  accessTokenTtl: number;
  refreshTokenTtl: number;
  trustProxy: boolean;
  /** Real-time: how long events stay resumable, the bound of a slow client's send buffer, heartbeats. */
  realtime: { eventRetentionHours: number; maxBufferedBytes: number; heartbeatSeconds: number; sseKeepAliveSeconds: number };
  /** Largest uploaded file in bytes; a larger one is cut off with 413. */
  uploadMaxBytes: number;
  /** Outgoing mail: SMTP server (mail is logged when unset) and sender address. */
  mail: { smtpUrl: string | undefined; from: string };
  /** Address of the web app as users reach it, for links in mail (defaults to http://localhost:PORT). */
  publicUrl: string;
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
    redisUrl: env.REDIS_URL,
    jwtSecret: env.JWT_SECRET ?? persistedSecret(dataDir),
    admin: env.ADMIN_EMAIL && env.ADMIN_PASSWORD ? { email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD } : undefined,
    seedDemo: env.SEED_DEMO,
    logLevel: env.LOG_LEVEL,
    bodyLimit: env.BODY_LIMIT,
    accessTokenTtl: env.ACCESS_TOKEN_TTL,
    refreshTokenTtl: env.REFRESH_TOKEN_TTL,
    trustProxy: env.TRUST_PROXY,
    realtime: {
      eventRetentionHours: env.EVENT_RETENTION_HOURS,
      maxBufferedBytes: env.WS_MAX_BUFFERED_BYTES,
      heartbeatSeconds: env.WS_HEARTBEAT_SECONDS,
      sseKeepAliveSeconds: env.SSE_KEEPALIVE_SECONDS,
    },
    uploadMaxBytes: env.UPLOAD_MAX_BYTES,
    mail: { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM },
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ''),
  };
}
