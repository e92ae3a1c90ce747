// Learning streaks count consecutive UTC days with at least one completed lesson.
const DAY = 86_400_000;
const utcDay = (date: Date): number => Math.floor(date.getTime() / DAY);

export interface StreakState {
  currentStreak: number;
  longestStreak: number;
  lastLearned: Date | null;
}

/** The streak after learning at `at`. */
export function advanceStreak(state: StreakState, at: Date): StreakState {
  const today = utcDay(at);
  const last = state.lastLearned ? utcDay(state.lastLearned) : null;
  let current: number;
  if (last === today) current = Math.max(state.currentStreak, 1);
  else if (last === today - 1) current = state.currentStreak + 1;
  else if (last !== null && last > today) current = state.currentStreak; // an older event arriving late
  else current = 1;
  const lastLearned = state.lastLearned && state.lastLearned > at ? state.lastLearned : at;
  return { currentStreak: current, longestStreak: Math.max(state.longestStreak, current), lastLearned };
}

/** The stored streak is only current if the student learned today or yesterday. */
export function effectiveStreak(state: Pick<StreakState, 'currentStreak' | 'lastLearned'>, now = new Date()): number {
  if (!state.lastLearned) return 0;
  return utcDay(now) - utcDay(state.lastLearned) <= 1 ? state.currentStreak : 0;
}

/** Lengths of every run of consecutive days in a set of learning days (for averages and history). */
export function streakRuns(days: Iterable<Date>): number[] {
  const sorted = [...new Set([...days].map(utcDay))].sort((a, b) => a - b);
  const runs: number[] = [];
  let run = 0;
  for (let i = 0; i < sorted.length; i++) {
    run = i > 0 && sorted[i] === sorted[i - 1]! + 1 ? run + 1 : 1;
    if (i === sorted.length - 1 || sorted[i + 1] !== sorted[i]! + 1) runs.push(run);
  }
  return runs;
}
