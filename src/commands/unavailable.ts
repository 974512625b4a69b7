// Which failures mean "Temporal or the database cannot be reached right now" (an outage,
// a restart, a full connection pool): the caller answers 503 with a French message
// instead of 500, and may retry. Anything else stays an unexpected error.
import { KnexTimeoutError } from 'knex';
import { ServiceError, WorkflowUpdateRPCTimeoutOrCancelledError, isGrpcServiceError } from '@temporalio/client';
import { CommandError } from './errors';

/** Error codes of a database that is down, restarting, out of connections or locked. */
const DATABASE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN',
  'ER_LOCK_WAIT_TIMEOUT', 'ER_LOCK_DEADLOCK', 'ER_QUERY_INTERRUPTED',
  'SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_IOERR',
]);

function* causes(err: unknown): Generator<unknown> {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    yield e;
  }
}

/** An Update whose answer we did not get: it may have been accepted by the workflow. */
export function isUncertainUpdate(err: unknown): boolean {
  return [...causes(err)].some((e) => e instanceof WorkflowUpdateRPCTimeoutOrCancelledError || e instanceof ServiceError || isGrpcServiceError(e));
}

export function isUnavailable(err: unknown): boolean {
  return [...causes(err)].some((e) =>
    e instanceof KnexTimeoutError
    || e instanceof ServiceError
    || e instanceof WorkflowUpdateRPCTimeoutOrCancelledError
    || isGrpcServiceError(e)
    || DATABASE_CODES.has(String((e as { code?: unknown }).code)));
}

/** The 503 refusal for an outage, or null when `err` is something else. */
export function unavailableError(err: unknown): CommandError | null {
  if (err instanceof CommandError) {
    return null;
  }
  return isUnavailable(err) ? CommandError.of(503, 'UNAVAILABLE') : null;
}
