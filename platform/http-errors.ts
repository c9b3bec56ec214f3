import type { FastifyInstance } from 'fastify';
import { AppError, ErrorCode } from '../domain/errors.js';
import type { Logger } from './logger.js';

/** The JSON body of every failed plain-HTTP call between Tickler services. */
export interface HttpErrorBody {
  error: {
    code: string;
    message: string;
    problems?: { path: string; message: string }[];
    requestId?: string;
  };
}

export const httpStatusOf: Record<ErrorCode, number> = {
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.CONFLICT]: 409,
  [ErrorCode.BAD_EVENT]: 400,
  [ErrorCode.UNAVAILABLE]: 503,
  [ErrorCode.RATE_LIMITED]: 429,
  [ErrorCode.QUOTA_EXCEEDED]: 409,
  [ErrorCode.TOO_EXPENSIVE]: 400,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.INTERNAL]: 500,
};

/**
 * The one place where errors of plain HTTP routes become HTTP answers: an AppError keeps its code
 * and field problems; fastify's own client errors (a bad body) keep their status; anything else
 * is a 500 naming only the request id, and is logged with it.
 */
export function registerHttpErrors(app: FastifyInstance, log: Logger): void {
  app.setErrorHandler(async (err, req, reply) => {
    if (err instanceof AppError) {
      const body: HttpErrorBody = {
        error: {
          code: err.code,
          message: err.message,
          ...(err.problems.length ? { problems: err.problems } : {}),
        },
      };
      if (err.retryAfterSeconds) reply.header('retry-after', String(err.retryAfterSeconds));
      return reply.code(httpStatusOf[err.code]).send(body);
    }
    const status = (err as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const body: HttpErrorBody = {
        error: { code: ErrorCode.BAD_USER_INPUT, message: (err as Error).message },
      };
      return reply.code(status).send(body);
    }
    log.error({ err, requestId: req.id, url: req.url }, 'unexpected error');
    const body: HttpErrorBody = {
      error: { code: ErrorCode.INTERNAL, message: 'Unexpected error.', requestId: req.id },
    };
    return reply.code(httpStatusOf[ErrorCode.INTERNAL]).send(body);
  });
}
