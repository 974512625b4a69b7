// The one way a query is narrowed to the services an agent works in. An agent of no
// service matches nothing (an empty IN list is not valid SQL everywhere).
import type { Knex } from 'knex';

/** `q` limited to rows whose `column` (a service id) is one of `serviceIds`. */
export function inServices<Q extends Knex.QueryBuilder>(q: Q, column: string, serviceIds: readonly number[]): Q {
  return q.whereIn(column, serviceIds.length ? [...serviceIds] : [-1]) as Q;
}
