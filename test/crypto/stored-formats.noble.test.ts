/**
 * Values written before the crypto module, reproduced and opened on the portable backend
 * (noble and Web Crypto): the library loaded as on a runtime without `node:crypto`.
 */
import { describe, vi } from 'vitest';
import { storedFormats } from './stored-formats';

vi.mock('../../src/crypto/node', () => ({ nodeBackend: () => undefined }));

describe('stored formats, noble backend', () => storedFormats('noble'));
