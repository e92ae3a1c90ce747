// bench/RESULTS.md from one run's figures: a table per target (target, measured, met or missed; for
// a miss, by how much, why and what would close it), the database cost per request, and the
// estimate of how many app instances one PostgreSQL primary can feed.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { WriteResult } from './endpoints.js';
import type { EventCommitResult } from './event-commits.js';
import type { EndpointCost } from './explain.js';
import type { LoadResult } from './lib/load.js';
import type { CapacityStep, FanOutResult, IdleResult } from './realtime.js';
import type { EmbeddedStartResult } from './embedded.js';

export interface BenchResults {
  date: string;
  size: string;
  quick: boolean;
  command: string;
  machine: { nproc: number; cpu: string; ramGb: number; node: string; postgres: string };
  durationSeconds: number;
  connections: number;
  reads: Record<string, LoadResult>;
  ceiling: Record<string, LoadResult>;
  perUser: Record<string, LoadResult>;
  perUserGrowth: Record<string, LoadResult> | null;
  writes: Record<string, WriteResult>;
  eventCommits: EventCommitResult[];
  explain: EndpointCost[];
  realtime: {
    course: { id: string; activeStudents: number };
    popularCourse: { id: string; activeStudents: number };
    fanOut: FanOutResult;
    fanOutPopular: FanOutResult;
    capacity: { steps: CapacityStep[]; largestPassing: number };
    idle: IdleResult;
  } | null;
  embedded: EmbeddedStartResult | null;
  generation: { size: string; rows: Record<string, number>; seconds: Record<string, number>; totalSeconds: number } | null;
  notes: string[];
  /** When and by which command each section was measured (a report may merge runs, see --only). */
  provenance?: Record<string, { date: string; command: string }>;
  totalSeconds?: number;
}

/** Why a target is missed and what would close it, written after reading the plans and profiles. */
export type MissNotes = Record<string, { why: string; close: string }>;

const RESULTS_FILE = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
/** Hand-written: the summary, the server changes and their before/after figures, what was not measured. */
const ANALYSIS_FILE = fileURLToPath(new URL('./ANALYSIS.md', import.meta.url));

function readAnalysis(): string | null {
  try {
    return readFileSync(ANALYSIS_FILE, 'utf8');
  } catch {
    return null;
  }
}
/** Per-statement cost outside the plan: protocol round trip, parse/bind, executor start. */
const STATEMENT_OVERHEAD_MS = 0.05;

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits).replace(/\.0+$/, '') : '∞');
const status = (met: boolean) => (met ? 'met' : '**missed**');

interface Row {
  target: string;
  goal: string;
  measured: string;
  met: boolean | null;
  /** How far off, for a miss. */
  gap?: string;
}

function table(rows: Row[], notes: MissNotes): string {
  const lines = ['| target | goal | measured | result |', '|---|---|---|---|'];
  // Misses with the same explanation are explained once.
  const misses = new Map<string, { targets: string[]; close: string }>();
  for (const row of rows) {
    lines.push(`| ${row.target} | ${row.goal} | ${row.measured} | ${row.met === null ? 'reported' : status(row.met)}${row.met === false && row.gap ? ` (${row.gap})` : ''} |`);
    const note = notes[row.target];
    if (row.met !== false || !note) continue;
    const entry = misses.get(note.why) ?? { targets: [], close: note.close };
    entry.targets.push(row.target);
    misses.set(note.why, entry);
  }
  const explained = [...misses].map(([why, { targets, close }]) => `- **${targets.join('; ')}**: ${why} *What would close it:* ${close}`);
  return [...lines, '', ...explained].join('\n');
}

function loadTable(runs: Record<string, LoadResult>): string {
  const lines = ['| endpoint | req/s | p50 ms | p95 ms | p99 ms | errors | non-2xx | server RSS MiB |', '|---|---|---|---|---|---|---|---|'];
  for (const [name, r] of Object.entries(runs)) {
    lines.push(`| ${name} | ${r.rps} | ${fmt(r.p50)} | ${fmt(r.p95)} | ${fmt(r.p99)} | ${r.errors} | ${r.non2xx} | ${r.rssMb} |`);
  }
  return lines.join('\n');
}

export function dbMsPerRequest(cost: EndpointCost): number {
  return cost.planningMs + cost.executionMs + cost.statements * STATEMENT_OVERHEAD_MS;
}

function capacitySection(results: BenchResults): string {
  if (results.explain.length === 0) return 'Not measured in this run.';
  const cores = results.machine.nproc;
  const rpsOf: Record<string, LoadResult | undefined> = {
    'GET /api/users/:id/profile': results.perUser.profile,
    'GET /api/analytics?period=month': results.perUser['student analytics'],
    'GET /api/courses/:id/progress': results.perUser['course progress'],
    'GET /api/recommendations': results.perUser.recommendations,
    'POST /api/lessons/complete': results.writes['lesson completion'],
    'POST /api/assignments/submit': results.writes['assignment submission'],
  };
  const lines = [
    `| endpoint | statements | planning ms | execution ms | DB ms/request | slowest statement (ms) | big seq scans | one instance req/s | instances per primary (${cores} cores) |`,
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const cost of results.explain) {
    const perRequest = dbMsPerRequest(cost);
    const primaryRps = (cores * 1000) / perRequest;
    const app = rpsOf[cost.endpoint];
    const instances = app && app.rps > 0 ? fmt(primaryRps / app.rps) : 'n/a';
    lines.push(
      `| ${cost.endpoint} | ${cost.statements} | ${fmt(cost.planningMs, 2)} | ${fmt(cost.executionMs, 2)} | ${fmt(perRequest, 2)} | ${fmt(cost.slowest.executionMs, 2)} | ${cost.slowest.bigSeqScans.join(', ') || 'none'} | ${app?.rps ?? 'n/a'} | ${instances} |`,
    );
  }
  return lines.join('\n');
}

export function writeReport(results: BenchResults, notes: MissNotes = DEFAULT_NOTES): void {
  const m = results.machine;
  const sections: string[] = [];
  sections.push(`# Benchmark results

Generated by \`bench/run.ts\` on ${results.date.slice(0, 10)} (${results.date}). Dataset: **${results.size}**${results.quick ? ' (quick mode: short runs)' : ''}.
Every load run: ${results.connections} connections, ${results.durationSeconds} s, autocannon in the bench process; latencies are exact percentiles over every response.

| machine | |
|---|---|
| nproc | ${m.nproc} |
| CPU | ${m.cpu} |
| RAM | ${m.ramGb} GiB |
| Node | ${m.node} |
| PostgreSQL | ${m.postgres} |

Commands:

\`\`\`
npm run bench:data -- --size small
npm run bench:data -- --size large
${[...new Set([...Object.values(results.provenance ?? {}).map((p) => p.command), results.command])].join('\n')}
\`\`\`

Absolute figures move from run to run on this virtual machine (the bare server's from 8,000 to 24,000 req/s within a day); the
ratios measured within one run (app against bare server, large against small) are the ones to trust.`);
  const analysis = readAnalysis();
  if (analysis) sections.push(analysis.trim());

  if (results.generation) {
    const g = results.generation;
    const rows = Object.entries(g.rows).map(([table, n]) => `${table} ${n.toLocaleString('en')}`).join(', ');
    const phases = Object.entries(g.seconds).map(([phase, s]) => `${phase} ${fmt(s)} s`).join(', ');
    sections.push(`## Dataset generation

${table([{ target: `generate ${g.size}`, goal: g.size === 'large' ? '< 600 s on 2 cores' : '-', measured: `${fmt(g.totalSeconds)} s`, met: g.size === 'large' ? g.totalSeconds < 600 : null }], notes)}

Rows: ${rows}.
Phases: ${phases}.`);
  }

  const readRows: Row[] = [];
  for (const name of Object.keys(results.reads)) {
    const app = results.reads[name]!;
    const bare = results.ceiling[name];
    if (bare) {
      const share = app.rps / bare.rps;
      readRows.push({ target: `${name}: share of bare ceiling`, goal: '≥ 70%', measured: `${fmt(share * 100)}% (${app.rps} vs ${bare.rps} req/s)`, met: share >= 0.7, gap: share < 0.7 ? `${fmt((0.7 - share) * 100)} points short` : undefined });
    }
    readRows.push({ target: `${name}: p99`, goal: '< 50 ms', measured: `${fmt(app.p99)} ms`, met: app.p99 < 50, gap: app.p99 >= 50 ? `${fmt(app.p99 - 50)} ms over` : undefined });
  }
  sections.push(`## Public reads against the bare ceiling

${table(readRows, notes)}

${loadTable({ ...Object.fromEntries(Object.entries(results.reads).map(([k, v]) => [`${k} (app)`, v])), ...Object.fromEntries(Object.entries(results.ceiling).map(([k, v]) => [`${k} (bare node:http, same bytes)`, v])) })}`);

  const userRows: Row[] = Object.entries(results.perUser).map(([name, r]) => ({
    target: `${name}: p99`,
    goal: '< 100 ms',
    measured: `${fmt(r.p99)} ms`,
    met: r.p99 < 100,
    gap: r.p99 >= 100 ? `${fmt(r.p99 - 100)} ms over` : undefined,
  }));
  if (results.perUserGrowth) {
    for (const [name, large] of Object.entries(results.perUser)) {
      const small = results.perUserGrowth[name];
      if (!small) continue;
      const ratio = small.rps / large.rps;
      userRows.push({ target: `${name}: large/small cost`, goal: '< 1.5', measured: `${fmt(ratio, 2)} (${small.rps} → ${large.rps} req/s)`, met: ratio < 1.5, gap: ratio >= 1.5 ? `${fmt(ratio - 1.5, 2)} over` : undefined });
    }
  }
  sections.push(`## Per-user reads (one signed-in student per connection)

The large/small cost is the small dataset's throughput over the large one's (at a fixed number of connections, the ratio of mean latencies).

${table(userRows, notes)}

${loadTable({ ...results.perUser, ...Object.fromEntries(Object.entries(results.perUserGrowth ?? {}).map(([k, v]) => [`${k} (small dataset)`, v])) })}`);

  const writeRows: Row[] = [];
  for (const [name, r] of Object.entries(results.writes)) {
    writeRows.push({ target: `${name}: throughput`, goal: '≥ 1,000/s', measured: `${r.rps}/s (p99 ${fmt(r.p99)} ms)`, met: r.rps >= 1000, gap: r.rps < 1000 ? `${fmt(((1000 - r.rps) / 1000) * 100)}% short` : undefined });
    writeRows.push({
      target: `${name}: no lost or duplicated rows`,
      goal: 'every 201 in the database once; 0 duplicates',
      measured: `${r.verification.found} of ${r.verification.confirmed} confirmed writes found, ${r.verification.duplicates} duplicates; ${r.verification.added} rows added in all (${r.verification.unanswered} by requests in flight at the stop)`,
      met: r.verification.ok,
    });
  }
  sections.push(`## Writes

Each request writes a row that did not exist (a lesson not yet completed, an assignment not yet submitted, by a student enrolled in the course); the rows are counted with SQL before and after.

${table(writeRows, notes)}

${loadTable(results.writes)}

Both writes emit an event. A transaction's events are written at its end by one statement sent with its COMMIT; no lock orders the writers, and nothing is notified from inside the transaction (readers wait at a missing id instead, and the instance wakes its connections once the COMMIT has returned: \`src/server/realtime/events.ts\`). The statement and its commit timed alone, without the app (\`bench/event-commits.ts\`), give how many such transactions PostgreSQL commits per second; beside them, the shape they replaced, an advisory lock and a pg_notify held through the COMMIT, which let one such commit through at a time:

| statement | connections | transactions/s |
|---|---|---|
${results.eventCommits.map((r) => `| ${r.shape} | ${r.connections} | ${r.perSecond} |`).join('\n')}`);

  if (results.realtime) {
    const rt = results.realtime;
    const rtRows: Row[] = [
      {
        target: `fan-out to ${rt.fanOut.subscribers} subscribers`,
        goal: 'every delivery, p99 < 200 ms',
        measured: `p50 ${fmt(rt.fanOut.p50)} ms, p99 ${fmt(rt.fanOut.p99)} ms, max ${fmt(rt.fanOut.max)} ms (the PUT itself answered in ${fmt(rt.fanOut.updateP50)} ms, median); ${rt.fanOut.deliveries} deliveries, ${rt.fanOut.missing} missing`,
        met: rt.fanOut.missing === 0 && rt.fanOut.p99 < 200,
        gap: `${fmt(rt.fanOut.p99 - 200)} ms over`,
      },
      { target: `fan-out to ${rt.fanOutPopular.subscribers} subscribers of the most popular course (${rt.popularCourse.activeStudents.toLocaleString('en')} students)`, goal: 'delivery p50 / p99', measured: `p50 ${fmt(rt.fanOutPopular.p50)} ms, p99 ${fmt(rt.fanOutPopular.p99)} ms, max ${fmt(rt.fanOutPopular.max)} ms (PUT answered in ${fmt(rt.fanOutPopular.updateP50)} ms); ${rt.fanOutPopular.missing} missing${rt.fanOutPopular.notificationsWrittenMs === undefined ? '' : `; the students' notifications of the ${rt.fanOutPopular.broadcasts} updates all written ${fmt(rt.fanOutPopular.notificationsWrittenMs / 1000)} s after the last delivery`}`, met: rt.fanOutPopular.missing === 0 ? null : false },
      { target: 'idle WebSocket clients on one instance', goal: `${rt.idle.requested.toLocaleString('en')} connected`, measured: `${rt.idle.connected.toLocaleString('en')} connected (${rt.idle.failed} failed) in ${fmt(rt.idle.connectMs / 1000)} s; RSS ${rt.idle.rssBeforeMb} → ${rt.idle.rssAfterMb} MiB (${rt.idle.kibPerConnection} KiB each)`, met: rt.idle.connected === rt.idle.requested },
      { target: 'largest course audience, 95% of broadcasts (4 in flight) < 500 ms', goal: 'reported', measured: `${rt.capacity.largestPassing ? rt.capacity.largestPassing.toLocaleString('en') : `fewer than ${rt.capacity.steps[0]?.subscribers ?? 0}`} subscribers (steps: ${rt.capacity.steps.map((s) => `${s.subscribers} → p95 ${fmt(s.p95CompleteMs)} ms, PUT ${fmt(s.updateP50)} ms`).join('; ')})`, met: null },
    ];
    sections.push(`## Real-time (WebSocket)

Broadcast: the course's instructor edits the course (PUT /api/courses/:id); every subscriber gets \`course.updated\`. A course update also notifies each of the course's students: it queues their notifications, which the instance writes just after the update commits, so they still load the instance while the next broadcasts go out. The fan-out is measured on a course of ${rt.course.activeStudents.toLocaleString('en')} active students, with several connections per student (subscribers are signed-in students of the course, in a separate client process); the most popular course is measured once for comparison. Each run starts once the notifications of the previous one are written. Latency runs from sending the PUT to the event's arrival.

${table(rtRows, notes)}`);
  }

  if (results.embedded) {
    const e = results.embedded;
    sections.push(`## Embedded database (PGlite) start-up

${table([{ target: 'embedded start: first request served', goal: '< 2 s', measured: `median ${fmt(e.medianRestartMs / 1000, 2)} s from spawn on an existing DATA_DIR to the first 200 on /api/health (runs: ${e.restartsMs.map((ms) => fmt(ms / 1000, 2)).join(', ')} s); first start with demo seed ${fmt(e.firstStartMs / 1000, 1)} s`, met: e.medianRestartMs < 2000, gap: `${fmt((e.medianRestartMs - 2000) / 1000, 2)} s over` }], notes)}`);
  }

  sections.push(`## Database cost per request and instances per PostgreSQL primary

Each endpoint's statements were captured from the app's own services (a query logger on the real code path) and run again under \`EXPLAIN (ANALYZE, FORMAT JSON)\` in a rolled-back transaction; full plans are in \`bench/results/${results.size}.json\`. "DB ms/request" adds ${STATEMENT_OVERHEAD_MS} ms per statement for the round trip outside the plan. It counts the planning too, although the app sends the statements it has sent before as prepared statements (\`src/server/db/prepared-statements.ts\`), so that each connection parses them once and PostgreSQL may keep a generic plan instead of planning each execution (the progress statement, run alone 64 at a time, went from 3,600-4,000 to 14,600-14,900 executions per second): the figures below are an upper bound of the database's cost, and the instance counts a lower bound. A primary with ${results.machine.nproc} cores serves about cores × 1000 / (DB ms/request) requests/s of one kind; divided by what one app instance served here, that is how many instances it can feed before the database is the bottleneck. The public reads' rows are what a cache miss costs: a hit costs the database nothing.

${capacitySection(results)}

${instanceEstimate(results)}`);

  if (results.provenance) {
    const rows = Object.entries(results.provenance).map(([section, p]) => `| ${section} | ${p.date} | \`${p.command}\` |`);
    sections.push(`## Which run measured what\n\n| section | measured at | command |\n|---|---|---|\n${rows.join('\n')}`);
  }
  if (results.notes.length) sections.push(`## Notes\n\n${results.notes.map((n) => `- ${n}`).join('\n')}`);
  writeFileSync(RESULTS_FILE, sections.join('\n\n') + '\n');
}

function instanceEstimate(results: BenchResults): string {
  const byName = new Map(results.explain.map((c) => [c.endpoint, c]));
  // A plausible traffic mix: mostly page views of per-user pages, some writes (cached public reads cost no database time).
  const mix: [string, number, LoadResult | undefined][] = [
    ['GET /api/users/:id/profile', 0.2, results.perUser.profile],
    ['GET /api/analytics?period=month', 0.2, results.perUser['student analytics']],
    ['GET /api/courses/:id/progress', 0.25, results.perUser['course progress']],
    ['GET /api/recommendations', 0.15, results.perUser.recommendations],
    ['POST /api/lessons/complete', 0.15, results.writes['lesson completion']],
    ['POST /api/assignments/submit', 0.05, results.writes['assignment submission']],
  ];
  let dbMs = 0;
  let planningMs = 0;
  let appMs = 0;
  for (const [name, share, load] of mix) {
    const cost = byName.get(name);
    if (!cost || !load || load.rps === 0) return '';
    dbMs += share * dbMsPerRequest(cost);
    planningMs += share * cost.planningMs;
    appMs += share * (1000 / load.rps);
  }
  const cores = results.machine.nproc;
  const instanceRps = 1000 / appMs;
  const instances = (ms: number) => (cores * 1000) / ms / instanceRps;
  return `**Estimate for a mix** (20% profile, 20% analytics, 25% progress, 15% recommendations, 15% lesson completions, 5% submissions; public reads come from the cache): ${fmt(dbMs, 2)} DB ms per request with every statement planned, ${fmt(dbMs - planningMs, 2)} ms with none planned (prepared statements on generic plans), so a ${cores}-core primary serves about ${Math.round((cores * 1000) / dbMs)}-${Math.round((cores * 1000) / (dbMs - planningMs))} req/s; one app instance served about ${Math.round(instanceRps)} req/s of that mix here, so **one primary feeds about ${fmt(instances(dbMs))} to ${fmt(instances(dbMs - planningMs))} instances** (per extra primary core, ${fmt(instances(dbMs) / cores)} to ${fmt(instances(dbMs - planningMs) / cores)} more). Event-emitting writes take no lock of their own any more: their commits overlap, so they grow with the primary's cores like the rest (under Writes).`;
}

/** The per-user reads share one explanation: what they cost is the app's work per statement, not data. */
const PER_USER_NOTE = {
  why: "At 64 connections latency is about 64 / throughput, so p99 < 100 ms needs about 1,000 req/s or more with a tight tail. These pages went from 606-929 req/s (p99 126-188 ms) to 1,100-1,650 req/s (p99 65-107 ms) in the four runs after this round's changes: prepared statements had already taken PostgreSQL's planning out; the statements outside transactions now share a few pipelined connections (one socket write per connection per turn of the event loop instead of one per statement: socket writes went from 26.5% to 11% of the app's CPU), the profile's selects are built once, and node's young generation is larger. The figures move with the host's phase more than with the code: in the previous round's per-user runs (20:40-21:00 UTC on 2026-12-06, the same code for these pages throughout), profile 830-1,525 req/s with p99 75-132 ms, analytics 822-1,571 (p99 75-172), progress 1,081-1,798 (p99 58-125), against 653-749 req/s and p99 141-169 ms in the run of 00:12 UTC (2026-12-07), when the bare server itself answered about 2.4 times fewer requests than at 20:58, 1,004-1,025 req/s with p99 118-121 ms in the run of 02:10 UTC, 867-1,259 req/s with p99 113-156 ms in the previous round's two full runs (05:06 and 05:11 UTC), 1,107-1,548 req/s with p99 77-115 ms in the run of 07:59 UTC, 1,225-1,360 req/s with p99 84-102 ms in the previous round's (11:07 UTC), and in this round's three full runs 976-1,236 req/s with p99 91-115 ms (13:50), 721-861 with p99 156-218 ms (14:20) and 919-1,314 with p99 97-170 ms (14:55), with the same code for these pages; in the next round, with the request context no longer entered at `LOG_LEVEL=warn` (Node 20's async hooks were 6-7% of the app's CPU), 1,050-1,306 req/s with p99 85-108 ms in a full run of the previous commit (16:41) and 1,369-1,766 req/s with p99 60-85 ms in the reported one (17:06). The app's single thread is still nearly always busy: drizzle's building of the statements that are still built per request (the progress computation and the analytics queries, with lists of varying length), garbage collection and the HTTP layer are the largest parts of a CPU profile. The plans are index-bound: the cost does not grow with the data.",
  close: "build the remaining statements of these pages once as well (tried with each list as one array parameter: slower, the plans PostgreSQL chose for the array forms to be examined first); fewer statements per page (JSON aggregation); an app instance per core behind the load balancer (docs/scaling.md) once PostgreSQL has cores of its own.",
};

/** The peer sample of recommendations: the one per-user statement whose cost grows with the data. */
/** Why a missed target was missed and what would close it, from the profiles and plans of the runs. */
export const DEFAULT_NOTES: MissNotes = {
  "embedded start: first request served": {
    why: "Timestamps of one start on an existing data directory (this round, a slow phase of the host, 2.2-2.6 s in all): node and the builds' freshness check to about 0.25-0.3 s; compiling and linking the one-file server 0.45-0.5 s; its modules' top-level code about 0.25 s; PGlite's start 0.8 s (its WebAssembly, PostgreSQL's own start-up and first catalogue reads); the migration check 0.06-0.15 s; building the app 0.4-0.5 s, of which the main thread spends 55-220 ms blocked on one of V8's helper threads (a futex wait seen with strace while Swagger UI's plugin registers; what V8 waits for was not identified; neither `--single-threaded-gc`, a larger initial heap nor a larger initial young generation changed the total); then listening and the first answer. This round the webhook worker's first round waits one poll interval: run at once, its statements held the embedded database's one thread as the first request arrived (alternating starts, six each: 2.38 → 2.24 s, medians). The same code measures 1.9-2.5 s with the host's phase: a full run's five starts gave a median of 1.95 s at 11:07 UTC, and 2.20, 2.52 and 1.96 s in this round's three (13:50, 14:20 and 14:55 UTC).",
    close: "cache V8's compiled code of the bundle between starts (Node 22's module compile cache; Node 20 has it for CommonJS only); open PGlite while the app is being built, which needs the app to take its database once it is open; run the bench's start-up measurement on an otherwise idle machine.",
  },

  "catalogue: share of bare ceiling": {
    why: "A cache hit costs no database work (the public cache serves the stored bytes), but it still runs the hooks that must run for every request (the request id, overload and draining checks, rate-limit counting, CORS, metrics) and Node's own writing of about 20 headers, against the bare server's 5. The bare figure is also close to what one autocannon process can drive on this CPU, and both share the 2 cores with the load generator and PostgreSQL. The share depends on the host: 61-71% on the Intel host of the morning's runs, 43-61% on the AMD host of the afternoon's, where the code of the start of the day measured the same (56-57%); 43-94% in the evening's runs; 81% at 11:07 UTC (2026-12-07) and 51.5% at 14:55 with the same code for these requests. In this round's profile of a cache hit (`perf record` of the app with `--perf-basic-prof`), Node 20's async hooks took 6-7% of the app's CPU while nothing read the request context (now entered only when info lines are written); what remains is spread thin: rate limiting 3-4%, the metrics' onResponse hook about 4%, the per-request child loggers about 2%, validating and lower-casing some 20 header names and values 3%, Node's HTTP parsing and writing most of the rest. Alternating reads runs of the previous commit and this one, four each: 54.9, 65.0, 58.0, 50.7% → 65.2, 67.2, 59.9, 59.1%.",
    close: "run the load generator on other cores; fold the per-request hooks of public GET routes into one.",
  },
  "details: share of bare ceiling": {
    why: "A cache hit costs no database work (the public cache serves the stored bytes), but it still runs the hooks that must run for every request (the request id, overload and draining checks, rate-limit counting, CORS, metrics) and Node's own writing of about 20 headers, against the bare server's 5. The bare figure is also close to what one autocannon process can drive on this CPU, and both share the 2 cores with the load generator and PostgreSQL. The share depends on the host: 61-71% on the Intel host of the morning's runs, 43-61% on the AMD host of the afternoon's, where the code of the start of the day measured the same (56-57%); 51-55% in the evening's runs; 65.4% in a full run at 07:59 UTC (2026-12-07), 75.9% in a reads-only run and 60.6% in the full run an hour later, 60.1% at 14:55. In this round's profile of a cache hit (`perf record` of the app with `--perf-basic-prof`), Node 20's async hooks took 6-7% of the app's CPU while nothing read the request context (now entered only when info lines are written); what remains is spread thin: rate limiting 3-4%, the metrics' onResponse hook about 4%, the per-request child loggers about 2%, validating and lower-casing some 20 header names and values 3%, Node's HTTP parsing and writing most of the rest. Alternating reads runs of the previous commit and this one gave 54.9-65.0% → 59.1-67.2% for the catalogue and no difference for the course pages through the noise (41-70% either way).",
    close: "run the load generator on other cores; fold the per-request hooks of public GET routes into one.",
  },
  "profile: p99": PER_USER_NOTE,
  "student analytics: p99": PER_USER_NOTE,
  "course progress: p99": PER_USER_NOTE,
  "profile: large/small cost": PER_USER_NOTE,
  "student analytics: large/small cost": PER_USER_NOTE,
  "course progress: large/small cost": PER_USER_NOTE,
  "recommendations: p99": {
    why: "Three statements (the learner's courses, the learner's signals, the recommended courses) and the ranking, which reads a bounded part of the shared course list. Since this round the \"similar learners\" signal is read from co-enrolment counts kept by triggers (`course_co_enrollments`: the 40 strongest neighbours of each of the learner's 20 most recent courses, index only, 0.4 ms warm) instead of sampling 300 peers' enrolments on every request (1.4-3 ms, about one of the two cores at 700 req/s). Alternating per-user runs of the previous commit and this one: 582, 612 → 1,043, 1,023 req/s, p50 103, 96 → 57, 59 ms, p99 261, 288 → 121, 116 ms. The page now behaves as the other per-user pages: throughput-bound on the app's one thread, where p99 < 100 ms at 64 connections needs about 1,000 req/s with a tight tail; slow answers come in bursts at particular seconds (scavenges of 15-20 ms about every 0.3 s, the host's phase), not from particular learners (each answered in 2-3 ms alone). In the next round the bench's warm-up, which asked for the profile page only, went through the four pages in turn: the recommendations run had paid for its first requests (the shared course list's load, 242 ms of database time, every connection waiting on it) and the first compilation of its code; alternating runs of the two warm-ups: p99 159, 174 → 122, 107 ms. In that round's full runs it answered 1,285 and 1,283 req/s, as many as the profile page (1,369 and 1,361), with a p99 of 121 and 119 ms against the profile's 85: its tail is longer than the other pages' at the same throughput (p99/p50 2.5-2.6 against 1.7-2.0). Its answers are the largest of the four (five courses as the catalogue lists them, by default, with their reasons), built and serialized on every request: more allocation per request, so more frequent scavenges, is the likely cause; not yet measured.",
    close: "fewer statements and fewer objects per request (the learner's courses and signals read as one; the recommended courses' list items kept serialized with the shared course list, as the public cache keeps the catalogue's); an app instance per core behind the load balancer (docs/scaling.md) once PostgreSQL has cores of its own.",
  },
  "recommendations: large/small cost": {
    why: "The page reads the learner's own enrolments, at most 20 × 40 entries of the co-enrolment index and the recommended courses by id, whatever the size of the platform; the ranking reads a bounded part of the shared course list. A ratio over 1.5 would come from the host's phase between the two alternating runs, not from the data.",
    close: "run the two datasets' runs several times each and compare medians.",
  },
  "lesson completion: throughput": {
    why: "A completion is a transaction of 8 statements in 3 round trips: BEGIN with one statement that finds the lesson (its course's title and whether the caller is enrolled), inserts the completion for an enrolled caller and locks the streak; the streak's save with the audit and timeline rows (one statement), the study time (one statement), the progress and the streak badges; the events with the COMMIT. This table's figure was measured at 17:21 with the code before that (a lookup and 11 statements in 4 round trips); alternating runs since, on a slower phase of the host: means of 350/s (nine runs) before and 392/s (three runs) after, within the host's noise. The machine's CPU is the limit now: beside a write run of this round's code (`mpstat 1` during `npm run bench -- --size large --only writes`, 446 completions/s) both cores were 86-90% busy, about 3.9 ms of CPU per completion between the app, PostgreSQL and the load generator (1.5, 1.65 and 0.2 ms in an earlier pidstat split), so two cores run out a little under 500/s. A CPU profile of the app during a write run (`BENCH_SERVER_NODE_ARGS=\"--cpu-prof\"`, 313 and 311/s with the profiler) has 44% of its busy samples in `writev` (27% during the public reads), while strace counts 8 µs of system time per `writev`: most of that is likely the app's thread waiting for a core after waking the PostgreSQL backend it wrote to; fewer round trips per write would cut it. Event-emitting commits no longer pass one at a time: the event-log lock and the pg_notify inside the transaction are gone (the instance wakes its connections and the bus once its COMMIT has returned, and readers stop at an id that may still commit), and in PostgreSQL's statement log of a write run the events statement takes 0.18 ms on average (p95 0.32 ms) instead of 4.1-4.4 ms (p95 15-18 ms). Alternating runs of the code before and after that change (`--only writes`): 385, 378, 330 → 486, 487, 403, 417 completions/s. The host's speed moves the figure as much: 256/s in an earlier round's reported run, 501/s at 02:10 UTC, 434/s at 07:59 and 364/s at 11:07 with the same write path (alternating write runs of this round's build and the previous one's right after: 407, 403 and 361, 417/s). Looked at again in the next round (403-679 completions/s in twenty runs of the same write path): during a completion run 40-48 requests wait for one of the 12 transaction connections (the `skilled_db_pool_connections` gauge), which are mostly `idle in transaction` in pg_stat_activity, waiting for the app's next statement; yet 32 connections instead of 16 changed nothing (`BENCH_DATABASE_POOL_SIZE=32`, alternating runs: 501, 495 → 496, 439/s), and a WAL flush takes 115 µs (`pg_test_fsync`). A system-wide `perf record -a` during the run: the app 34% of the machine, PostgreSQL's backends 37%, the load generator 5%, idle 17%. In PostgreSQL, executor start-up and protocol work outweigh the statements' own execution (`standard_ExecutorRun` 13 of its 35 points, `ExecutorStart` 6.5, foreign-key checks 2.7, planning 0.2): the cost is per statement, not per row.",
    close: "less CPU per write on both sides: fewer statements (the study time, progress and badges still go one statement each) and fewer per-request hooks in the app; then more cores: nothing serialises event-emitting writes any more, so an app instance per core behind nginx, with PostgreSQL and the load generator on cores of their own, scales them; PostgreSQL over its Unix socket on the same machine (one pair of runs: 283 → 305 completions/s, 202 → 226 submissions/s).",
  },
  "assignment submission: throughput": {
    why: "The same structure as a completion: BEGIN with the assignment (its course, the caller's enrolment and the submitter's name, in one statement) and the submission's lock; the submission; the timeline and audit rows (one statement), the instructor's notification preferences, the progress and the early-submission badge; the notification; the events with the COMMIT: 11 statements, BEGIN and COMMIT included, in 5 round trips (12 when this table's figure was measured). The CPU is the limit here too: both cores 86-90% busy during the submission run at 331/s (`mpstat 1`), about 5 ms of CPU per submission in all (1.9 ms of the app's, 2.0 ms of PostgreSQL's and 0.2 ms of the load generator's in an earlier pidstat split at 412/s). The commits no longer wait for each other (the events statement 0.18 ms on average in the statement log, 4.1 ms before). Alternating runs before and after that change: 321, 281, 333, 305 → 410, 383, 289, 308 submissions/s; 215 and 220/s in an earlier round's full runs, 395/s at 07:59 and 289/s at 11:07 with the same write path (alternating write runs of this round's build and the previous one's right after: 367, 336 and 316, 368/s).",
    close: "as for lesson completions: less CPU per write (the notification's preferences read and its insert as one statement, fewer per-request hooks) and more cores, which now scale these writes.",
  },
  "fan-out to 1000 subscribers": {
    why: "The latency runs from sending the course update to each delivery, so it includes the update (answered in 70-100 ms at the median on the slow host of the last round) and, since a course update queues its students' notifications and the instance writes them just after it commits, the previous broadcast's notifications (about 200, and their 1,000 `notification.new` messages), which the next broadcast overlaps. It moves with the host's phase: 146, 179 and 206.6 ms in three full runs of the same delivery code (16:41-17:21 UTC, 2026-12-07), the notifications then written in the update's transaction; with them queued, 256, 209, 178 and 230 ms in realtime runs alternating with the previous code (204, 175, 199 and 319 ms) on a host running at half its earlier speed (the bare server 6,069 req/s against 22,819), and 151.5-298 ms in the nine runs of this code after them.",
    close: "fewer socket writes per event: each message to each connection is a write of its own (one system call), so a connection's `course.updated` and `notification.new` of the same moment could go in one write; an instance per core behind the load balancer (docs/scaling.md), each with its share of the connections.",
  },
  "idle WebSocket clients on one instance": {
    why: "Not every client connected.",
    close: "raise `ulimit -n` for the server and the client process.",
  },
};
