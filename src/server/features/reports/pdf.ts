// Drawing blocks for PDF reports (pdfkit, pure JavaScript): a heading, a summary grid, bar and line
// charts drawn with vector paths, and a table that continues across pages with its header repeated.
import type PDFDocument from 'pdfkit';

export type PdfDoc = PDFKit.PDFDocument;

const MARGIN = 40;
const INK = '#1f2937';
const MUTED = '#6b7280';
const RULE = '#d1d5db';
const ACCENT = '#2563eb';
const BAND = '#f3f4f6';

// The standard PDF fonts encode WinAnsi only: Latin-1 plus these. Anything else is written without its
// accents when it has a Latin base letter, or as '?', rather than as a wrong glyph.
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
// Latin letters that have no decomposition to strip.
const LATIN_FALLBACK: Record<string, string> = { Ł: 'L', ł: 'l', Đ: 'D', đ: 'd', Ħ: 'H', ħ: 'h', ı: 'i', Ŀ: 'L', ŀ: 'l', Ŧ: 'T', ŧ: 't' };
const encodable = (ch: string): boolean => {
  const code = ch.codePointAt(0)!;
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRA.has(ch);
};

export function pdfText(value: string): string {
  let out = '';
  for (const ch of value.replace(/[\r\n\t]+/g, ' ')) {
    if (encodable(ch)) out += ch;
    else {
      const base = LATIN_FALLBACK[ch] ?? ch.normalize('NFKD').replace(/\p{M}/gu, '');
      out += base && [...base].every(encodable) ? base : '?';
    }
  }
  return out;
}

let pdfkit: Promise<typeof PDFDocument> | undefined;

export async function createPdf(title: string, layout: 'landscape' | 'portrait' = 'landscape'): Promise<PdfDoc> {
  // pdfkit is loaded with the first report rather than at start-up (it is the largest module the server uses).
  const Document = await (pdfkit ??= import('pdfkit').then((module) => module.default));
  return new Document({
    size: 'A4',
    layout,
    margin: MARGIN,
    bufferPages: true,
    info: { Title: pdfText(title), Author: 'skillEd', Creator: 'skillEd' },
  });
}

const contentWidth = (doc: PdfDoc): number => doc.page.width - doc.page.margins.left - doc.page.margins.right;
const bottom = (doc: PdfDoc): number => doc.page.height - doc.page.margins.bottom;

/** Starts a new page unless `height` points still fit on this one. */
function ensureSpace(doc: PdfDoc, height: number): void {
  if (doc.y + height > bottom(doc)) doc.addPage();
}

export function heading(doc: PdfDoc, title: string, lines: string[]): void {
  doc.font('Helvetica-Bold').fontSize(18).fillColor(INK).text(pdfText(title), MARGIN, doc.y);
  doc.moveDown(0.2);
  doc.font('Helvetica').fontSize(10).fillColor(MUTED);
  for (const line of lines) doc.text(pdfText(line));
  doc.moveDown(0.8);
}

export function sectionTitle(doc: PdfDoc, title: string): void {
  ensureSpace(doc, 40);
  doc.font('Helvetica-Bold').fontSize(12).fillColor(INK).text(pdfText(title), MARGIN, doc.y);
  doc.moveDown(0.3);
}

/** Label/value pairs in a grid of three columns. */
export function summaryGrid(doc: PdfDoc, items: readonly (readonly [string, string])[]): void {
  const columns = 3;
  const width = contentWidth(doc) / columns;
  const rowHeight = 30;
  for (let i = 0; i < items.length; i += columns) {
    ensureSpace(doc, rowHeight);
    const y = doc.y;
    items.slice(i, i + columns).forEach(([label, value], index) => {
      const x = MARGIN + index * width;
      doc.font('Helvetica').fontSize(8).fillColor(MUTED).text(pdfText(label), x, y, { width: width - 10, lineBreak: false, ellipsis: true });
      doc.font('Helvetica-Bold').fontSize(12).fillColor(INK).text(pdfText(value), x, y + 10, { width: width - 10, lineBreak: false, ellipsis: true });
    });
    doc.x = MARGIN;
    doc.y = y + rowHeight;
  }
  doc.moveDown(0.5);
}

export interface ChartPoint {
  label: string;
  value: number;
}

/** 1, 2 or 5 times a power of ten, at least `value`: round axis ticks. */
function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

const TICKS = 4;
// The charts show counts and minutes: a whole-number step keeps every tick a whole number.
const axisTop = (max: number): number => TICKS * Math.max(1, niceCeiling(max / TICKS));

const formatTick = (value: number): string => (Number.isInteger(value) ? String(value) : value.toFixed(1));

interface ChartFrame {
  left: number;
  top: number;
  width: number;
  height: number;
  max: number;
}

/** Axes, four horizontal grid lines with their values, and at most 12 x labels. */
function chartFrame(doc: PdfDoc, title: string, points: readonly ChartPoint[], height: number): ChartFrame {
  ensureSpace(doc, height + 60);
  sectionTitle(doc, title);
  const left = MARGIN + 36;
  const top = doc.y + 6;
  const width = contentWidth(doc) - 36;
  const max = axisTop(Math.max(0, ...points.map((p) => p.value)));
  doc.lineWidth(0.5).strokeColor(RULE);
  doc.font('Helvetica').fontSize(7).fillColor(MUTED);
  for (let tick = 0; tick <= TICKS; tick++) {
    const y = top + height - (height * tick) / TICKS;
    doc.moveTo(left, y).lineTo(left + width, y).stroke();
    doc.text(formatTick((max * tick) / TICKS), MARGIN, y - 3, { width: 32, align: 'right', lineBreak: false });
  }
  const every = Math.max(1, Math.ceil(points.length / 12));
  const slot = width / Math.max(points.length, 1);
  points.forEach((point, index) => {
    if (index % every !== 0) return;
    doc.text(pdfText(point.label), left + index * slot, top + height + 4, {
      width: Math.max(slot * every, 30),
      lineBreak: false,
      ellipsis: true,
    });
  });
  return { left, top, width, height, max };
}

function endChart(doc: PdfDoc, frame: ChartFrame, emptyNote: boolean): void {
  if (emptyNote) {
    doc.font('Helvetica').fontSize(9).fillColor(MUTED).text('No data in this range', frame.left, frame.top + frame.height / 2 - 5, {
      width: frame.width,
      align: 'center',
    });
  }
  doc.fillColor(INK);
  doc.x = MARGIN;
  doc.y = frame.top + frame.height + 22;
}

export function barChart(doc: PdfDoc, title: string, points: readonly ChartPoint[], height = 160): void {
  const frame = chartFrame(doc, title, points, height);
  const slot = frame.width / Math.max(points.length, 1);
  const barWidth = Math.max(1, slot * 0.7);
  doc.fillColor(ACCENT);
  points.forEach((point, index) => {
    if (point.value <= 0) return;
    const barHeight = (point.value / frame.max) * frame.height;
    doc.rect(frame.left + index * slot + (slot - barWidth) / 2, frame.top + frame.height - barHeight, barWidth, barHeight).fill();
  });
  if (points.length <= 31) {
    doc.font('Helvetica').fontSize(6).fillColor(INK);
    points.forEach((point, index) => {
      if (point.value <= 0) return;
      const y = frame.top + frame.height - (point.value / frame.max) * frame.height - 8;
      doc.text(formatTick(point.value), frame.left + index * slot, y, { width: slot, align: 'center', lineBreak: false });
    });
  }
  endChart(doc, frame, points.every((p) => p.value <= 0));
}

export function lineChart(doc: PdfDoc, title: string, points: readonly ChartPoint[], height = 160): void {
  const frame = chartFrame(doc, title, points, height);
  const slot = frame.width / Math.max(points.length, 1);
  const at = (index: number) => ({
    x: frame.left + index * slot + slot / 2,
    y: frame.top + frame.height - (points[index]!.value / frame.max) * frame.height,
  });
  if (points.length > 0) {
    doc.lineWidth(1.5).strokeColor(ACCENT);
    const first = at(0);
    doc.moveTo(first.x, first.y);
    for (let i = 1; i < points.length; i++) {
      const next = at(i);
      doc.lineTo(next.x, next.y);
    }
    doc.stroke();
    if (points.length <= 62) {
      doc.fillColor(ACCENT);
      for (let i = 0; i < points.length; i++) {
        const point = at(i);
        doc.circle(point.x, point.y, 1.8).fill();
      }
    }
  }
  doc.lineWidth(1);
  endChart(doc, frame, points.every((p) => p.value <= 0));
}

export interface PdfColumn {
  header: string;
  /** Share of the table's width. */
  weight: number;
  align?: 'left' | 'right';
}

const ROW_HEIGHT = 15;

/** A table that breaks across pages, repeating its header; cells too long are cut with an ellipsis. */
export function table(doc: PdfDoc, columns: readonly PdfColumn[], rows: readonly (readonly string[])[], emptyText = 'No rows in this range'): void {
  const total = columns.reduce((sum, column) => sum + column.weight, 0);
  const widths = columns.map((column) => (contentWidth(doc) * column.weight) / total);
  const drawRow = (cells: readonly string[], header: boolean, shaded: boolean) => {
    const y = doc.y;
    if (header || shaded) {
      doc.rect(MARGIN, y, contentWidth(doc), ROW_HEIGHT).fill(header ? '#e5e7eb' : BAND);
    }
    doc.font(header ? 'Helvetica-Bold' : 'Helvetica').fontSize(8).fillColor(INK);
    let x = MARGIN;
    cells.forEach((cell, index) => {
      doc.text(pdfText(cell), x + 3, y + 4, {
        width: widths[index]! - 6,
        align: columns[index]!.align ?? 'left',
        lineBreak: false,
        ellipsis: true,
      });
      x += widths[index]!;
    });
    doc.x = MARGIN;
    doc.y = y + ROW_HEIGHT;
  };
  const header = columns.map((column) => column.header);
  ensureSpace(doc, ROW_HEIGHT * 3);
  drawRow(header, true, false);
  rows.forEach((row, index) => {
    if (doc.y + ROW_HEIGHT > bottom(doc)) {
      doc.addPage();
      drawRow(header, true, false);
    }
    drawRow(row, false, index % 2 === 1);
  });
  if (rows.length === 0) {
    doc.font('Helvetica').fontSize(9).fillColor(MUTED).text(emptyText, MARGIN, doc.y + 4);
  }
  doc.moveDown(0.8);
}

export function note(doc: PdfDoc, text: string): void {
  ensureSpace(doc, 20);
  doc.font('Helvetica-Oblique').fontSize(9).fillColor(MUTED).text(pdfText(text), MARGIN, doc.y, { width: contentWidth(doc) });
  doc.moveDown(0.5);
  doc.fillColor(INK);
}

/** Writes "Page n of m" on every page and ends the document (which flushes the stream). */
export function finish(doc: PdfDoc, footer: string): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Text below the bottom margin would open a new page: lift the margin while writing the footer.
    const margin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font('Helvetica')
      .fontSize(8)
      .fillColor(MUTED)
      .text(`${pdfText(footer)}  -  Page ${i + 1} of ${range.count}`, MARGIN, doc.page.height - 28, {
        width: contentWidth(doc),
        align: 'center',
        lineBreak: false,
      });
    doc.page.margins.bottom = margin;
  }
  doc.end();
}
