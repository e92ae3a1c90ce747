// The SDK covers the whole API: every route of the server's OpenAPI document has a method in the
// SDK's route table, every entry of the table is a method of the client, and no entry is stale. And
// every entry is exercised: it belongs to the group of exactly one test file, which calls it.
import { describe, expect, it } from 'vitest';
import { ELearningApiClient, sdkRoutes } from '../src/sdk/elearning-client.js';
import { api } from './support/api.js';
import { routeKey } from './support/sdk.js';
import { sdkRouteGroups } from './support/sdk-route-groups.js';

// The real-time streams are served by the RealtimeClient, which is not part of this client; a new
// stream not listed here still fails the test.
const REALTIME_STREAMS = ['GET /api/ws', 'GET /api/events/assignments', 'GET /api/events/notifications', 'GET /api/events/course-progress'];

describe('SDK coverage of the API', () => {
  it('has a client method for every route of the OpenAPI document', async () => {
    const doc = await api('GET', '/api/docs/openapi.json');
    expect(doc.status).toBe(200);
    const served = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, operations]) =>
      Object.keys(operations)
        .filter((method) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(served.length).toBeGreaterThan(50);
    const covered = new Set(sdkRoutes.map((route) => `${route.method} ${route.path}`));
    const withoutMethod = served.filter((route) => !covered.has(route) && !REALTIME_STREAMS.includes(route)).sort();
    expect(withoutMethod, `routes without an SDK method:\n${withoutMethod.join('\n')}`).toEqual([]);
    const stale = [...covered].filter((route) => !served.includes(route)).sort();
    expect(stale, `SDK routes the server does not serve:\n${stale.join('\n')}`).toEqual([]);
  });

  it('names a real method for each route, once', () => {
    const keys = sdkRoutes.map((route) => `${route.method} ${route.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const route of sdkRoutes) {
      expect(typeof (ELearningApiClient.prototype as unknown as Record<string, unknown>)[route.name], route.name).toBe('function');
    }
  });

  it("gives each route to exactly one test file's group, which must call it", () => {
    const table = sdkRoutes.map(routeKey);
    const assigned = Object.values(sdkRouteGroups).flat();
    // A new route goes to the group (test/support/sdk-route-groups.ts) of the file that calls it.
    expect({
      inNoGroup: table.filter((key) => !assigned.includes(key)),
      inTwoGroups: assigned.filter((key, index) => assigned.indexOf(key) !== index),
      notInTheTable: assigned.filter((key) => !table.includes(key)),
    }).toEqual({ inNoGroup: [], inTwoGroups: [], notInTheTable: [] });
  });
});
