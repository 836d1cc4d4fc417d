/**
 * A docs block preceded by `<!-- example: path -->` is that file verbatim, so the code a page
 * shows is code the suite runs (docs/testing-your-app.md shows examples/signup-flow).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const MARKER = /<!--\s*example:\s*(\S+)\s*-->\n```ts\n([\s\S]*?)```/g;

const shown = readdirSync(join(root, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .flatMap((f) =>
    [...readFileSync(join(root, 'docs', f), 'utf8').matchAll(MARKER)].map((m) => ({
      page: `docs/${f}`,
      file: m[1]!,
      code: m[2]!,
    })),
  );

describe('docs examples', () => {
  it('at least the signup flow is shown', () => {
    expect(shown.map((s) => s.file)).toContain('examples/signup-flow/signup.test.ts');
  });

  it.each(shown)('$page shows $file verbatim', ({ file, code }) => {
    expect(code).toBe(readFileSync(join(root, file), 'utf8'));
  });
});
