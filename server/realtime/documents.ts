/**
 * The documents hub: one live `Y.Doc` per open document, synced with y-protocols messages over Socket.IO.
 *
 * Every change a client sends is checked (permission, size, well-formed), applied, relayed to the room,
 * appended to SQLite in a synchronous transaction, and only then acknowledged to its sender. Read-only sockets still receive changes and
 * appear in presence, but what they send to change the text is refused. Documents nobody has open are folded
 * into a snapshot and dropped from memory after `DOC_UNLOAD_MS`.
 */
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import * as awarenessProtocol from "y-protocols/awareness";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import { appendDocumentUpdate, compactDocument, loadDocumentState, touchDocument } from "../../app/models/document-store.server";
import { documentAccess, type DocumentAccess } from "../../app/models/documents.server";
import {
  MAX_AWARENESS_STATE_BYTES,
  MAX_DOC_MESSAGE_BYTES,
  docMessageType,
  rooms,
  syncMessageType,
  type Ack,
  type DocJoinResult,
} from "../../app/realtime/protocol";
import { can, type Actor } from "../../app/utils/policy";
import type { AppSocket, IoServer, Services } from "../context";

interface Peer {
  socket: AppSocket;
  userId: number;
  /** The name others see in presence: the person's own, never one the client makes up. */
  name: string;
  readOnly: boolean;
  /** Awareness client ids this socket has announced; removed from presence when it leaves. */
  clientIds: Set<number>;
}

interface LiveDocument {
  id: number;
  groupId: number;
  doc: Y.Doc;
  awareness: awarenessProtocol.Awareness;
  peers: Map<string, Peer>;
  lastUpdateId: number;
  /** Updates stored since the last snapshot. */
  tailLength: number;
  /** When `documents.updated_at` was last moved, to move it at most every few seconds while people type. */
  touchedAt: number;
  /** A compaction is queued to run after the current message (never between a change and its acknowledgement). */
  compactQueued: boolean;
  /** The sync step 2 for a client that has nothing yet (everyone who opens it), kept until the next change. */
  fullSync: Uint8Array | null;
  unloadTimer: NodeJS.Timeout | null;
}

const TOUCH_EVERY_MS = 5_000;

/** A change made by the server itself (restoring a version), stored and relayed like a client's. */
const SERVER_ORIGIN = Symbol("server");

export type DocumentHub = ReturnType<typeof createDocumentHub>;

function refuse(error: Extract<Ack, { ok: false }>["error"], message: string): Ack {
  return { ok: false, error, message };
}

/**
 * Binary as a Node Buffer: the msgpack encoder sends Buffers as plain binary, but a bare Uint8Array
 * as an extension type that browsers decode differently.
 */
function wire(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Sync step 2: what the document has that a client with this state vector lacks. */
function syncStep2Message(doc: Y.Doc, stateVector: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, docMessageType.sync);
  syncProtocol.writeSyncStep2(encoder, doc, stateVector);
  return encoding.toUint8Array(encoder);
}

function syncUpdateMessage(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, docMessageType.sync);
  syncProtocol.writeUpdate(encoder, update);
  return encoding.toUint8Array(encoder);
}

function awarenessMessage(awareness: awarenessProtocol.Awareness, clientIds: number[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, docMessageType.awareness);
  encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, clientIds));
  return encoding.toUint8Array(encoder);
}

/** Reads an awareness update without applying it: its client ids and the size of each state. */
function readAwarenessUpdate(update: Uint8Array): { clientId: number; stateBytes: number; state: unknown }[] {
  const decoder = decoding.createDecoder(update);
  const count = decoding.readVarUint(decoder);
  if (count > 16) throw new Error("too many awareness states");
  const entries: { clientId: number; stateBytes: number; state: unknown }[] = [];
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(decoder);
    decoding.readVarUint(decoder); // clock
    const json = decoding.readVarString(decoder);
    entries.push({ clientId, stateBytes: json.length, state: JSON.parse(json) as unknown });
  }
  return entries;
}

export function createDocumentHub(io: IoServer, services: Services, log: (m: string) => void) {
  const { db, env } = services;
  const open = new Map<number, LiveDocument>();
  /** Documents each socket has joined, for cleanup on disconnect. */
  const joinedBy = new Map<string, Set<number>>();

  function persist(live: LiveDocument, update: Uint8Array, userId: number | null) {
    live.lastUpdateId = appendDocumentUpdate(db, live.id, update, userId);
    live.tailLength++;
    const now = Date.now();
    if (now - live.touchedAt > TOUCH_EVERY_MS) {
      live.touchedAt = now;
      touchDocument(db, live.id);
    }
    if (live.tailLength >= env.DOC_COMPACT_UPDATES && !live.compactQueued) {
      // Folding the tail into a snapshot is not needed for durability, so it waits until the acknowledgement is out.
      live.compactQueued = true;
      setImmediate(() => {
        live.compactQueued = false;
        if (open.get(live.id) === live) compact(live);
      });
    }
  }

  /** Folds the stored tail into a snapshot; a failure is logged, not thrown. */
  function compact(live: LiveDocument) {
    if (live.tailLength === 0) return;
    try {
      compactDocument(db, live.id, Y.encodeStateAsUpdate(live.doc), live.lastUpdateId);
      live.tailLength = 0;
    } catch (error) {
      // Nothing is lost: every update is already stored. The next compaction or load folds them in.
      log(`compacting document ${live.id} failed: ${(error as Error).stack ?? error}`);
    }
  }

  function load(access: DocumentAccess): LiveDocument {
    const existing = open.get(access.id);
    if (existing) return existing;
    const stored = loadDocumentState(db, access.id);
    const awareness = new awarenessProtocol.Awareness(stored.doc);
    // The server takes no part in presence itself.
    awareness.setLocalState(null);
    const live: LiveDocument = {
      id: access.id,
      groupId: access.groupId,
      doc: stored.doc,
      awareness,
      peers: new Map(),
      lastUpdateId: stored.lastUpdateId,
      tailLength: stored.tailLength,
      touchedAt: 0,
      compactQueued: false,
      fullSync: null,
      unloadTimer: null,
    };
    // Changes the server makes itself are stored and sent to everyone; clients' changes are handled in `message`.
    stored.doc.on("update", (update: Uint8Array, origin: unknown) => {
      live.fullSync = null;
      if (origin !== SERVER_ORIGIN) return;
      persist(live, update, null);
      io.to(rooms.doc(live.id)).emit("doc:message", live.id, wire(syncUpdateMessage(update)));
    });
    open.set(access.id, live);
    return live;
  }

  function scheduleUnload(live: LiveDocument) {
    if (live.peers.size > 0 || live.unloadTimer) return;
    live.unloadTimer = setTimeout(() => unload(live), env.DOC_UNLOAD_MS);
    live.unloadTimer.unref();
  }

  function unload(live: LiveDocument) {
    live.unloadTimer = null;
    if (live.peers.size > 0 || open.get(live.id) !== live) return;
    compact(live);
    open.delete(live.id);
    live.awareness.destroy();
    live.doc.destroy();
  }

  function removePeer(live: LiveDocument, socketId: string) {
    const peer = live.peers.get(socketId);
    if (!peer) return;
    live.peers.delete(socketId);
    joinedBy.get(socketId)?.delete(live.id);
    void peer.socket.leave(rooms.doc(live.id));
    const gone = [...peer.clientIds].filter((id) => live.awareness.getStates().has(id));
    if (gone.length) {
      awarenessProtocol.removeAwarenessStates(live.awareness, gone, "server");
      io.to(rooms.doc(live.id)).emit("doc:message", live.id, wire(awarenessMessage(live.awareness, gone)));
    }
    scheduleUnload(live);
  }

  /** Who this person is now, and what they may do with the document (null: they may not read it). */
  function accessOf(actor: Actor | null, access: DocumentAccess | null): { readOnly: boolean } | null {
    if (!actor || !access) return null;
    if (!can(actor, "document.view", access)) return null;
    return { readOnly: !can(actor, "document.edit", access) };
  }

  function join(socket: AppSocket, actor: Actor & { name: string }, documentId: number): Ack<DocJoinResult> {
    const access = documentAccess(db, documentId, actor.id);
    const allowed = accessOf(actor, access);
    // A document the person may not read is answered exactly like one that does not exist.
    if (!allowed || !access) return refuse("forbidden", "You cannot open this document.") as Ack<DocJoinResult>;
    const live = load(access);
    if (live.unloadTimer) {
      clearTimeout(live.unloadTimer);
      live.unloadTimer = null;
    }
    const existing = live.peers.get(socket.id);
    if (existing) existing.readOnly = allowed.readOnly;
    else live.peers.set(socket.id, { socket, userId: actor.id, name: actor.name, readOnly: allowed.readOnly, clientIds: new Set() });
    let joined = joinedBy.get(socket.id);
    if (!joined) joinedBy.set(socket.id, (joined = new Set()));
    joined.add(documentId);
    void socket.join(rooms.doc(documentId));

    // After the acknowledgement, the server opens the sync: its state vector, then who is already here.
    setImmediate(() => {
      if (!live.peers.has(socket.id)) return;
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, docMessageType.sync);
      syncProtocol.writeSyncStep1(encoder, live.doc);
      socket.emit("doc:message", documentId, wire(encoding.toUint8Array(encoder)));
      const present = [...live.awareness.getStates().keys()];
      if (present.length) socket.emit("doc:message", documentId, wire(awarenessMessage(live.awareness, present)));
    });
    return { ok: true, readOnly: allowed.readOnly };
  }

  function leave(socket: AppSocket, documentId: number) {
    const live = open.get(documentId);
    if (live) removePeer(live, socket.id);
  }

  function disconnected(socket: AppSocket) {
    for (const documentId of joinedBy.get(socket.id) ?? []) leave(socket, documentId);
    joinedBy.delete(socket.id);
  }

  /** Handles one incoming y-protocols message from a socket that has joined the document. */
  function message(socket: AppSocket, documentId: unknown, raw: unknown): Ack {
    if (typeof documentId !== "number" || !Number.isInteger(documentId))
      return refuse("invalid_payload", "documentId must be a whole number.");
    const bytes = raw instanceof Uint8Array ? raw : raw instanceof ArrayBuffer ? new Uint8Array(raw) : null;
    if (!bytes) return refuse("invalid_payload", "A document message must be binary.");
    if (bytes.byteLength > MAX_DOC_MESSAGE_BYTES) {
      return refuse("payload_too_large", `Document messages are limited to ${MAX_DOC_MESSAGE_BYTES} bytes.`);
    }
    const live = open.get(documentId);
    const peer = live?.peers.get(socket.id);
    if (!live || !peer) return refuse("not_joined", "Join the document before sending to it.");

    let type: number;
    const decoder = decoding.createDecoder(bytes);
    try {
      type = decoding.readVarUint(decoder);
    } catch {
      return refuse("malformed_update", "The message could not be read.");
    }

    if (type === docMessageType.sync) {
      let syncType: number;
      let payload: Uint8Array;
      try {
        syncType = decoding.readVarUint(decoder);
        payload = decoding.readVarUint8Array(decoder);
      } catch {
        return refuse("malformed_update", "The sync message could not be read.");
      }
      if (syncType === syncMessageType.step1) {
        let reply: Uint8Array;
        try {
          // When many people open a document at once, the whole state is encoded once, not once each.
          const whole = Y.decodeStateVector(payload).size === 0;
          reply = (whole && live.fullSync) || syncStep2Message(live.doc, payload);
          if (whole) live.fullSync = reply;
        } catch {
          return refuse("malformed_update", "The state vector could not be read.");
        }
        socket.emit("doc:message", documentId, wire(reply));
        return { ok: true };
      }
      if (syncType !== syncMessageType.step2 && syncType !== syncMessageType.update) {
        return refuse("malformed_update", `Unknown sync message type ${syncType}.`);
      }
      // Read-only sockets' changes are dropped: never applied, stored or relayed.
      if (peer.readOnly) return refuse("read_only", "You can read this document but not change it.");
      try {
        // Decoding the whole update first means a malformed one is refused before it touches the document.
        Y.decodeUpdate(payload);
      } catch {
        return refuse("malformed_update", "The update could not be read.");
      }
      // Peers get a well-formed change at once, before the server applies and stores it; the sender's
      // acknowledgement waits for the commit. A peer that got a change the server then failed to store still
      // holds it, and sends it back on its next sync. An update message with nothing after its payload goes out
      // as it came in; a sync step 2 goes out as an update.
      const relay = syncType === syncMessageType.update && decoder.pos === bytes.byteLength ? bytes : syncUpdateMessage(payload);
      socket.to(rooms.doc(documentId)).emit("doc:message", documentId, wire(relay));
      try {
        Y.applyUpdate(live.doc, payload, socket.id);
      } catch (error) {
        log(`document ${documentId}: a decoded update could not be applied: ${(error as Error).stack ?? error}`);
        return refuse("malformed_update", "The update could not be applied.");
      }
      persist(live, payload, peer.userId);
      return { ok: true };
    }

    if (type === docMessageType.awareness) {
      let update: Uint8Array;
      let entries: ReturnType<typeof readAwarenessUpdate>;
      try {
        update = decoding.readVarUint8Array(decoder);
        entries = readAwarenessUpdate(update);
      } catch {
        return refuse("malformed_update", "The presence message could not be read.");
      }
      for (const entry of entries) {
        if (entry.stateBytes > MAX_AWARENESS_STATE_BYTES) {
          return refuse("payload_too_large", `Presence states are limited to ${MAX_AWARENESS_STATE_BYTES} bytes.`);
        }
        const user = (entry.state as { user?: { name?: unknown } } | null)?.user;
        if (entry.state !== null && (typeof user !== "object" || user === null || user.name !== peer.name)) {
          return refuse("forbidden", "Presence must carry your own name.");
        }
        // A socket speaks only for the client ids it introduced first; nobody can move someone else's caret.
        for (const [otherId, other] of live.peers) {
          if (otherId !== socket.id && other.clientIds.has(entry.clientId)) {
            return refuse("forbidden", "That presence belongs to someone else.");
          }
        }
      }
      for (const entry of entries) peer.clientIds.add(entry.clientId);
      awarenessProtocol.applyAwarenessUpdate(live.awareness, update, socket.id);
      socket.to(rooms.doc(documentId)).emit("doc:message", documentId, wire(bytes));
      return { ok: true };
    }

    if (type === docMessageType.queryAwareness) {
      const present = [...live.awareness.getStates().keys()];
      if (present.length) socket.emit("doc:message", documentId, wire(awarenessMessage(live.awareness, present)));
      return { ok: true };
    }
    return refuse("malformed_update", `Unknown message type ${type}.`);
  }

  /**
   * Checks again what one socket with this document open may do, after a change to a working group,
   * a document or a person (the dispatcher calls it): closed out at once when it lost access, told
   * when it may now only read (or write again).
   */
  function recheck(socket: AppSocket, actor: Actor | null, documentId: number) {
    const live = open.get(documentId);
    const peer = live?.peers.get(socket.id);
    if (!live || !peer) return;
    const allowed = accessOf(actor, documentAccess(db, live.id, peer.userId));
    if (!allowed) {
      removePeer(live, socket.id);
      socket.emit("doc:access", { documentId: live.id, closed: "access_removed" });
    } else if (allowed.readOnly !== peer.readOnly) {
      peer.readOnly = allowed.readOnly;
      socket.emit("doc:access", { documentId: live.id, readOnly: allowed.readOnly });
    }
  }

  /**
   * Applies a change made by the server (restoring a version) to the document, loading it if needed.
   * The change is stored and relayed like any other before this returns.
   */
  function change(documentId: number, apply: (doc: Y.Doc) => void) {
    const access = documentAccess(db, documentId, 0);
    if (!access) throw new Error(`document ${documentId} not found`);
    const live = load(access);
    live.doc.transact(() => apply(live.doc), SERVER_ORIGIN);
    scheduleUnload(live);
  }

  return {
    join,
    leave,
    disconnected,
    message,
    recheck,
    change,
    isOpen: (documentId: number) => open.has(documentId),
    /** Open documents and their connections, for benchmarks and health checks. */
    stats: () => ({ documents: open.size, connections: [...open.values()].reduce((n, d) => n + d.peers.size, 0) }),
    close() {
      for (const live of [...open.values()]) {
        for (const socketId of [...live.peers.keys()]) removePeer(live, socketId);
        if (live.unloadTimer) clearTimeout(live.unloadTimer);
        unload(live);
      }
    },
  };
}
