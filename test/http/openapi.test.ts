import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { openApiDocument as buildOpenApi } from '../../src/http/openapi';
import { routeTable } from '../../src/http/routes';

const doc = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8'));

describe('docs/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('is generated from the adapters own schemas and route table (no drift)', () => {
    expect(doc).toEqual(JSON.parse(JSON.stringify(buildOpenApi())));
  });

  it('documents every route of the route table', () => {
    for (const r of routeTable) {
      expect(doc.paths[r.path.replace(':id', '{id}')]?.[r.method.toLowerCase()]).toBeDefined();
    }
  });
});
