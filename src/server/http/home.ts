// The page at `/` until the web app is built: where to find the API and how to sign in.
import type { FastifyInstance } from 'fastify';

const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>skillEd</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 44rem; margin: 3rem auto; padding: 0 1rem; color: #1f2937; }
  h1 { color: #4338ca; } code { background: #eef2ff; padding: 0 .25rem; border-radius: 4px; }
  a { color: #4338ca; }
</style>
</head>
<body>
<h1>skillEd</h1>
<p>The skillEd platform is running.</p>
<ul>
  <li><a href="/api/docs">API reference</a> (OpenAPI 3.1: <a href="/api/docs/openapi.json">openapi.json</a>)</li>
  <li><a href="/api/courses">Course catalogue</a> (JSON)</li>
  <li><a href="/api/health">Health</a> and <a href="/api/ready">readiness</a></li>
</ul>
<p>Sign in with <code>POST /api/auth/signin</code>; the demo accounts are listed in the README.</p>
</body>
</html>`;

export function registerHomePage(app: FastifyInstance): void {
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(page));
}
