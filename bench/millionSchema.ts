// The million-request schema, kept between runs: seeding a million requests takes minutes,
// measuring the pages a minute. A marker row says which seeder version and size wrote
// the schema; a run re-seeds (drop, create, migrate, seed) only when either changed, and
// otherwise only migrates (new indexes are built on the rows already there).
import knexFactory from 'knex';
import { connect, migrate, type Db } from '../src/db/connection';
import { seedRequests } from './backofficeSeed';
import { seedCity, type City } from './citySeed';

/** Bump when the seeder writes different rows: every kept schema is seeded again. */
export const SEEDER_VERSION = 2;
const MARKER = 'bench_seed_marker';
export const CITY = { services: 20, formTypesPerService: 3, agentsPerService: 4, password: 'banc-essai-mot-de-passe' };

export interface MillionSchema {
  url: string;
  db: Db;
  /** null when the schema was kept from an earlier run */
  seedSeconds: number | null;
  /** when the rows were seeded: the pages' periods count back from it */
  seededAt: number;
  requests: number;
  city: City;
}

interface Marker {
  version: number;
  requests: number;
  seeded_at: number;
  seed_seconds: number;
  city: string;
}

async function markerOf(db: Db): Promise<Marker | null> {
  if (!(await db.schema.hasTable(MARKER))) {
    return null;
  }
  return (await db(MARKER).first()) ?? null;
}

async function recreate(base: string, schema: string): Promise<void> {
  const admin = knexFactory({ client: 'mysql2', connection: base });
  try {
    await admin.raw(`DROP DATABASE IF EXISTS \`${schema}\``);
    await admin.raw(`CREATE DATABASE \`${schema}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.destroy();
  }
}

/** The schema `schema` on the server `base`, seeded with `requests` requests of a city (see seedCity), reused when it already is. */
export async function millionSchema(base: string, schema: string, requests: number, dataDir: string, log: (line: string) => void): Promise<MillionSchema> {
  const url = new URL(base);
  url.pathname = `/${schema}`;
  const admin = knexFactory({ client: 'mysql2', connection: base });
  const exists = (await admin.raw('SELECT 1 FROM information_schema.schemata WHERE schema_name = ?', [schema]))[0].length > 0;
  await admin.destroy();
  let db = exists ? connect({ databaseUrl: url.toString(), dataDir }) : null;
  const marker = db ? await markerOf(db) : null;
  if (db && marker && marker.version === SEEDER_VERSION && Number(marker.requests) === requests) {
    log(`million: schema ${schema} kept (seeder version ${marker.version}, ${requests} requests seeded ${new Date(Number(marker.seeded_at)).toISOString()}); migrating…`);
    await migrate(db);
    return { url: url.toString(), db, seedSeconds: null, seededAt: Number(marker.seeded_at), requests, city: JSON.parse(marker.city) as City };
  }
  await db?.destroy();
  log(`million: (re)creating schema ${schema} and seeding ${requests} requests…`);
  await recreate(base, schema);
  db = connect({ databaseUrl: url.toString(), dataDir });
  await migrate(db);
  const city = await seedCity(db, CITY);
  const seededAt = Date.now();
  const seedSeconds = await seedRequests(db, { count: requests, mix: 'realistic', city: true, now: seededAt, batch: 2000 });
  await db.raw('ANALYZE TABLE requests, request_personal, events, messages');
  await db.schema.createTable(MARKER, (t) => {
    t.integer('version').notNullable();
    t.integer('requests').notNullable();
    t.bigInteger('seeded_at').notNullable();
    t.float('seed_seconds').notNullable();
    t.text('city').notNullable();
  });
  await db(MARKER).insert({ version: SEEDER_VERSION, requests, seeded_at: seededAt, seed_seconds: seedSeconds, city: JSON.stringify(city) });
  return { url: url.toString(), db, seedSeconds, seededAt, requests, city };
}
