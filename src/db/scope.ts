// The one way a query is narrowed to the services or the groups an agent works in. An
// agent of none matches nothing (an empty IN list is not valid SQL everywhere).
import type { Knex } from 'knex';

/** `q` limited to rows whose `column` (a service id) is one of `serviceIds`. */
export function inServices<Q extends Knex.QueryBuilder>(q: Q, column: string, serviceIds: readonly number[]): Q {
  return q.whereIn(column, serviceIds.length ? [...serviceIds] : [-1]) as Q;
}

/** `q` limited to rows whose `column` (a group id: a request's queue) is one of `groupIds`. */
export function inGroups<Q extends Knex.QueryBuilder>(q: Q, column: string, groupIds: readonly number[]): Q {
  return q.whereIn(column, groupIds.length ? [...groupIds] : [-1]) as Q;
}
