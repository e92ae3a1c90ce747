// When `npm start` rebuilds: a build is stale exactly when a source's content changed (or a source was
// added or removed), not when modification times moved; excluded paths do not count.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type BuildSources, ensureBuild, isFresh, sourceHash, sourceStatHash } from '../scripts/build-stamp.mjs';

const base = mkdtempSync(join(tmpdir(), 'skilled-build-stamp-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const write = (path: string, content: string) => {
  mkdirSync(join(base, path, '..'), { recursive: true });
  writeFileSync(join(base, path), content);
};

const build: BuildSources = { name: 'sample', dir: join(base, 'dist', 'sample'), sources: ['src', 'config.json'], exclude: ['src/generated'] };

describe('build staleness', () => {
  it('changes with a source’s content, a new or removed file, and nothing else', async () => {
    write('src/a.ts', 'export const a = 1;');
    write('src/nested/b.ts', 'export const b = 2;');
    write('config.json', '{}');
    write('src/generated/big.json', '[1]');
    const first = await sourceHash(build, base);
    expect(first).toMatch(/^[0-9a-f]{16}$/);

    utimesSync(join(base, 'src/a.ts'), new Date(2030, 0, 1), new Date(2030, 0, 1));
    expect(await sourceHash(build, base)).toBe(first);
    write('src/generated/big.json', '[1, 2]');
    expect(await sourceHash(build, base)).toBe(first);
    write('elsewhere.ts', 'not a source');
    expect(await sourceHash(build, base)).toBe(first);

    write('src/nested/b.ts', 'export const b = 3;');
    const edited = await sourceHash(build, base);
    expect(edited).not.toBe(first);
    write('src/c.ts', '');
    const added = await sourceHash(build, base);
    expect(added).not.toBe(edited);
    rmSync(join(base, 'src/c.ts'));
    expect(await sourceHash(build, base)).toBe(edited);
  });

  it('trusts the sources’ sizes and times while none was touched, then checks their contents', async () => {
    const quick: BuildSources = { name: 'quick', dir: join(base, 'dist', 'quick'), sources: ['quick'], exclude: [] };
    write('quick/a.ts', 'export const a = 1;');
    write('quick/b.ts', 'export const b = 2;');
    // The stamps a build leaves, but with a content hash that no longer matches: only the quick check can pass.
    mkdirSync(quick.dir, { recursive: true });
    writeFileSync(join(quick.dir, '.build-id'), 'not-the-content\n');
    writeFileSync(join(quick.dir, '.build-stat'), `${await sourceStatHash(quick, base)}\n`);
    expect(await isFresh(quick, base)).toBe(true);

    // Touched: the contents decide, and a match is remembered for the next quick check.
    writeFileSync(join(quick.dir, '.build-id'), `${await sourceHash(quick, base)}\n`);
    utimesSync(join(base, 'quick/a.ts'), new Date(2031, 0, 1), new Date(2031, 0, 1));
    const touched = await sourceStatHash(quick, base);
    expect(readFileSync(join(quick.dir, '.build-stat'), 'utf8').trim()).not.toBe(touched);
    expect(await isFresh(quick, base)).toBe(true);
    expect(readFileSync(join(quick.dir, '.build-stat'), 'utf8').trim()).toBe(touched);

    // Edited to the same size: the time moved, the contents differ.
    write('quick/b.ts', 'export const b = 3;');
    expect(await isFresh(quick, base)).toBe(false);
    rmSync(join(quick.dir, '.build-stat'));
    expect(await isFresh(quick, base)).toBe(false);
  });

  it('builds once into a swapped-in directory, and again only when forced or stale', async () => {
    // ensureBuild hashes from the project root: a build of this test file's own folder stands in.
    const own: BuildSources = { name: 'own', dir: join(base, 'out', 'own'), sources: ['test/build-stamp.test.ts'], exclude: [] };
    let makes = 0;
    const make = async (outDir: string, buildId: string) => {
      makes++;
      mkdirSync(outDir, { recursive: true });
      writeFileSync(join(outDir, 'artifact.txt'), buildId);
    };
    expect(await isFresh(own)).toBe(false);
    const [one, two] = await Promise.all([ensureBuild(own, make), ensureBuild(own, make)]);
    expect(await isFresh(own)).toBe(true);
    expect(makes).toBe(1);
    expect([one.built, two.built].sort()).toEqual([false, true]);
    expect(one.buildId).toBe(two.buildId);
    expect((await ensureBuild(own, make)).built).toBe(false);
    expect((await ensureBuild(own, make, { force: true })).built).toBe(true);
    expect(makes).toBe(2);
  });
});
