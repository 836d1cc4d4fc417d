/**
 * Publishing events without letting a listener break an operation. Operations name a
 * verification by its id; the publisher replaces it with `ref` (see ids.ts `eventRef`), so no
 * event carries a handle. @internal
 * @module
 */
import type { CoreEvent } from '../core/settle';
import type { RequestContext, VerifierEvent } from './operation-types';

/** An event as operations build it: `id` (a bearer handle) in place of the public `ref`. */
export type InternalEvent = VerifierEvent extends infer E
  ? E extends VerifierEvent
    ? Omit<E, 'ref'> & { readonly id?: string }
    : never
  : never;

export type Publish = (event: InternalEvent) => void;

/** The publisher of a verifier without `onEvent`, and of silent calls: drops every event. */
export const silent: Publish = () => {};

/**
 * Wraps `onEvent` so sync throws and async rejections are swallowed, and an event's `id` is
 * replaced by `ref(id)`.
 */
export function publisher(
  onEvent: ((e: VerifierEvent) => void | Promise<void>) | undefined,
  ref: (id: string) => string,
): Publish {
  if (!onEvent) return silent;
  return (internal) => {
    try {
      const { id, ...rest } = internal;
      const event = (id === undefined ? rest : { ...rest, ref: ref(id) }) as VerifierEvent;
      const r = onEvent(event);
      if (r && typeof (r as Promise<void>).catch === 'function')
        (r as Promise<void>).catch(() => {});
    } catch {
      // a listener's failure is not the caller's failure
    }
  };
}

/** Turns core observations into public events. */
export function publishCore(
  publish: Publish,
  events: readonly CoreEvent[],
  base: { to: string; context?: RequestContext | undefined },
): void {
  if (publish === silent || events.length === 0) return;
  for (const e of events) {
    const common = { at: e.at, to: base.to, ...(base.context ? { context: base.context } : {}) };
    if (e.type === 'phone.locked') publish({ type: e.type, until: e.until, ...common });
    else publish({ type: e.type, id: e.id, ...common });
  }
}
