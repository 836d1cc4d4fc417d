/** The shared HTTP suites, on every framework of the registry (test/registry.ts). */
import { FRAMEWORKS } from '../registry';
import { failureSuite } from './suite-failures';
import { routeSuite } from './suite-routes';
import { securitySuite } from './suite-security';
import { signatureSuite } from './suite-signatures';

for (const [name, mount] of FRAMEWORKS) {
  routeSuite(name, mount);
  failureSuite(name, mount);
  securitySuite(name, mount);
  signatureSuite(name, mount);
}
