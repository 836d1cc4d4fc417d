/**
 * The verifier every fetch example mounts: the memory store and an outbox sender (the
 * examples' smoke check reads the code from it; a real app passes its SMS provider).
 * @module
 */
import { memoryStore } from '../../adapters/memory/index';
import { createVerifier } from '../../src/index';
import { outboxSender } from '../../src/testing/index';

export const outbox = outboxSender();

export const verifier = createVerifier({
  secret: 'example-secret-example-secret-example!',
  store: memoryStore(),
  sender: outbox,
  appName: 'Example',
});
