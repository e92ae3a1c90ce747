// Reports (a CSV or PDF made on request) and background exports of whole tables.
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { ExportEntity, ReportType } from '../../../../contract/reports';
import { fieldErrors, userMessage } from '../../../lib/errors';
import { formatBytes, formatDateTime, humanize } from '../../../lib/format';
import { Button } from '../../../ui/button';
import { QueryState } from '../../../ui/feedback';
import { CheckboxField, FormError, SelectField, TextField } from '../../../ui/fields';
import { Card, Page, Pill } from '../../../ui/layout';
import { toast } from '../../../ui/toast';
import { useCreateExport, useDownload } from '../mutations';
import { adminQueries } from '../queries';

const REPORT_TYPES: readonly ReportType[] = ['enrollments', 'grades', 'engagement'];
const ENTITIES: readonly ExportEntity[] = ['users', 'courses', 'lessons', 'enrollments', 'assignments', 'submissions', 'grades', 'quizAttempts', 'activities'];
const statusTone = { queued: 'neutral', running: 'info', completed: 'success', failed: 'danger' } as const;

function ReportForm() {
  const download = useDownload();
  const [type, setType] = useState<ReportType>('enrollments');
  const [format, setFormat] = useState<'csv' | 'pdf'>('csv');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const errors = fieldErrors(download.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    download.mutate(
      { endpoint: '/api/admin/reports', params: { type, format, from: from || undefined, to: to || undefined } },
      { onSuccess: () => toast.success('The report is downloaded.') },
    );
  };
  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      <FormError message={download.error && !Object.keys(errors).length ? userMessage(download.error) : null} />
      <div className="grid gap-4 sm:grid-cols-2">
        <SelectField label="Report" value={type} onChange={(e) => setType(e.target.value as ReportType)} options={REPORT_TYPES.map((t) => ({ value: t, label: humanize(t) }))} />
        <SelectField
          label="Format"
          value={format}
          onChange={(e) => setFormat(e.target.value as 'csv' | 'pdf')}
          options={[
            { value: 'csv', label: 'CSV (spreadsheet)' },
            { value: 'pdf', label: 'PDF (with a chart)' },
          ]}
        />
        <TextField label="From" type="date" value={from} onChange={(e) => setFrom(e.target.value)} error={errors.from} />
        <TextField label="To" type="date" value={to} onChange={(e) => setTo(e.target.value)} error={errors.to} hint="Default: the last 30 days" />
      </div>
      <Button type="submit" busy={download.isPending}>
        Download report
      </Button>
    </form>
  );
}

function ExportForm() {
  const create = useCreateExport();
  const [entities, setEntities] = useState<ExportEntity[]>(['users']);
  const [format, setFormat] = useState<'csv' | 'json'>('csv');
  const errors = fieldErrors(create.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ entities, format }, { onSuccess: () => toast.success('Export started: it appears below when ready.') });
  };
  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      <FormError message={create.error ? (errors.entities ?? userMessage(create.error)) : null} />
      <fieldset>
        <legend className="mb-2 text-sm font-medium text-slate-800">What to export</legend>
        <div className="grid grid-cols-2 gap-2 sm:grid-cols-3">
          {ENTITIES.map((entity) => (
            <CheckboxField
              key={entity}
              label={humanize(entity.replace(/([A-Z])/g, ' $1').toLowerCase())}
              checked={entities.includes(entity)}
              onChange={(e) => setEntities((list) => (e.target.checked ? [...list, entity] : list.filter((x) => x !== entity)))}
            />
          ))}
        </div>
      </fieldset>
      <SelectField
        label="Format"
        value={format}
        onChange={(e) => setFormat(e.target.value as 'csv' | 'json')}
        options={[
          { value: 'csv', label: 'CSV (a ZIP for several)' },
          { value: 'json', label: 'JSON' },
        ]}
        className="max-w-xs"
      />
      <Button type="submit" busy={create.isPending} disabled={entities.length === 0}>
        Start export
      </Button>
    </form>
  );
}

function ExportList() {
  const query = useQuery(adminQueries.exports());
  const download = useDownload();
  return (
    <QueryState query={query} loadingLabel="Loading exports…">
      {({ data }) =>
        data.length === 0 ? (
          <p className="text-sm text-slate-700">No export yet.</p>
        ) : (
          <ul className="divide-y divide-slate-200">
            {data.map((job) => (
              <li key={job.exportId} className="flex flex-wrap items-center justify-between gap-2 py-3 text-sm">
                <div>
                  <p className="font-medium">
                    {job.entities.join(', ')} · {job.format.toUpperCase()}
                  </p>
                  <p className="text-slate-600">
                    {formatDateTime(job.createdAt)}
                    {job.size !== undefined && ` · ${formatBytes(job.size)}`}
                    {job.error && ` · ${job.error}`}
                  </p>
                </div>
                <div className="flex items-center gap-2">
                  <Pill tone={statusTone[job.status]}>{humanize(job.status)}</Pill>
                  {job.status === 'completed' && job.downloadUrl && (
                    <Button variant="secondary" busy={download.isPending && download.variables?.endpoint === job.downloadUrl} onClick={() => download.mutate({ endpoint: job.downloadUrl! })}>
                      Download
                    </Button>
                  )}
                </div>
              </li>
            ))}
          </ul>
        )
      }
    </QueryState>
  );
}

export function AdminReportsPage() {
  return (
    <Page title="Reports and exports">
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Report">
          <ReportForm />
        </Card>
        <Card title="Export data">
          <ExportForm />
        </Card>
        <Card title="Exports" className="lg:col-span-2">
          <ExportList />
        </Card>
      </div>
    </Page>
  );
}
