// The WebSocket of `/api/ws` at its plainest: what the SDK needs of a WebSocket (the browser's and the `ws`
// package's both fit), its URL, the protocol's messages, and the spec's `subscribeToUpdates` socket.
import type { z } from 'zod';
import type { RealtimeEvent, WsClientMessage, WsServerMessage, wsCloseCodes } from '../contract/events.js';
import type { ApiClient } from './api-client.js';
import { RealtimeError } from './errors.js';

/** The parts of a WebSocket the SDK uses: the browser's and the `ws` package's both have them. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: SocketEvent) => void): void;
}

/** What the SDK reads of the events a WebSocket fires. */
export interface SocketEvent {
  type: string;
  data?: unknown;
  code?: number;
  reason?: string;
}

export type WebSocketConstructor<S extends WebSocketLike = WebSocketLike> = new (url: string) => S;

type CloseCodes = typeof wsCloseCodes;
export const UNAUTHENTICATED: CloseCodes['unauthenticated'] = 4401;
export const OPEN = 1;
export type Outgoing = z.input<typeof WsClientMessage>;

/** Event ids are decimal strings that may pass 2^53: compared by length, then by digits. */
export function compareEventIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** The WebSocket URL of an API base URL ('' means the page's own origin). */
export function realtimeUrl(baseUrl: string): string {
  const base = baseUrl || (typeof location === 'undefined' ? '' : location.origin);
  if (!base) throw new TypeError('The real-time client needs the API client to have a baseUrl outside a browser');
  const url = new URL(`${base}/api/ws`);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

export function webSocketConstructor<S extends WebSocketLike>(given: WebSocketConstructor<S> | undefined): WebSocketConstructor<S> {
  const found = given ?? (globalThis as unknown as { WebSocket?: WebSocketConstructor<S> }).WebSocket;
  if (!found) throw new TypeError("No WebSocket here (Node 20 has none): pass one in the options, e.g. from the 'ws' package");
  return found;
}

/** A message of the server, or undefined for anything that is not JSON. */
export function parseServerMessage(data: unknown): WsServerMessage | RealtimeEvent | undefined {
  try {
    return JSON.parse(String(data)) as WsServerMessage | RealtimeEvent;
  } catch {
    return undefined;
  }
}

/**
 * The spec's `subscribeToUpdates`: a plain WebSocket to `/api/ws`, authenticated with the client's session
 * and subscribed to the course once the server says `ready`. Its messages are the protocol's own.
 */
export function openCourseSocket<S extends WebSocketLike>(api: ApiClient, courseId: string, Socket?: WebSocketConstructor<S>): S {
  const { baseUrl, authMode } = api.connectionInfo();
  if (authMode === 'bearer' && !api.getTokens()) throw new RealtimeError('UNAUTHENTICATED', 'No session to connect with: sign in first');
  // null: the token has expired and could not be refreshed.
  const token = authMode === 'bearer' ? api.freshAccessToken().catch(() => null) : Promise.resolve(undefined);
  const socket = new (webSocketConstructor(Socket))(realtimeUrl(baseUrl));
  const send = (message: Outgoing) => socket.readyState === OPEN && socket.send(JSON.stringify(message));
  socket.addEventListener('open', () => {
    void token.then((value) => {
      if (value === null) socket.close(UNAUTHENTICATED, 'the session could not be refreshed');
      else if (value) send({ type: 'auth', token: value });
    });
  });
  socket.addEventListener('message', (event) => {
    const message = parseServerMessage(event.data);
    if (message && !('id' in message) && message.type === 'ready') send({ type: 'subscribe', courseId });
  });
  socket.addEventListener('error', () => undefined);
  return socket;
}
