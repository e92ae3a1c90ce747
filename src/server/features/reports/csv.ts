// RFC 4180 CSV: CRLF line ends, fields quoted when they hold a comma, a quote or a line break, quotes
// doubled. Text that a spreadsheet would run as a formula is neutralised with a leading single quote.

export type CsvValue = string | number | boolean | Date | null | undefined;

// OWASP's list: these starts make Excel, LibreOffice and Sheets evaluate a cell (tab and CR included).
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvLine = (values: readonly CsvValue[]): string => values.map(csvCell).join(',') + '\r\n';

export interface CsvColumn<Row> {
  header: string;
  value: (row: Row) => CsvValue;
}

/** The header line, then one line per row, read batch by batch: never more than a batch in memory. */
export async function* csvStream<Row>(columns: readonly CsvColumn<Row>[], batches: AsyncIterable<Row[]>): AsyncGenerator<string> {
  yield csvLine(columns.map((column) => column.header));
  for await (const batch of batches) {
    let chunk = '';
    for (const row of batch) chunk += csvLine(columns.map((column) => column.value(row)));
    if (chunk) yield chunk;
  }
}
