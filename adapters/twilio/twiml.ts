/**
 * TwiML for a verification call: each line of the voice text is spoken with `<Say>` in the
 * message's language, with a `<Pause>` between lines. @internal
 * @module
 */
import { escapeXml, voiceLines } from '../../src/messages/voice';

export interface TwimlOptions {
  /** `<Say language>`, e.g. `en-US`. */
  readonly language: string;
  /** `<Say voice>`, e.g. `Polly.Joanna` (default: Twilio's default voice). */
  readonly voice?: string;
  /** Seconds of silence between lines (default 1). */
  readonly pauseSeconds?: number;
}

/** The `Twiml` parameter of a Calls API request. */
export function voiceTwiml(text: string, o: TwimlOptions): string {
  const attrs = `language="${escapeXml(o.language)}"${o.voice ? ` voice="${escapeXml(o.voice)}"` : ''}`;
  const pause = `<Pause length="${o.pauseSeconds ?? 1}"/>`;
  const says = voiceLines(text).map((line) => `<Say ${attrs}>${escapeXml(line)}</Say>`);
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${says.join(pause)}</Response>`;
}
