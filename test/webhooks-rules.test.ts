// The webhook rules that need no server: which events reach which endpoint, which URLs production accepts
// (SSRF), the retry schedule, and the secret's encryption at rest.
import { describe, expect, it } from 'vitest';
import { nextAttemptAt, retryDelayMs } from '../src/server/features/webhooks/backoff.js';
import { endpointReceives, type EndpointRouting } from '../src/server/features/webhooks/policy.js';
import { createWebhookSecretBox } from '../src/server/features/webhooks/secrets.js';
import { checkResolvesPublic, checkUrlShape, isPublicAddress, publicOnlyLookup } from '../src/server/features/webhooks/url-policy.js';

const course = '11111111-1111-4111-8111-111111111111';
const otherCourse = '22222222-2222-4222-8222-222222222222';
const instructorId = '33333333-3333-4333-8333-333333333333';

const instructorEndpoint: EndpointRouting = {
  ownerId: instructorId,
  ownerRole: 'instructor',
  ownerActive: true,
  courseId: course,
  courseInstructorId: instructorId,
  eventTypes: ['lesson.completed', 'assignment.submitted', 'notification.new', 'message.received'],
  afterEventId: 100,
};
const adminEndpoint: EndpointRouting = { ...instructorEndpoint, ownerId: 'a', ownerRole: 'admin', courseId: null, courseInstructorId: null };

describe('endpointReceives', () => {
  const event = (overrides: Partial<{ id: number; type: string; courseId: string | null }> = {}) => ({
    id: 101,
    type: 'lesson.completed',
    courseId: course,
    ...overrides,
  });

  it("gives an instructor's endpoint its course's events of the types it asked for, after it was made", () => {
    expect(endpointReceives(instructorEndpoint, event())).toBe(true);
    expect(endpointReceives(instructorEndpoint, event({ id: 100 }))).toBe(false);
    expect(endpointReceives(instructorEndpoint, event({ type: 'course.updated' }))).toBe(false);
    expect(endpointReceives(instructorEndpoint, event({ courseId: otherCourse }))).toBe(false);
    expect(endpointReceives(instructorEndpoint, event({ courseId: null }))).toBe(false);
  });

  it("never gives an instructor's endpoint events private to a user, even of its course", () => {
    expect(endpointReceives(instructorEndpoint, event({ type: 'notification.new' }))).toBe(false);
    expect(endpointReceives(instructorEndpoint, event({ type: 'message.received' }))).toBe(false);
    expect(endpointReceives(adminEndpoint, event({ type: 'notification.new', courseId: null }))).toBe(true);
  });

  it('stops when the instructor no longer teaches the course, is suspended, or is no longer staff', () => {
    expect(endpointReceives({ ...instructorEndpoint, courseInstructorId: 'someone-else' }, event())).toBe(false);
    expect(endpointReceives({ ...instructorEndpoint, ownerActive: false }, event())).toBe(false);
    expect(endpointReceives({ ...instructorEndpoint, ownerRole: 'student' }, event())).toBe(false);
  });

  it("gives an admin's endpoint every course's events, or one course's when it names one", () => {
    expect(endpointReceives(adminEndpoint, event({ courseId: otherCourse }))).toBe(true);
    expect(endpointReceives({ ...adminEndpoint, courseId: course }, event({ courseId: otherCourse }))).toBe(false);
    expect(endpointReceives({ ...adminEndpoint, courseId: course }, event())).toBe(true);
  });
});

describe('URLs in production', () => {
  it('accepts public https URLs only', () => {
    expect(checkUrlShape('https://hooks.example.com/a?b=1', true)).toEqual({ url: 'https://hooks.example.com/a?b=1' });
    expect(checkUrlShape('https://93.184.216.34/hook', true)).toEqual({ url: 'https://93.184.216.34/hook' });
    for (const url of [
      'http://hooks.example.com/a',
      'http://localhost:3000/a',
      'https://localhost/a',
      'https://api.localhost/a',
      'https://127.0.0.1/a',
      'https://10.1.2.3/a',
      'https://172.20.0.1/a',
      'https://192.168.1.1/a',
      'https://169.254.169.254/latest/meta-data',
      'https://100.64.0.1/a',
      'https://0.0.0.0/a',
      'https://[::1]/a',
      'https://[fd00::1]/a',
      'https://[fe80::1]/a',
      'https://[::ffff:127.0.0.1]/a',
      'https://[::ffff:a9fe:a9fe]/a',
      'https://2130706433/a',
    ]) {
      expect(checkUrlShape(url, true), url).toHaveProperty('reason');
    }
  });

  it('allows plain http to loopback only outside production', () => {
    expect(checkUrlShape('http://127.0.0.1:8080/a', false)).toEqual({ url: 'http://127.0.0.1:8080/a' });
    expect(checkUrlShape('http://localhost/a', false)).toEqual({ url: 'http://localhost/a' });
    expect(checkUrlShape('http://10.0.0.1/a', false)).toHaveProperty('reason');
    expect(checkUrlShape('https://10.0.0.1/a', false)).toEqual({ url: 'https://10.0.0.1/a' });
  });

  it('tells public addresses from the rest', () => {
    expect(isPublicAddress('8.8.8.8')).toBe(true);
    expect(isPublicAddress('2606:4700:4700::1111')).toBe(true);
    for (const address of ['127.0.0.1', '10.0.0.1', '192.168.0.1', '172.31.255.255', '169.254.1.1', '::1', 'fc00::1', '::ffff:10.0.0.1', '224.0.0.1', 'nonsense']) {
      expect(isPublicAddress(address), address).toBe(false);
    }
  });

  it('refuses names that resolve to this machine, at registration and on connection', async () => {
    expect(await checkResolvesPublic('https://localhost/a')).toMatch(/private network/);
    expect(await checkResolvesPublic('https://127.0.0.1/a')).toMatch(/private network/);
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => publicOnlyLookup('localhost', {}, (failure) => resolve(failure)));
    expect(error?.code).toBe('EADDRNOTPUBLIC');
  });
});

describe('the retry schedule', () => {
  const schedule = { retryBaseMs: 60_000, retryMaxDelayMs: 6 * 3_600_000, retryWindowMs: 72 * 3_600_000 };

  it('doubles from the base up to the cap, within ±20 % jitter', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, schedule, () => 0.5))).toEqual([60_000, 120_000, 240_000, 480_000]);
    expect(retryDelayMs(20, schedule, () => 0.5)).toBe(6 * 3_600_000);
    expect(retryDelayMs(1, schedule, () => 0)).toBe(48_000);
    expect(retryDelayMs(1, schedule, () => 0.999999)).toBeCloseTo(72_000, -1);
  });

  it('stops 72 hours after the first attempt: about 20 attempts in all', () => {
    const first = new Date('2026-01-01T00:00:00Z');
    let now = first;
    let attempts = 1;
    for (;;) {
      const next = nextAttemptAt(attempts, first, now, schedule, () => 0.5);
      if (!next) break;
      now = next;
      attempts++;
    }
    expect(now.getTime() - first.getTime()).toBeLessThanOrEqual(72 * 3_600_000);
    expect(attempts).toBe(20);
  });
});

describe('secrets at rest', () => {
  it('round-trips, and does not open under another key or for another endpoint', () => {
    const box = createWebhookSecretBox('a'.repeat(40));
    const sealed = box.seal('endpoint-1', 'whsec_test');
    expect(sealed).not.toContain('whsec_test');
    expect(box.open('endpoint-1', sealed)).toBe('whsec_test');
    expect(box.open('endpoint-2', sealed)).toBeNull();
    expect(createWebhookSecretBox('b'.repeat(40)).open('endpoint-1', sealed)).toBeNull();
    expect(box.open('endpoint-1', 'v1.garbage')).toBeNull();
  });
});
