import { fastifyServer } from './servers';
import { routeSuite } from './suite-routes';
import { securitySuite } from './suite-security';

routeSuite('fastify', fastifyServer);
securitySuite('fastify', fastifyServer);
