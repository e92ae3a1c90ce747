// Taking a quiz: a timed attempt whose countdown follows the server's clock (the attempt carries
// the server's time), handed in automatically when the time is up; then the results.
import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { QuizAttempt, SubmittedAttempt } from '../../../../sdk';
import type { PublicQuestion, StaffQuiz, StudentQuiz } from '../../../../contract/quizzes';
import { userMessage } from '../../../lib/errors';
import { formatMinutes, formatPercent, humanize } from '../../../lib/format';
import { Button, buttonClass } from '../../../ui/button';
import { ErrorNotice, Loading } from '../../../ui/feedback';
import { FormError, TextField } from '../../../ui/fields';
import { Card, Page, Pill, Stat } from '../../../ui/layout';
import { useStartAttempt, useSubmitAttempt } from '../mutations';
import { quizQueries } from '../queries';

const route = getRouteApi('/authed/quizzes/$quizId');

type Answer = string | number | boolean | string[] | null;

/** Seconds left on the attempt, measured with the offset between the server's clock and ours. */
function useCountdown(deadline: string | null, serverTime: string, onExpire: () => void): number | null {
  const offset = useRef(Date.parse(serverTime) - Date.now());
  const [now, setNow] = useState(() => Date.now());
  const expired = useRef(false);
  useEffect(() => {
    if (!deadline) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [deadline]);
  const left = deadline ? Math.max(0, Math.ceil((Date.parse(deadline) - (now + offset.current)) / 1000)) : null;
  useEffect(() => {
    if (left === 0 && !expired.current) {
      expired.current = true;
      onExpire();
    }
  }, [left, onExpire]);
  return left;
}

const clock = (seconds: number) => `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;

function QuestionInput({ question, value, onChange }: { question: PublicQuestion; value: Answer; onChange: (value: Answer) => void }) {
  const name = `q-${question.questionId}`;
  const legend = (
    <legend className="mb-2 font-medium text-slate-900">
      {question.order}. {question.prompt} <span className="text-sm font-normal text-slate-600">({question.points} pts)</span>
    </legend>
  );
  switch (question.type) {
    case 'single_choice':
    case 'true_false': {
      const options = question.type === 'true_false' ? ['True', 'False'] : question.options;
      return (
        <fieldset className="rounded-lg border border-slate-200 p-4">
          {legend}
          <div className="space-y-2">
            {options.map((option) => {
              const optionValue = question.type === 'true_false' ? option === 'True' : option;
              return (
                <label key={option} className="flex items-center gap-2">
                  <input type="radio" name={name} checked={value === optionValue} onChange={() => onChange(optionValue)} className="h-4 w-4 accent-indigo-700" />
                  {option}
                </label>
              );
            })}
          </div>
        </fieldset>
      );
    }
    case 'multiple_choice': {
      const chosen = Array.isArray(value) ? value : [];
      return (
        <fieldset className="rounded-lg border border-slate-200 p-4">
          {legend}
          <p className="mb-2 text-sm text-slate-600">Choose every right answer.</p>
          <div className="space-y-2">
            {question.options.map((option) => (
              <label key={option} className="flex items-center gap-2">
                <input
                  type="checkbox"
                  checked={chosen.includes(option)}
                  onChange={(event) => onChange(event.target.checked ? [...chosen, option] : chosen.filter((c) => c !== option))}
                  className="h-4 w-4 accent-indigo-700"
                />
                {option}
              </label>
            ))}
          </div>
        </fieldset>
      );
    }
    default:
      return (
        <fieldset className="rounded-lg border border-slate-200 p-4">
          {legend}
          <TextField
            label="Your answer"
            type={question.type === 'numeric' ? 'number' : 'text'}
            inputMode={question.type === 'numeric' ? 'decimal' : undefined}
            step="any"
            value={value === null ? '' : String(value)}
            onChange={(event) => {
              const text = event.target.value;
              onChange(question.type === 'numeric' ? (text === '' ? null : Number(text)) : text);
            }}
          />
        </fieldset>
      );
  }
}

function AttemptForm({ quiz, attempt, onDone }: { quiz: StudentQuiz; attempt: QuizAttempt; onDone: (result: SubmittedAttempt) => void }) {
  const submit = useSubmitAttempt(quiz.quizId);
  const [answers, setAnswers] = useState<Record<string, Answer>>({});
  const answersRef = useRef(answers);
  answersRef.current = answers;
  const hand = useCallback(() => {
    if (submit.isPending || submit.isSuccess) return;
    submit.mutate(
      { attemptId: attempt.attemptId, answers: quiz.questions.map((q) => ({ questionId: q.questionId, answer: answersRef.current[q.questionId] ?? null })) },
      { onSuccess: onDone },
    );
  }, [submit, attempt.attemptId, quiz.questions, onDone]);
  const left = useCountdown(attempt.deadline, attempt.serverTime, hand);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    hand();
  };
  return (
    <form onSubmit={onSubmit} className="space-y-4">
      {left !== null && (
        <div className={`sticky top-16 z-10 rounded-lg border p-3 text-center font-semibold ${left <= 60 ? 'border-red-300 bg-red-50 text-red-900' : 'border-indigo-200 bg-indigo-50 text-indigo-950'}`}>
          <span role="timer" aria-label={`Time left: ${clock(left)}`}>
            Time left: {clock(left)}
          </span>
          {left <= 60 && left > 0 && <span className="sr-only" aria-live="polite">Less than a minute left</span>}
          {left === 0 && <span aria-live="assertive"> · Time is up, handing in…</span>}
        </div>
      )}
      <FormError message={submit.error ? `Not handed in: ${userMessage(submit.error)}` : null} />
      {quiz.questions.map((question) => (
        <QuestionInput
          key={question.questionId}
          question={question}
          value={answers[question.questionId] ?? null}
          onChange={(value) => setAnswers((current) => ({ ...current, [question.questionId]: value }))}
        />
      ))}
      <Button type="submit" busy={submit.isPending}>
        Hand in
      </Button>
    </form>
  );
}

function Results({ result }: { result: SubmittedAttempt }) {
  return (
    <Card title={`Attempt ${result.attemptNumber}: ${result.score} / ${result.totalPoints}`}>
      <p className="mb-4 flex flex-wrap items-center gap-2">
        <span className="text-xl font-bold">{formatPercent(result.percentage)}</span>
        {result.passed === true && <Pill tone="success">Passed</Pill>}
        {result.passed === false && <Pill tone="danger">Not passed</Pill>}
        {result.late && <Pill tone="warning">Late: not counted</Pill>}
      </p>
      <ol className="space-y-3">
        {result.questions.map((question) => (
          <li key={question.questionId} className={`rounded-lg border p-3 ${question.correct ? 'border-emerald-300 bg-emerald-50' : 'border-red-200 bg-red-50'}`}>
            <p className="font-medium">
              {question.order}. {question.prompt}
            </p>
            <p className="text-sm">
              Your answer: {formatAnswer(question.answer)} · {question.correct ? 'right' : `right answer: ${formatAnswer(question.correctAnswer)}`} · {question.pointsAwarded}/
              {question.points} pts
            </p>
          </li>
        ))}
      </ol>
    </Card>
  );
}

const formatAnswer = (answer: Answer) =>
  answer === null ? 'none' : Array.isArray(answer) ? answer.join(', ') : typeof answer === 'boolean' ? (answer ? 'True' : 'False') : String(answer);

function StudentQuizView({ quiz }: { quiz: StudentQuiz }) {
  const start = useStartAttempt(quiz.quizId);
  const [attempt, setAttempt] = useState<QuizAttempt | null>(null);
  const [result, setResult] = useState<SubmittedAttempt | null>(null);
  const mine = quiz.myAttempts;
  const canStart = mine.remaining === null || mine.remaining > 0 || mine.inProgress !== null;

  if (attempt && !result) return <AttemptForm quiz={quiz} attempt={attempt} onDone={setResult} />;
  return (
    <div className="space-y-6">
      {result && <Results result={result} />}
      <Card title="About this quiz">
        <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">
          <Stat label="Questions" value={quiz.totalQuestions} />
          <Stat label="Points" value={quiz.totalPoints} />
          <Stat label="Time limit" value={quiz.timeLimit ? formatMinutes(quiz.timeLimit) : 'None'} />
          <Stat label="Attempts left" value={mine.remaining ?? '∞'} />
        </div>
        {mine.bestScore !== null && (
          <p className="mt-3 text-sm text-slate-700">
            Your best: {mine.bestScore} / {quiz.totalPoints} ({formatPercent(mine.bestPercentage)}){mine.passed !== null && (mine.passed ? ', passed' : ', not passed yet')}
          </p>
        )}
        <FormError message={start.error ? userMessage(start.error) : null} />
        <div className="mt-4">
          {canStart ? (
            <Button busy={start.isPending} onClick={() => start.mutate(undefined, { onSuccess: (started) => { setResult(null); setAttempt(started); } })}>
              {mine.inProgress ? 'Resume the attempt' : result || mine.submitted ? 'Start another attempt' : 'Start the quiz'}
            </Button>
          ) : (
            <p className="text-sm text-slate-700">You have used every attempt.</p>
          )}
        </div>
      </Card>
    </div>
  );
}

function StaffQuizView({ quiz }: { quiz: StaffQuiz }) {
  const results = useQuery(quizQueries.results(quiz.quizId));
  const stats = results.data?.view === 'staff' ? results.data.statistics : undefined;
  return (
    <div className="space-y-6">
      <Card title="Results" actions={<Link to="/teach/quizzes/$quizId" params={{ quizId: quiz.quizId }} className={buttonClass('secondary')}>Edit quiz</Link>}>
        {stats ? (
          <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">
            <Stat label="Students" value={stats.students} />
            <Stat label="Submitted" value={stats.submittedAttempts} />
            <Stat label="Average" value={formatPercent(stats.averagePercentage)} />
            <Stat label="Pass rate" value={stats.passRate === null ? '—' : formatPercent(stats.passRate * 100)} />
          </div>
        ) : results.error ? (
          <ErrorNotice error={results.error} onRetry={() => void results.refetch()} />
        ) : (
          <Loading rows={1} />
        )}
      </Card>
      <Card title="Questions">
        <ol className="space-y-3">
          {quiz.questions.map((question) => (
            <li key={question.questionId} className="rounded-lg border border-slate-200 p-3">
              <p className="font-medium">
                {question.order}. {question.prompt}
              </p>
              <p className="text-sm text-slate-700">
                {humanize(question.type)} · {question.points} pts · answer: {formatAnswer(question.correctAnswer)}
              </p>
            </li>
          ))}
        </ol>
      </Card>
    </div>
  );
}

export function QuizPage() {
  const { quizId } = route.useParams();
  const query = useQuery(quizQueries.detail(quizId));
  const quiz = query.data;
  if (!quiz) {
    return (
      <Page title={query.error ? 'Quiz unavailable' : 'Loading quiz…'}>
        {query.error ? <ErrorNotice error={query.error} onRetry={() => void query.refetch()} /> : <Loading label="Loading the quiz…" />}
      </Page>
    );
  }
  return (
    <Page title={quiz.title} description={quiz.description}>
      {quiz.view === 'student' ? <StudentQuizView quiz={quiz} /> : <StaffQuizView quiz={quiz} />}
    </Page>
  );
}
