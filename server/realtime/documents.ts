/**
 * The documents hub: one live `Y.Doc` per open document, synced with y-protocols messages over Socket.IO.
 *
 * Every change a client sends is checked (permission, size, well-formed, complete, within the document schema),
 * applied, relayed to the room, appended to SQLite together with the other changes that arrived in the same turn
 * of the event loop (one transaction, one sync to disk), and only then acknowledged to its sender. A change that
 * fails a check leaves the document, its storage and every peer untouched (decision 026). Read-only sockets still
 * receive changes and appear in presence, but what they send to change the text is refused. Documents nobody has
 * open are folded into a snapshot and dropped from memory after `DOC_UNLOAD_MS`.
 */
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import * as awarenessProtocol from "y-protocols/awareness";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import { isKnownMark, isKnownNode, isKnownNodeAttribute } from "../../app/models/document-content.server";
import { appendDocumentUpdates, compactDocument, loadDocumentState, type UpdateToStore } from "../../app/models/document-store.server";
import { DOCUMENT_FIELD } from "../../app/editor/extensions";
import { documentAccess, type DocumentAccess } from "../../app/models/documents.server";
import { notesPresenceName } from "../../app/models/breakout-notes.server";
import {
  MAX_AWARENESS_STATES_PER_MESSAGE,
  MAX_AWARENESS_STATE_BYTES,
  MAX_DOC_MESSAGE_BYTES,
  MAX_PRESENCE_IDS_PER_SOCKET,
  PRESENCE_RATE,
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
  /**
   * The attribution rule withholds the person's name here (a breakout room's notes): `name` is their stakeholder
   * group (`group:<key>`), and the server writes it into their presence, whatever the client sent.
   */
  rewritePresence: boolean;
  readOnly: boolean;
  /** Awareness client ids this socket has announced; removed from presence when it leaves. */
  clientIds: Set<number>;
  /** Presence messages this socket may still send now (a token bucket refilled at `PRESENCE_RATE.perSecond`). */
  presenceTokens: number;
  presenceAt: number;
}

/** Who a Yjs client id belongs to in one document: whoever wrote changes with it, else whoever announced it first. */
interface Owner {
  userId: number;
  wrote: boolean;
}

interface LiveDocument {
  id: number;
  groupId: number | null;
  doc: Y.Doc;
  awareness: awarenessProtocol.Awareness;
  peers: Map<string, Peer>;
  owners: Map<number, Owner>;
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

/** An accepted change waiting for the next group commit; `done` sends its acknowledgement. */
interface PendingWrite {
  live: LiveDocument;
  row: UpdateToStore;
  done: (stored: boolean) => void;
}

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

type AwarenessEntry = { clientId: number; clock: number; stateBytes: number; state: unknown };

/** Reads an awareness update without applying it: its client ids and the size of each state. */
function readAwarenessUpdate(update: Uint8Array): AwarenessEntry[] {
  const decoder = decoding.createDecoder(update);
  const count = decoding.readVarUint(decoder);
  if (count > MAX_AWARENESS_STATES_PER_MESSAGE) throw new Error("too many awareness states");
  const entries: AwarenessEntry[] = [];
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(decoder);
    const clock = decoding.readVarUint(decoder);
    const json = decoding.readVarString(decoder);
    entries.push({ clientId, clock, stateBytes: json.length, state: JSON.parse(json) as unknown });
  }
  return entries;
}

/** A Yjs id (`{ client, clock }`) as numbers only, or null. */
function cleanId(value: unknown): { client: number; clock: number } | null {
  const id = value as { client?: unknown; clock?: unknown } | null;
  return typeof id?.client === "number" && typeof id.clock === "number" ? { client: id.client, clock: id.clock } : null;
}

/** A caret position (a Yjs relative position) rebuilt from its numbers, so it can carry no text of the client's. */
function cleanPosition(value: unknown) {
  const p = value as { type?: unknown; tname?: unknown; item?: unknown; assoc?: unknown } | null;
  if (typeof p !== "object" || p === null) return null;
  return {
    type: cleanId(p.type),
    tname: p.tname === DOCUMENT_FIELD ? DOCUMENT_FIELD : null,
    item: cleanId(p.item),
    assoc: typeof p.assoc === "number" ? p.assoc : 0,
  };
}

/**
 * The same presence with the name the server allows: `user` becomes `{ name, color }` (a colour only when it is a hex
 * colour) and only the caret (`cursor`, rebuilt from its positions' numbers) is kept beside it, so nothing else the
 * client sent can carry a name. Removals stay removals.
 */
function rewriteAwareness(entries: AwarenessEntry[], name: string): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entries.length);
  for (const entry of entries) {
    encoding.writeVarUint(encoder, entry.clientId);
    encoding.writeVarUint(encoder, entry.clock);
    let state: unknown = null;
    if (entry.state !== null && typeof entry.state === "object") {
      const { user, cursor } = entry.state as { user?: { color?: unknown }; cursor?: { anchor?: unknown; head?: unknown } | null };
      const color = typeof user?.color === "string" && /^#[0-9a-fA-F]{3,8}$/.test(user.color) ? user.color : undefined;
      const caret =
        cursor && typeof cursor === "object" ? { anchor: cleanPosition(cursor.anchor), head: cleanPosition(cursor.head) } : null;
      state = { user: color === undefined ? { name } : { name, color }, ...(cursor === undefined ? {} : { cursor: caret }) };
    }
    encoding.writeVarString(encoder, JSON.stringify(state));
  }
  return encoding.toUint8Array(encoder);
}

type Refusal = { error: "malformed_update" | "schema_violation"; message: string };

/**
 * Looks at a decoded update before it is applied: it may bring only nodes the document schema knows, and no
 * XML hooks. Answers the client ids it carries new changes for (what the document does not have yet).
 */
function inspectUpdate(doc: Y.Doc, structs: readonly unknown[]): Refusal | { newClients: Set<number> } {
  const newClients = new Set<number>();
  for (const struct of structs) {
    if (!(struct instanceof Y.Item || struct instanceof Y.GC)) continue;
    if (struct.id.clock + struct.length > Y.getState(doc.store, struct.id.client)) newClients.add(struct.id.client);
    if (!(struct instanceof Y.Item) || !(struct.content instanceof Y.ContentType)) continue;
    const type = struct.content.type;
    if (type instanceof Y.XmlHook) return { error: "schema_violation", message: "Documents cannot hold XML hooks." };
    if (type instanceof Y.XmlElement && !isKnownNode(type.nodeName)) {
      return { error: "schema_violation", message: `The document schema has no node "${type.nodeName.slice(0, 40)}".` };
    }
  }
  return { newClients };
}

/**
 * Checks what an applied update put where: inside the text (any `XmlFragment`, `XmlElement` or `XmlText`) only
 * elements and text, known attributes of known nodes, and text runs with known marks.
 */
function checkIntegrated(doc: Y.Doc, structs: readonly unknown[]): Refusal | null {
  const violation = (message: string): Refusal => ({ error: "schema_violation", message });
  for (const struct of structs) {
    if (!(struct instanceof Y.Item)) continue;
    const item = Y.getItem(doc.store, struct.id);
    if (!(item instanceof Y.Item) || item.content instanceof Y.ContentDeleted) continue;
    const { parent, parentSub: key, content } = item;
    if (parent instanceof Y.XmlText) {
      if (key !== null) return violation("Text runs cannot carry attributes.");
      if (content instanceof Y.ContentFormat) {
        if (!isKnownMark(content.key)) return violation(`The document schema has no mark "${content.key.slice(0, 40)}".`);
      } else if (!(content instanceof Y.ContentString)) return violation("Text runs may only hold text and marks.");
    } else if (parent instanceof Y.XmlElement && key !== null) {
      if (!isKnownNodeAttribute(parent.nodeName, key) || !(content instanceof Y.ContentAny)) {
        return violation(`The node "${parent.nodeName}" has no attribute "${key.slice(0, 40)}".`);
      }
    } else if (parent instanceof Y.XmlFragment) {
      const child = content instanceof Y.ContentType ? content.type : null;
      if (key !== null || !(child instanceof Y.XmlElement || child instanceof Y.XmlText)) {
        return violation("The document's text may only hold nodes and text.");
      }
    }
  }
  return null;
}

export function createDocumentHub(io: IoServer, services: Services, log: (m: string) => void) {
  const { db, env } = services;
  const open = new Map<number, LiveDocument>();
  /** Documents each socket has joined, for cleanup on disconnect. */
  const joinedBy = new Map<string, Set<number>>();
  /** Accepted changes not yet committed: written together, in one transaction, on the next turn of the event loop. */
  let queue: PendingWrite[] = [];
  let flushQueued = false;

  /** Queues an accepted change for the next group commit; the promise settles once it is committed (or failed). */
  function persist(live: LiveDocument, update: Uint8Array, userId: number | null): Promise<boolean> {
    return new Promise((done) => {
      queue.push({ live, row: { documentId: live.id, update, userId }, done });
      if (!flushQueued) {
        flushQueued = true;
        // Everything that arrived in this turn of the event loop (from any socket, for any document) commits together.
        setImmediate(flush);
      }
    });
  }

  /** Commits every queued change in one transaction, then acknowledges them. Never acknowledges before the commit. */
  function flush() {
    flushQueued = false;
    if (!queue.length) return;
    const batch = queue;
    queue = [];
    const now = Date.now();
    const touched = new Set<number>();
    for (const { live } of batch) {
      if (now - live.touchedAt > TOUCH_EVERY_MS) {
        live.touchedAt = now;
        touched.add(live.id);
      }
    }
    let ids: number[];
    try {
      ids = appendDocumentUpdates(
        db,
        batch.map((w) => w.row),
        [...touched],
      );
    } catch (error) {
      log(`storing ${batch.length} document update(s) failed: ${(error as Error).stack ?? error}`);
      for (const w of batch) w.done(false);
      return;
    }
    batch.forEach((w, i) => {
      const live = w.live;
      live.lastUpdateId = Math.max(live.lastUpdateId, ids[i]!);
      live.tailLength++;
      if (live.tailLength >= env.DOC_COMPACT_UPDATES && !live.compactQueued) {
        // Folding the tail into a snapshot is not needed for durability, so it waits until the acknowledgements are out.
        live.compactQueued = true;
        setImmediate(() => {
          live.compactQueued = false;
          if (open.get(live.id) === live) compact(live);
        });
      }
      w.done(true);
    });
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

  /**
   * The stored state as a live document. Its text is typed as the editor's XML fragment, so every change to it is
   * checked against the schema; changes left waiting for others nobody sent (stored before they were refused)
   * are dropped here, and so left out of what clients download and of the next snapshot.
   */
  function readStored(documentId: number) {
    const stored = loadDocumentState(db, documentId);
    stored.doc.getXmlFragment(DOCUMENT_FIELD);
    if (stored.doc.store.pendingStructs || stored.doc.store.pendingDs) {
      log(`document ${documentId}: dropping stored changes whose dependencies were never sent`);
      stored.doc.store.pendingStructs = null;
      stored.doc.store.pendingDs = null;
    }
    const awareness = new awarenessProtocol.Awareness(stored.doc);
    // The server takes no part in presence itself.
    awareness.setLocalState(null);
    return { ...stored, awareness };
  }

  /** Changes the server makes itself are stored and sent to everyone; clients' changes are handled in `message`. */
  function watch(live: LiveDocument) {
    live.doc.on("update", (update: Uint8Array, origin: unknown) => {
      live.fullSync = null;
      if (origin !== SERVER_ORIGIN) return;
      void persist(live, update, null);
      io.to(rooms.doc(live.id)).emit("doc:message", live.id, wire(syncUpdateMessage(update)));
    });
  }

  function load(access: DocumentAccess): LiveDocument {
    const existing = open.get(access.id);
    if (existing) return existing;
    const stored = readStored(access.id);
    const live: LiveDocument = {
      id: access.id,
      groupId: access.groupId,
      doc: stored.doc,
      awareness: stored.awareness,
      peers: new Map(),
      owners: new Map(),
      lastUpdateId: stored.lastUpdateId,
      tailLength: stored.tailLength,
      touchedAt: 0,
      compactQueued: false,
      fullSync: null,
      unloadTimer: null,
    };
    watch(live);
    open.set(access.id, live);
    return live;
  }

  /**
   * Puts the live document back to what is stored, after a change that Yjs refused part-way or that broke a
   * rule had already touched it. Accepted changes are committed first, so nothing acknowledged is lost; presence
   * is carried over.
   */
  function rebuild(live: LiveDocument) {
    flush();
    const stored = readStored(live.id);
    const { doc: oldDoc, awareness: oldAwareness } = live;
    for (const [clientId, state] of oldAwareness.getStates()) {
      if (clientId === oldAwareness.clientID) continue;
      stored.awareness.states.set(clientId, state);
      const meta = oldAwareness.meta.get(clientId);
      if (meta) stored.awareness.meta.set(clientId, meta);
    }
    live.doc = stored.doc;
    live.awareness = stored.awareness;
    live.lastUpdateId = stored.lastUpdateId;
    live.tailLength = stored.tailLength;
    live.fullSync = null;
    watch(live);
    oldAwareness.destroy();
    oldDoc.destroy();
  }

  /**
   * Applies a client's update to the live document and checks the result: Yjs did not throw, nothing is left
   * waiting for changes the sender never sent, and everything it put in the text fits the schema. Otherwise the
   * live document is rebuilt from storage and the update refused (decision 026).
   */
  function applyChecked(live: LiveDocument, update: Uint8Array, structs: readonly unknown[], origin: string): Refusal | null {
    let refusal: Refusal | null = null;
    try {
      Y.applyUpdate(live.doc, update, origin);
      const { store } = live.doc;
      if (store.pendingStructs || store.pendingDs) {
        refusal = { error: "malformed_update", message: "The update depends on changes that were never sent." };
      } else refusal = checkIntegrated(live.doc, structs);
    } catch (error) {
      log(`document ${live.id}: a decoded update could not be applied: ${(error as Error).message}`);
      refusal = { error: "malformed_update", message: "The update could not be applied." };
    }
    if (refusal) rebuild(live);
    return refusal;
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

  /** Whether another socket in the document holds this presence id. */
  const heldElsewhere = (live: LiveDocument, socketId: string, clientId: number) =>
    [...live.peers].some(([id, other]) => id !== socketId && other.clientIds.has(clientId));

  /** Removes presence states from the document and tells everyone. */
  function dropPresence(live: LiveDocument, clientIds: number[]) {
    const gone = clientIds.filter((id) => live.awareness.getStates().has(id));
    if (!gone.length) return;
    awarenessProtocol.removeAwarenessStates(live.awareness, gone, "server");
    io.to(rooms.doc(live.id)).emit("doc:message", live.id, wire(awarenessMessage(live.awareness, gone)));
  }

  function removePeer(live: LiveDocument, socketId: string) {
    const peer = live.peers.get(socketId);
    if (!peer) return;
    live.peers.delete(socketId);
    joinedBy.get(socketId)?.delete(live.id);
    void peer.socket.leave(rooms.doc(live.id));
    const released = [...peer.clientIds].filter((id) => !heldElsewhere(live, socketId, id));
    for (const id of released) {
      // An id only announced (never written with) is free again once nobody holds it.
      if (live.owners.get(id)?.wrote === false) live.owners.delete(id);
    }
    dropPresence(live, released);
    scheduleUnload(live);
  }

  /**
   * Client ids a person has written changes with are theirs: presence others announced for them is removed.
   * Only plain updates count (a sync step 2 may carry other people's changes the server lacks).
   */
  function claimWriters(live: LiveDocument, peer: Peer, clientIds: Set<number>) {
    for (const clientId of clientIds) {
      const owner = live.owners.get(clientId);
      if (owner?.wrote) continue;
      if (owner && owner.userId !== peer.userId) {
        for (const other of live.peers.values()) if (other.userId !== peer.userId) other.clientIds.delete(clientId);
        dropPresence(live, [clientId]);
      }
      live.owners.set(clientId, { userId: peer.userId, wrote: true });
    }
  }

  /** Takes one presence message from the socket's allowance; false when it has none left. */
  function takePresenceToken(peer: Peer): boolean {
    const now = Date.now();
    peer.presenceTokens = Math.min(PRESENCE_RATE.burst, peer.presenceTokens + ((now - peer.presenceAt) / 1000) * PRESENCE_RATE.perSecond);
    peer.presenceAt = now;
    if (peer.presenceTokens < 1) return false;
    peer.presenceTokens--;
    return true;
  }

  /** Who this person is now, and what they may do with the document (null: they may not read it). */
  function accessOf(actor: Actor | null, access: DocumentAccess | null): { readOnly: boolean } | null {
    if (!actor || !access) return null;
    if (!can(actor, "document.view", access)) return null;
    return { readOnly: !can(actor, "document.edit", access) };
  }

  /**
   * Sync step 2 for a client with this state vector. Everyone who opens a document with nothing yet gets the same
   * one, so the whole state is encoded once per document state, not once per person (kept until the next change).
   */
  function step2For(live: LiveDocument, stateVector: Uint8Array): Uint8Array {
    const whole = Y.decodeStateVector(stateVector).size === 0;
    if (whole && live.fullSync) return live.fullSync;
    const reply = syncStep2Message(live.doc, stateVector);
    if (whole) live.fullSync = reply;
    return reply;
  }

  /**
   * Opens a document for a socket. `actor` is the person as they are now (role, status); the socket's session was
   * checked at the handshake, and ending it (sign-out, revocation, expiry) closes the socket. With a state vector,
   * the answer carries the server's sync step 2, so the first sync takes this one round trip; the server then asks
   * for what the client has that it lacks (its step 1) only when the client has anything.
   */
  function join(socket: AppSocket, actor: Actor & { name: string }, documentId: number, stateVector?: Uint8Array): Ack<DocJoinResult> {
    let clientHasState = true;
    if (stateVector) {
      try {
        clientHasState = Y.decodeStateVector(stateVector).size > 0;
      } catch {
        return refuse("malformed_update", "The state vector could not be read.") as Ack<DocJoinResult>;
      }
    }
    const access = documentAccess(db, documentId, actor.id);
    const allowed = accessOf(actor, access);
    // A document the person may not read is answered exactly like one that does not exist.
    if (!allowed || !access) return refuse("forbidden", "You cannot open this document.") as Ack<DocJoinResult>;
    const live = load(access);
    if (live.unloadTimer) {
      clearTimeout(live.unloadTimer);
      live.unloadTimer = null;
    }
    // Only a breakout room's notes (no working group) can withhold names from presence.
    const withheld = access.groupId === null ? notesPresenceName(db, documentId, actor.id) : null;
    const existing = live.peers.get(socket.id);
    if (existing) existing.readOnly = allowed.readOnly;
    else {
      live.peers.set(socket.id, {
        socket,
        userId: actor.id,
        name: withheld ?? actor.name,
        rewritePresence: withheld !== null,
        readOnly: allowed.readOnly,
        clientIds: new Set(),
        presenceTokens: PRESENCE_RATE.burst,
        presenceAt: Date.now(),
      });
    }
    let joined = joinedBy.get(socket.id);
    if (!joined) joinedBy.set(socket.id, (joined = new Set()));
    joined.add(documentId);
    void socket.join(rooms.doc(documentId));

    // After the acknowledgement: the server's state vector (unless the client said it has nothing), then who is here.
    setImmediate(() => {
      if (!live.peers.has(socket.id)) return;
      if (clientHasState) {
        const encoder = encoding.createEncoder();
        encoding.writeVarUint(encoder, docMessageType.sync);
        syncProtocol.writeSyncStep1(encoder, live.doc);
        socket.emit("doc:message", documentId, wire(encoding.toUint8Array(encoder)));
      }
      const present = [...live.awareness.getStates().keys()];
      if (present.length) socket.emit("doc:message", documentId, wire(awarenessMessage(live.awareness, present)));
    });
    if (!stateVector) return { ok: true, readOnly: allowed.readOnly };
    return { ok: true, readOnly: allowed.readOnly, sync: wire(step2For(live, stateVector)) };
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
  function message(socket: AppSocket, documentId: unknown, raw: unknown): Ack | Promise<Ack> {
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
          reply = step2For(live, payload);
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
      let decoded: ReturnType<typeof Y.decodeUpdate>;
      try {
        // Decoding the whole update first means a malformed one is refused before it touches the document.
        decoded = Y.decodeUpdate(payload);
      } catch {
        return refuse("malformed_update", "The update could not be read.");
      }
      if (decoded.structs.length === 0 && decoded.ds.clients.size === 0) return { ok: true };
      const inspected = inspectUpdate(live.doc, decoded.structs);
      if ("error" in inspected) return refuse(inspected.error, inspected.message);
      const refusal = applyChecked(live, payload, decoded.structs, socket.id);
      if (refusal) return refuse(refusal.error, refusal.message);
      if (syncType === syncMessageType.update) claimWriters(live, peer, inspected.newClients);
      // Peers get the change once the server holds it, before it is committed; the sender's acknowledgement waits
      // for the commit. A peer that got a change the server then failed to store still holds it, and sends it back
      // on its next sync. An update message with nothing after its payload goes out as it came in; a sync step 2
      // goes out as an update.
      const relay = syncType === syncMessageType.update && decoder.pos === bytes.byteLength ? bytes : syncUpdateMessage(payload);
      socket.to(rooms.doc(documentId)).emit("doc:message", documentId, wire(relay));
      return persist(live, payload, peer.userId).then((stored): Ack =>
        stored
          ? { ok: true }
          : refuse("internal", "The change could not be stored; it is kept in the document and sent again on the next sync."),
      );
    }

    if (type === docMessageType.awareness || type === docMessageType.queryAwareness) {
      if (!takePresenceToken(peer)) {
        return refuse("rate_limited", `Presence is limited to ${PRESENCE_RATE.perSecond} messages a second per document.`);
      }
    }

    if (type === docMessageType.awareness) {
      let update: Uint8Array;
      let entries: AwarenessEntry[];
      try {
        update = decoding.readVarUint8Array(decoder);
        entries = readAwarenessUpdate(update);
      } catch {
        return refuse("malformed_update", "The presence message could not be read.");
      }
      const added = new Set<number>();
      for (const entry of entries) {
        if (entry.stateBytes > MAX_AWARENESS_STATE_BYTES) {
          return refuse("payload_too_large", `Presence states are limited to ${MAX_AWARENESS_STATE_BYTES} bytes.`);
        }
        const user = (entry.state as { user?: { name?: unknown } } | null)?.user;
        if (!peer.rewritePresence && entry.state !== null && (typeof user !== "object" || user === null || user.name !== peer.name)) {
          return refuse("forbidden", "Presence must carry your own name.");
        }
        // A client id belongs to the person who wrote changes with it, else to the first who announced it.
        const owner = live.owners.get(entry.clientId);
        if (owner && owner.userId !== peer.userId) return refuse("forbidden", "That presence belongs to someone else.");
        if (!peer.clientIds.has(entry.clientId)) added.add(entry.clientId);
      }
      if (peer.clientIds.size + added.size > MAX_PRESENCE_IDS_PER_SOCKET) {
        return refuse("forbidden", `A connection may announce at most ${MAX_PRESENCE_IDS_PER_SOCKET} presence ids per document.`);
      }
      for (const clientId of added) {
        peer.clientIds.add(clientId);
        if (!live.owners.has(clientId)) live.owners.set(clientId, { userId: peer.userId, wrote: false });
      }
      let relay = bytes;
      if (peer.rewritePresence) {
        update = rewriteAwareness(entries, peer.name);
        const encoder = encoding.createEncoder();
        encoding.writeVarUint(encoder, docMessageType.awareness);
        encoding.writeVarUint8Array(encoder, update);
        relay = encoding.toUint8Array(encoder);
      }
      awarenessProtocol.applyAwarenessUpdate(live.awareness, update, socket.id);
      socket.to(rooms.doc(documentId)).emit("doc:message", documentId, wire(relay));
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
      return;
    }
    if (allowed.readOnly !== peer.readOnly) {
      peer.readOnly = allowed.readOnly;
      socket.emit("doc:access", { documentId: live.id, readOnly: allowed.readOnly });
    }
    // A room's notes once the rooms close (Chatham House): presence announced under the person's name is dropped,
    // and what they announce next carries the name now allowed.
    const withheld = actor ? notesPresenceName(db, live.id, peer.userId) : null;
    if (withheld !== null && (!peer.rewritePresence || withheld !== peer.name)) {
      peer.name = withheld;
      peer.rewritePresence = true;
      dropPresence(
        live,
        [...peer.clientIds].filter((id) => !heldElsewhere(live, socket.id, id)),
      );
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
    flush();
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
      flush();
      for (const live of [...open.values()]) {
        for (const socketId of [...live.peers.keys()]) removePeer(live, socketId);
        if (live.unloadTimer) clearTimeout(live.unloadTimer);
        unload(live);
      }
    },
  };
}
