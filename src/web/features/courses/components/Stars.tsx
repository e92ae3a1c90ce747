import { useId } from 'react';

/** A rating out of 5, drawn as stars and said in words. */
export function Stars({ value, count }: { value: number; count?: number }) {
  const rounded = Math.round(value);
  const words = count === 0 || value === 0 ? 'No ratings yet' : `Rated ${value.toFixed(1)} out of 5${count !== undefined ? ` from ${count} ratings` : ''}`;
  return (
    <span className="inline-flex items-center gap-1" title={words}>
      <span aria-hidden="true" className="tracking-tight text-amber-600">
        {'★'.repeat(rounded)}
        <span className="text-slate-300">{'★'.repeat(5 - rounded)}</span>
      </span>
      <span className="sr-only">{words}</span>
      {count !== undefined && count > 0 && (
        <span aria-hidden="true" className="text-slate-700">
          {value.toFixed(1)} ({count})
        </span>
      )}
    </span>
  );
}

/** Choosing 1 to 5 stars: a radio group, so arrows and Space work as everywhere else. */
export function StarInput({ value, onChange, legend }: { value: number; onChange: (value: number) => void; legend: string }) {
  const name = useId();
  return (
    <fieldset>
      <legend className="mb-1 text-sm font-medium text-slate-800">{legend}</legend>
      <div className="flex gap-1">
        {[1, 2, 3, 4, 5].map((star) => (
          <label key={star} className="cursor-pointer">
            <input type="radio" name={name} value={star} checked={value === star} onChange={() => onChange(star)} className="peer sr-only" />
            <span
              aria-hidden="true"
              className={`block rounded px-1 text-2xl peer-focus-visible:outline peer-focus-visible:outline-3 peer-focus-visible:outline-indigo-700 ${star <= value ? 'text-amber-600' : 'text-slate-300'}`}
            >
              ★
            </span>
            <span className="sr-only">
              {star} {star === 1 ? 'star' : 'stars'}
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
