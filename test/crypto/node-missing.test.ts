/**
 * The node backend is what `#crypto-backend` resolves to under the `node` condition; a runtime
 * that matches `node` yet has no `process.getBuiltinModule('node:crypto')` gets a clear error
 * when the library loads, not a missing function at the first operation.
 */
import { expect, it, vi } from 'vitest';

it('loading the node backend without process.getBuiltinModule throws, naming the fix', async () => {
  vi.resetModules();
  const saved = process.getBuiltinModule;
  Object.assign(process, { getBuiltinModule: undefined });
  try {
    await expect(import('../../src/crypto/node')).rejects.toThrow(
      /getBuiltinModule\('node:crypto'\) is missing \(Node 20\.16\+, Bun 1\.2\.6\+ and Deno 2\.1\+.*upgrade the runtime, or bundle for it without the `node` condition/,
    );
  } finally {
    Object.assign(process, { getBuiltinModule: saved });
  }
  vi.resetModules();
  expect((await import('../../src/crypto/node')).backend.name).toBe('node');
});
