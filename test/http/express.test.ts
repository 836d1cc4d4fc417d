import { expressServer } from './servers';
import { failureSuite } from './suite-failures';
import { routeSuite } from './suite-routes';
import { securitySuite } from './suite-security';
import { signatureSuite } from './suite-signatures';

routeSuite('express', expressServer);
failureSuite('express', expressServer);
securitySuite('express', expressServer);
signatureSuite('express', expressServer);
