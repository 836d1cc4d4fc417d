import { expressServer } from './servers';
import { routeSuite } from './suite-routes';
import { securitySuite } from './suite-security';

routeSuite('express', expressServer);
securitySuite('express', expressServer);
