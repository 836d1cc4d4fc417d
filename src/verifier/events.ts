/**
 * Publishing events without letting a listener break an operation. @internal
 * @module
 */
import type { CoreEvent } from '../core/settle';
import type { RequestContext, VerifierEvent } from './types';

export type Publish = (event: VerifierEvent) => void;

/** The publisher of a verifier without `onEvent`, and of silent calls: drops every event. */
export const silent: Publish = () => {};

/** Wraps `onEvent` so sync throws and async rejections are swallowed. */
export function publisher(
  onEvent: ((e: VerifierEvent) => void | Promise<void>) | undefined,
): Publish {
  if (!onEvent) return silent;
  return (event) => {
    try {
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
