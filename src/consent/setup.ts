/**
 * What the consent operations share: the I/O, the verified ledger and the resolved options.
 * @internal
 * @module
 */
import type { FeatureIO as Shell } from '../feature/feature';
import type { Book } from './book';
import type { InboundLimit } from './inbound-limit';

/** Everything the consent operations share. */
export interface Setup {
  readonly sh: Shell;
  readonly book: Book;
  readonly required: { readonly version: string; readonly text: string } | undefined;
  readonly retentionMs: number;
  readonly replies: {
    readonly optedOut?: string;
    readonly optedIn?: string;
    readonly help?: string;
  };
  readonly defaultCountry: string | undefined;
  readonly inboundLimit: InboundLimit;
}
