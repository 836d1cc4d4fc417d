import { consentLedgerContract } from '../../test/contract/consent-ledger';
import { memoryConsentLedger } from './consent-ledger';

consentLedgerContract('memory', async () => {
  const ledger = memoryConsentLedger();
  const chainOf = (pk: string) => {
    const c = ledger.unsafeChain(pk);
    if (!c) throw new Error(`no chain for ${pk}`);
    return c;
  };
  return {
    ledger,
    reset: async () => ledger.clear(),
    close: async () => {},
    tamper: {
      async edit(pk, seq, patch) {
        const c = chainOf(pk);
        const i = c.entries.findIndex((e) => e.seq === seq);
        c.entries[i] = { ...c.entries[i]!, ...patch };
      },
      async remove(pk, seq) {
        const c = chainOf(pk);
        c.entries = c.entries.filter((e) => e.seq !== seq);
      },
    },
  };
});
