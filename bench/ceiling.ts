// The same response bytes from a bare node:http server: what the machine can do without the app.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runPublic } from './endpoints.js';
import type { LoadResult } from './lib/load.js';

const BARE_SERVER = fileURLToPath(new URL('./bare-server.ts', import.meta.url));
/** Headers of the app's response that a client would also get from the bare server. */
const KEPT_HEADERS = ['content-type', 'etag', 'cache-control', 'vary'];

export async function captureResponses(baseUrl: string, paths: readonly string[]) {
  const responses: Record<string, { headers: Record<string, string>; body: string }> = {};
  for (const path of paths) {
    const response = await fetch(baseUrl + path);
    if (response.status !== 200) throw new Error(`${path}: ${response.status}`);
    const headers: Record<string, string> = {};
    for (const name of KEPT_HEADERS) {
      const value = response.headers.get(name);
      if (value) headers[name] = value;
    }
    responses[path] = { headers, body: Buffer.from(await response.arrayBuffer()).toString('base64') };
  }
  return responses;
}

/** Serves the captured responses from a bare server and loads it exactly as the app was loaded. */
export async function measureCeiling(appUrl: string, title: string, paths: readonly string[], durationSeconds: number): Promise<LoadResult> {
  const responses = await captureResponses(appUrl, paths);
  const child = fork(BARE_SERVER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (message: { port: number }) => resolve(message.port));
      child.once('exit', (code) => reject(new Error(`bare server exited with ${code}`)));
      child.send({ responses });
    });
    return await runPublic({ url: `http://127.0.0.1:${port}`, pid: child.pid!, durationSeconds }, title, paths);
  } finally {
    child.kill('SIGTERM');
  }
}
