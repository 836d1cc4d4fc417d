/**
 * The conformance check as a Worker (`export default { fetch }`), for workerd: any request
 * runs `scripts/conformance.mjs` inside the isolate and answers its steps as JSON, or 500
 * with the failed step. Bundled and driven by `scripts/conformance-workerd.mjs`.
 */
import { conformance, runtimeName } from './conformance.mjs';

export default {
  async fetch() {
    try {
      return Response.json({ runtime: runtimeName(), steps: await conformance() });
    } catch (e) {
      return Response.json(
        { error: e instanceof Error ? (e.stack ?? e.message) : String(e) },
        { status: 500 },
      );
    }
  },
};
