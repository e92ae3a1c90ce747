// Builds what `npm start` runs: the web app (dist/web) and the server (dist/server).
//   node --import tsx scripts/build.ts [web|server] [--if-stale]
// Without a name, both; with --if-stale, only those older than their sources (what `npm start` asks for).
import { builtId, BUILDS } from './build-stamp.mjs';
import { ensureServerBuild } from './build-server.js';
import { ensureWebBuild } from './build-web.js';

const ifStale = process.argv.includes('--if-stale');
const named = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const steps = { web: ensureWebBuild, server: ensureServerBuild };
const unknown = named.filter((name) => !(name in steps));
if (unknown.length > 0) {
  console.error(`Unknown build ${unknown.join(', ')}: choose web or server.`);
  process.exit(2);
}
for (const [name, ensure] of Object.entries(steps)) {
  if (named.length > 0 && !named.includes(name)) continue;
  const sources = BUILDS[name as keyof typeof steps];
  const first = !(await builtId(sources.dir));
  const result = await ensure({ force: !ifStale });
  if (result.built) {
    const why = ifStale ? (first ? ' (first start)' : ' (sources changed)') : '';
    console.log(`Built the ${sources.name}${why} in ${(result.durationMs / 1000).toFixed(1)} s (${result.buildId})`);
  }
}
