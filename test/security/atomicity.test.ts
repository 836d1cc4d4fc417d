import { memoryStore } from '../../adapters/memory/index';
import { verifierContract } from '../contract/verifier';

verifierContract('memory', () => memoryStore());
