import { memoryStore } from '../../adapters/memory/index';
import { abuseContract } from './contract';

let clock = 0;
abuseContract('memory', async () => {
  const store = memoryStore({ now: () => clock });
  return {
    store,
    wait: async (ms) => {
      clock += ms;
    },
    reset: async () => store.clear(),
    close: async () => {},
  };
});
