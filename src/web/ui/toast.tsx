// Short messages after an action: successes politely announced, refusals as alerts.
import { useSyncExternalStore } from 'react';

export interface Toast {
  id: number;
  kind: 'success' | 'error' | 'info';
  message: string;
}

let toasts: Toast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();
const emit = () => listeners.forEach((listener) => listener());

function dismiss(id: number) {
  toasts = toasts.filter((toast) => toast.id !== id);
  emit();
}

function show(kind: Toast['kind'], message: string, durationMs = kind === 'error' ? 8000 : 4000) {
  const id = nextId++;
  toasts = [...toasts.slice(-3), { id, kind, message }];
  emit();
  setTimeout(() => dismiss(id), durationMs);
  return id;
}

export const toast = {
  success: (message: string) => show('success', message),
  error: (message: string) => show('error', message),
  info: (message: string) => show('info', message),
  dismiss,
};

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

const styles: Record<Toast['kind'], string> = {
  success: 'border-emerald-700 bg-emerald-50 text-emerald-900',
  error: 'border-red-700 bg-red-50 text-red-900',
  info: 'border-indigo-700 bg-indigo-50 text-indigo-950',
};

export function Toaster() {
  const current = useSyncExternalStore(subscribe, () => toasts);
  const polite = current.filter((t) => t.kind !== 'error');
  const urgent = current.filter((t) => t.kind === 'error');
  const render = (list: Toast[]) =>
    list.map((t) => (
      <div key={t.id} className={`pointer-events-auto flex items-start gap-3 rounded-lg border-l-4 p-3 shadow-lg ${styles[t.kind]}`}>
        <p className="flex-1 text-sm">{t.message}</p>
        <button type="button" onClick={() => dismiss(t.id)} className="rounded px-1 text-sm font-medium underline" aria-label="Dismiss message">
          ×
        </button>
      </div>
    ));
  return (
    <div className="pointer-events-none fixed inset-x-0 bottom-0 z-50 flex flex-col items-center gap-2 p-4 sm:items-end">
      <div role="status" aria-live="polite" className="flex w-full max-w-sm flex-col gap-2">
        {render(polite)}
      </div>
      <div role="alert" aria-live="assertive" className="flex w-full max-w-sm flex-col gap-2">
        {render(urgent)}
      </div>
    </div>
  );
}
