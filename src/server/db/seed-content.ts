// The text of the demo catalogue: people, courses, lessons, assignments, quizzes and the words
// students and instructors write. The history built on top of it lives in seed.ts.
import type { courseCategory, difficultyLevel } from './schema.js';

type Category = (typeof courseCategory.enumValues)[number];
type Level = (typeof difficultyLevel.enumValues)[number];

export type QuestionSeed =
  | { type: 'single_choice'; prompt: string; options: string[]; answer: number }
  | { type: 'multiple_choice'; prompt: string; options: string[]; answer: number[] }
  | { type: 'true_false'; prompt: string; answer: boolean }
  | { type: 'short_answer'; prompt: string; answer: string }
  | { type: 'numeric'; prompt: string; answer: number; tolerance: number | null };

export interface QuizSeed {
  title: string;
  description: string;
  questions: QuestionSeed[];
}

export interface AssignmentSeed {
  title: string;
  description: string;
}

export interface CourseSeed {
  key: string;
  title: string;
  description: string;
  category: Category;
  level: Level;
  /** Index into `instructorPeople`. */
  instructor: number;
  requires: string[];
  lessons: string[];
  assignments: AssignmentSeed[];
  quizzes: QuizSeed[];
}

export interface PersonSeed {
  firstName: string;
  lastName: string;
}

const sc = (prompt: string, options: string[], answer: number): QuestionSeed => ({ type: 'single_choice', prompt, options, answer });
const mc = (prompt: string, options: string[], answer: number[]): QuestionSeed => ({ type: 'multiple_choice', prompt, options, answer });
const tf = (prompt: string, answer: boolean): QuestionSeed => ({ type: 'true_false', prompt, answer });
const sa = (prompt: string, answer: string): QuestionSeed => ({ type: 'short_answer', prompt, answer });
const num = (prompt: string, answer: number, tolerance: number | null = null): QuestionSeed => ({
  type: 'numeric',
  prompt,
  answer,
  tolerance,
});
const task = (title: string, description: string): AssignmentSeed => ({ title, description });

export const DEMO_PASSWORDS = {
  admin: 'Admin-demo-2026',
  instructor: 'Instructor-demo-2026',
  student: 'Student-demo-2026',
} as const;

export const DEMO_EMAIL_DOMAIN = 'skilled.dev';

export const adminPerson = { firstName: 'Jordan', lastName: 'Blake', email: 'admin@skilled.dev', username: 'admin' };

/** The first of each list is the demo account with its fixed email and username. */
export const instructorPeople: PersonSeed[] = [
  { firstName: 'Maria', lastName: 'Garcia' },
  { firstName: 'James', lastName: 'Okafor' },
  { firstName: 'Priya', lastName: 'Raman' },
];

export const studentPeople: PersonSeed[] = [
  { firstName: 'Alex', lastName: 'Chen' },
  { firstName: 'Sofia', lastName: 'Rossi' },
  { firstName: 'Liam', lastName: 'Murphy' },
  { firstName: 'Amara', lastName: 'Nwosu' },
  { firstName: 'Noah', lastName: 'Schmidt' },
  { firstName: 'Yuki', lastName: 'Tanaka' },
  { firstName: 'Olivia', lastName: 'Brown' },
  { firstName: 'Mateo', lastName: 'Fernandez' },
  { firstName: 'Hannah', lastName: 'Kowalski' },
  { firstName: 'Arjun', lastName: 'Patel' },
  { firstName: 'Chloe', lastName: 'Dubois' },
  { firstName: 'Ethan', lastName: 'Walker' },
  { firstName: 'Fatima', lastName: 'Haddad' },
  { firstName: 'Lucas', lastName: 'Silva' },
  { firstName: 'Emma', lastName: 'Johansson' },
  { firstName: 'Daniel', lastName: 'Kim' },
  { firstName: 'Zara', lastName: 'Ahmed' },
  { firstName: 'Oscar', lastName: 'Lindqvist' },
  { firstName: 'Mia', lastName: 'Novak' },
  { firstName: 'Samuel', lastName: 'Mensah' },
  { firstName: 'Isabella', lastName: 'Moretti' },
  { firstName: 'Ben', lastName: 'Carter' },
  { firstName: 'Leila', lastName: 'Karimi' },
  { firstName: 'Tom', lastName: 'Becker' },
  { firstName: 'Grace', lastName: 'Owusu' },
  { firstName: 'Ivan', lastName: 'Petrov' },
  { firstName: 'Nora', lastName: 'Eriksen' },
  { firstName: 'Diego', lastName: 'Ramirez' },
  { firstName: 'Aisha', lastName: 'Bello' },
  { firstName: 'Felix', lastName: 'Wagner' },
  { firstName: 'Ruby', lastName: 'Thompson' },
  { firstName: 'Kenji', lastName: 'Watanabe' },
  { firstName: 'Elena', lastName: 'Popescu' },
  { firstName: 'Marcus', lastName: 'Reid' },
  { firstName: 'Ines', lastName: 'Costa' },
  { firstName: 'Omar', lastName: 'Farouk' },
  { firstName: 'Julia', lastName: 'Nowak' },
  { firstName: 'Theo', lastName: 'Martin' },
  { firstName: 'Anika', lastName: 'Sharma' },
  { firstName: 'Ryan', lastName: 'OBrien' },
];

export const lessonDescriptionTemplates = [
  'A guided walkthrough of {lesson}, with worked examples and a short practice task at the end.',
  'We cover {lesson} step by step and connect it to what you have already built in {course}.',
  '{lesson}: the key ideas, the common mistakes, and a checklist you can reuse.',
  'Short video, reading and exercise on {lesson}. Take notes: the next lessons build on this one.',
  'Hands-on session on {lesson}. Follow along, then try the variation on your own.',
  'What {lesson} is for, when to reach for it, and how professionals approach it in practice.',
];

export const submissionTemplates = [
  'My submission for "{title}". I followed the brief and noted my assumptions at the top.',
  'Here is my work on "{title}". The second part took me longest; feedback on it is very welcome.',
  'Attached is "{title}". I tried two approaches and kept the simpler one, explained in the notes.',
  'Submission for "{title}": everything from the checklist is covered, plus a short reflection.',
  '"{title}" is done. I was unsure about the last step and wrote down my reasoning there.',
  'My answer to "{title}", with sources listed at the end.',
];

export const feedbackByBand: Record<'excellent' | 'good' | 'fair' | 'weak', string[]> = {
  excellent: [
    'Excellent work: clear, complete and well reasoned. Nothing to add.',
    'Outstanding. Your explanation of the trade-offs was the best in the cohort.',
    'Very polished. Keep this level of care in the next module.',
  ],
  good: [
    'Good work overall. Tighten the structure of the final section and it would be excellent.',
    'Solid submission. A couple of small gaps, noted inline, but the core is right.',
    'Well done. Next time, explain why you chose this approach, not only what you did.',
  ],
  fair: [
    'A reasonable start. Revisit the lesson material on the second part; it is only partly correct.',
    'Some good ideas here, but several requirements from the brief are missing.',
    'The approach is fine but the execution needs more care. See my comments.',
  ],
  weak: [
    'This does not yet meet the brief. Please review the lessons and come to office hours.',
    'Several core parts are missing. Resubmit notes are in the comments.',
  ],
};

export const reviewsByMood: Record<'positive' | 'neutral' | 'negative', string[]> = {
  positive: [
    'Clear explanations and exercises that actually stick. Highly recommended.',
    'Exactly the right pace for me. The assignments made everything click.',
    'One of the best courses I have taken online. Great instructor feedback.',
    'Practical and well structured. I used what I learned at work the same week.',
    'Loved the projects. Challenging but never frustrating.',
    'Great balance of theory and practice, and the quizzes are genuinely useful.',
    'Very well organised. Each lesson builds nicely on the previous one.',
    'The instructor clearly knows the subject and explains it patiently.',
  ],
  neutral: [
    'Good content, though some lessons felt rushed. The assignments were the best part.',
    'Useful overall. I would have liked more examples in the middle section.',
    'Decent introduction, but I already knew about half of it.',
    'Solid material; the videos could be shorter.',
  ],
  negative: [
    'Too fast for a beginner course, and the assignments assume knowledge that was never taught.',
    'Some of the material felt outdated. Feedback on assignments was slow.',
    'Not what I expected from the description. Too much theory for me.',
  ],
};

export const fileExtensions = ['pdf', 'zip', 'docx', 'png', 'md'];

export const courseSeeds: CourseSeed[] = [
  // ── programming ──────────────────────────────────────────────────────────────
  {
    key: 'python-foundations',
    title: 'Python Foundations',
    description:
      'Start programming with Python from zero: values, variables, control flow, functions and files. You finish by writing small scripts that automate everyday tasks.',
    category: 'programming',
    level: 'beginner',
    instructor: 0,
    requires: [],
    lessons: [
      'Installing Python and your first script',
      'Numbers, strings and variables',
      'Making decisions with if',
      'Loops: for and while',
      'Functions and parameters',
      'Lists and dictionaries',
      'Reading and writing files',
    ],
    assignments: [
      task('Temperature converter', 'Write a script that converts between Celsius and Fahrenheit and validates its input.'),
      task('Word frequency counter', 'Read a text file and print the ten most frequent words with their counts.'),
    ],
    quizzes: [
      {
        title: 'Python basics check',
        description: 'Values, types and control flow.',
        questions: [
          sc('Which keyword defines a function in Python?', ['func', 'def', 'function', 'lambda'], 1),
          tf('Python lists can hold values of different types.', true),
          num('What does len("skillEd") return?', 7),
          sa('Which built-in function prints text to the console?', 'print'),
          mc('Which of these are mutable?', ['list', 'tuple', 'dict', 'str'], [0, 2]),
        ],
      },
    ],
  },
  {
    key: 'python-data-structures',
    title: 'Data Structures and Algorithms in Python',
    description:
      'Stacks, queues, hash maps, trees and graphs, and the algorithms that use them. Learn to reason about complexity and choose the right structure for the job.',
    category: 'programming',
    level: 'intermediate',
    instructor: 0,
    requires: ['python-foundations'],
    lessons: [
      'Big-O notation in practice',
      'Arrays, stacks and queues',
      'Hash maps and sets',
      'Recursion and divide and conquer',
      'Sorting algorithms compared',
      'Trees and binary search trees',
      'Graphs and breadth-first search',
    ],
    assignments: [
      task('Implement a priority queue', 'Build a binary heap with push, pop and peek, and test it against heapq.'),
      task('Route finder', 'Find the shortest path between two stations of a small metro map using BFS.'),
      task('Complexity report', 'Measure three sorting algorithms on growing inputs and explain the curves.'),
    ],
    quizzes: [
      {
        title: 'Complexity and structures',
        description: 'Choose the right data structure.',
        questions: [
          sc('Average lookup time in a hash map is…', ['O(1)', 'O(log n)', 'O(n)', 'O(n log n)'], 0),
          num('How many comparisons does binary search need at most for 1024 sorted items?', 10, 1),
          tf('A stack is first-in, first-out.', false),
          mc('Which sorts run in O(n log n) on average?', ['merge sort', 'quicksort', 'bubble sort', 'heap sort'], [0, 1, 3]),
        ],
      },
    ],
  },
  {
    key: 'python-concurrency',
    title: 'Concurrent and Async Python',
    description:
      'Threads, processes and asyncio without the mystery. Build fast network clients, understand the GIL, and avoid race conditions and deadlocks.',
    category: 'programming',
    level: 'advanced',
    instructor: 0,
    requires: ['python-data-structures'],
    lessons: [
      'Concurrency versus parallelism',
      'Threads and the GIL',
      'Multiprocessing pools',
      'The asyncio event loop',
      'Tasks, gather and timeouts',
      'Locks, queues and race conditions',
    ],
    assignments: [
      task('Async web crawler', 'Crawl a site politely with asyncio, respecting a concurrency limit and timeouts.'),
      task('Parallel image thumbnails', 'Use a process pool to generate thumbnails and compare against a single process.'),
    ],
    quizzes: [
      {
        title: 'asyncio essentials',
        description: 'Event loops, tasks and cancellation.',
        questions: [
          sa('Which keyword pauses a coroutine until an awaitable completes?', 'await'),
          tf('The GIL lets two threads execute Python bytecode at the same time.', false),
          sc('Which call runs several coroutines concurrently and collects their results?', ['asyncio.sleep', 'asyncio.gather', 'asyncio.run_forever', 'time.wait'], 1),
        ],
      },
    ],
  },
  {
    key: 'web-fundamentals',
    title: 'HTML, CSS and the Modern Web',
    description:
      'Build accessible, responsive pages from scratch. Semantic HTML, the box model, flexbox and grid, and how browsers turn your code into pixels.',
    category: 'programming',
    level: 'beginner',
    instructor: 1,
    requires: [],
    lessons: [
      'How the web works',
      'Semantic HTML',
      'The CSS box model',
      'Flexbox layouts',
      'CSS grid',
      'Responsive design and media queries',
    ],
    assignments: [
      task('Personal profile page', 'Build a one-page profile with semantic HTML that passes an accessibility audit.'),
      task('Responsive photo gallery', 'Lay out a gallery with CSS grid that works from phone to desktop.'),
    ],
    quizzes: [
      {
        title: 'HTML and CSS quick check',
        description: 'Markup and layout basics.',
        questions: [
          sc('Which element marks the main content of a page?', ['<div>', '<main>', '<section>', '<body>'], 1),
          tf('Padding is outside the border in the CSS box model.', false),
          mc('Which are valid CSS display values?', ['flex', 'grid', 'stack', 'inline-block'], [0, 1, 3]),
          sa('Which HTML attribute gives an image its text alternative?', 'alt'),
        ],
      },
    ],
  },
  {
    key: 'javascript-in-practice',
    title: 'JavaScript in Practice',
    description:
      'Modern JavaScript for the browser and Node: functions and closures, the DOM, promises and fetch. Build three small interactive apps along the way.',
    category: 'programming',
    level: 'intermediate',
    instructor: 1,
    requires: ['web-fundamentals'],
    lessons: [
      'Values, types and equality',
      'Functions and closures',
      'Working with the DOM',
      'Events and forms',
      'Promises and async/await',
      'Fetching data from APIs',
      'Modules and tooling',
    ],
    assignments: [
      task('To-do list app', 'Build a to-do list with add, complete and filter, persisted in localStorage.'),
      task('Weather dashboard', 'Fetch a public weather API and render a five-day forecast with error handling.'),
    ],
    quizzes: [
      {
        title: 'JavaScript fundamentals',
        description: 'Types, scope and async code.',
        questions: [
          tf('`===` compares values without type coercion.', true),
          sc('What does `typeof []` return?', ['array', 'object', 'list', 'undefined'], 1),
          num('What is the value of `0.1 * 3` rounded to one decimal place?', 0.3, 0.01),
          sa('Which keyword declares a block-scoped variable that cannot be reassigned?', 'const'),
        ],
      },
      {
        title: 'Async JavaScript',
        description: 'Promises and the event loop.',
        questions: [
          mc('Which are promise states?', ['pending', 'fulfilled', 'rejected', 'paused'], [0, 1, 2]),
          sc('Which method waits for every promise and fails fast?', ['Promise.any', 'Promise.all', 'Promise.race', 'Promise.allSettled'], 1),
          tf('An async function always returns a promise.', true),
        ],
      },
    ],
  },
  {
    key: 'typescript-at-scale',
    title: 'TypeScript for Large Codebases',
    description:
      'Types that scale with your team: generics, discriminated unions, strict mode and module boundaries. Learn to migrate a JavaScript codebase safely.',
    category: 'programming',
    level: 'advanced',
    instructor: 0,
    requires: ['javascript-in-practice'],
    lessons: [
      'Why types help teams',
      'Generics without fear',
      'Discriminated unions and narrowing',
      'Mapped and conditional types',
      'Strict mode migration',
      'Designing module boundaries',
    ],
    assignments: [
      task('Type a legacy module', 'Add strict types to a provided JavaScript module without changing its behaviour.'),
      task('Typed event emitter', 'Design an event emitter whose listeners are checked against an event map.'),
    ],
    quizzes: [
      {
        title: 'Type system check',
        description: 'Generics and narrowing.',
        questions: [
          sc('Which type accepts any value but forces you to narrow before use?', ['any', 'unknown', 'never', 'object'], 1),
          tf('Interfaces can be extended with declaration merging.', true),
          sa('Which utility type makes every property optional?', 'Partial'),
        ],
      },
    ],
  },
  {
    key: 'sql-for-analysts',
    title: 'SQL for Analysts',
    description:
      'Answer business questions with SQL: filtering, joins, grouping and window functions on a realistic sales database.',
    category: 'programming',
    level: 'beginner',
    instructor: 1,
    requires: [],
    lessons: ['SELECT and WHERE', 'Sorting and limiting', 'Joins explained', 'GROUP BY and aggregates', 'Subqueries', 'Window functions'],
    assignments: [task('Monthly revenue report', 'Write queries that produce revenue by month and by region, with growth rates.')],
    quizzes: [
      {
        title: 'SQL essentials',
        description: 'Queries, joins and aggregates.',
        questions: [
          sc('Which join keeps every row of the left table?', ['INNER JOIN', 'LEFT JOIN', 'CROSS JOIN', 'SELF JOIN'], 1),
          sa('Which clause filters groups after aggregation?', 'HAVING'),
          tf('COUNT(*) counts rows including those with NULL values.', true),
          num('A table has 8 rows and another has 5. How many rows does their CROSS JOIN return?', 40),
        ],
      },
    ],
  },
  // ── design ───────────────────────────────────────────────────────────────────
  {
    key: 'design-principles',
    title: 'Visual Design Principles',
    description:
      'Contrast, alignment, proximity, repetition and hierarchy: the principles behind every good layout, practised on posters, slides and screens.',
    category: 'design',
    level: 'beginner',
    instructor: 2,
    requires: [],
    lessons: ['Seeing like a designer', 'Contrast and emphasis', 'Alignment and grids', 'Proximity and grouping', 'Colour basics'],
    assignments: [
      task('Event poster', 'Design a poster for a local event using at most two typefaces and three colours.'),
      task('Slide redesign', 'Redesign three dense slides so that each has one clear message.'),
    ],
    quizzes: [
      {
        title: 'Principles in practice',
        description: 'Name the principle.',
        questions: [
          sc('Placing related items close together applies which principle?', ['contrast', 'proximity', 'repetition', 'balance'], 1),
          tf('Complementary colours sit opposite each other on the colour wheel.', true),
          num('How many primary colours are in the RGB model?', 3),
        ],
      },
    ],
  },
  {
    key: 'typography-for-screens',
    title: 'Typography for Screens',
    description:
      'Choose, pair and set type for interfaces and long reading on screens: sizes, line length, rhythm, and variable fonts.',
    category: 'design',
    level: 'intermediate',
    instructor: 2,
    requires: ['design-principles'],
    lessons: [
      'Anatomy of a typeface',
      'Choosing typefaces for interfaces',
      'Type scales and hierarchy',
      'Line length, leading and rhythm',
      'Pairing typefaces',
      'Variable fonts and performance',
    ],
    assignments: [
      task('Type scale for a reading app', 'Define a modular type scale and apply it to an article page on phone and desktop.'),
      task('Font pairing study', 'Propose three pairings for a news site and justify each one.'),
    ],
    quizzes: [
      {
        title: 'Type on screen',
        description: 'Measure, leading and scale.',
        questions: [
          num('A comfortable line length for body text is about how many characters?', 66, 10),
          sc('Leading is the space…', ['between letters', 'between lines', 'between words', 'around a paragraph'], 1),
          tf('Serif typefaces cannot be used on screens.', false),
          mc('Which help readability of body text?', ['adequate contrast', 'justified text everywhere', 'generous line height', 'all caps'], [0, 2]),
        ],
      },
    ],
  },
  {
    key: 'design-systems',
    title: 'Building Design Systems',
    description:
      'Turn a product’s scattered styles into a design system: tokens, components, documentation and governance that developers and designers share.',
    category: 'design',
    level: 'advanced',
    instructor: 2,
    requires: ['typography-for-screens'],
    lessons: ['Auditing an interface', 'Design tokens', 'Component anatomy', 'Documentation that gets read', 'Versioning and governance'],
    assignments: [
      task('Interface audit', 'Audit a product of your choice and catalogue its colours, type styles and components.'),
      task('Token set', 'Define colour, spacing and type tokens for light and dark themes.'),
      task('Component spec', 'Write the full specification of a button component with states and accessibility notes.'),
    ],
    quizzes: [],
  },
  {
    key: 'ux-research-basics',
    title: 'UX Research Basics',
    description:
      'Learn what users need before you design: interviews, usability tests, surveys and turning findings into decisions your team will act on.',
    category: 'design',
    level: 'beginner',
    instructor: 2,
    requires: [],
    lessons: ['Why research first', 'Planning a study', 'Running user interviews', 'Usability testing', 'Synthesising findings'],
    assignments: [task('Interview plan', 'Write a research plan and interview guide for a food-delivery app.')],
    quizzes: [
      {
        title: 'Research methods',
        description: 'Which method, when.',
        questions: [
          num('According to a well-known rule of thumb, how many users uncover most usability problems in one round?', 5, 1),
          tf('Leading questions make interview data more reliable.', false),
          sc('Which method best measures what users do rather than what they say?', ['survey', 'usability test', 'focus group', 'card sort'], 1),
        ],
      },
    ],
  },
  // ── business ─────────────────────────────────────────────────────────────────
  {
    key: 'business-fundamentals',
    title: 'Business Fundamentals for Founders',
    description:
      'Everything a first-time founder needs to read a business: customers, unit economics, the three financial statements and simple strategy.',
    category: 'business',
    level: 'beginner',
    instructor: 1,
    requires: [],
    lessons: [
      'What a business model is',
      'Customers and value propositions',
      'Unit economics',
      'Reading an income statement',
      'Balance sheet and cash flow',
      'Simple strategy tools',
    ],
    assignments: [
      task('Business model canvas', 'Fill in a business model canvas for a company you admire and critique it.'),
      task('Unit economics sheet', 'Calculate customer acquisition cost and lifetime value for a subscription business.'),
    ],
    quizzes: [
      {
        title: 'Business basics',
        description: 'Statements and economics.',
        questions: [
          sc('Which statement shows what a company owns and owes at one moment?', ['income statement', 'balance sheet', 'cash-flow statement', 'budget'], 1),
          num('Revenue is 200 and costs are 150. What is the profit margin in percent?', 25, 0.5),
          tf('A profitable company can still run out of cash.', true),
          sa('What does the C in CAC stand for?', 'customer'),
        ],
      },
    ],
  },
  {
    key: 'financial-modelling',
    title: 'Financial Modelling in Spreadsheets',
    description:
      'Build a three-statement model from scratch, with clean structure, scenarios and sensitivity tables that survive review by investors.',
    category: 'business',
    level: 'intermediate',
    instructor: 1,
    requires: ['business-fundamentals'],
    lessons: [
      'Model structure and conventions',
      'Revenue drivers',
      'Operating costs and headcount',
      'Linking the three statements',
      'Scenarios and sensitivities',
      'Checks and presentation',
    ],
    assignments: [
      task('Revenue build', 'Model monthly revenue for a SaaS company from leads, conversion and churn.'),
      task('Three-statement model', 'Link income statement, balance sheet and cash flow so that the balance sheet balances.'),
    ],
    quizzes: [
      {
        title: 'Modelling checks',
        description: 'Formulas and conventions.',
        questions: [
          tf('Hard-coded numbers should sit inside formulas for speed.', false),
          num('A cost of 1,000 grows 10% a year. What is it after two years?', 1210, 1),
          sc('Which function returns the net present value of a series of cash flows?', ['SUM', 'NPV', 'PMT', 'IRR'], 1),
        ],
      },
    ],
  },
  {
    key: 'corporate-valuation',
    title: 'Corporate Valuation and M&A',
    description:
      'Value companies the way analysts do: discounted cash flows, multiples and precedent transactions, and the mechanics of a merger.',
    category: 'business',
    level: 'advanced',
    instructor: 1,
    requires: ['financial-modelling'],
    lessons: ['Enterprise value and equity value', 'Discounted cash flow', 'Cost of capital', 'Trading multiples', 'Merger mechanics'],
    assignments: [
      task('DCF valuation', 'Value a listed company with a DCF and compare your result to its market value.'),
      task('Accretion/dilution analysis', 'Analyse whether a proposed acquisition is accretive to earnings per share.'),
    ],
    quizzes: [
      {
        title: 'Valuation concepts',
        description: 'DCF and multiples.',
        questions: [
          sa('What does the W in WACC stand for?', 'weighted'),
          tf('A higher discount rate increases the present value of future cash flows.', false),
          num('Equity value is 800, debt 300 and cash 100. What is the enterprise value?', 1000),
          mc('Which are common valuation multiples?', ['EV/EBITDA', 'P/E', 'EV/Sales', 'ROI/Cash'], [0, 1, 2]),
        ],
      },
    ],
  },
  {
    key: 'project-management-essentials',
    title: 'Project Management Essentials',
    description:
      'Plan, run and close projects that finish on time: scope, schedules, risks, stakeholders, and when to choose agile or a classic plan.',
    category: 'business',
    level: 'beginner',
    instructor: 1,
    requires: [],
    lessons: ['What makes a project', 'Scope and requirements', 'Schedules and the critical path', 'Risk registers', 'Agile and Scrum basics', 'Closing a project'],
    assignments: [task('Project charter', 'Write a one-page charter for a project at your workplace or school.')],
    quizzes: [],
  },
  // ── marketing ────────────────────────────────────────────────────────────────
  {
    key: 'digital-marketing-101',
    title: 'Digital Marketing 101',
    description:
      'The channels of digital marketing and how they fit together: search, social, email and paid ads, measured with simple, honest metrics.',
    category: 'marketing',
    level: 'beginner',
    instructor: 1,
    requires: [],
    lessons: ['The marketing funnel', 'Knowing your audience', 'Email marketing', 'Social media basics', 'Paid advertising', 'Measuring what matters'],
    assignments: [
      task('Audience personas', 'Write two personas for a local bakery that wants to sell online.'),
      task('Email campaign', 'Draft a three-email welcome sequence with subject lines and goals.'),
    ],
    quizzes: [
      {
        title: 'Marketing fundamentals',
        description: 'Funnels and metrics.',
        questions: [
          sc('CTR stands for…', ['cost to reach', 'click-through rate', 'customer total revenue', 'conversion time ratio'], 1),
          num('An email reaches 2,000 people and 50 click. What is the click rate in percent?', 2.5, 0.1),
          tf('Open rates measure exactly how many people read an email.', false),
        ],
      },
    ],
  },
  {
    key: 'seo-content-strategy',
    title: 'SEO and Content Strategy',
    description:
      'Get found in search by writing for people first: keyword research, site structure, on-page SEO and a content calendar you can keep.',
    category: 'marketing',
    level: 'intermediate',
    instructor: 1,
    requires: ['digital-marketing-101'],
    lessons: ['How search engines rank pages', 'Keyword research', 'On-page SEO', 'Site structure and internal links', 'Content calendars', 'Measuring organic growth', 'Link building ethically'],
    assignments: [
      task('Keyword map', 'Build a keyword map for a ten-page website and assign one intent to each page.'),
      task('Content audit', 'Audit twenty pages of a blog and decide what to keep, merge or delete.'),
    ],
    quizzes: [
      {
        title: 'SEO check',
        description: 'On-page and intent.',
        questions: [
          sa('Which HTML element holds the page title shown in search results?', 'title'),
          tf('Repeating a keyword as often as possible improves rankings.', false),
          mc('Which are on-page factors?', ['title tag', 'headings', 'backlinks from other sites', 'meta description'], [0, 1, 3]),
        ],
      },
    ],
  },
  {
    key: 'growth-analytics',
    title: 'Growth Analytics and Experimentation',
    description:
      'Run trustworthy A/B tests and build the funnels, cohorts and retention curves that show where growth really comes from.',
    category: 'marketing',
    level: 'advanced',
    instructor: 0,
    requires: ['seo-content-strategy', 'sql-for-analysts'],
    lessons: ['North-star metrics', 'Funnels and cohorts', 'Retention curves', 'Designing A/B tests', 'Statistical significance', 'From insight to roadmap'],
    assignments: [
      task('Cohort analysis', 'Build weekly retention cohorts from the provided event data and describe what changed.'),
      task('Experiment design', 'Design an A/B test with hypothesis, metric, sample size and stopping rule.'),
    ],
    quizzes: [
      {
        title: 'Experimentation',
        description: 'Significance and pitfalls.',
        questions: [
          tf('Stopping a test as soon as it looks significant inflates false positives.', true),
          num('A conversion rate goes from 4% to 5%. What is the relative lift in percent?', 25, 0.5),
          sc('A p-value of 0.03 means…', ['the variant is 97% better', 'results this extreme are unlikely if there is no effect', 'the test must run longer', 'the sample is too small'], 1),
        ],
      },
    ],
  },
  // ── science ──────────────────────────────────────────────────────────────────
  {
    key: 'intro-astronomy',
    title: 'Introduction to Astronomy',
    description:
      'A tour of the universe from the Moon to distant galaxies: how we measure the sky, how stars live and die, and how to observe from your backyard.',
    category: 'science',
    level: 'beginner',
    instructor: 0,
    requires: [],
    lessons: ['The night sky and its motions', 'Light and telescopes', 'The Solar System', 'The life of stars', 'Galaxies and the expanding universe'],
    assignments: [task('Observation log', 'Observe the Moon on five nights and record its phase and position.')],
    quizzes: [
      {
        title: 'Astronomy basics',
        description: 'Solar System and stars.',
        questions: [
          num('How many planets are in the Solar System?', 8),
          sc('Which planet is largest?', ['Saturn', 'Jupiter', 'Neptune', 'Earth'], 1),
          tf('Light from the Sun takes about eight minutes to reach Earth.', true),
          sa('What is the name of our galaxy?', 'Milky Way'),
        ],
      },
    ],
  },
  {
    key: 'everyday-chemistry',
    title: 'Chemistry of Everyday Life',
    description:
      'Why bread rises, soap cleans and batteries run down: the chemistry around you, explained with kitchen experiments you can do at home.',
    category: 'science',
    level: 'beginner',
    instructor: 0,
    requires: [],
    lessons: ['Atoms and molecules', 'Acids and bases in the kitchen', 'Chemical reactions and energy', 'Polymers and plastics', 'Electrochemistry and batteries'],
    assignments: [
      task('Red cabbage pH indicator', 'Make an indicator from red cabbage and test five household liquids.'),
      task('Reaction diary', 'Document three chemical reactions you see in a day and explain each one.'),
    ],
    quizzes: [
      {
        title: 'Kitchen chemistry',
        description: 'Acids, bases and reactions.',
        questions: [
          num('What is the pH of pure water at 25 °C?', 7, 0.1),
          tf('Baking soda is an acid.', false),
          sa('What is the chemical formula of water?', 'H2O'),
        ],
      },
    ],
  },
  {
    key: 'statistics-for-science',
    title: 'Statistics for Scientists',
    description:
      'Describe data, estimate with confidence and test hypotheses correctly. Practical statistics for lab and field work, with worked examples.',
    category: 'science',
    level: 'intermediate',
    instructor: 0,
    requires: [],
    lessons: [
      'Describing data',
      'Probability refresher',
      'The normal distribution',
      'Confidence intervals',
      'Hypothesis tests',
      'Correlation and regression',
      'Common statistical mistakes',
    ],
    assignments: [
      task('Describe a dataset', 'Summarise a provided field dataset with the right statistics and plots.'),
      task('Regression report', 'Fit a linear regression, check its assumptions and report the result.'),
    ],
    quizzes: [
      {
        title: 'Distributions',
        description: 'Means, spreads and the normal curve.',
        questions: [
          num('About what percent of a normal distribution lies within one standard deviation of the mean?', 68, 1),
          sc('Which measure of centre is most robust to outliers?', ['mean', 'median', 'range', 'variance'], 1),
          tf('Correlation implies causation.', false),
        ],
      },
      {
        title: 'Testing hypotheses',
        description: 'p-values and intervals.',
        questions: [
          sa('Which Greek letter names the significance level of a test?', 'alpha'),
          mc('Which increase the power of a test?', ['larger sample', 'larger effect', 'smaller alpha', 'less noise'], [0, 1, 3]),
          num('The mean of 2, 4, 6 and 8 is…', 5),
          tf('A 95% confidence interval contains the true value in 95% of repeated studies.', true),
        ],
      },
    ],
  },
  {
    key: 'climate-science',
    title: 'Climate Science: Models and Evidence',
    description:
      'The physics of the greenhouse effect, how climate models are built and tested, and how to read the evidence in the scientific assessment reports.',
    category: 'science',
    level: 'advanced',
    instructor: 0,
    requires: ['statistics-for-science'],
    lessons: ['Energy balance of the Earth', 'The greenhouse effect', 'Carbon cycle', 'Climate models', 'Feedbacks and sensitivity', 'Reading the assessment reports'],
    assignments: [
      task('Temperature record analysis', 'Analyse a century of temperature data and estimate the trend with uncertainty.'),
      task('Policy brief', 'Write a two-page brief on one mitigation option, citing the evidence.'),
    ],
    quizzes: [
      {
        title: 'Climate physics',
        description: 'Energy balance and feedbacks.',
        questions: [
          sc('Which gas contributes most to the natural greenhouse effect?', ['carbon dioxide', 'water vapour', 'methane', 'ozone'], 1),
          num('Pre-industrial atmospheric CO2 was about how many parts per million?', 280, 10),
          tf('Melting sea ice is a positive feedback.', true),
        ],
      },
    ],
  },
  // ── language ─────────────────────────────────────────────────────────────────
  {
    key: 'spanish-a1',
    title: 'Spanish for Beginners (A1)',
    description:
      'Your first steps in Spanish: greetings, numbers, the present tense and the phrases you need to travel, order food and make friends.',
    category: 'language',
    level: 'beginner',
    instructor: 1,
    requires: [],
    lessons: ['Greetings and introductions', 'Numbers, days and time', 'Ser and estar', 'Present tense of regular verbs', 'Ordering food', 'Asking for directions', 'Talking about your family'],
    assignments: [
      task('Introduce yourself', 'Record or write a one-minute introduction: name, origin, work and hobbies.'),
      task('Café dialogue', 'Write a dialogue ordering breakfast in a café, using at least ten new words.'),
    ],
    quizzes: [
      {
        title: 'Primeros pasos',
        description: 'Greetings and numbers.',
        questions: [
          sa('How do you say "thank you" in Spanish?', 'gracias'),
          sc('"Buenas noches" means…', ['good morning', 'good afternoon', 'good night', 'goodbye'], 2),
          num('What number is "quince"?', 15),
          tf('"Estar" is used for permanent characteristics.', false),
        ],
      },
    ],
  },
  {
    key: 'spanish-a2',
    title: 'Spanish A2: Everyday Conversations',
    description:
      'Talk about your past, your plans and your routines. The preterite, reflexive verbs and the vocabulary of everyday life.',
    category: 'language',
    level: 'intermediate',
    instructor: 1,
    requires: ['spanish-a1'],
    lessons: ['Daily routines and reflexive verbs', 'The preterite tense', 'Shopping and clothes', 'Making plans with ir a', 'Health and the doctor'],
    assignments: [task('Weekend story', 'Write 150 words about last weekend using the preterite.')],
    quizzes: [
      {
        title: 'Pasado y planes',
        description: 'Preterite and near future.',
        questions: [
          sc('Preterite of "hablar" for "yo" is…', ['hablo', 'hablé', 'hablaba', 'hablaré'], 1),
          sa('Complete: "Mañana voy ___ estudiar."', 'a'),
          tf('"Me levanto" is a reflexive verb form.', true),
        ],
      },
    ],
  },
  {
    key: 'spanish-b1',
    title: 'Spanish B1: Stories and Opinions',
    description:
      'Tell stories, give opinions and handle the unexpected. The imperfect, the subjunctive for wishes and doubts, and authentic texts.',
    category: 'language',
    level: 'advanced',
    instructor: 1,
    requires: ['spanish-a2'],
    lessons: ['Imperfect versus preterite', 'Giving opinions', 'Present subjunctive', 'Reading news in Spanish', 'Telling a story'],
    assignments: [
      task('Opinion essay', 'Write 250 words for or against remote work, using the subjunctive at least three times.'),
      task('Short story', 'Write a short story set in your childhood using preterite and imperfect.'),
    ],
    quizzes: [],
  },
  {
    key: 'japanese-hiragana',
    title: 'Japanese: Hiragana and First Phrases',
    description: 'Read and write all 46 hiragana and use polite everyday phrases with confidence.',
    category: 'language',
    level: 'beginner',
    instructor: 2,
    requires: [],
    lessons: ['The vowels あいうえお', 'K, S and T rows', 'N, H and M rows', 'Y, R, W rows and ん', 'Greetings and politeness'],
    assignments: [task('Hiragana writing sheet', 'Write each hiragana five times and transcribe ten given words.')],
    quizzes: [
      {
        title: 'Hiragana check',
        description: 'Reading the basic characters.',
        questions: [
          num('How many basic hiragana characters are there?', 46),
          sa('Write "ka" in hiragana.', 'か'),
          sc('"Arigatou" means…', ['hello', 'thank you', 'sorry', 'goodbye'], 1),
        ],
      },
    ],
  },
  // ── music ────────────────────────────────────────────────────────────────────
  {
    key: 'music-theory-1',
    title: 'Music Theory I: Notes, Scales and Rhythm',
    description: 'Read music and understand what you play: the staff, rhythm and metre, major and minor scales, and key signatures.',
    category: 'music',
    level: 'beginner',
    instructor: 2,
    requires: [],
    lessons: ['The staff and clefs', 'Note values and rests', 'Time signatures', 'Major scales', 'Minor scales', 'Key signatures'],
    assignments: [task('Rhythm dictation', 'Notate eight short rhythms from the provided recordings.')],
    quizzes: [
      {
        title: 'Notes and rhythm',
        description: 'Reading the staff.',
        questions: [
          num('How many beats does a whole note last in 4/4?', 4),
          sc('How many sharps are in the key of G major?', ['none', 'one', 'two', 'three'], 1),
          tf('A minor is the relative minor of C major.', true),
          mc('Which notes are in a C major triad?', ['C', 'E', 'F', 'G'], [0, 1, 3]),
        ],
      },
    ],
  },
  {
    key: 'music-theory-2',
    title: 'Music Theory II: Harmony and Chords',
    description: 'Build chords, follow progressions and harmonise melodies. From triads and inversions to cadences and modulation.',
    category: 'music',
    level: 'intermediate',
    instructor: 2,
    requires: ['music-theory-1'],
    lessons: ['Triads and inversions', 'Seventh chords', 'Roman numeral analysis', 'Cadences', 'Harmonising a melody', 'Modulation'],
    assignments: [
      task('Analyse a chorale', 'Label every chord of a Bach chorale with Roman numerals.'),
      task('Harmonise a folk tune', 'Add a four-part harmony to a given melody.'),
    ],
    quizzes: [
      {
        title: 'Chords and cadences',
        description: 'Harmony vocabulary.',
        questions: [
          sc('V–I is which cadence?', ['plagal', 'perfect (authentic)', 'deceptive', 'half'], 1),
          sa('What is the Roman numeral of the dominant chord?', 'V'),
          tf('A first-inversion chord has the third in the bass.', true),
        ],
      },
    ],
  },
  {
    key: 'jazz-harmony',
    title: 'Jazz Harmony and Improvisation',
    description: 'ii–V–I progressions, extensions, modes and the vocabulary of jazz soloing, applied to standards you will learn to play.',
    category: 'music',
    level: 'advanced',
    instructor: 2,
    requires: ['music-theory-2'],
    lessons: ['The ii–V–I', 'Extensions and alterations', 'Modes for improvisers', 'Guide tones', 'Blues forms', 'Soloing over standards'],
    assignments: [task('Transcribe a solo', 'Transcribe eight bars of a recorded jazz solo and analyse the note choices.')],
    quizzes: [],
  },
  {
    key: 'home-recording',
    title: 'Home Recording and Mixing',
    description: 'Record voice and instruments at home and mix them into a polished track: microphones, gain staging, EQ, compression and space.',
    category: 'music',
    level: 'intermediate',
    instructor: 2,
    requires: [],
    lessons: ['Setting up a home studio', 'Microphones and placement', 'Gain staging', 'EQ essentials', 'Compression', 'Reverb, delay and space', 'Exporting your mix'],
    assignments: [
      task('Record a vocal', 'Record a clean vocal take and describe your microphone placement.'),
      task('Mix a song', 'Mix the provided multitrack and export a balanced stereo file.'),
    ],
    quizzes: [
      {
        title: 'Mixing fundamentals',
        description: 'Levels and processing.',
        questions: [
          num('CD-quality audio uses a sample rate of how many kHz?', 44.1, 0.1),
          tf('Clipping occurs when a signal exceeds 0 dBFS.', true),
          sc('Which processor reduces dynamic range?', ['equaliser', 'compressor', 'reverb', 'delay'], 1),
        ],
      },
    ],
  },
  // ── art ──────────────────────────────────────────────────────────────────────
  {
    key: 'drawing-fundamentals',
    title: 'Drawing Fundamentals',
    description: 'Learn to draw what you see: lines, shapes, perspective, light and shadow, through daily exercises anyone can follow.',
    category: 'art',
    level: 'beginner',
    instructor: 2,
    requires: [],
    lessons: ['Line confidence', 'Basic shapes and forms', 'One-point perspective', 'Two-point perspective', 'Light and shadow', 'Drawing from observation'],
    assignments: [
      task('Perspective street', 'Draw a street corner in two-point perspective.'),
      task('Still life study', 'Draw a still life of three objects with full tonal range.'),
    ],
    quizzes: [
      {
        title: 'Perspective check',
        description: 'Vanishing points and values.',
        questions: [
          num('How many vanishing points does two-point perspective use?', 2),
          tf('Cast shadows are usually darkest right next to the object.', true),
          sa('What is the line where sky meets ground in perspective called?', 'horizon'),
        ],
      },
    ],
  },
  {
    key: 'watercolour-landscapes',
    title: 'Watercolour Landscapes',
    description: 'Paint luminous landscapes in watercolour: washes, wet-in-wet, skies, trees and water, with a finished painting every week.',
    category: 'art',
    level: 'intermediate',
    instructor: 2,
    requires: ['drawing-fundamentals'],
    lessons: ['Materials and colour mixing', 'Flat and graded washes', 'Wet-in-wet skies', 'Trees and foliage', 'Water and reflections'],
    assignments: [task('Sunset sky study', 'Paint three sunset skies using wet-in-wet technique.')],
    quizzes: [],
  },
  {
    key: 'digital-painting',
    title: 'Digital Painting: Light and Colour',
    description: 'Paint convincing light digitally: value structure, colour temperature, edges and rendering, in any painting app.',
    category: 'art',
    level: 'advanced',
    instructor: 2,
    requires: ['drawing-fundamentals'],
    lessons: ['Value first', 'Colour temperature', 'Edges and focus', 'Rendering form', 'Atmosphere and depth', 'Finishing a piece'],
    assignments: [
      task('Value study', 'Paint a greyscale value study of a landscape photo in four values.'),
      task('Colour key painting', 'Paint the same scene in morning and evening light.'),
    ],
    quizzes: [
      {
        title: 'Light and colour',
        description: 'Value and temperature.',
        questions: [
          mc('Which are warm colours?', ['red', 'orange', 'blue', 'yellow'], [0, 1, 3]),
          tf('Distant objects usually look lower in contrast.', true),
          sc('Which matters most for a painting to read at a glance?', ['saturation', 'value structure', 'brush texture', 'canvas size'], 1),
        ],
      },
    ],
  },
  // ── other ────────────────────────────────────────────────────────────────────
  {
    key: 'deep-work',
    title: 'Deep Work and Personal Productivity',
    description: 'Build habits for focused work: planning your week, protecting attention, and systems for notes and tasks that you will actually keep.',
    category: 'other',
    level: 'beginner',
    instructor: 0,
    requires: [],
    lessons: ['Why attention matters', 'Weekly planning', 'Time blocking', 'Managing tasks', 'Taking useful notes'],
    assignments: [task('Time audit', 'Track your time for three days and propose one change to your week.')],
    quizzes: [
      {
        title: 'Focus habits',
        description: 'Planning and attention.',
        questions: [
          tf('Multitasking improves the quality of complex work.', false),
          num('A Pomodoro work interval classically lasts how many minutes?', 25),
          sc('Time blocking means…', ['working without breaks', 'assigning tasks to slots in the calendar', 'blocking websites', 'working at night'], 1),
        ],
      },
    ],
  },
  {
    key: 'public-speaking',
    title: 'Public Speaking with Confidence',
    description: 'Structure a talk, handle nerves and deliver with presence, whether it is a team update or a conference keynote.',
    category: 'other',
    level: 'intermediate',
    instructor: 1,
    requires: [],
    lessons: ['Structuring a talk', 'Openings that hook', 'Slides that support you', 'Voice and body language', 'Handling questions', 'Rehearsal techniques'],
    assignments: [
      task('Two-minute talk', 'Record a two-minute talk on a topic you care about.'),
      task('Talk outline', 'Outline a ten-minute talk with a clear message and three supporting points.'),
    ],
    quizzes: [],
  },
  {
    key: 'critical-thinking',
    title: 'Critical Thinking and Argument',
    description: 'Analyse arguments, spot fallacies and weigh evidence. Write and speak more clearly by reasoning more clearly.',
    category: 'other',
    level: 'advanced',
    instructor: 0,
    requires: ['deep-work'],
    lessons: ['Anatomy of an argument', 'Deduction and induction', 'Common fallacies', 'Evaluating evidence', 'Cognitive biases', 'Writing a reasoned argument', 'Steelmanning'],
    assignments: [
      task('Fallacy hunt', 'Find and analyse five fallacies in recent opinion articles.'),
      task('Argument map', 'Map the premises and conclusion of a long-form essay.'),
    ],
    quizzes: [
      {
        title: 'Spot the fallacy',
        description: 'Name the error in reasoning.',
        questions: [
          sc('Attacking the person instead of the argument is…', ['straw man', 'ad hominem', 'false dilemma', 'slippery slope'], 1),
          tf('A valid argument can have a false conclusion.', true),
          sa('What is the fallacy of misrepresenting an argument to refute it more easily called? (two words)', 'straw man'),
          mc('Which are cognitive biases?', ['confirmation bias', 'anchoring', 'modus ponens', 'availability heuristic'], [0, 1, 3]),
        ],
      },
    ],
  },
];
