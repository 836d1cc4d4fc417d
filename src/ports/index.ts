/**
 * `phoneproof/ports`: what a store, consent ledger or sender adapter implements, throws and
 * reports, for adapters published outside this package. Each port's contract is written in
 * its JSDoc and proven by the suites of `phoneproof/testing` (docs/adapters.md).
 * @module
 */

export { CorruptRecordError } from '../core/state';
export {
  type DeliveryReason,
  deliveryError,
  FAILOVER_REASONS,
  isPermanent,
  isRetryable,
  PERMANENT_REASONS,
  RETRY_REASONS,
} from '../delivery/errors';
export { type FallbackPolicy, fallbackChannel, isOptOut } from '../delivery/fallback';
export {
  type DeliveryReport,
  type DeliveryState,
  deliveryRef,
  refOf,
  type WebhookParams,
  withRef,
} from '../delivery/report';
export type {
  ConsentAppend,
  ConsentAppendFn,
  ConsentChain,
  ConsentEntry,
  ConsentHead,
  ConsentKind,
  ConsentLedger,
} from './consent-ledger';
export type { Channel, DeliveryError, OutgoingMessage, Sender, SendOutcome } from './sender';
export {
  type MultiStoreTransition,
  type MultiTransition,
  type Store,
  StoreConflictError,
  type StoreTransition,
  type StoreWrite,
  type Transition,
} from './store';
export { StoreSchemaError } from './store-schema';
