// Creating and editing a quiz: its settings and its questions of every type, each with its answer.
import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import type { CreateQuizBody, QuestionType, StaffQuiz } from '../../../../contract/quizzes';
import { fieldErrors, userMessage } from '../../../lib/errors';
import { humanize } from '../../../lib/format';
import { Button, buttonClass } from '../../../ui/button';
import { ConfirmDeleteDialog } from '../../../ui/dialog';
import { ErrorNotice, Loading } from '../../../ui/feedback';
import { FormError, SelectField, TextArea, TextField } from '../../../ui/fields';
import { Card, Page } from '../../../ui/layout';
import { toast } from '../../../ui/toast';
import { useCreateQuiz, useDeleteQuiz, useUpdateQuiz } from '../../quizzes/mutations';
import { quizQueries } from '../../quizzes/queries';

const newRoute = getRouteApi('/authed/staff/teach/courses/$courseId/quizzes/new');
const editRoute = getRouteApi('/authed/staff/teach/quizzes/$quizId');

const QUESTION_TYPES: readonly QuestionType[] = ['single_choice', 'multiple_choice', 'true_false', 'short_answer', 'numeric'];

interface DraftQuestion {
  type: QuestionType;
  prompt: string;
  points: number;
  options: string[];
  /** single_choice: one option; multiple_choice: several. */
  chosen: string[];
  truth: boolean;
  /** short_answer: one accepted answer per line. */
  accepted: string;
  numeric: string;
  tolerance: string;
}

interface QuizSettings {
  title: string;
  description: string;
  timeLimit: string;
  attemptsAllowed: string;
  passingScore: string;
}

const blankQuestion = (): DraftQuestion => ({ type: 'single_choice', prompt: '', points: 1, options: ['', ''], chosen: [], truth: true, accepted: '', numeric: '', tolerance: '0' });

function draftFrom(quiz: StaffQuiz): { settings: QuizSettings; questions: DraftQuestion[] } {
  return {
    settings: {
      title: quiz.title,
      description: quiz.description ?? '',
      timeLimit: quiz.timeLimit === null ? '' : String(quiz.timeLimit),
      attemptsAllowed: quiz.attemptsAllowed === null ? '' : String(quiz.attemptsAllowed),
      passingScore: quiz.passingScore === null ? '' : String(quiz.passingScore),
    },
    questions: quiz.questions.map((q) => {
      const answer = q.correctAnswer;
      return {
        ...blankQuestion(),
        type: q.type,
        prompt: q.prompt,
        points: q.points,
        options: q.options.length ? q.options : ['', ''],
        chosen: Array.isArray(answer) && q.type === 'multiple_choice' ? answer : typeof answer === 'string' ? [answer] : [],
        truth: answer === true,
        accepted: Array.isArray(answer) && q.type === 'short_answer' ? answer.join('\n') : '',
        numeric: typeof answer === 'number' ? String(answer) : '',
        tolerance: String(q.tolerance ?? 0),
      };
    }),
  };
}

const optionalNumber = (value: string) => (value.trim() === '' ? null : Number(value));

function toQuestions(questions: DraftQuestion[]): CreateQuizBody['questions'] {
  return questions.map((q) => {
    const base = { prompt: q.prompt, points: q.points };
    switch (q.type) {
      case 'single_choice':
        return { ...base, type: q.type, options: q.options, correctAnswer: q.chosen[0] ?? '' };
      case 'multiple_choice':
        return { ...base, type: q.type, options: q.options, correctAnswer: q.chosen };
      case 'true_false':
        return { ...base, type: q.type, correctAnswer: q.truth };
      case 'short_answer':
        return { ...base, type: q.type, correctAnswer: q.accepted.split('\n').map((line) => line.trim()).filter(Boolean) };
      case 'numeric':
        return { ...base, type: q.type, correctAnswer: Number(q.numeric), tolerance: Number(q.tolerance) || 0 };
    }
  });
}

function QuestionEditor({ index, question, onChange, onRemove, errors }: { index: number; question: DraftQuestion; onChange: (q: DraftQuestion) => void; onRemove: () => void; errors: Record<string, string> }) {
  const error = (field: string) => errors[`questions.${index}.${field}`];
  const choice = question.type === 'single_choice' || question.type === 'multiple_choice';
  return (
    <fieldset className="space-y-3 rounded-lg border border-slate-200 p-4">
      <legend className="px-1 font-semibold">Question {index + 1}</legend>
      <div className="grid gap-3 sm:grid-cols-[1fr_8rem]">
        <SelectField
          label="Type"
          value={question.type}
          onChange={(e) => onChange({ ...question, type: e.target.value as QuestionType, chosen: [] })}
          options={QUESTION_TYPES.map((t) => ({ value: t, label: humanize(t) }))}
        />
        <TextField label="Points" type="number" min={1} value={question.points} onChange={(e) => onChange({ ...question, points: Number(e.target.value) || 1 })} error={error('points')} />
      </div>
      <TextArea label="Question" rows={2} value={question.prompt} onChange={(e) => onChange({ ...question, prompt: e.target.value })} error={error('prompt')} />
      {choice && (
        <fieldset className="space-y-2">
          <legend className="text-sm font-medium">Options (mark the right {question.type === 'single_choice' ? 'one' : 'ones'})</legend>
          {question.options.map((option, optionIndex) => (
            <div key={optionIndex} className="flex items-end gap-2">
              <input
                type={question.type === 'single_choice' ? 'radio' : 'checkbox'}
                name={`correct-${index}`}
                aria-label={`Option ${optionIndex + 1} is right`}
                checked={option !== '' && question.chosen.includes(option)}
                onChange={(e) =>
                  onChange({
                    ...question,
                    chosen: question.type === 'single_choice' ? [option] : e.target.checked ? [...question.chosen, option] : question.chosen.filter((c) => c !== option),
                  })
                }
                className="mb-3 h-4 w-4 accent-indigo-700"
              />
              <TextField
                label={`Option ${optionIndex + 1}`}
                value={option}
                onChange={(e) =>
                  onChange({
                    ...question,
                    options: question.options.map((o, i) => (i === optionIndex ? e.target.value : o)),
                    chosen: question.chosen.map((c) => (c === option ? e.target.value : c)),
                  })
                }
                className="flex-1"
              />
              <Button variant="ghost" disabled={question.options.length <= 2} onClick={() => onChange({ ...question, options: question.options.filter((_, i) => i !== optionIndex), chosen: question.chosen.filter((c) => c !== option) })}>
                Remove
              </Button>
            </div>
          ))}
          {(error('options') || error('correctAnswer')) && <p className="text-sm font-medium text-red-700">{error('options') ?? error('correctAnswer')}</p>}
          <Button variant="secondary" onClick={() => onChange({ ...question, options: [...question.options, ''] })}>
            Add an option
          </Button>
        </fieldset>
      )}
      {question.type === 'true_false' && (
        <SelectField
          label="Right answer"
          value={String(question.truth)}
          onChange={(e) => onChange({ ...question, truth: e.target.value === 'true' })}
          options={[
            { value: 'true', label: 'True' },
            { value: 'false', label: 'False' },
          ]}
        />
      )}
      {question.type === 'short_answer' && (
        <TextArea label="Accepted answers, one per line" rows={3} value={question.accepted} onChange={(e) => onChange({ ...question, accepted: e.target.value })} error={error('correctAnswer')} />
      )}
      {question.type === 'numeric' && (
        <div className="grid gap-3 sm:grid-cols-2">
          <TextField label="Right answer" type="number" step="any" value={question.numeric} onChange={(e) => onChange({ ...question, numeric: e.target.value })} error={error('correctAnswer')} />
          <TextField label="Tolerance (±)" type="number" step="any" min={0} value={question.tolerance} onChange={(e) => onChange({ ...question, tolerance: e.target.value })} error={error('tolerance')} />
        </div>
      )}
      <Button variant="ghost" onClick={onRemove}>
        Remove question
      </Button>
    </fieldset>
  );
}

function QuizForm({
  initial,
  errors,
  formError,
  busy,
  submitLabel,
  onSubmit,
}: {
  initial: { settings: QuizSettings; questions: DraftQuestion[] };
  errors: Record<string, string>;
  formError: string | null;
  busy: boolean;
  submitLabel: string;
  onSubmit: (settings: QuizSettings, questions: DraftQuestion[]) => void;
}) {
  const [settings, setSettings] = useState(initial.settings);
  const [questions, setQuestions] = useState(initial.questions);
  const set = (key: keyof QuizSettings) => (e: { target: { value: string } }) => setSettings((s) => ({ ...s, [key]: e.target.value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit(settings, questions);
  };
  return (
    <form onSubmit={submit} className="space-y-6" noValidate>
      <FormError message={formError} />
      <Card title="Settings">
        <div className="space-y-4">
          <TextField label="Title" value={settings.title} onChange={set('title')} error={errors.title} />
          <TextArea label="Description (optional)" rows={2} value={settings.description} onChange={set('description')} error={errors.description} />
          <div className="grid gap-4 sm:grid-cols-3">
            <TextField label="Time limit (minutes)" type="number" step="any" min={0.05} value={settings.timeLimit} onChange={set('timeLimit')} hint="Empty: no limit" error={errors.timeLimit} />
            <TextField label="Attempts allowed" type="number" min={1} value={settings.attemptsAllowed} onChange={set('attemptsAllowed')} hint="Empty: unlimited" error={errors.attemptsAllowed} />
            <TextField label="Pass mark (%)" type="number" min={0} max={100} value={settings.passingScore} onChange={set('passingScore')} hint="Empty: none" error={errors.passingScore} />
          </div>
        </div>
      </Card>
      {questions.map((question, index) => (
        <QuestionEditor
          key={index}
          index={index}
          question={question}
          errors={errors}
          onChange={(q) => setQuestions((list) => list.map((item, i) => (i === index ? q : item)))}
          onRemove={() => setQuestions((list) => list.filter((_, i) => i !== index))}
        />
      ))}
      {errors.questions && <p className="text-sm font-medium text-red-700">{errors.questions}</p>}
      <div className="flex flex-wrap gap-3">
        <Button variant="secondary" onClick={() => setQuestions((list) => [...list, blankQuestion()])}>
          Add a question
        </Button>
        <Button type="submit" busy={busy}>
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}

const settingsBody = (settings: QuizSettings) => ({
  title: settings.title,
  description: settings.description.trim() || undefined,
  timeLimit: optionalNumber(settings.timeLimit),
  attemptsAllowed: optionalNumber(settings.attemptsAllowed),
  passingScore: optionalNumber(settings.passingScore),
});

export function NewQuizPage() {
  const { courseId } = newRoute.useParams();
  const create = useCreateQuiz();
  const navigate = useNavigate();
  const errors = fieldErrors(create.error);
  return (
    <Page title="New quiz">
      <QuizForm
        initial={{ settings: { title: '', description: '', timeLimit: '10', attemptsAllowed: '', passingScore: '' }, questions: [blankQuestion()] }}
        errors={errors}
        formError={create.error ? (Object.keys(errors).length ? 'Not saved: see the marked fields.' : userMessage(create.error)) : null}
        busy={create.isPending}
        submitLabel="Create quiz"
        onSubmit={(settings, questions) =>
          create.mutate(
            { courseId, ...settingsBody(settings), questions: toQuestions(questions) },
            {
              onSuccess: (quiz) => {
                toast.success('Quiz created.');
                void navigate({ to: '/teach/quizzes/$quizId', params: { quizId: quiz.quizId } });
              },
            },
          )
        }
      />
    </Page>
  );
}

export function EditQuizPage() {
  const { quizId } = editRoute.useParams();
  const query = useQuery({ ...quizQueries.detail(quizId), refetchOnMount: 'always' });
  const update = useUpdateQuiz(quizId);
  const remove = useDeleteQuiz(quizId);
  const navigate = useNavigate();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const quiz = query.data;
  if (!quiz || !query.isFetchedAfterMount) {
    return <Page title="Loading quiz…">{query.error ? <ErrorNotice error={query.error} onRetry={() => void query.refetch()} /> : <Loading />}</Page>;
  }
  if (quiz.view !== 'staff') return <Page title={quiz.title}>Only the course's staff can edit this quiz.</Page>;
  const errors = fieldErrors(update.error);
  const refusal = update.error && (update.error as { code?: string }).code === 'QUIZ_HAS_ATTEMPTS' ? 'Students have already taken this quiz: its questions can no longer change (its settings can).' : null;
  return (
    <Page
      title={`Edit: ${quiz.title}`}
      actions={
        <>
          <Link to="/quizzes/$quizId" params={{ quizId }} className={buttonClass('secondary')}>
            Results
          </Link>
          <Button variant="danger" onClick={() => setConfirmDelete(true)}>
            Delete
          </Button>
        </>
      }
    >
      <QuizForm
        key={quiz.updatedAt}
        initial={draftFrom(quiz)}
        errors={errors}
        formError={update.error ? (refusal ?? (Object.keys(errors).length ? 'Not saved: see the marked fields.' : userMessage(update.error))) : null}
        busy={update.isPending}
        submitLabel="Save quiz"
        onSubmit={(settings, questions) =>
          update.mutate({ ...settingsBody(settings), description: settings.description.trim() || null, questions: toQuestions(questions) }, { onSuccess: () => toast.success('Quiz saved.') })
        }
      />
      <ConfirmDeleteDialog
        open={confirmDelete}
        onClose={() => setConfirmDelete(false)}
        title={`Delete ${quiz.title}?`}
        consequence="Every attempt at it is deleted too."
        busy={remove.isPending}
        onConfirm={() =>
          remove.mutate(undefined, {
            onSuccess: () => {
              toast.success('Quiz deleted.');
              void navigate({ to: '/teach/courses/$courseId', params: { courseId: quiz.courseId }, search: { tab: 'work' } });
            },
          })
        }
      />
    </Page>
  );
}
