/**
 * Keeps a `Y.Doc` in sync with Convene's documents hub over an existing Socket.IO connection.
 * Works in the browser and in plain Node (tests, benchmarks): it needs only a socket and yjs.
 *
 * The socket may drop at any time: local edits keep landing in the `Y.Doc`, and when the socket
 * comes back the provider joins again and the sync exchange sends whatever the server is missing.
 * `doc:join` carries the state vector and its answer the server's sync step 2, so a document opens in one round trip.
 */
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import { ObservableV2 } from "lib0/observable";
import * as awarenessProtocol from "y-protocols/awareness";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import { MAX_JOIN_STATE_VECTOR_BYTES, docMessageType, type Ack, type DocClosedReason, type DocJoinResult } from "./protocol";

/** The part of a Socket.IO client socket the provider uses. */
export interface DocSocket {
  connected: boolean;
  emit(event: string, ...args: unknown[]): unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Socket.IO's own listener type
  on(event: string, listener: (...args: any[]) => void): unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  off(event: string, listener: (...args: any[]) => void): unknown;
}

export type DocConnection =
  /** Joining or exchanging the first sync. */
  | "connecting"
  /** In sync with the server; `unsaved` tells whether some local edits still wait for their acknowledgement. */
  | "online"
  /** No connection: edits stay local until it comes back. */
  | "offline"
  /** The server refused or closed the document for this person. */
  | "closed";

export interface DocProviderState {
  connection: DocConnection;
  readOnly: boolean;
  /** Local edits not yet confirmed as stored by the server. */
  unsaved: boolean;
  /** Why the document was closed, when `connection` is "closed". */
  closedReason?: DocClosedReason | "forbidden";
}

type Events = { state: (state: DocProviderState) => void; synced: () => void; error: (ack: Extract<Ack, { ok: false }>) => void };

const toBytes = (data: Uint8Array | ArrayBuffer): Uint8Array => (data instanceof Uint8Array ? data : new Uint8Array(data));
/**
 * Binary in the form the msgpack parser sends as plain binary: a Buffer in Node, an ArrayBuffer in browsers.
 * (A bare Uint8Array would travel as an extension type, or with its whole underlying buffer.)
 */
const NodeBuffer = (globalThis as { Buffer?: { from(buffer: ArrayBufferLike, offset: number, length: number): Uint8Array } }).Buffer;
const toWire = (bytes: Uint8Array): ArrayBuffer | Uint8Array =>
  NodeBuffer ? NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : (bytes.slice().buffer as ArrayBuffer);

export class DocProvider extends ObservableV2<Events> {
  readonly awareness: awarenessProtocol.Awareness;
  state: DocProviderState = { connection: "connecting", readOnly: true, unsaved: false };
  /** True once the first sync with the server completed. */
  synced = false;
  private joined = false;
  private inFlight = 0;
  private dirty = false;
  private destroyed = false;

  constructor(
    readonly socket: DocSocket,
    readonly documentId: number,
    readonly doc: Y.Doc = new Y.Doc(),
  ) {
    super();
    this.awareness = new awarenessProtocol.Awareness(doc);
    doc.on("update", this.onDocUpdate);
    this.awareness.on("update", this.onAwarenessUpdate);
    socket.on("doc:message", this.onMessage);
    socket.on("doc:access", this.onAccess);
    socket.on("connect", this.onConnect);
    socket.on("disconnect", this.onDisconnect);
    if (socket.connected) this.onConnect();
    else this.setState({ connection: "offline" });
  }

  private setState(patch: Partial<DocProviderState>) {
    this.state = { ...this.state, ...patch };
    this.emit("state", [this.state]);
  }

  private send(message: Uint8Array, onAck?: (res: Ack) => void) {
    if (onAck) this.socket.emit("doc:message", this.documentId, toWire(message), onAck);
    else this.socket.emit("doc:message", this.documentId, toWire(message));
  }

  /** Sends a change and tracks it until the server says it is stored. */
  private sendChange(message: Uint8Array) {
    this.inFlight++;
    this.send(message, (res) => {
      this.inFlight--;
      if (!res.ok) this.emit("error", [res]);
      else if (this.inFlight === 0 && this.joined) this.dirty = false;
      this.setState({ unsaved: this.dirty || this.inFlight > 0 });
    });
  }

  private onConnect = () => {
    if (this.destroyed) return;
    this.setState({ connection: "connecting" });
    // The join carries our state vector and its answer the server's sync step 2: the first sync in one round trip.
    // (A state vector too large for a request falls back to a sync step 1 of our own after the join.)
    const stateVector = Y.encodeStateVector(this.doc);
    const carried = stateVector.byteLength <= MAX_JOIN_STATE_VECTOR_BYTES;
    const payload = carried ? { documentId: this.documentId, stateVector: toWire(stateVector) } : { documentId: this.documentId };
    this.socket.emit("doc:join", payload, (res: Ack<DocJoinResult>) => {
      if (this.destroyed) return;
      if (!res.ok) {
        this.setState({ connection: "closed", closedReason: "forbidden" });
        this.emit("error", [res]);
        return;
      }
      this.joined = true;
      this.setState({ readOnly: res.readOnly });
      if (res.sync) this.onMessage(this.documentId, res.sync);
      else {
        const encoder = encoding.createEncoder();
        encoding.writeVarUint(encoder, docMessageType.sync);
        syncProtocol.writeSyncStep1(encoder, this.doc);
        this.send(encoding.toUint8Array(encoder));
      }
      if (this.awareness.getLocalState() !== null) this.sendAwareness([this.doc.clientID]);
    });
  };

  private onDisconnect = () => {
    this.joined = false;
    this.synced = false;
    this.inFlight = 0;
    // Other people's carets are stale once we cannot hear from them.
    const others = [...this.awareness.getStates().keys()].filter((id) => id !== this.doc.clientID);
    awarenessProtocol.removeAwarenessStates(this.awareness, others, "connection");
    if (this.state.connection !== "closed") this.setState({ connection: "offline", unsaved: this.dirty });
  };

  private onAccess = (p: { documentId: number; readOnly?: boolean; closed?: DocClosedReason }) => {
    if (p.documentId !== this.documentId) return;
    if (p.closed) {
      this.joined = false;
      this.setState({ connection: "closed", closedReason: p.closed });
    } else if (typeof p.readOnly === "boolean") this.setState({ readOnly: p.readOnly });
  };

  private onMessage = (documentId: number, data: Uint8Array | ArrayBuffer) => {
    if (documentId !== this.documentId || this.destroyed) return;
    const decoder = decoding.createDecoder(toBytes(data));
    const type = decoding.readVarUint(decoder);
    if (type === docMessageType.sync) {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, docMessageType.sync);
      const syncType = syncProtocol.readSyncMessage(decoder, encoder, this.doc, this);
      // The server's step 1 asks for what it is missing: our offline edits, among others.
      if (encoding.length(encoder) > 1) {
        if (this.state.readOnly) return;
        this.sendChange(encoding.toUint8Array(encoder));
      }
      if (syncType === syncProtocol.messageYjsSyncStep2 && !this.synced) {
        this.synced = true;
        this.setState({ connection: "online", unsaved: this.dirty || this.inFlight > 0 });
        this.emit("synced", []);
      }
    } else if (type === docMessageType.awareness) {
      awarenessProtocol.applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(decoder), this);
    }
  };

  private onDocUpdate = (update: Uint8Array, origin: unknown) => {
    if (origin === this) return;
    this.dirty = true;
    if (this.joined && !this.state.readOnly) {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, docMessageType.sync);
      syncProtocol.writeUpdate(encoder, update);
      this.sendChange(encoding.toUint8Array(encoder));
    }
    this.setState({ unsaved: true });
  };

  private onAwarenessUpdate = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
    if (origin !== "local" || !this.joined) return;
    this.sendAwareness([...added, ...updated, ...removed]);
  };

  private sendAwareness(clientIds: number[]) {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, docMessageType.awareness);
    encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(this.awareness, clientIds));
    this.send(encoding.toUint8Array(encoder));
  }

  override destroy() {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.joined) {
      awarenessProtocol.removeAwarenessStates(this.awareness, [this.doc.clientID], "local");
      this.socket.emit("doc:leave", { documentId: this.documentId }, () => {});
    }
    this.doc.off("update", this.onDocUpdate);
    this.socket.off("doc:message", this.onMessage);
    this.socket.off("doc:access", this.onAccess);
    this.socket.off("connect", this.onConnect);
    this.socket.off("disconnect", this.onDisconnect);
    this.awareness.destroy();
    super.destroy();
  }
}
