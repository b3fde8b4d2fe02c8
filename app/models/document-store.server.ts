/**
 * Durable storage of a document's Yjs state: one snapshot plus an append-only tail of updates.
 * Every write is one synchronous SQLite transaction (with `synchronous=FULL`), so once a call returns the change
 * survives a crash of the process and a loss of power.
 */
import type Database from "better-sqlite3";
import * as Y from "yjs";
import type { Db } from "../../db/client";

interface Prepared {
  snapshot: Database.Statement<[number], { state: Buffer; throughUpdateId: number }>;
  tail: Database.Statement<[number, number], { id: number; update: Buffer }>;
  append: Database.Statement<[number, Buffer, number | null], { id: number }>;
  upsertSnapshot: Database.Statement<[number, Buffer, number]>;
  dropCovered: Database.Statement<[number, number]>;
  touch: Database.Statement<[number]>;
}
export interface UpdateToStore {
  documentId: number;
  update: Uint8Array;
  userId: number | null;
}

interface Statements extends Prepared {
  appendTx: (documentId: number, update: Buffer, userId: number | null) => number;
  appendManyTx: (rows: readonly UpdateToStore[], touched: readonly number[]) => number[];
  compactTx: (documentId: number, state: Buffer, throughUpdateId: number) => void;
}

const asBuffer = (bytes: Uint8Array) => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

const cache = new WeakMap<Database.Database, Statements>();

function statements(db: Db): Statements {
  let s = cache.get(db.$client);
  if (!s) {
    const c = db.$client;
    const prepared: Prepared = {
      snapshot: c.prepare("SELECT state, through_update_id AS throughUpdateId FROM document_snapshots WHERE document_id = ?"),
      tail: c.prepare('SELECT id, "update" FROM document_updates WHERE document_id = ? AND id > ? ORDER BY id'),
      append: c.prepare('INSERT INTO document_updates (document_id, "update", user_id) VALUES (?, ?, ?) RETURNING id'),
      upsertSnapshot: c.prepare(
        "INSERT INTO document_snapshots (document_id, state, through_update_id) VALUES (?, ?, ?) " +
          "ON CONFLICT(document_id) DO UPDATE SET state = excluded.state, through_update_id = excluded.through_update_id, created_at = unixepoch('subsec') * 1000",
      ),
      dropCovered: c.prepare("DELETE FROM document_updates WHERE document_id = ? AND id <= ?"),
      touch: c.prepare("UPDATE documents SET updated_at = unixepoch('subsec') * 1000 WHERE id = ?"),
    };
    s = {
      ...prepared,
      // Transaction functions are built once: better-sqlite3 wraps each in BEGIN/COMMIT.
      appendTx: c.transaction(
        (documentId: number, update: Buffer, userId: number | null) => prepared.append.get(documentId, update, userId)!.id,
      ),
      appendManyTx: c.transaction((rows: readonly UpdateToStore[], touched: readonly number[]) => {
        const ids = rows.map((row) => prepared.append.get(row.documentId, asBuffer(row.update), row.userId)!.id);
        for (const documentId of touched) prepared.touch.run(documentId);
        return ids;
      }),
      compactTx: c.transaction((documentId: number, state: Buffer, throughUpdateId: number) => {
        prepared.upsertSnapshot.run(documentId, state, throughUpdateId);
        prepared.dropCovered.run(documentId, throughUpdateId);
        // A compaction also marks when the document last changed (appends do not, to keep them to one write).
        prepared.touch.run(documentId);
      }),
    };
    cache.set(db.$client, s);
  }
  return s;
}

export interface StoredState {
  /** Everything stored for the document, applied to a fresh `Y.Doc`. */
  doc: Y.Doc;
  /** Id of the newest update applied (0 when there is none). */
  lastUpdateId: number;
  /** Updates stored after the snapshot: how much compaction would fold away. */
  tailLength: number;
}

/** Loads a document from its snapshot and the updates after it. */
export function loadDocumentState(db: Db, documentId: number): StoredState {
  const s = statements(db);
  const snapshot = s.snapshot.get(documentId);
  const fresh = () => {
    const doc = new Y.Doc({ gc: true });
    if (snapshot) Y.applyUpdate(doc, snapshot.state);
    return doc;
  };
  let doc = fresh();
  let lastUpdateId = snapshot?.throughUpdateId ?? 0;
  const tail = s.tail.all(documentId, lastUpdateId);
  if (tail.length) {
    try {
      // One merged update integrates much faster than thousands of small ones.
      Y.applyUpdate(doc, Y.mergeUpdates(tail.map((row) => row.update)));
    } catch {
      // Yjs cannot fold some sets of updates into one (overlapping or out-of-order parts that each applied
      // fine). Each was accepted on a document in this very order, so applying them one by one, from scratch,
      // gives that document back.
      doc.destroy();
      doc = fresh();
      for (const row of tail) Y.applyUpdate(doc, row.update);
    }
    lastUpdateId = tail[tail.length - 1]!.id;
  }
  return { doc, lastUpdateId, tailLength: tail.length };
}

/** Appends one update in its own transaction; returns its id once it is committed. */
export function appendDocumentUpdate(db: Db, documentId: number, update: Uint8Array, userId: number | null): number {
  return statements(db).appendTx(documentId, asBuffer(update), userId);
}

/**
 * Appends several updates (of any documents) in one transaction, and marks the `touched` documents as changed
 * now: one commit, so one sync to disk, for everything that arrived together. Returns the new ids in order.
 */
export function appendDocumentUpdates(db: Db, rows: readonly UpdateToStore[], touched: readonly number[] = []): number[] {
  return statements(db).appendManyTx(rows, touched);
}

/** Records that a document changed now (for lists sorted by last change). */
export function touchDocument(db: Db, documentId: number): void {
  statements(db).touch.run(documentId);
}

/** Replaces the snapshot with `state` (which must include every update up to `throughUpdateId`) and drops those updates. */
export function compactDocument(db: Db, documentId: number, state: Uint8Array, throughUpdateId: number): void {
  statements(db).compactTx(documentId, asBuffer(state), throughUpdateId);
}

/** The stored state of a document as one update, without keeping anything in memory. */
export function readDocumentState(db: Db, documentId: number): Uint8Array {
  const { doc } = loadDocumentState(db, documentId);
  const state = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return state;
}
