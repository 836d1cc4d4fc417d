/**
 * The quick start, runnable: `npm start`. Starts a verification for a sample number, reads
 * the code the console sender printed (here: from an outbox wrapper), and checks it.
 */

import { memoryStore } from '../adapters/memory/index';
import { consoleSender, createVerifier } from '../src/index';
import { outboxSender } from '../src/senders/outbox';

const outbox = outboxSender();
const printer = consoleSender();
const verifier = createVerifier({
  secret: process.env.PHONEPROOF_SECRET ?? 'demo-secret-demo-secret-demo-secret!',
  store: memoryStore(),
  // Print every message like a real SMS, and keep a copy so this script can read the code.
  sender: {
    send: async (m) => {
      await outbox.send(m);
      return printer.send(m);
    },
  },
  appName: 'Demo',
});

const phone = process.argv[2] ?? '+1 213 373 4253';
const started = await verifier.start({ phone });
if (started.isErr()) {
  console.error('start failed:', started.error.code, started.error.message);
  process.exit(1);
}
console.log('started', started.value);

const wrong = await verifier.check({ id: started.value.id, code: '000000' });
console.log('a wrong code:', wrong.isErr() ? wrong.error : wrong.value);

const code = outbox.last()!.code;
const checked = await verifier.check({ id: started.value.id, code });
console.log('the right code:', checked.isOk() ? checked.value : checked.error);
const status = await verifier.status({ id: started.value.id });
console.log('status:', status.isOk() ? status.value : status.error);
