import { fastifyServer } from './servers';
import { failureSuite } from './suite-failures';
import { routeSuite } from './suite-routes';
import { securitySuite } from './suite-security';
import { signatureSuite } from './suite-signatures';

routeSuite('fastify', fastifyServer);
failureSuite('fastify', fastifyServer);
securitySuite('fastify', fastifyServer);
signatureSuite('fastify', fastifyServer);
