/**
 * The NCCO of a verification call: one `talk` action whose SSML text speaks each line of
 * the voice text with a `<break>` between lines. @internal
 * @module
 */
import { escapeXml, voiceLines } from '../../src/messages/voice';

export interface TalkOptions {
  /** Vonage TTS language, e.g. `en-US`. */
  readonly language: string;
  /** Vonage voice style number for the language. */
  readonly style?: number;
  /** Silence between lines, seconds (default 1). */
  readonly pauseSeconds?: number;
}

export interface TalkAction {
  readonly action: 'talk';
  readonly text: string;
  readonly language: string;
  readonly style?: number;
}

/** `[{ action: 'talk', text: '<speak>…</speak>', language }]`. */
export function voiceNcco(text: string, o: TalkOptions): TalkAction[] {
  const pause = `<break time="${o.pauseSeconds ?? 1}s"/>`;
  const ssml = `<speak>${voiceLines(text).map(escapeXml).join(pause)}</speak>`;
  return [
    {
      action: 'talk',
      text: ssml,
      language: o.language,
      ...(o.style !== undefined ? { style: o.style } : {}),
    },
  ];
}
