/**
 * Writes `docs/openapi.json` from the route table (`src/http/openapi.ts`), which
 * test/http/openapi.test.ts keeps equal to it: `npx tsx test/http/openapi-doc.ts --write`.
 */
import { writeFileSync } from 'node:fs';
import { openApiDocument } from '../../src/http/openapi';

/** The document (kept under this name for the tests that import it). */
export const buildOpenApi = openApiDocument;

if (process.argv.includes('--write')) {
  writeFileSync(
    new URL('../../docs/openapi.json', import.meta.url),
    `${JSON.stringify(buildOpenApi(), null, 2)}\n`,
  );
  console.log('wrote docs/openapi.json');
}
