/**
 * Values written before the crypto module, reproduced and opened on the portable backend
 * (noble and Web Crypto): the library loaded as on a runtime that does not match the `node`
 * condition (`#crypto-backend`, which vitest maps to ../../src/crypto/node, becomes noble).
 */
import { describe, vi } from 'vitest';
import { storedFormats } from './stored-formats';

vi.mock('../../src/crypto/node', () => import('../../src/crypto/noble'));

describe('stored formats, noble backend', () => storedFormats('noble'));
