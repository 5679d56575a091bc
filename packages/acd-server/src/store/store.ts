import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { PGliteDialect } from "./pglite-dialect.js";
import type { Tables } from "./tables.js";

/**
 * The system of record. One schema, one set of migrations, one query layer (Kysely) over
 * either a Postgres server (`pg`) or PGlite in process. Callers never learn which.
 */
export interface Store {
  readonly db: Kysely<Tables>;
  readonly kind: "postgres" | "pglite";
  /** Runs a multi-statement SQL script (migrations). */
  execScript(script: string): Promise<void>;
  /** True when a trivial query answers (readiness). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export type StoreOptions =
  | { kind: "postgres"; url: string /** search_path, e.g. an isolated schema for tests */; schema?: string }
  | {
      kind: "pglite";
      /** directory for data; undefined = in memory */
      dataDir?: string;
      /** an instance to share (tests); the store then does not close it */
      instance?: PGlite;
      /** a schema of its own inside the instance */
      schema?: string;
    };

export async function openStore(options: StoreOptions): Promise<Store> {
  const store =
    options.kind === "postgres" ? openPostgres(options.url, options.schema) : await openPGlite(options);
  try {
    await migrate(store);
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

function openPostgres(url: string, schema: string | undefined): Store {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on("error", () => {});
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  let closed = false;
  return {
    db,
    kind: "postgres",
    async execScript(script) {
      // pg sends a parameterless query with the simple protocol, which runs several statements.
      await pool.query(script);
    },
    ping: () => pingDb(db),
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy(); // ends the pool
    },
  };
}

async function openPGlite(options: { dataDir?: string; instance?: PGlite; schema?: string }): Promise<Store> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const pglite = options.instance ?? new PGlite(options.dataDir);
  await pglite.waitReady;
  if (options.schema) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) throw new Error(`bad schema name ${options.schema}`);
    await pglite.exec(`create schema if not exists ${options.schema}; set search_path to ${options.schema}`);
  }
  const db = new Kysely<Tables>({ dialect: new PGliteDialect(pglite) });
  let closed = false;
  return {
    db,
    kind: "pglite",
    async execScript(script) {
      await pglite.exec(script);
    },
    ping: () => pingDb(db),
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
      if (!options.instance) await pglite.close();
    },
  };
}

async function pingDb(db: Kysely<Tables>): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}

const migrationsDir = fileURLToPath(new URL("./migrations/", import.meta.url));

export function listMigrations(): Array<{ version: string; script: string }> {
  return readdirSync(migrationsDir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: f.replace(/\.sql$/, ""), script: readFileSync(join(migrationsDir, f), "utf8") }));
}

/**
 * Applies every migration not yet applied, each in its own transaction. On Postgres an
 * advisory lock keeps two nodes starting at once from applying the same one twice.
 */
export async function migrate(store: Store): Promise<string[]> {
  const lockKey = 12_345_001;
  await store.execScript(
    "create table if not exists schema_migrations (version text primary key, applied_at timestamptz not null default now())",
  );
  const applied: string[] = [];
  await store.db.connection().execute(async (conn) => {
    if (store.kind === "postgres") await sql`select pg_advisory_lock(${lockKey})`.execute(conn);
    try {
      const rows = await sql<{ version: string }>`select version from schema_migrations`.execute(conn);
      const done = new Set(rows.rows.map((r) => r.version));
      for (const m of listMigrations()) {
        if (done.has(m.version)) continue;
        await conn.transaction().execute(async (tx) => {
          await sql.raw(m.script).execute(tx);
          await sql`insert into schema_migrations (version) values (${m.version})`.execute(tx);
        });
        applied.push(m.version);
      }
    } finally {
      if (store.kind === "postgres") await sql`select pg_advisory_unlock(${lockKey})`.execute(conn);
    }
  });
  return applied;
}
