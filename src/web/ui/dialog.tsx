// A modal dialog on the native <dialog> element: the browser keeps focus inside and returns it to
// what opened it. It is open exactly while `open` is true; Escape and the close button ask the owner.
import { useEffect, useRef, type ReactNode } from 'react';
import { Button } from './button';

export function Dialog({ open, onClose, title, children }: { open: boolean; onClose: () => void; title: string; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      // Escape: the owner decides (closing here too would let the two disagree).
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      aria-labelledby="dialog-title"
      className="m-auto w-[min(40rem,calc(100vw-2rem))] rounded-xl p-0 shadow-2xl backdrop:bg-slate-900/50"
    >
      {open && (
        <div className="p-5">
          <div className="mb-4 flex items-start justify-between gap-4">
            <h2 id="dialog-title" className="text-lg font-semibold text-slate-900">
              {title}
            </h2>
            <button type="button" onClick={onClose} className="rounded px-2 text-xl leading-none text-slate-700 hover:bg-slate-100" aria-label="Close">
              ×
            </button>
          </div>
          {children}
        </div>
      )}
    </dialog>
  );
}

/** Asks before something is deleted for good: what goes with it, "Keep it", and "Delete". */
export function ConfirmDeleteDialog({
  open,
  onClose,
  title,
  consequence,
  busy,
  onConfirm,
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  consequence: string;
  busy: boolean;
  onConfirm: () => void;
}) {
  return (
    <Dialog open={open} onClose={onClose} title={title}>
      <p className="text-sm text-slate-700">{consequence}</p>
      <div className="mt-4 flex justify-end gap-2">
        <Button variant="secondary" onClick={onClose}>
          Keep it
        </Button>
        <Button variant="danger" busy={busy} onClick={onConfirm}>
          Delete
        </Button>
      </div>
    </Dialog>
  );
}
