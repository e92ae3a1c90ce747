// A save that lost a race: someone changed the same thing meanwhile. Shows, field by field, their
// newer version beside yours, and lets the person keep theirs or take the newer one.
import { Button } from './button';
import { Dialog } from './dialog';

export interface ConflictField {
  key: string;
  label: string;
}

const show = (value: unknown) =>
  value === undefined || value === null || value === '' ? <em className="text-slate-500">empty</em> : Array.isArray(value) ? value.join(', ') : String(value);

export function ConflictDialog({
  open,
  fields,
  mine,
  theirs,
  onKeepMine,
  onTakeTheirs,
  onClose,
  busy,
}: {
  open: boolean;
  fields: ConflictField[];
  mine: object;
  theirs: object | undefined;
  onKeepMine: () => void;
  onTakeTheirs: () => void;
  onClose: () => void;
  busy?: boolean;
}) {
  const value = (version: object | undefined, key: string) => (version as Record<string, unknown> | undefined)?.[key];
  const changed = fields.filter((field) => theirs && JSON.stringify(value(mine, field.key)) !== JSON.stringify(value(theirs, field.key)));
  return (
    <Dialog open={open} onClose={onClose} title="This was changed while you were editing">
      <p className="text-sm text-slate-700">
        Someone saved a newer version. Compare the fields that differ, then keep your version (it replaces theirs) or take theirs (your
        changes are discarded).
      </p>
      {changed.length > 0 ? (
        <div className="mt-4 max-h-80 overflow-auto">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Fields that differ</caption>
            <thead>
              <tr className="border-b border-slate-200">
                <th scope="col" className="py-2 pr-3">
                  Field
                </th>
                <th scope="col" className="py-2 pr-3">
                  Newer version
                </th>
                <th scope="col" className="py-2">
                  Yours
                </th>
              </tr>
            </thead>
            <tbody>
              {changed.map((field) => (
                <tr key={field.key} className="border-b border-slate-100 align-top">
                  <th scope="row" className="py-2 pr-3 font-medium">
                    {field.label}
                  </th>
                  <td className="whitespace-pre-line py-2 pr-3 text-slate-800">{show(value(theirs, field.key))}</td>
                  <td className="whitespace-pre-line py-2 text-slate-800">{show(value(mine, field.key))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="mt-4 text-sm text-slate-700">The fields you edited are the same in both versions; other details changed.</p>
      )}
      <div className="mt-5 flex flex-wrap justify-end gap-2">
        <Button variant="secondary" onClick={onTakeTheirs}>
          Take the newer version
        </Button>
        <Button onClick={onKeepMine} busy={busy}>
          Keep mine
        </Button>
      </div>
    </Dialog>
  );
}
