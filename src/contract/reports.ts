// Reports (CSV or PDF files made on request) and background data exports.
import { z } from 'zod';
import { checkRange, RangeBound } from './admin.js';
import { AnalyticsPeriod, dataEnvelope, Id, IsoDate, PageQuery, pageEnvelope, UserSummary } from './common.js';

/** The longest range a report or export may cover, in days. */
export const MAX_RANGE_DAYS = 3660;

// ---- GET /api/admin/reports

export const ReportType = z.enum(['enrollments', 'grades', 'engagement']);
export type ReportType = z.infer<typeof ReportType>;
export const ReportFormat = z.enum(['csv', 'pdf']);
export type ReportFormat = z.infer<typeof ReportFormat>;

export const AdminReportQuery = z
  .object({
    type: ReportType.describe(
      'enrollments: one row per enrolment made in the range; grades: one row per submission graded in the range; engagement: one row per day',
    ),
    format: ReportFormat.default('csv'),
    from: RangeBound.optional().describe('Start of the range, inclusive (default: 30 days before `to`)'),
    to: RangeBound.optional().describe('End of the range; a plain date includes that whole day (default: today)'),
  })
  .superRefine(checkRange(MAX_RANGE_DAYS));
export type AdminReportQuery = z.infer<typeof AdminReportQuery>;

const fileResponse = (description: string, types: Record<string, string>) => ({
  description,
  content: Object.fromEntries(
    Object.entries(types).map(([type, what]) => [type, { schema: z.string().describe(what) }]),
  ),
});

export const ReportFileResponse = fileResponse('The report as a file download (`Content-Disposition: attachment`)', {
  'text/csv': 'RFC 4180 CSV, UTF-8, with a header row',
  'application/pdf': 'PDF with a summary, a table of the rows and a chart',
});

// ---- GET /api/analytics/report

export const ProgressReportQuery = z.object({
  format: ReportFormat.default('pdf'),
  period: AnalyticsPeriod.default('month').describe('Period of the study-time and activity figures'),
  userId: Id.optional().describe("Another learner's report: admins, and instructors of the learner's courses"),
});
export type ProgressReportQuery = z.infer<typeof ProgressReportQuery>;

// ---- POST /api/admin/export

export const ExportEntity = z.enum([
  'users',
  'courses',
  'lessons',
  'enrollments',
  'assignments',
  'submissions',
  'grades',
  'quizAttempts',
  'activities',
]);
export type ExportEntity = z.infer<typeof ExportEntity>;
export const ExportFormat = z.enum(['csv', 'json']);
export const ExportStatus = z.enum(['queued', 'running', 'completed', 'failed']);

export const CreateExportBody = z
  .object({
    entities: z
      .array(ExportEntity)
      .min(1, 'must name at least one entity')
      .refine((list) => new Set(list).size === list.length, 'must not repeat an entity')
      .describe('What to export'),
    format: ExportFormat.describe(
      'csv: one CSV file for one entity, a ZIP of one CSV per entity otherwise; json: one JSON object with an array per entity',
    ),
    from: RangeBound.optional().describe("Only rows whose own date (creation, enrolment, submission, grading) is on or after this"),
    to: RangeBound.optional().describe('Only rows dated up to this; a plain date includes that whole day'),
  })
  .superRefine(checkRange(MAX_RANGE_DAYS));
export type CreateExportBody = z.infer<typeof CreateExportBody>;

export const ExportCreated = z.object({
  exportId: Id,
  status: ExportStatus,
  statusUrl: z.string().describe('Where to poll the job'),
});
export type ExportCreated = z.infer<typeof ExportCreated>;
export const ExportCreatedResponse = dataEnvelope(ExportCreated);

export const ExportJob = z
  .object({
    exportId: Id,
    status: ExportStatus,
    entities: z.array(ExportEntity),
    format: ExportFormat,
    from: IsoDate.optional(),
    to: IsoDate.optional(),
    requestedBy: UserSummary.nullable().describe('null when that account was deleted'),
    fileName: z.string().optional().describe('Name of the download, once completed'),
    size: z.number().int().optional().describe('Bytes, once completed'),
    rowCounts: z.record(z.string(), z.number().int()).optional().describe('Rows written per entity, once completed'),
    error: z.string().optional().describe('Why the job failed'),
    attempts: z.number().int().describe('Runs started; a run cut short by a restart is run again'),
    createdAt: IsoDate,
    startedAt: IsoDate.optional(),
    finishedAt: IsoDate.optional(),
    statusUrl: z.string(),
    downloadUrl: z.string().optional().describe('Present once completed'),
  })
  .meta({ id: 'ExportJob' });
export type ExportJob = z.infer<typeof ExportJob>;
export const ExportJobResponse = dataEnvelope(ExportJob);

export const ExportIdParams = z.object({ exportId: Id });
export const ExportListQuery = PageQuery.extend({ status: ExportStatus.optional() });
export type ExportListQuery = z.infer<typeof ExportListQuery>;
export const ExportListResponse = pageEnvelope(ExportJob);

export const ExportFileResponse = fileResponse('The exported data as a file download', {
  'application/zip': 'One CSV per entity',
  'text/csv': 'One entity as RFC 4180 CSV',
  'application/json': 'An object with one array per entity',
});
