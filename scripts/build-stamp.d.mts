// Types of build-stamp.mjs for the TypeScript build scripts and tests.
export interface BuildSources {
  /** What the build is called in messages. */
  name: string;
  /** Where the build goes. */
  dir: string;
  /** Files and directories (relative to the project root) the build is made from. */
  sources: string[];
  /** Paths under `sources` left out of the hash. */
  exclude: string[];
}

export declare const root: string;
export declare const BUILDS: { web: BuildSources; server: BuildSources };
export declare const SERVER_ENTRY: string;
export declare function sourceHash(build: BuildSources, base?: string): Promise<string>;
export declare function sourceStatHash(build: BuildSources, base?: string): Promise<string>;
export declare function builtId(dir: string): Promise<string | undefined>;
export declare function isFresh(build: BuildSources, base?: string): Promise<boolean>;

export interface BuildResult {
  built: boolean;
  buildId: string;
  durationMs: number;
}
export declare function ensureBuild(
  build: BuildSources,
  make: (outDir: string, buildId: string) => Promise<void>,
  options?: { force?: boolean },
): Promise<BuildResult>;
