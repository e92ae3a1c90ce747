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
    /**
     * Runs `stop` once, as soon as the shutdown starts (stopAccepting, or close without it): work that
     * should not go on through the drain grace, such as long background jobs and real-time clients who
     * are better told at once to reconnect elsewhere.
     */
    onDrain(stop: () => void | Promise<void>): void;
  }
}

const POLL_MS = 50;

const openConnections = (server: NetServer): Promise<number> =>
  new Promise((resolve) => server.getConnections((error, count) => resolve(error ? 0 : count)));

export function registerDraining(app: FastifyInstance): void {
  let draining = false;
  const drainHooks: (() => void | Promise<void>)[] = [];
  let drained: Promise<void> | undefined;
  const startDraining = () => {
    draining = true;
    drained ??= Promise.all(drainHooks.map(async (stop) => stop())).then(() => undefined);
    return drained;
  };
  app.decorate('onDrain', (stop: () => void | Promise<void>) => {
    drainHooks.push(stop);
  });
  app.decorate('stopAccepting', async (graceMs: number) => {
    await startDraining();
    if (!app.server.listening) return;
    // The listening socket only: http.Server#close would also drop the idle keep-alive connections at once.
    NetServer.prototype.close.call(app.server);
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && (await openConnections(app.server)) > 0) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  });
  app.addHook('preClose', async () => {
    await startDraining();
  });
  app.addHook('onSend', async (_request, reply) => {
    if (draining) reply.header('connection', 'close');
  });
}
