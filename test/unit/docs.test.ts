/** The error documentation covers the whole catalog, with the right HTTP status. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorCatalog } from '../../src/errors';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

describe('docs/errors.md', () => {
  it.each(Object.entries(errorCatalog))('documents %s with its HTTP status', (code, entry) => {
    expect(doc).toMatch(new RegExp(`\\| \`${code}\` +\\| ${entry.status} +\\|`));
  });
});
