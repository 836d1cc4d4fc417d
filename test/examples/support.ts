/** Helpers for the reference-endpoint examples' integration tests. */
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A fake clock the examples' verifiers read. */
export function fakeClock(start = 1_800_000_000_000) {
  const clock = { now: start };
  return {
    clock,
    now: () => clock.now,
    advance: (ms: number) => {
      clock.now += ms;
    },
  };
}

/** What the console sender printed, and the codes in it. */
export function consoleLines() {
  const lines: string[] = [];
  return {
    lines,
    write: (line: string) => void lines.push(line),
    /** The code in the newest printed message: as digits, or spoken (`1. 2. 3. 4. 5. 6.`). */
    lastCode(): string {
      const line = lines.at(-1) ?? '';
      const m = /\b(\d{6})\b/.exec(line) ?? /\b((?:\d\. ){5}\d)\./.exec(line);
      if (!m) throw new Error(`no code in: ${lines.at(-1)}`);
      return m[1]!.replace(/\D/g, '');
    },
  };
}

/** Serves a request listener (an Express app) on a spare loopback port. */
export async function listen(
  handler: RequestListener,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Loads a fixture: a sample request or response copied from the reference pages. */
export async function fixture<T = Record<string, unknown>>(name: string): Promise<T> {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
  return JSON.parse(text) as T;
}

/** Loads a fixture as text (an XML or JSV sample copied from a reference page). */
export async function fixtureText(name: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return readFile(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
}

/** Sends a body as it is written (XML, JSV, a form), with the given headers; the answer as text. */
export async function send(
  url: string,
  body: string,
  headers: Record<string, string>,
  method = 'POST',
) {
  const res = await fetch(url, { method, headers, body });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** The text of each named element of an XML answer (`<Name>text</Name>`; `i:nil` is null). */
export function xmlFields(xml: string): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const m of xml.matchAll(/<(\w+)(?: i:nil="true")?\s*(?:\/>|>([^<]*)<\/\1>)/g)) {
    out[m[1]!] = m[2] ?? null;
  }
  return out;
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as Record<string, unknown>,
  };
}
