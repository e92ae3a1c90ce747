// Real-time events: the catalogue of event types and their payloads, the envelope every client receives
// (over the WebSocket and the SSE streams alike), and the WebSocket protocol's other messages.
import { z } from 'zod';
import { BadgeType, Id, IsoDate } from './common.js';

/** An event id: increasing, as a decimal string. Send back the last one seen to resume. */
export const EventId = z.string().regex(/^(0|[1-9][0-9]{0,15})$/, 'must be an event id');

/** An event id as a client sends it back: the string it received, or the same number. */
export const EventIdInput = z
  .union([EventId, z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)])
  .transform((value) => Number(value));

// ---- The catalogue: the spec's event types with the spec's payloads (plus the course where one applies).

export const eventPayloads = {
  'assignment.submitted': z.object({ assignmentId: Id, studentId: Id, courseId: Id }),
  'assignment.graded': z.object({ assignmentId: Id, studentId: Id, courseId: Id, grade: z.number() }),
  'course.updated': z.object({
    courseId: Id,
    changes: z.record(z.string(), z.unknown()).describe('The fields of the course that changed, with their new values'),
  }),
  'lesson.completed': z.object({ lessonId: Id, studentId: Id, courseId: Id }),
  'message.received': z.object({ messageId: Id, from: Id, content: z.string(), conversationId: Id }),
  'announcement.posted': z.object({
    announcementId: Id,
    courseId: Id.nullable().describe('null for a platform-wide announcement'),
  }),
  'notification.new': z.object({ notificationId: Id, userId: Id, type: z.string() }),
  'achievement.earned': z.object({ studentId: Id, badgeType: BadgeType }),
} as const;

export type EventType = keyof typeof eventPayloads;
export const eventTypes = Object.keys(eventPayloads) as [EventType, ...EventType[]];
export const EventType = z.enum(eventTypes);
export type EventPayload<T extends EventType> = z.infer<(typeof eventPayloads)[T]>;

const envelope = <T extends EventType>(type: T) =>
  z.object({
    id: EventId,
    type: z.literal(type),
    data: eventPayloads[type],
    at: IsoDate.describe('When the event was written'),
  });

/** What a client receives for each event: `{ id, type, data, at }`. */
export const RealtimeEvent = z
  .discriminatedUnion('type', [
    envelope('assignment.submitted'),
    envelope('assignment.graded'),
    envelope('course.updated'),
    envelope('lesson.completed'),
    envelope('message.received'),
    envelope('announcement.posted'),
    envelope('notification.new'),
    envelope('achievement.earned'),
  ])
  .meta({ id: 'RealtimeEvent' });
export type RealtimeEvent = z.infer<typeof RealtimeEvent>;

// ---- SSE topics: each stream carries the events of its topic.

export const EventTopic = z.enum(['assignments', 'notifications', 'course-progress']);
export type EventTopic = z.infer<typeof EventTopic>;

export const eventTopics: Record<EventTopic, readonly EventType[]> = {
  assignments: ['assignment.submitted', 'assignment.graded'],
  notifications: ['notification.new', 'message.received', 'announcement.posted', 'achievement.earned'],
  'course-progress': ['lesson.completed', 'course.updated'],
};

export const EventStreamQuery = z.object({
  lastEventId: EventIdInput.optional().describe('Resume after this event (the `Last-Event-ID` header wins when both are sent)'),
});
export const EventStreamHeaders = z.looseObject({
  'last-event-id': EventIdInput.optional().describe('Resume after this event; browsers send it when they reconnect'),
});

// ---- WebSocket protocol (`/api/ws`). Event messages are RealtimeEvent; the others have no `id`.

/** The WebSocket close codes the server uses. */
export const wsCloseCodes = {
  /** Not authenticated in time, a bad token, or the session ended (sign-out, suspension). */
  unauthenticated: 4401,
  /** The server is restarting: reconnect (to any instance) and resume. */
  serviceRestart: 1012,
  /** The client read too slowly and its send buffer passed the bound: reconnect and resume. */
  tryAgainLater: 1013,
} as const;

export const WsClientMessage = z
  .discriminatedUnion('type', [
    z.object({
      type: z.literal('auth'),
      token: z.string().min(1).max(4096).describe('An access token; only as the first message'),
      lastEventId: EventIdInput.optional().describe('Resume after this event, atomically with signing in'),
    }),
    z.object({ type: z.literal('subscribe'), courseId: Id }),
    z.object({ type: z.literal('unsubscribe'), courseId: Id }),
    z.object({ type: z.literal('resume'), lastEventId: EventIdInput }),
    z.object({ type: z.literal('ping') }),
  ])
  .meta({ id: 'WsClientMessage' });
export type WsClientMessage = z.infer<typeof WsClientMessage>;

export const WsServerMessage = z
  .discriminatedUnion('type', [
    z.object({
      type: z.literal('ready'),
      userId: Id,
      lastEventId: EventId.describe('The newest event id when the connection started: keep it to resume from'),
    }),
    z.object({ type: z.literal('subscribed'), courseId: Id }),
    z.object({ type: z.literal('unsubscribed'), courseId: Id }),
    z.object({ type: z.literal('resumed'), lastEventId: EventId.describe('Every missed event up to here was sent') }),
    z.object({
      type: z.literal('resync'),
      lastEventId: EventId.describe('Refetch your data, then continue from this id'),
      reason: z.string(),
    }),
    z.object({ type: z.literal('pong') }),
    z.object({
      type: z.literal('error'),
      code: z.string().describe('A code of the error catalogue: VALIDATION_ERROR, FORBIDDEN, COURSE_NOT_FOUND, ...'),
      message: z.string(),
      courseId: Id.optional(),
    }),
  ])
  .meta({ id: 'WsServerMessage' });
export type WsServerMessage = z.infer<typeof WsServerMessage>;
