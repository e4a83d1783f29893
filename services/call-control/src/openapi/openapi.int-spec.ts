import { HttpAdapterHost } from '@nestjs/core';
import { type Express } from 'express';
import { type Harness, startHarness } from '../testing/harness';
import { PUBLIC_PATH_PREFIXES } from './openapi.service';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** Every route the running HTTP server really serves, as `METHOD /path/{param}`. */
function servedRoutes(h: Harness): string[] {
  const app = h.app.app
    .get(HttpAdapterHost)
    .httpAdapter.getInstance<Express & { router: { stack: Layer[] } }>();
  const routes: string[] = [];
  for (const layer of app.router.stack) {
    if (!layer.route) continue;
    const path = layer.route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    for (const method of Object.keys(layer.route.methods))
      routes.push(`${method.toUpperCase()} ${path}`);
  }
  return routes;
}

describe('OpenAPI document', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness('openapi', { peers: 'none' });
  });

  afterAll(async () => {
    await h.close();
  });

  it('is served at /openapi.json and lists every public route the server serves', async () => {
    const res = await fetch(`${h.url}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      info: { title: string };
      paths: Record<
        string,
        Record<
          string,
          {
            responses: Record<string, unknown>;
            parameters?: { name: string; in: string; description?: string; schema?: unknown }[];
            requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
          }
        >
      >;
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info.title).toBe('Parley call-control API');

    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const publicRoutes = servedRoutes(h).filter((r) =>
      PUBLIC_PATH_PREFIXES.some((p) => r.split(' ')[1]?.startsWith(p)),
    );
    expect(publicRoutes.length).toBeGreaterThanOrEqual(18);
    expect(documented.sort()).toEqual([...new Set(publicRoutes)].sort());
    expect(documented).toEqual(
      expect.arrayContaining([
        'POST /2010-04-01/Accounts/{AccountSid}/Calls.json',
        'GET /2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json',
        'GET /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}/Events.json',
        'GET /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}/Timeline.json',
        'GET /2010-04-01/Accounts/{AccountSid}/Notifications.json',
        'GET /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}/Notifications.json',
        'GET /v1/Alerts',
        'GET /v1/Alerts/{Sid}',
        'POST /2010-04-01/Accounts/{AccountSid}/Applications.json',
        'POST /v2/Channels/Senders',
        'POST /v2/Channels/Senders/{Sid}',
        'GET /meta/webhooks',
        'POST /meta/webhooks',
      ]),
    );
    // Health and metrics are operational endpoints, not the public API.
    expect(documented.some((r) => r.includes('healthz') || r.includes('metrics'))).toBe(false);

    // Every $ref points at a component that exists.
    const refs = [
      ...JSON.stringify(doc.paths).matchAll(/"#\/components\/schemas\/([A-Za-z0-9]+)"/g),
    ].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(0);
    for (const name of refs) expect(doc.components.schemas).toHaveProperty(name ?? '');
    expect(doc.components.schemas.Call).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['sid', 'status', 'direction']) as unknown,
    });
    expect(doc.components.securitySchemes).toHaveProperty('basic');
    const create = doc.paths['/2010-04-01/Accounts/{AccountSid}/Calls.json']?.post;
    expect(Object.keys(create?.responses ?? {})).toEqual(
      expect.arrayContaining(['201', '400', '401', '404']),
    );

    // Every POST of the REST API documents its body with the schema the controller parses
    // it with: a form for the 2010 API, JSON for v1 and v2.
    const posts = Object.entries(doc.paths).flatMap(([path, ops]) =>
      ops.post && !path.startsWith('/meta/') ? [[path, ops.post] as const] : [],
    );
    expect(posts.length).toBeGreaterThanOrEqual(8);
    for (const [path, op] of posts) {
      const mediaType = /^\/v[12]\//.test(path)
        ? 'application/json'
        : 'application/x-www-form-urlencoded';
      const name = /^#\/components\/schemas\/(\w+)$/.exec(
        op.requestBody?.content[mediaType]?.schema.$ref ?? '',
      )?.[1];
      expect({ path, name }).toEqual({ path, name: expect.stringMatching(/Request$/) as unknown });
      expect(doc.components.schemas[name ?? '']).toMatchObject({ type: 'object' });
    }
    expect(doc.components.schemas.CreateCallRequest).toMatchObject({
      type: 'object',
      required: ['To', 'From'],
      properties: {
        Url: { type: 'string', format: 'uri' },
        Timeout: { type: 'integer', minimum: 1, maximum: 600 },
        Record: { type: 'boolean' },
        StatusCallbackEvent: {
          type: 'array',
          items: { type: 'string', enum: ['initiated', 'ringing', 'answered', 'completed'] },
        },
        Method: { type: 'string', enum: ['GET', 'POST'] },
      },
    });
    expect(doc.components.schemas.SenderCreateRequest).toMatchObject({
      type: 'object',
      required: ['sender_id', 'configuration'],
    });

    // Every list documents its query string from the zod schema the controller parses it
    // with: the paging fields, then the list's own filters.
    const gets = Object.entries(doc.paths).flatMap(([path, ops]) =>
      ops.get && /(\.json|Content|Senders|Alerts)$/.test(path) && !path.includes('{Sid}')
        ? [[path, ops.get] as const]
        : [],
    );
    const lists = gets.filter(([, op]) => op.parameters?.some((p) => p.name === 'PageSize'));
    expect(lists.map(([path]) => path).sort()).toEqual([
      '/2010-04-01/Accounts/{AccountSid}/Applications.json',
      '/2010-04-01/Accounts/{AccountSid}/Calls.json',
      '/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}/Events.json',
      '/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}/Notifications.json',
      '/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}/Recordings.json',
      '/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}/Timeline.json',
      '/2010-04-01/Accounts/{AccountSid}/Keys.json',
      '/2010-04-01/Accounts/{AccountSid}/Messages.json',
      '/2010-04-01/Accounts/{AccountSid}/Notifications.json',
      '/2010-04-01/Accounts/{AccountSid}/Recordings.json',
      '/v1/Alerts',
      '/v1/Content',
      '/v2/Channels/Senders',
    ]);
    const callList = doc.paths['/2010-04-01/Accounts/{AccountSid}/Calls.json']?.get;
    const query = (callList?.parameters ?? []).filter((p) => p.in === 'query');
    expect(query.map((p) => p.name)).toEqual([
      'PageSize',
      'Page',
      'PageToken',
      'To',
      'From',
      'ParentCallSid',
      'Status',
      'StartTime',
      'StartTime<',
      'StartTime>',
      'EndTime',
      'EndTime<',
      'EndTime>',
    ]);
    expect(query.find((p) => p.name === 'StartTime<')).toMatchObject({
      description: 'Started on or before',
      schema: { type: 'string' },
    });
  });

  it('serves a Swagger UI at /docs from local assets', async () => {
    const page = await fetch(`${h.url}/docs`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/docs/assets/swagger-ui-bundle.js');
    const bundle = await fetch(`${h.url}/docs/assets/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect((await bundle.text()).length).toBeGreaterThan(100_000);
  });
});
