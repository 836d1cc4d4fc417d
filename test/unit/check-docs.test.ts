/**
 * The docs checker's extraction (scripts/check-docs.ts): fences, skip reasons, page
 * declarations and carried imports. The type-check itself runs in CI (`npm run docs:check`).
 */
import { describe, expect, it } from 'vitest';
import { extractBlocks } from '../../scripts/check-docs';

const page = [
  '# Page',
  '```ts',
  "import { createVerifier } from 'phoneproof';",
  "import { migrate } from 'phoneproof/postgres';",
  '```',
  '<!-- docs-check: declare const app: import("fastify").FastifyInstance -->',
  '<!-- docs-check: skip (a value shape) -->',
  '```typescript',
  '{ a: 1, … }',
  '```',
  '```ts',
  "import { migrate } from 'phoneproof/sqlite';",
  'createVerifier;',
  '```',
  '```sh',
  'npm test',
  '```',
].join('\n');

describe('extractBlocks', () => {
  const blocks = extractBlocks('docs/x.md', page);

  it('finds ts and typescript fences with their line, and no other language', () => {
    expect(blocks.map((b) => b.line)).toEqual([2, 8, 11]);
    expect(blocks[2]?.code).toBe("import { migrate } from 'phoneproof/sqlite';\ncreateVerifier;");
  });

  it('reads a skip reason from the comment right before a fence', () => {
    expect(blocks.map((b) => b.skip)).toEqual([undefined, 'a value shape', undefined]);
  });

  it('carries earlier imports and the page declarations, not a name the block imports', () => {
    const later = blocks[2]?.context ?? '';
    expect(later).toContain("import { createVerifier } from 'phoneproof';");
    expect(later).not.toContain('phoneproof/postgres'); // `migrate` comes from sqlite here
    expect(later).toContain('declare const app: import("fastify").FastifyInstance;');
    expect(blocks[0]?.context).toBe('');
  });
});
