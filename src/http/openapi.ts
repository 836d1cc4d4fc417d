/**
 * The OpenAPI 3.1 description of the HTTP adapters, generated from the route table (paths,
 * methods, statuses, the refusals each operation can answer, descriptions) and the very
 * schemas the adapters validate and answer with. `docs/openapi.json` is its output
 * (test/http/openapi.test.ts keeps them equal; `npx tsx test/http/openapi-doc.ts --write`
 * regenerates it), and the HTTP suites validate every response they get against it.
 * @module
 */
import { type ErrorCode, errorCatalog } from '../errors';
import type { RouteDef } from './route';
import { routeTable } from './routes';
import { errorResponseSchema, idParams } from './schemas';

/** Refusals every route can answer. */
const COMMON: readonly ErrorCode[] = [
  'forbidden',
  'signature_invalid',
  'payload_too_large',
  'unsupported_media_type',
  'store_unavailable',
];

const json = (name: string) => ({
  'application/json': { schema: { $ref: `#/components/schemas/${name}` } },
});

/** The error responses of a route, by status, each naming its codes. */
function errorResponses(route: RouteDef): Record<string, unknown> {
  const codes = [...route.doc.errors, ...COMMON];
  const statuses = [...new Set(codes.map((c) => errorCatalog[c].status))].sort((a, b) => a - b);
  const out: Record<string, unknown> = {};
  for (const status of statuses) {
    const named = codes.filter((c) => errorCatalog[c].status === status);
    out[status] = {
      description: `Refused: ${named.map((c) => `\`${c}\``).join(', ')}.`,
      ...(status === 429
        ? { headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } } }
        : {}),
      content: json('Error'),
    };
  }
  return out;
}

/** The path and header parameters of a route. */
function parameters(route: RouteDef): object[] {
  const path = route.path.includes(':id')
    ? [
        {
          name: 'id',
          in: 'path',
          required: true,
          schema: idParams.properties.id,
          description: 'Verification id.',
        },
      ]
    : [];
  const headers = (route.doc.headers ?? []).map((h) => ({
    name: h.name,
    in: 'header',
    required: false,
    description: h.description,
    schema: h.schema,
  }));
  return [...path, ...headers];
}

/** The operation object of a route. */
function operationOf(route: RouteDef): object {
  const { doc, body } = route;
  const params = parameters(route);
  const bodyName = doc.bodyName;
  const requestBody =
    body && bodyName
      ? {
          required: body.optional !== true,
          content: {
            ...json(bodyName),
            ...(body.form
              ? { 'application/x-www-form-urlencoded': json(bodyName)['application/json'] }
              : {}),
          },
        }
      : undefined;
  return {
    operationId: route.operation,
    summary: doc.summary,
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses: {
      [route.status]: { description: 'Success.', content: json(doc.result) },
      ...errorResponses(route),
    },
  };
}

/** The whole document: every route of the table, mounted or not by a given configuration. */
export function openApiDocument() {
  const paths: Record<string, Record<string, object>> = {};
  const schemas: Record<string, object> = { Error: errorResponseSchema };
  for (const route of routeTable) {
    schemas[route.doc.result] = route.response;
    if (route.body && route.doc.bodyName) schemas[route.doc.bodyName] = route.body.schema;
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operationOf(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'phoneproof HTTP adapters',
      version: '0.1.0',
      description:
        'Routes mounted by `verificationRouter` (phoneproof/express) and `verificationPlugin` (phoneproof/fastify), relative to the mount point. When `signatures` is configured every request also carries the x-phoneproof-system, x-phoneproof-timestamp and x-phoneproof-signature headers (docs/signed-requests.md).',
    },
    paths,
    components: {
      schemas,
      headers: {
        RetryAfter: {
          description: 'Seconds to wait; sent with every time-based refusal.',
          schema: { type: 'integer', minimum: 1 },
        },
      },
    },
  };
}
