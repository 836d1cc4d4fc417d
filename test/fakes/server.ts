/**
 * A scripted HTTP server on 127.0.0.1 for provider fakes: records every request, lets a
 * test queue replies (errors, delays, hangs), and otherwise answers through the fake's own
 * handler, which checks the request the way the real API would.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  /** Path with query string. */
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export interface Reply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  readonly body?: unknown;
  /** Wait this long before answering, ms. */
  readonly delayMs?: number;
  /** Never answer (the client must time out). */
  readonly hang?: boolean;
  /** Destroy the connection without an answer (a network failure). */
  readonly reset?: boolean;
}

export interface FakeServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** The status answered to each request, in order (0 when it hung or was reset). */
  readonly statuses: number[];
  /** The reply given to each request, in order. */
  readonly replies: Reply[];
  /** Answers the next requests with these replies, in order, before the handler. */
  queue(...replies: Reply[]): void;
  close(): Promise<void>;
}

export async function startFakeServer(
  handle: (req: RecordedRequest) => Reply | Promise<Reply>,
): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const statuses: number[] = [];
  const replies: Reply[] = [];
  const queued: Reply[] = [];
  const hanging = new Set<() => void>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      const index = statuses.push(0) - 1;
      const reply = queued.shift() ?? (await handle(recorded));
      replies[index] = reply;
      if (reply.reset) {
        req.socket.destroy();
        return;
      }
      if (reply.hang) {
        hanging.add(() => res.destroy());
        return;
      }
      const send = () => {
        statuses[index] = reply.status;
        const body =
          reply.body === undefined
            ? ''
            : typeof reply.body === 'string'
              ? reply.body
              : JSON.stringify(reply.body);
        res.writeHead(reply.status, {
          'content-type': 'application/json',
          ...(reply.headers ?? {}),
        });
        res.end(body);
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    statuses,
    replies,
    queue: (...replies) => queued.push(...replies),
    close: async () => {
      for (const h of hanging) h();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Parses a form body into name → values, keeping repeated names. */
export function formFields(body: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [k, v] of new URLSearchParams(body)) out.set(k, [...(out.get(k) ?? []), v]);
  return out;
}
