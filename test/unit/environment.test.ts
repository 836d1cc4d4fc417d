import { runInNewContext } from 'node:vm';
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

describe('nodeEnv where there is no process (Workers, the Edge runtime)', () => {
  /** src/testing/clock.ts bundled by esbuild as a Worker build would bundle it, run in a context with no `process`. */
  const testClockIn = async (define: Record<string, string>) => {
    const { build } = await import('esbuild');
    const out = await build({
      entryPoints: [new URL('../../src/testing/clock.ts', import.meta.url).pathname],
      bundle: true,
      write: false,
      format: 'iife',
      globalName: 'clock',
      platform: 'neutral',
      define,
    });
    const context: { clock?: { testClock: (start?: number) => unknown } } = {};
    runInNewContext(out.outputFiles[0]!.text, context);
    expect('process' in context).toBe(false);
    return context.clock!.testClock;
  };

  it('a build-time NODE_ENV=production (a bundler define) refuses the test clock', async () => {
    const testClock = await testClockIn({ 'process.env.NODE_ENV': '"production"' });
    expect(() => testClock(0)).toThrow(/NODE_ENV is production/);
  });

  it('a build-time NODE_ENV=development allows it', async () => {
    const testClock = await testClockIn({ 'process.env.NODE_ENV': '"development"' });
    expect(() => testClock(0)).not.toThrow();
  });

  it('no build-time value and no process: undefined, as NODE_ENV unset on Node', async () => {
    const testClock = await testClockIn({});
    expect(() => testClock(0)).not.toThrow();
  });

  it('a process without env answers undefined', () => {
    Object.defineProperty(process, 'env', { configurable: true, value: undefined });
    expect(nodeEnv()).toBeUndefined();
  });
});
