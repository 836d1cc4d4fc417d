/** Values written before the crypto module, reproduced and opened on Node's native backend. */
import { describe } from 'vitest';
import { storedFormats } from './stored-formats';

describe('stored formats, node backend', () => storedFormats('node'));
