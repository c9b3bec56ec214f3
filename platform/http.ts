import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from './logger.js';

/** Every service's HTTP server starts the same way: our JSON logger, a 1 MiB body limit. */
export function createHttpApp(log: Logger): FastifyInstance {
  return Fastify({
    loggerInstance: log.child({ component: 'http' }) as FastifyBaseLogger,
    bodyLimit: 1_048_576,
    // Per-request lines would drown the event handlers' own logs; errors are still logged.
    logController: new LogController({
      disableRequestLogging: true,
      requestIdLogLabel: 'requestId',
    }),
    // A caller's X-Request-Id is kept (so one id follows a request across services); otherwise
    // every request gets a fresh UUID.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
    },
  });
}
