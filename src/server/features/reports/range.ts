// The time range of a report or an export: `from` inclusive, `to` exclusive, in UTC. A plain date as
// `to` covers that whole day; without bounds a report covers the last 30 days, today included.
const DAY = 86_400_000;
export const DEFAULT_REPORT_DAYS = 30;

export interface TimeRange {
  from: Date;
  /** Exclusive. */
  to: Date;
}

const isPlainDate = (value: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(value);
const startOfUtcDay = (at: Date): Date => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));

export function parseUpperBound(value: string): Date {
  return isPlainDate(value) ? new Date(Date.parse(value) + DAY) : new Date(value);
}

/** A report's range: both bounds are optional (see the file comment). */
export function reportRange(fromText: string | undefined, toText: string | undefined, now = new Date()): TimeRange {
  const to = toText ? parseUpperBound(toText) : new Date(startOfUtcDay(now).getTime() + DAY);
  const from = fromText ? new Date(fromText) : new Date(startOfUtcDay(new Date(to.getTime() - 1)).getTime() - (DEFAULT_REPORT_DAYS - 1) * DAY);
  return { from, to };
}

/** `YYYY-MM-DD` of the first and last day the range touches, for file names and headings. */
export function rangeDays(range: TimeRange): { first: string; last: string } {
  return { first: range.from.toISOString().slice(0, 10), last: new Date(range.to.getTime() - 1).toISOString().slice(0, 10) };
}

/** Every UTC day the range touches, as `YYYY-MM-DD`, in order. */
export function daysOf(range: TimeRange): string[] {
  const days: string[] = [];
  for (let at = startOfUtcDay(range.from).getTime(); at < range.to.getTime(); at += DAY) days.push(new Date(at).toISOString().slice(0, 10));
  return days;
}
