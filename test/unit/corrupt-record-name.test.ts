/**
 * A record that is not ours is refused with a `CorruptRecordError` that names itself, so that
 * logs and error reports tell it from other errors (src/core/state.ts).
 */
import { describe, expect, it } from 'vitest';
import { CorruptRecordError, decodeState } from '../../src/core/state';

describe('CorruptRecordError', () => {
  it('is named in what it throws', () => {
    for (const raw of ['not json', '5', '{"v":2}', '{"v":1}']) {
      let thrown: unknown;
      try {
        decodeState(raw);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(CorruptRecordError);
      expect((thrown as Error).name).toBe('CorruptRecordError');
      expect(String(thrown)).toMatch(/^CorruptRecordError: /);
    }
  });
});
