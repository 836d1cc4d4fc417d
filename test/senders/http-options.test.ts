import { describe, expect, it } from 'vitest';
import { httpUrlOf } from '../../src/senders/http-options';

const fail = (message: string): never => {
  throw new TypeError(`p: ${message}`);
};

describe('httpUrlOf: the check of every sender URL option', () => {
  it.each([
    ['https://api.example.com', 'https://api.example.com'],
    ['https://api.example.com/', 'https://api.example.com'],
    ['http://127.0.0.1:8080//', 'http://127.0.0.1:8080'],
    ['https://hooks.example.com/s?x=1', 'https://hooks.example.com/s?x=1'],
  ])('%s is %s', (url, expected) => {
    expect(httpUrlOf(url, 'baseUrl', fail)).toBe(expected);
  });

  it.each(['ftp://x', 'not a url', '/relative', 'javascript:alert(1)', '', 42 as never])(
    '%o is refused, naming the option',
    (url) => {
      expect(() => httpUrlOf(url, 'voice.eventUrl', fail)).toThrow(
        new TypeError('p: voice.eventUrl must be an http(s) URL.'),
      );
    },
  );
});
