/**
 * Values written by phoneproof before the crypto module (captured from the `node:crypto` code
 * at 9877a17): sealed blobs, digests, MACs, a proof token and provider signatures. Every
 * backend must reproduce them byte for byte, and open what was sealed, so records written
 * before the change (or on another runtime) still open. Registered by the two
 * stored-formats.*.test.ts files, one per backend.
 */
import { expect, it } from 'vitest';
import { anchorOf, chainKey, entryHash, personalDigest } from '../../src/consent/chain-mac';
import { backend, toHex } from '../../src/crypto';
import { twilioSignature } from '../../src/delivery/twilio-signature';
import { type VonageSignatureMethod, vonageSignature } from '../../src/delivery/vonage-signature';
import { requesterTag } from '../../src/feature/requester';
import { proofKeys, readProof, signProof } from '../../src/proof/token';
import {
  codeDigest,
  keyring,
  phoneKey,
  SEAL_KINDS,
  seal,
  sealBytes,
  subkey,
  unseal,
} from '../../src/secrets';
import { bodyDigest, signatureOf } from '../../src/signatures/sign';
import { hotp } from '../../src/totp/otp';
import { eventRef, newVerificationId, phoneKeyOfId } from '../../src/verifier/ids';

export const CAPTURED = {
  subkey: '1793c777f0a6a8118b5ab6e72d444402727603c333211d49910487ccb145b8f7',
  phoneKey: 'NxyZfUuV1BZjWOMETdQnDZ4N35C5Op5z',
  codeDigest: 'Xy5q9vLBDzuK8I71XKR7Rx6ko1n5O1aN5B13Hsl-fcQ',
  sealed: {
    'phone-number': 'AQIDBAUGBwgJCgsMkRxwZo08jpwzMIG_emjPu-TTQ0X-61mI5oiOZOyKFj3kT2BR1g',
    'totp-secret': 'AQIDBAUGBwgJCgsMjsWkjeh3nmKISlsfhvkvO9hErbj6gw4crngQVKN1AINyeKj-Sg',
    'proof-identity': 'AQIDBAUGBwgJCgsMWdCcwcWT4fRMjrE6iXXdWF1lBY7KRv3M8N7gJr0vUMDXHjcYzQ',
    'totp-challenge': 'AQIDBAUGBwgJCgsMtPSpDJx2Su-NQKqSTzxrqYUwErAapSHTeb3gcw3MsrAHwYppzQ',
    'verification-id': 'AQIDBAUGBwgJCgsMZOeJFHrqvIMDZA74AE3r_otBcv3MXZVjuLCgR0iQpA4zRCxtcA',
    'idempotency-result': 'AQIDBAUGBwgJCgsMhV0874yjGlnq9broKlCX920SXaCg9H8YHALtXtxqZcpi1VwWNA',
    'consent-reopt-in': 'AQIDBAUGBwgJCgsM4FIouDaAgI3-qY-nf9WBQXIBLsnnTRwYkT2HjWSI4IbHmDWg-w',
  },
  sealedBound: 'AQIDBAUGBwgJCgsMgN2IB5DiMTG1lcESSNx59486C7IRpXyDIP2w',
  sealedEmpty: 'AQIDBAUGBwgJCgsMwvZ5x8BFPFsT1KAWqXvqsw',
  legacy: 'AQIDBAUGBwgJCgsMeyT2gXBqcRSS5pcE5yXB-vCQbKSam1dE2rT93A',
  verificationId: 'AQIDBAUGBwgJCgsMNHI3HJk06DFR4N0mglJO_9Q4h-zo6GpE7t12czV0sjKceNM-YKYnrg',
  kid: ['VIg13CG49rjNwukm', 'An8e4qPT9HG12R-h'],
  token:
    'eyJhbGciOiJIUzI1NiIsInR5cCI6InBob25lcHJvb2YtcHJvb2Yrand0Iiwia2lkIjoiVklnMTNDRzQ5cmpOd3VrbSJ9.eyJzdHkiOiJwaG9uZSIsInB1ciI6ImxvZ2luIiwidmlkIjoidmlkIiwibXRoIjoicGhvbmUiLCJ2YXQiOjE3MDAwMDAwMDAwMDAsImlzcyI6InBob25lcHJvb2YiLCJzdWIiOiJBUUlEQkFVR0J3Z0pDZ3NNV2RDY3djV1Q0ZlJNanJFNmlYWGRXRjFsQlk3S1J2M004TjdnSnIwdlVNRFhIamNZelEiLCJqdGkiOiJqdGktMSIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDAwNjAwLCJhdWQiOlsiYSIsImIiXX0.R33dydo0VmfFa986SlqBDGADn15EwweoKQiCp4613A4',
  chainKey: 'e6f24293f2b6f03f89a51a1fc6297ec72affbe10b5a12cfd03433ab3f4783e98',
  entryHash: 'deTKN_VtzWfbqM_b7m-sc8ZKfQoIRIBVrmxUsCxw3uA',
  anchor: '1.ed2R6uORbaPEisdkVfxfTSJpZmEthsaajBbnxVE7m-0',
  personalDigest: '19FFgsSlbpFI4T9YsQOB92R-BQwdAbTQqsb9BDI9KHM',
  signature: 'v1=1fn3pR7HX8yzM0ar6c5jTzuz4_-VlkPp3kaWF6MDr1U',
  bodyDigest: 'A5BYxvLAy0ksUzsKTRTvd8wPeKvMztUofYShogEc-4E',
  twilio: '7X2H4zRoz6CFRlZ+Gt0j0YhF874=',
  vonage: {
    md5hash: 'c614a778be24c59c96ab0d842024c594',
    md5: '6785a6f3b0bdf84101755df7739243c4',
    sha1: '416cc65062ec04cd167188b4f76aff3fffffacdd',
    sha256: '8244777e62832f3cfa0a59ca5f3ffea366ca77524201495afdf327238494cfb2',
    sha512:
      'eb309c160fb5d2178c1d3e98db6c096f9e2593cc397bc4af2e835d21ee2077c61679231a917d1c0e107df4deca7578035cda063c9f1dde2f713918c384932d9a',
  },
  hotp: ['94287082', '32247374', '69342147'],
  requesterTag: 'ip.qcqMwaQq2PZROef_',
  eventRef: 'yJYCphT5UZI7o6h8b84uzZ',
} as const;

const ring = () =>
  keyring(['phoneproof-fixture-secret-current-0001', 'phoneproof-fixture-secret-older-00000002']);
const IV = Uint8Array.from({ length: 12 }, (_, i) => i + 1);
const TEXT = 'hello +15550001111 é';
const PROOF_CONFIG = { ttlMs: 600000, singleUse: true, issuer: 'phoneproof', audience: ['a', 'b'] };

/** The tests, run under the backend the library selected (`expected`). */
export function storedFormats(expected: 'node' | 'noble'): void {
  it(`runs on the ${expected} backend`, () => {
    expect(backend.name).toBe(expected);
  });

  it('derives the same keys, store keys and digests', () => {
    const r = ring();
    expect(toHex(subkey(r.current, 'fixture'))).toBe(CAPTURED.subkey);
    expect(phoneKey(r, '+15550001111')).toBe(CAPTURED.phoneKey);
    expect(codeDigest(r.current, 'vid', 'login', '123456')).toBe(CAPTURED.codeDigest);
    expect(requesterTag(r, { bindingIp: '1.2.3.4' } as never)).toBe(CAPTURED.requesterTag);
    expect(eventRef(r, CAPTURED.verificationId)).toBe(CAPTURED.eventRef);
  });

  it('seals every kind to the same blob, and opens the captured blobs', () => {
    const r = ring();
    for (const kind of SEAL_KINDS) {
      expect(seal(r, kind, TEXT, IV)).toBe(CAPTURED.sealed[kind]);
      expect(unseal(r, kind, CAPTURED.sealed[kind])).toBe(TEXT);
    }
    expect(seal(r, 'totp-challenge', 'bound value', IV, 'the-binding')).toBe(CAPTURED.sealedBound);
    expect(unseal(r, 'totp-challenge', CAPTURED.sealedBound, { bound: 'the-binding' })).toBe(
      'bound value',
    );
    expect(unseal(r, 'totp-challenge', CAPTURED.sealedBound, { bound: 'other' })).toBeUndefined();
    expect(sealBytes(r, 'idempotency-result', new Uint8Array(0), IV)).toBe(CAPTURED.sealedEmpty);
    expect(unseal(r, 'phone-number', CAPTURED.legacy, { legacy: true })).toBe('+15550001111');
    expect(unseal(r, 'phone-number', CAPTURED.legacy)).toBeUndefined();
    const pk = phoneKey(r, '+15550001111');
    expect(newVerificationId(r, pk, IV)).toBe(CAPTURED.verificationId);
    expect(phoneKeyOfId(r, CAPTURED.verificationId)).toBe(pk);
  });

  it('signs the same proof token and reads the captured one', async () => {
    const keys = proofKeys(ring());
    expect(keys.map((k) => k.kid)).toEqual(CAPTURED.kid);
    const claims = {
      kind: 'phone',
      purpose: 'login',
      verificationId: 'vid',
      method: 'phone',
      verifiedAt: 1700000000000,
    } as const;
    const id = { sealed: CAPTURED.sealed['proof-identity'] };
    const token = await signProof(keys, PROOF_CONFIG, claims, id, 'jti-1', 1700000000000);
    expect(token._unsafeUnwrap()).toBe(CAPTURED.token);
    const read = await readProof(keys, PROOF_CONFIG, CAPTURED.token, 1700000000000 + 1000);
    expect(read._unsafeUnwrap()).toMatchObject({
      jti: 'jti-1',
      sealed: id.sealed,
      exp: 1700000600,
    });
  });

  it('computes the same consent chain MACs, request signatures and webhook signatures', () => {
    const ck = chainKey(ring().lookup);
    expect(toHex(ck)).toBe(CAPTURED.chainKey);
    const pd = personalDigest('salt', '1.2.3.4', 'UA');
    expect(pd).toBe(CAPTURED.personalDigest);
    const e = {
      seq: 1,
      prev: '',
      kind: 'opt-in',
      at: 1700000000000,
      source: 'web',
      text: 'I agree',
      version: 'v1',
      personalDigest: pd,
    };
    const h = entryHash(ck, CAPTURED.phoneKey, e as never);
    expect(h).toBe(CAPTURED.entryHash);
    expect(anchorOf(ck, CAPTURED.phoneKey, 1, h)).toBe(CAPTURED.anchor);
    const canonical = `phoneproof-v1\nsys\n1\nPOST\n/x\n${bodyDigest('{"a":1}')}`;
    expect(signatureOf(ring().current, canonical)).toBe(CAPTURED.signature);
    expect(bodyDigest(new Uint8Array([1, 2, 3]))).toBe(CAPTURED.bodyDigest);
    expect(
      twilioSignature('twilio-token', 'https://example.com/hook?x=1', { To: '+1555', Body: 'hi' }),
    ).toBe(CAPTURED.twilio);
    for (const [m, sig] of Object.entries(CAPTURED.vonage)) {
      expect(vonageSignature('vsecret', { a: '1', b: 'x&y' }, m as VonageSignatureMethod)).toBe(
        sig,
      );
    }
  });

  it('computes the same HOTP codes (RFC 4226 / 6238 secrets) for every algorithm', () => {
    const key = new TextEncoder().encode('12345678901234567890');
    const codes = (['sha1', 'sha256', 'sha512'] as const).map((a) =>
      hotp(key, 1, { algorithm: a, digits: 8 }),
    );
    expect(codes).toEqual(CAPTURED.hotp);
  });
}
