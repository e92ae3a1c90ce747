// Reports made on request: the admin reports (enrolments, grades, engagement) and a learner's progress
// report. Each answers a file: its name, its type and a stream of its bytes.
import { Readable } from 'node:stream';
import { type AdminReportQuery, MAX_RANGE_DAYS, type ProgressReportQuery } from '../../../contract/reports.js';
import type { Database } from '../../db/client.js';
import type { AuthUser } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { createAnalyticsService } from '../analytics/service.js';
import { recordAudit } from '../audit/log.js';
import { reports } from './admin-reports.js';
import { findLearnerName, progressCsv, progressPdf, weeklyStudyMinutes } from './progress-report.js';
import { rangeDays, reportRange } from './range.js';

export interface ReportFile {
  fileName: string;
  contentType: string;
  body: Readable;
}

export const CSV_TYPE = 'text/csv; charset=utf-8';
export const PDF_TYPE = 'application/pdf';

/** A name safe inside a quoted Content-Disposition filename, on every platform. */
export const safeFileName = (name: string): string => name.replace(/[^A-Za-z0-9._-]+/g, '_');

/** `readDb` (the read replica, or the primary) answers the reports' queries; `db` records the audit entry. */
export function createReportsService({ db, readDb }: { db: Database; readDb: Database }) {
  const analytics = createAnalyticsService({ db: readDb });

  return {
    async adminReport(user: AuthUser, query: AdminReportQuery): Promise<ReportFile> {
      const range = reportRange(query.from, query.to);
      // With one bound given, the other is a default: check the range they make together.
      if (range.from >= range.to) {
        throw new AppError('VALIDATION_ERROR', 'Invalid request: querystring.from must be before to', { 'querystring.from': 'must be before to' });
      }
      if (range.to.getTime() - range.from.getTime() > MAX_RANGE_DAYS * 86_400_000) {
        throw new AppError('VALIDATION_ERROR', `Invalid request: querystring.from must be at most ${MAX_RANGE_DAYS} days before to`, {
          'querystring.from': `must be at most ${MAX_RANGE_DAYS} days before to`,
        });
      }
      const { first, last } = rangeDays(range);
      const report = reports[query.type];
      const fileName = `skilled-${query.type}-${first}-${last}.${query.format}`;
      // Reading data changes nothing, but who pulled which data out of the platform is worth keeping.
      await recordAudit(db, user, {
        action: 'report.generate',
        targetType: 'report',
        targetId: query.type,
        after: { type: query.type, format: query.format, from: range.from.toISOString(), to: range.to.toISOString() },
      });
      if (query.format === 'csv') {
        return { fileName, contentType: CSV_TYPE, body: Readable.from(report.csv(readDb, range)) };
      }
      const doc = await report.pdf(
        readDb,
        range,
        [`Range: ${first} to ${last} (UTC days; from ${range.from.toISOString()} up to ${range.to.toISOString()})`, `Generated ${new Date().toISOString()}`],
        `skillEd ${report.title} ${first} to ${last}`,
      );
      return { fileName, contentType: PDF_TYPE, body: doc };
    },

    /** The learner's own report, or another learner's for admins and the instructors of their courses. */
    async progressReport(viewer: AuthUser, query: ProgressReportQuery): Promise<ReportFile> {
      const userId = query.userId ?? viewer.id;
      // The analytics service applies the visibility rule (and limits an instructor to their courses).
      const stats = await analytics.forUser(viewer, userId, query.period);
      const courses = await analytics.coursesForUser(viewer, userId);
      const learner = await findLearnerName(readDb, userId);
      if (!learner) throw new AppError('USER_NOT_FOUND', 'User not found');
      const generatedAt = new Date();
      const data = { learner, period: query.period, analytics: stats, courses, weeks: await weeklyStudyMinutes(readDb, userId, generatedAt), generatedAt };
      await recordAudit(db, viewer, {
        action: 'report.generate',
        targetType: 'user',
        targetId: userId,
        after: { type: 'progress', format: query.format, period: query.period },
      });
      const fileName = safeFileName(`skilled-progress-${learner.username}-${generatedAt.toISOString().slice(0, 10)}.${query.format}`);
      if (query.format === 'csv') return { fileName, contentType: CSV_TYPE, body: Readable.from([progressCsv(data)]) };
      return { fileName, contentType: PDF_TYPE, body: await progressPdf(data) };
    },
  };
}
