import { useState, type FormEvent } from 'react';
import { fieldErrors, userMessage } from '../../../lib/errors';
import { Button } from '../../../ui/button';
import { FormError, TextArea, TextField } from '../../../ui/fields';
import { toast } from '../../../ui/toast';
import { useCreateAnnouncement } from '../mutations';

/** Posts to a course's members, or (admins, without a course) to everyone. */
export function AnnouncementComposer({ courseId }: { courseId?: string }) {
  const create = useCreateAnnouncement();
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const errors = fieldErrors(create.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { courseId: courseId ?? null, title, body },
      {
        onSuccess: () => {
          toast.success('Announcement posted.');
          setTitle('');
          setBody('');
        },
      },
    );
  };
  return (
    <form onSubmit={submit} className="space-y-3" noValidate>
      <FormError message={create.error && !Object.keys(errors).length ? userMessage(create.error) : null} />
      <TextField label="Title" value={title} onChange={(e) => setTitle(e.target.value)} error={errors.title} />
      <TextArea label="Message (Markdown)" rows={5} value={body} onChange={(e) => setBody(e.target.value)} error={errors.body} />
      <Button type="submit" busy={create.isPending} disabled={!title.trim() || !body.trim()}>
        {courseId ? 'Post to the course' : 'Post to everyone'}
      </Button>
    </form>
  );
}
