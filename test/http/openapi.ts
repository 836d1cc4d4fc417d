/**
 * Validates responses against `docs/openapi.json` (Ajv, JSON Schema 2020-12, as OpenAPI
 * 3.1 uses): the HTTP suites call `expectDocumented` on every response they get.
 */
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import { expect } from 'vitest';
import { routeTable } from '../../src/http/routes';

export const openapi = JSON.parse(
  readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8'),
) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };

const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema(openapi, 'openapi.json');

const pointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** Asserts the response is documented for that route and status, and matches its schema. */
export function expectDocumented(
  method: string,
  routePath: string,
  status: number,
  body: unknown,
): void {
  const path = routePath.replace(':id', '{id}');
  const op = openapi.paths[path]?.[method.toLowerCase()];
  expect(op, `${method} ${path} is documented`).toBeDefined();
  expect(Object.keys(op!.responses), `${method} ${path} documents ${status}`).toContain(
    String(status),
  );
  const ref = `openapi.json#/paths/${pointer(path)}/${method.toLowerCase()}/responses/${status}/content/application~1json/schema`;
  const validate = ajv.compile({ $ref: ref });
  const ok = validate(body);
  expect(ok, `${method} ${path} ${status}: ${ajv.errorsText(validate.errors)}`).toBe(true);
}

/** The route path of a URL relative to the mount point (for `expectDocumented`). */
export function routeOf(method: string, rel: string): string | undefined {
  const path = rel.split('?')[0] ?? '';
  for (const r of routeTable) {
    if (r.method !== method) continue;
    const re = new RegExp(`^${r.path.replace(':id', '[^/]+')}$`);
    if (re.test(path)) return r.path;
  }
  return undefined;
}
