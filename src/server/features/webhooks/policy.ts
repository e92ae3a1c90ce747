// Who may manage which endpoint, and which events reach which endpoint: each a rule in one place.
import type { UserRole } from '../../../contract/common.js';
import { privateEventTypes } from '../../../contract/webhooks.js';
import type { EventType } from '../../../contract/events.js';
import type { AuthUser } from '../../http/auth.js';

/** Admins manage every endpoint; anyone else only their own. */
export const canManageEndpoint = (user: Pick<AuthUser, 'id' | 'role'>, endpoint: { ownerId: string }): boolean =>
  user.role === 'admin' || endpoint.ownerId === user.id;

/** What routing needs to know of an endpoint and its owner, as they are now. */
export interface EndpointRouting {
  ownerId: string;
  ownerRole: UserRole;
  ownerActive: boolean;
  courseId: string | null;
  /** The instructor of the endpoint's course now (null for an all-courses endpoint). */
  courseInstructorId: string | null;
  eventTypes: readonly string[];
  afterEventId: number;
}

export const isPrivateEventType = (type: string): boolean => privateEventTypes.includes(type as EventType);

/**
 * Does the endpoint receive the event? Only event types it asked for, only events after it was made, and
 * only while its owner's account is active. Then:
 * - an admin's endpoint without a course: every event; with a course: that course's events;
 * - an instructor's endpoint: the events of its course, while they still teach it, except the events private
 *   to their recipient (notification.new, message.received), which never go to an instructor's endpoint.
 * Students' endpoints (an instructor made student) receive nothing.
 */
export function endpointReceives(endpoint: EndpointRouting, event: { id: number; type: string; courseId: string | null }): boolean {
  if (event.id <= endpoint.afterEventId || !endpoint.eventTypes.includes(event.type) || !endpoint.ownerActive) return false;
  if (endpoint.ownerRole === 'admin') return endpoint.courseId === null || event.courseId === endpoint.courseId;
  if (endpoint.ownerRole !== 'instructor' || endpoint.courseId === null) return false;
  return event.courseId === endpoint.courseId && endpoint.courseInstructorId === endpoint.ownerId && !isPrivateEventType(event.type);
}
