// Command-line options shared by the dataset generator and the load scripts.
export type DatasetSize = 'small' | 'large';

export interface BenchOptions {
  size: DatasetSize;
  databaseUrl: string;
  quick: boolean;
  /** Also run the same per-user endpoints on the other size, for the large/small ratio. */
  growth: boolean;
}

export const defaultDatabaseUrl = (size: DatasetSize): string => `postgres://postgres@127.0.0.1:5432/skilled_bench_${size}`;

export function parseOptions(argv: readonly string[], defaults: { size: DatasetSize }): BenchOptions {
  const value = (name: string): string | undefined => {
    const index = argv.indexOf(`--${name}`);
    if (index >= 0) return argv[index + 1];
    const inline = argv.find((arg) => arg.startsWith(`--${name}=`));
    return inline?.slice(name.length + 3);
  };
  const size = value('size') ?? defaults.size;
  if (size !== 'small' && size !== 'large') throw new Error(`--size must be small or large, not ${size}`);
  return {
    size,
    databaseUrl: value('database-url') ?? defaultDatabaseUrl(size),
    quick: argv.includes('--quick'),
    growth: !argv.includes('--no-growth'),
  };
}

/** The same URL pointing at another database name. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export const databaseName = (url: string): string => decodeURIComponent(new URL(url).pathname.slice(1));
