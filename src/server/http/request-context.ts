// Ties what a request causes to its id: its log lines (the request's logger carries `reqId`, and
// `userId` once the caller is known) and the events its services emit, which are written far below
// the route, where no request is in sight.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';

const storage = new AsyncLocalStorage<FastifyBaseLogger>();

/** The logger of the request being handled, when code runs on behalf of one and info lines are written. */
export const requestLogger = (): FastifyBaseLogger | undefined => storage.getStore();

/** The levels at which `info` lines are written: the only lines that read the request's context. */
const INFO_WRITTEN = new Set(['trace', 'debug', 'info']);

/** Register after authentication, so that the caller is known. */
export function registerRequestContext(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    // Authentication gave request.log a `userId`; the line that closes the request is written by reply.log.
    if (request.user) reply.log = request.log;
  });
  // After the body is read: the handler then runs inside the context (body parsing would lose it).
  // Not at all when info lines are off: once a context is entered, Node 20 runs hooks on every promise
  // and async resource the process creates (6-7% of the app's CPU on cached public pages).
  app.addHook('preHandler', (request, _reply, done) => (INFO_WRITTEN.has(request.log.level) ? storage.run(request.log, done) : done()));
}
