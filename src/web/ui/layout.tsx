import { useEffect, useRef, type ReactNode } from 'react';

/** A screen: sets the document title and moves focus to its heading after navigation. */
/** The first screen of a visit starts at the top of the document like any page; later ones move focus. */
let firstScreen = true;

export function Page({ title, actions, children, description }: { title: string; actions?: ReactNode; children: ReactNode; description?: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · skillEd`;
  }, [title]);
  useEffect(() => {
    if (firstScreen) {
      firstScreen = false;
      return;
    }
    // After navigating, screen-reader and keyboard users land on the new page's heading, not on the
    // link they left (unless they are already typing somewhere on the new page).
    const active = document.activeElement;
    if (!active || active === document.body || active.closest('nav, header')) heading.current?.focus();
  }, []);
  return (
    <div className="mx-auto w-full max-w-6xl px-4 py-6 sm:px-6">
      <div className="mb-6 flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0">
          <h1 ref={heading} tabIndex={-1} className="text-2xl font-bold text-slate-900 focus:outline-none sm:text-3xl">
            {title}
          </h1>
          {description && <div className="mt-1 text-slate-600">{description}</div>}
        </div>
        {actions && <div className="flex flex-wrap gap-2">{actions}</div>}
      </div>
      {children}
    </div>
  );
}

export function Card({ title, children, className = '', actions }: { title?: ReactNode; children: ReactNode; className?: string; actions?: ReactNode }) {
  return (
    <section className={`rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-5 ${className}`}>
      {(title || actions) && (
        <div className="mb-3 flex items-center justify-between gap-2">
          {title && <h2 className="text-lg font-semibold text-slate-900">{title}</h2>}
          {actions}
        </div>
      )}
      {children}
    </section>
  );
}

const pillTones = {
  neutral: 'bg-slate-100 text-slate-800',
  info: 'bg-indigo-100 text-indigo-900',
  success: 'bg-emerald-100 text-emerald-900',
  warning: 'bg-amber-100 text-amber-900',
  danger: 'bg-red-100 text-red-900',
} as const;

export function Pill({ tone = 'neutral', children }: { tone?: keyof typeof pillTones; children: ReactNode }) {
  return <span className={`inline-flex items-center rounded-full px-2.5 py-0.5 text-xs font-semibold ${pillTones[tone]}`}>{children}</span>;
}

export function ProgressBar({ value, label, max = 100 }: { value: number; label: string; max?: number }) {
  const percent = Math.max(0, Math.min(100, (value / (max || 1)) * 100));
  return (
    <div role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={max} aria-valuenow={Math.round(value)} className="h-2.5 w-full overflow-hidden rounded-full bg-slate-200">
      <div className="h-full rounded-full bg-indigo-700 transition-[width]" style={{ width: `${percent}%` }} />
    </div>
  );
}

export function Stat({ label, value, hint }: { label: string; value: ReactNode; hint?: ReactNode }) {
  return (
    <div className="rounded-lg bg-slate-50 p-3">
      <p className="text-xs font-medium uppercase tracking-wide text-slate-600">{label}</p>
      <p className="mt-1 text-2xl font-bold text-slate-900">{value}</p>
      {hint && <p className="text-xs text-slate-600">{hint}</p>}
    </div>
  );
}
