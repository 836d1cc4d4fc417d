import { afterEach, describe, expect, it } from 'vitest';
import { nodeEnv } from '../../src/environment';

const original = Object.getOwnPropertyDescriptor(process, 'env')!;
afterEach(() => {
  Object.defineProperty(process, 'env', original);
});

describe('nodeEnv', () => {
  it('reads NODE_ENV', () => {
    const before = process.env.NODE_ENV;
    process.env.NODE_ENV = 'staging';
    try {
      expect(nodeEnv()).toBe('staging');
    } finally {
      process.env.NODE_ENV = before;
    }
  });

  it('answers production when the environment cannot be read (Deno without --allow-env)', () => {
    Object.defineProperty(process, 'env', {
      configurable: true,
      get() {
        throw new Error('NotCapable: Requires env access to "NODE_ENV"');
      },
    });
    expect(nodeEnv()).toBe('production');
  });
});
