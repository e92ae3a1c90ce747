// Small SVG charts. Each one scales to its container, names itself for screen readers and carries
// its numbers in a visually hidden table, so nothing is shown only as a picture.
import type { ReactNode } from 'react';

export interface Datum {
  label: string;
  value: number;
}

function DataTable({ caption, rows, unit }: { caption: string; rows: { label: string; values: (string | number)[] }[]; unit?: string[] }) {
  return (
    <table className="sr-only">
      <caption>{caption}</caption>
      {unit && (
        <thead>
          <tr>
            <th scope="col">Item</th>
            {unit.map((name) => (
              <th key={name} scope="col">
                {name}
              </th>
            ))}
          </tr>
        </thead>
      )}
      <tbody>
        {rows.map((row, index) => (
          <tr key={`${row.label}-${index}`}>
            <th scope="row">{row.label}</th>
            {row.values.map((value, column) => (
              <td key={column}>{value}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Figure({ title, children, legend }: { title: string; children: ReactNode; legend?: ReactNode }) {
  return (
    <figure className="w-full">
      <figcaption className="mb-2 text-sm font-medium text-slate-700">{title}</figcaption>
      {children}
      {legend}
    </figure>
  );
}

/** Vertical bars, with an optional dashed goal line. */
export function BarChart({
  title,
  data,
  unit = '',
  goal,
  goalLabel = 'Goal',
  height = 160,
}: {
  title: string;
  data: Datum[];
  unit?: string;
  goal?: number;
  goalLabel?: string;
  height?: number;
}) {
  const width = 320;
  const padding = { top: 12, bottom: 28, left: 8, right: 8 };
  const max = Math.max(1, goal ?? 0, ...data.map((d) => d.value));
  const plotHeight = height - padding.top - padding.bottom;
  const slot = (width - padding.left - padding.right) / Math.max(1, data.length);
  const barWidth = Math.min(40, slot * 0.65);
  const y = (value: number) => padding.top + plotHeight - (value / max) * plotHeight;
  return (
    <Figure title={title}>
      <svg viewBox={`0 0 ${width} ${height}`} className="h-auto max-h-64 w-full" role="img" aria-label={`${title}: ${data.map((d) => `${d.label} ${d.value}${unit}`).join(', ')}`}>
        <line x1={padding.left} x2={width - padding.right} y1={y(0)} y2={y(0)} className="stroke-slate-300" />
        {data.map((d, index) => {
          const x = padding.left + slot * index + (slot - barWidth) / 2;
          return (
            <g key={`${d.label}-${index}`}>
              <rect x={x} y={y(d.value)} width={barWidth} height={Math.max(0, y(0) - y(d.value))} rx={3} className="fill-indigo-600" />
              <text x={x + barWidth / 2} y={height - 10} textAnchor="middle" className="fill-slate-600 text-[10px]">
                {d.label}
              </text>
              <text x={x + barWidth / 2} y={Math.max(10, y(d.value) - 3)} textAnchor="middle" className="fill-slate-800 text-[10px] font-semibold">
                {Math.round(d.value)}
              </text>
            </g>
          );
        })}
        {goal !== undefined && goal > 0 && (
          <g>
            <line x1={padding.left} x2={width - padding.right} y1={y(goal)} y2={y(goal)} strokeDasharray="5 4" className="stroke-amber-600" strokeWidth={1.5} />
            <text x={width - padding.right} y={y(goal) - 3} textAnchor="end" className="fill-amber-800 text-[10px] font-semibold">
              {goalLabel} {goal}
              {unit}
            </text>
          </g>
        )}
      </svg>
      <DataTable caption={title} rows={data.map((d) => ({ label: d.label, values: [`${d.value}${unit}`] }))} />
    </Figure>
  );
}

/** Horizontal bars from 0 to `max` (100 by default), one per row, labelled on the left. */
export function HorizontalBars({ title, data, max = 100, unit = '%' }: { title: string; data: Datum[]; max?: number; unit?: string }) {
  return (
    <Figure title={title}>
      <ul className="space-y-2" aria-hidden="true">
        {data.map((d, index) => (
          <li key={`${d.label}-${index}`} className="grid grid-cols-[minmax(0,1fr)_3.5rem] items-center gap-x-3 gap-y-1 sm:grid-cols-[12rem_minmax(0,1fr)_3.5rem]">
            <span className="truncate text-sm text-slate-800 sm:col-auto col-span-2" title={d.label}>
              {d.label}
            </span>
            <span className="h-3 overflow-hidden rounded-full bg-slate-200">
              <span className="block h-full rounded-full bg-indigo-600" style={{ width: `${Math.min(100, (d.value / (max || 1)) * 100)}%` }} />
            </span>
            <span className="text-right text-sm font-semibold text-slate-900">
              {Math.round(d.value)}
              {unit}
            </span>
          </li>
        ))}
      </ul>
      <DataTable caption={title} rows={data.map((d) => ({ label: d.label, values: [`${d.value}${unit}`] }))} />
    </Figure>
  );
}

export interface Series {
  name: string;
  values: number[];
  /** Tailwind stroke and fill classes. */
  tone: 'indigo' | 'emerald' | 'amber';
}

const tones = {
  indigo: { stroke: 'stroke-indigo-600', fill: 'fill-indigo-600', swatch: 'bg-indigo-600' },
  emerald: { stroke: 'stroke-emerald-600', fill: 'fill-emerald-600', swatch: 'bg-emerald-600' },
  amber: { stroke: 'stroke-amber-600', fill: 'fill-amber-600', swatch: 'bg-amber-600' },
};

/** Lines over a shared set of labels (dates), with points and a legend. */
export function LineChart({
  title,
  labels,
  series,
  yMax,
  unit = '',
  height = 180,
}: {
  title: string;
  labels: string[];
  series: Series[];
  yMax?: number;
  unit?: string;
  height?: number;
}) {
  const width = 360;
  const padding = { top: 12, bottom: 28, left: 30, right: 10 };
  const max = yMax ?? Math.max(1, ...series.flatMap((s) => s.values));
  const plotWidth = width - padding.left - padding.right;
  const plotHeight = height - padding.top - padding.bottom;
  const x = (index: number) => padding.left + (labels.length <= 1 ? plotWidth / 2 : (index / (labels.length - 1)) * plotWidth);
  const y = (value: number) => padding.top + plotHeight - (Math.min(value, max) / max) * plotHeight;
  const tickEvery = Math.max(1, Math.ceil(labels.length / 6));
  return (
    <Figure
      title={title}
      legend={
        series.length > 1 && (
          <ul className="mt-2 flex flex-wrap gap-4 text-xs text-slate-700" aria-hidden="true">
            {series.map((s) => (
              <li key={s.name} className="flex items-center gap-1.5">
                <span className={`h-2.5 w-2.5 rounded-full ${tones[s.tone].swatch}`} />
                {s.name}
              </li>
            ))}
          </ul>
        )
      }
    >
      <svg viewBox={`0 0 ${width} ${height}`} className="h-auto max-h-72 w-full" role="img" aria-label={`${title}, ${labels.length} points; the values are in the table that follows`}>
        {[0, 0.5, 1].map((fraction) => (
          <g key={fraction}>
            <line x1={padding.left} x2={width - padding.right} y1={y(max * fraction)} y2={y(max * fraction)} className="stroke-slate-200" />
            <text x={padding.left - 4} y={y(max * fraction) + 3} textAnchor="end" className="fill-slate-600 text-[9px]">
              {Math.round(max * fraction)}
            </text>
          </g>
        ))}
        {labels.map((label, index) =>
          index % tickEvery === 0 || index === labels.length - 1 ? (
            <text key={`${label}-${index}`} x={x(index)} y={height - 10} textAnchor="middle" className="fill-slate-600 text-[9px]">
              {label}
            </text>
          ) : null,
        )}
        {series.map((s) => (
          <g key={s.name}>
            <polyline
              points={s.values.map((value, index) => `${x(index)},${y(value)}`).join(' ')}
              fill="none"
              strokeWidth={2}
              strokeLinejoin="round"
              className={tones[s.tone].stroke}
            />
            {labels.length <= 40 &&
              s.values.map((value, index) => <circle key={index} cx={x(index)} cy={y(value)} r={2.5} className={tones[s.tone].fill} />)}
          </g>
        ))}
      </svg>
      <DataTable caption={title} unit={series.map((s) => s.name)} rows={labels.map((label, index) => ({ label, values: series.map((s) => `${s.values[index] ?? 0}${unit}`) }))} />
    </Figure>
  );
}

/** A ring that fills toward a goal; past 100% it closes and says so. */
export function ProgressRing({ value, max, label, caption }: { value: number; max: number; label: string; caption?: ReactNode }) {
  const radius = 42;
  const circumference = 2 * Math.PI * radius;
  const fraction = max > 0 ? Math.min(1, value / max) : 0;
  const percent = max > 0 ? Math.round((value / max) * 100) : 0;
  return (
    <div className="flex items-center gap-4">
      <svg viewBox="0 0 100 100" className="h-28 w-28 shrink-0" role="img" aria-label={`${label}: ${percent}%`}>
        <circle cx="50" cy="50" r={radius} fill="none" strokeWidth="10" className="stroke-slate-200" />
        <circle
          cx="50"
          cy="50"
          r={radius}
          fill="none"
          strokeWidth="10"
          strokeLinecap="round"
          strokeDasharray={`${fraction * circumference} ${circumference}`}
          transform="rotate(-90 50 50)"
          className={percent >= 100 ? 'stroke-emerald-600' : 'stroke-indigo-600'}
        />
        <text x="50" y="55" textAnchor="middle" className="fill-slate-900 text-[18px] font-bold">
          {percent}%
        </text>
      </svg>
      {caption && <div className="text-sm text-slate-700">{caption}</div>}
    </div>
  );
}
