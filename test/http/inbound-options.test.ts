/**
 * The `inbound` option is checked at construction: a Twilio webhook without an http(s) public
 * URL, or a Vonage one without the numbers it receives on, is refused before anything mounts.
 */
import { describe, expect, it } from 'vitest';
import { validateInboundAuth } from '../../src/http/inbound';

const twilio = (url: unknown) => ({ twilio: { authToken: 'token-0123456789', url } });
const vonage = (numbers: unknown) => ({ vonage: { signatureSecret: 'secret-0123', numbers } });

describe('inbound option', () => {
  it('twilio.url must be an absolute http: or https: URL', () => {
    for (const url of ['https://sms.acme.example/verify/inbound-sms', 'http://10.0.0.2/in']) {
      expect(() => validateInboundAuth(twilio(url))).not.toThrow();
    }
    for (const url of [
      undefined,
      '',
      '/verify/inbound-sms',
      'ftp://sms.acme.example/inbound-sms',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'data:text/plain,x',
    ]) {
      expect(() => validateInboundAuth(twilio(url)), String(url)).toThrow(/twilio\.url/);
    }
  });

  it('vonage.numbers must list plausible numbers, E.164 or digits only', () => {
    expect(() => validateInboundAuth(vonage(['+447700900000', '14155550100']))).not.toThrow();
    for (const numbers of [
      undefined,
      '+447700900000',
      [],
      [''],
      ['+'],
      ['+44 7700 900000'],
      ['0447700900000'],
      ['+1234567890123456'],
      [447700900000],
    ]) {
      expect(() => validateInboundAuth(vonage(numbers)), JSON.stringify(numbers)).toThrow(
        /vonage\.numbers/,
      );
    }
  });
});
