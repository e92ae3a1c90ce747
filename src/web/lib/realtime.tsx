// Live updates: one WebSocket per signed-in tab (the SDK's RealtimeClient). An event says what
// changed; the handlers below mark exactly the queries that show it as stale, and React Query
// refetches those that are on screen.
import type { QueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { RealtimeClient, type ConnectionState } from '../../sdk/realtime-client';
import { assignmentKeys } from '../features/assignments/queries';
import { communicationKeys } from '../features/communication/queries';
import { courseKeys } from '../features/courses/queries';
import { dashboardKeys } from '../features/dashboard/queries';
import { gradeKeys } from '../features/grades/queries';
import { lessonKeys } from '../features/lessons/queries';
import { toast } from '../ui/toast';
import { api } from './api';

const RealtimeContext = createContext<RealtimeClient | null>(null);

type Key = readonly unknown[];

function invalidate(queryClient: QueryClient, keys: Key[]) {
  for (const queryKey of keys) void queryClient.invalidateQueries({ queryKey });
}

/** The learner-side figures that move when a student's work changes. */
const learnerKeys = (studentId: string): Key[] => [
  [...dashboardKeys.all, 'analytics', studentId],
  dashboardKeys.courseProgress(studentId),
  dashboardKeys.achievements(studentId),
  gradeKeys.report(studentId),
];

export function connectInvalidation(client: RealtimeClient, queryClient: QueryClient, userId: string): () => void {
  const stops = [
    client.on('assignment.submitted', ({ assignmentId, studentId, courseId }) => {
      invalidate(queryClient, [
        [...assignmentKeys.all, 'submissions', assignmentId],
        [...assignmentKeys.all, 'mine'],
        [...assignmentKeys.all, 'feedback', assignmentId],
        assignmentKeys.detail(assignmentId),
        assignmentKeys.ofCourse(courseId),
        courseKeys.detail(courseId),
        [...courseKeys.all, 'progress', courseId],
        ...learnerKeys(studentId),
      ]);
    }),
    client.on('assignment.graded', ({ assignmentId, studentId, courseId, grade }) => {
      invalidate(queryClient, [
        [...assignmentKeys.all, 'submissions', assignmentId],
        [...assignmentKeys.all, 'mine'],
        [...assignmentKeys.all, 'feedback', assignmentId],
        assignmentKeys.detail(assignmentId),
        courseKeys.detail(courseId),
        [...courseKeys.all, 'progress', courseId],
        ...learnerKeys(studentId),
      ]);
      if (studentId === userId) toast.info(`An assignment of yours was graded: ${grade} points.`);
    }),
    client.on('lesson.completed', ({ lessonId, studentId, courseId }) => {
      invalidate(queryClient, [
        courseKeys.detail(courseId),
        [...courseKeys.all, 'progress', courseId],
        [...courseKeys.all, 'at-risk', courseId],
        lessonKeys.list(courseId),
        lessonKeys.detail(courseId, lessonId),
        ...learnerKeys(studentId),
      ]);
    }),
    client.on('course.updated', ({ courseId }) => {
      invalidate(queryClient, [courseKeys.detail(courseId), courseKeys.lists(), lessonKeys.list(courseId)]);
    }),
    client.on('notification.new', () => {
      invalidate(queryClient, [communicationKeys.notifications()]);
    }),
    client.on('message.received', () => {
      invalidate(queryClient, [communicationKeys.conversations(), [...communicationKeys.all, 'messages']]);
    }),
    client.on('announcement.posted', ({ courseId }) => {
      invalidate(queryClient, [communicationKeys.announcements(), ...(courseId ? [communicationKeys.announcements(courseId)] : [])]);
      toast.info('A new announcement was posted.');
    }),
    client.on('achievement.earned', ({ studentId }) => {
      invalidate(queryClient, [dashboardKeys.achievements(studentId)]);
      if (studentId === userId) toast.success('You earned a new badge!');
    }),
    // Missed events the server no longer keeps: everything on screen may be stale.
    client.on('resync', () => void queryClient.invalidateQueries()),
  ];
  return () => stops.forEach((stop) => stop());
}

/** Keeps one connection open while someone is signed in. */
export function RealtimeProvider({ userId, queryClient, children }: { userId: string | null; queryClient: QueryClient; children: ReactNode }) {
  const [client, setClient] = useState<RealtimeClient | null>(null);
  useEffect(() => {
    if (!userId) return;
    const realtime = new RealtimeClient({ api });
    const stopInvalidation = connectInvalidation(realtime, queryClient, userId);
    // After a reconnect the client resumes from the last event it delivered, so nothing is missed.
    realtime.connect().catch(() => undefined);
    setClient(realtime);
    return () => {
      stopInvalidation();
      realtime.close();
      setClient(null);
    };
  }, [userId, queryClient]);
  return <RealtimeContext.Provider value={client}>{children}</RealtimeContext.Provider>;
}

export const useRealtime = () => useContext(RealtimeContext);

/** Receives a course's member events (course.updated, its announcements) while the screen is shown. */
export function useCourseEvents(courseId: string | undefined, enabled = true) {
  const client = useRealtime();
  useEffect(() => {
    if (!client || !courseId || !enabled) return;
    client.subscribe(courseId).catch(() => undefined);
    return () => client.unsubscribe(courseId);
  }, [client, courseId, enabled]);
}

/** The connection's state, for a small "live" indicator. */
export function useRealtimeState(): ConnectionState {
  const client = useRealtime();
  const [state, setState] = useState<ConnectionState>(client?.state ?? 'idle');
  useEffect(() => {
    if (!client) return setState('idle');
    setState(client.state);
    return client.on('state', (change) => setState(change.state));
  }, [client]);
  return state;
}
