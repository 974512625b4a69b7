import type { Knex } from 'knex';

// Its own module: the queries of groups, views and presence use it, and agents.ts uses those.

/** Has opened the application once: chose a password, or logged in through the provider (single sign-on). */
export const isActivated = (row: { password_hash: string | null; oidc_subject: string | null }): boolean => row.password_hash !== null || row.oidc_subject !== null;

/** The same, in a query of agents (`a.` when the table goes by that alias). */
export const activated = (alias = '') => (q: Knex.QueryBuilder): void => {
  q.whereNotNull(`${alias}password_hash`).orWhereNotNull(`${alias}oidc_subject`);
};
