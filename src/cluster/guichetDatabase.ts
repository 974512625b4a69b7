// Guichet's MySQL/MariaDB database for the cluster: created when missing (its tables are
// then made by the processes' migrations, under their lock).
import knexFactory from 'knex';

/** CREATE DATABASE IF NOT EXISTS on the server of `serverUrl` (its path is ignored). */
export async function createMysqlDatabase(serverUrl: string, name: string): Promise<void> {
  if (!/^[A-Za-z0-9_]+$/.test(name)) {
    throw new Error(`invalid database name: ${name}`);
  }
  const server = new URL(serverUrl);
  server.pathname = '/';
  const admin = knexFactory({ client: 'mysql2', connection: server.toString().replace(/^mysql2:/, 'mysql:') });
  try {
    await admin.raw(`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.destroy();
  }
}

/** The database DATABASE_URL names, made if missing. */
export async function ensureMysqlDatabase(url: string): Promise<void> {
  await createMysqlDatabase(url, decodeURIComponent(new URL(url).pathname.slice(1)));
}
