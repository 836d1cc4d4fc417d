/**
 * `memoryConsentLedger`: the ConsentLedger port in process memory. One process only; for
 * tests, demos and single-instance apps (the history is lost when the process exits, so a
 * production consent record needs a durable ledger such as `postgresConsentLedger`).
 * @module
 */
import type {
  ConsentChain,
  ConsentEntry,
  ConsentHead,
  ConsentLedger,
} from '../../src/ports/consent-ledger';

interface Chain {
  entries: ConsentEntry[];
  anchor?: string;
}

/** A ConsentLedger in memory, with raw access for tests. */
export interface MemoryConsentLedger extends ConsentLedger {
  /** Phone keys with a history. */
  phones(): string[];
  /**
   * The stored chain itself, mutable: for tests that simulate someone editing or deleting
   * rows behind the library's back. `undefined` when the phone has no history.
   */
  unsafeChain(phoneKey: string): { entries: ConsentEntry[]; anchor?: string } | undefined;
  clear(): void;
}

const copy = (e: ConsentEntry): ConsentEntry => Object.freeze({ ...e });

/**
 * Creates an in-memory consent ledger. `append` runs `fn` synchronously between one read and
 * one write, so appends to one phone are atomic within the process without locks.
 */
export function memoryConsentLedger(): MemoryConsentLedger {
  const chains = new Map<string, Chain>();

  const headOf = (c: Chain | undefined): ConsentHead => {
    const last = c?.entries.at(-1);
    return {
      ...(last ? { entry: copy(last) } : {}),
      ...(c?.anchor !== undefined ? { anchor: c.anchor } : {}),
    };
  };

  return {
    async append(phoneKey, fn) {
      const c = chains.get(phoneKey);
      const head = headOf(c);
      const { result, write } = fn(head);
      if (write) {
        const expected = (head.entry?.seq ?? 0) + 1;
        if (write.entry.seq !== expected) {
          throw new RangeError(`consent entry seq must be ${expected} (got ${write.entry.seq})`);
        }
        const chain = c ?? { entries: [] };
        chain.entries.push(copy(write.entry));
        chain.anchor = write.anchor;
        chains.set(phoneKey, chain);
      }
      return result;
    },
    async head(phoneKey) {
      return headOf(chains.get(phoneKey));
    },
    async list(phoneKey): Promise<ConsentChain> {
      const c = chains.get(phoneKey);
      return {
        entries: (c?.entries ?? []).map(copy),
        ...(c?.anchor !== undefined ? { anchor: c.anchor } : {}),
      };
    },
    async redact(phoneKey, at) {
      const c = chains.get(phoneKey);
      if (!c) return 0;
      let n = 0;
      c.entries = c.entries.map((e) => {
        if (e.ip === undefined && e.userAgent === undefined && e.salt === undefined) return e;
        n += 1;
        const { ip: _ip, userAgent: _ua, salt: _salt, ...kept } = e;
        return copy({ ...kept, redactedAt: at });
      });
      return n;
    },
    async purge(phoneKey, headSeq) {
      const c = chains.get(phoneKey);
      if (!c || (c.entries.at(-1)?.seq ?? 0) !== headSeq) return false;
      chains.delete(phoneKey);
      return true;
    },
    phones() {
      return [...chains.keys()];
    },
    unsafeChain(phoneKey) {
      return chains.get(phoneKey);
    },
    clear() {
      chains.clear();
    },
  };
}
