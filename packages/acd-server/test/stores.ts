import { randomBytes } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { openStore, type Store } from "../src/store/store.js";

/** The real Postgres of the development and CI machines (trust auth, database `test`). */
export const postgresUrl = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

let shared: PGlite | undefined;

export interface StoreKind {
  name: "pglite" | "postgres";
  /** A fresh, migrated store of its own: PGlite in memory, or a schema of its own on Postgres. */
  open(): Promise<Store & { dispose(): Promise<void> }>;
}

export const storeKinds: StoreKind[] = [
  {
    name: "pglite",
    async open() {
      // One in-memory PGlite per test file (starting one costs seconds), a schema per test.
      shared ??= new PGlite();
      const schema = `t_${randomBytes(6).toString("hex")}`;
      const instance = shared;
      const store = await openStore({ kind: "pglite", instance, schema });
      return Object.assign(store, {
        async dispose() {
          await store.close();
          await instance.exec(`drop schema ${schema} cascade; set search_path to public`);
        },
      });
    },
  },
  {
    name: "postgres",
    async open() {
      const schema = `t_${randomBytes(6).toString("hex")}`;
      const admin = new pg.Client({ connectionString: postgresUrl });
      await admin.connect();
      await admin.query(`create schema ${schema}`);
      await admin.end();
      const store = await openStore({ kind: "postgres", url: postgresUrl, schema });
      return Object.assign(store, {
        async dispose() {
          await store.close();
          const c = new pg.Client({ connectionString: postgresUrl });
          await c.connect();
          await c.query(`drop schema ${schema} cascade`);
          await c.end();
        },
      });
    },
  },
];
