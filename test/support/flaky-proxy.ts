// A proxy on loopback in front of the test server that misbehaves on chosen requests: it drops the
// connection before or after the server handled the request, answers 503/429 itself, or delays. It
// records every request it sees.
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type ProxyAction =
  /** Pass the request on (after `delayMs`, if given). */
  | { kind: 'forward'; delayMs?: number }
  /** Close the connection without passing the request on. */
  | { kind: 'drop' }
  /** Pass the request on, let the server answer, then close the connection without answering. */
  | { kind: 'drop-after-forward' }
  /** Answer with this status (and Retry-After) without passing the request on. */
  | { kind: 'status'; status: number; retryAfter?: string };

export interface SeenRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  url: string;
  headers: IncomingHttpHeaders;
  action: ProxyAction['kind'];
}

export interface PlanInput {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** 1 for the first request with this method and path, 2 for the next, ... */
  nth: number;
}

export interface FlakyProxy {
  url: string;
  seen: SeenRequest[];
  /** Decides what to do with each request; undefined means forward. */
  plan(fn: (input: PlanInput) => ProxyAction | undefined): void;
  count(method: string, path: string | RegExp): number;
  close(): Promise<void>;
}

export async function startFlakyProxy(upstream: string): Promise<FlakyProxy> {
  const target = new URL(upstream);
  const seen: SeenRequest[] = [];
  const counters = new Map<string, number>();
  const sockets = new Set<Socket>();
  let planner: (input: PlanInput) => ProxyAction | undefined = () => undefined;

  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const path = url.split('?')[0]!;
    const method = req.method ?? 'GET';
    const key = `${method} ${path}`;
    const nth = (counters.get(key) ?? 0) + 1;
    counters.set(key, nth);
    const action = planner({ method, path, headers: req.headers, nth }) ?? { kind: 'forward' };
    seen.push({ method, path, url, headers: req.headers, action: action.kind });

    switch (action.kind) {
      case 'drop':
        req.resume();
        req.socket.destroy();
        return;
      case 'status':
        req.resume();
        res.writeHead(action.status, {
          'content-type': 'application/json',
          ...(action.retryAfter !== undefined ? { 'retry-after': action.retryAfter } : {}),
        });
        res.end(JSON.stringify({ error: `Injected ${action.status}`, status: action.status, code: action.status === 429 ? 'RATE_LIMITED' : 'SERVICE_UNAVAILABLE', requestId: 'proxy' }));
        return;
      case 'forward':
        if (action.delayMs) {
          setTimeout(() => forward(req, res, false), action.delayMs);
          return;
        }
        return forward(req, res, false);
      case 'drop-after-forward':
        return forward(req, res, true);
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function forward(req: IncomingMessage, res: ServerResponse, dropAnswer: boolean) {
    const upstreamRequest = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      (upstreamResponse) => {
        if (dropAnswer) {
          // Read the whole answer so the server has finished, then hang up on the client.
          upstreamResponse.resume();
          upstreamResponse.on('end', () => req.socket.destroy());
          return;
        }
        res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(res);
      },
    );
    upstreamRequest.on('error', () => req.socket.destroy());
    req.pipe(upstreamRequest);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    plan(fn) {
      planner = fn;
    },
    count(method, path) {
      return seen.filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path))).length;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
