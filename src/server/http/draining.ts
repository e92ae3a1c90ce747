// While the server shuts down, the responses to the requests still in flight close their connection
// (`Connection: close`): a keep-alive client would otherwise hold its idle connection open and keep the
// process from exiting until the shutdown timeout.
//
// Shutdown starts with stopAccepting(), before close(): a load balancer's new connections are refused, so
// it passes their requests to another instance (nothing was sent yet, so even a POST may go elsewhere).
// The open keep-alive connections are kept a moment and serve their next request, closing after it:
// closing an idle one at once races with a request the balancer may be sending on it at that very moment,
// a request that then gets no answer and, for a POST, cannot be retried. Once the balancer has noticed
// the refused connections it sends nothing more here, and close() drops the connections left idle.
import { Server as NetServer } from 'node:net';
import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyInstance {
    /** Stops accepting connections; resolves when the open ones are gone, or after `graceMs`. */
    stopAccepting(graceMs: number): Promise<void>;
  }
}

const POLL_MS = 50;

const openConnections = (server: NetServer): Promise<number> =>
  new Promise((resolve) => server.getConnections((error, count) => resolve(error ? 0 : count)));

export function registerDraining(app: FastifyInstance): void {
  let draining = false;
  app.decorate('stopAccepting', async (graceMs: number) => {
    draining = true;
    if (!app.server.listening) return;
    // The listening socket only: http.Server#close would also drop the idle keep-alive connections at once.
    NetServer.prototype.close.call(app.server);
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && (await openConnections(app.server)) > 0) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  });
  app.addHook('preClose', async () => {
    draining = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (draining) reply.header('connection', 'close');
  });
}
