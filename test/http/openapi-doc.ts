/**
 * Writes `docs/openapi.json` from the route table (`src/http/openapi.ts`), which
 * test/http/openapi.test.ts keeps equal to it:
 * `npx tsx test/http/openapi-doc.ts --write && npx biome check --write docs/openapi.json`.
 */
import { writeFileSync } from 'node:fs';
import { openApiDocument } from '../../src/http/openapi';

if (process.argv.includes('--write')) {
  writeFileSync(
    new URL('../../docs/openapi.json', import.meta.url),
    `${JSON.stringify(openApiDocument(), null, 2)}\n`,
  );
  console.log('wrote docs/openapi.json');
}
