// The ceiling: a bare node:http server answering with bytes held in memory, in a process of its own.
// Forked by bench/ceiling.ts, which sends it the app's captured responses over IPC.
import { createServer } from 'node:http';

interface CapturedResponse {
  headers: Record<string, string>;
  body: string;
}

process.once('message', (message: { responses: Record<string, CapturedResponse> }) => {
  const responses = new Map(
    Object.entries(message.responses).map(([path, response]) => [path, { headers: response.headers, body: Buffer.from(response.body, 'base64') }]),
  );
  const server = createServer((request, reply) => {
    const response = responses.get(request.url ?? '');
    if (!response) {
      reply.writeHead(404).end();
      return;
    }
    reply.writeHead(200, { ...response.headers, 'content-length': response.body.length });
    reply.end(response.body);
  });
  server.keepAliveTimeout = 72_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
  });
});
