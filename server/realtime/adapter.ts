/**
 * Socket.IO's in-memory adapter, with one addition: a binary packet sent to a room is framed for WebSocket
 * once, not once per socket.
 *
 * Socket.IO already does this for text packets (`wsPreEncodedFrame`); with the msgpack parser every packet is
 * binary, so a Yjs change relayed to a document's room (or an agenda change to an event's 2,000 followers) was
 * framed again for each person in it. The frame is one buffer, header and payload together, so the loop over the
 * room makes one plain write per socket. It is only used by WebSocket connections without compression;
 * long-polling connections encode the packet as before.
 */
import { Adapter } from "socket.io-adapter";
import * as ws from "ws";

interface PacketOptions {
  wsPreEncodedFrame?: unknown;
}

/** `_encode` is the adapter's own hook for building a broadcast's packets (socket.io-adapter 2.5). */
type Encoding = { _encode(packet: unknown, options: PacketOptions): unknown[] };

/** ws's own frame builder, the one Socket.IO uses for text packets (not in ws's type declarations). */
const frame = (ws as unknown as { Sender?: { frame?: (data: Buffer, options: object) => Buffer[] } }).Sender?.frame;

export class BinaryFrameAdapter extends Adapter {}

const base = (Adapter.prototype as unknown as Encoding)._encode;
if (typeof base !== "function" || typeof frame !== "function") {
  throw new Error("socket.io-adapter or ws changed: BinaryFrameAdapter needs Adapter#_encode and ws's Sender.frame.");
}

(BinaryFrameAdapter.prototype as unknown as Encoding)._encode = function encode(this: Adapter, packet: unknown, options: PacketOptions) {
  const encoded = base.call(this, packet, options);
  const only = encoded.length === 1 ? encoded[0] : undefined;
  if (options.wsPreEncodedFrame === undefined && Buffer.isBuffer(only)) {
    // An Engine.IO binary message is the bare payload in a binary frame (opcode 2), unmasked from the server.
    // The header and the payload are joined once here, so each socket's send is one write of one buffer (ws
    // writes a two-part frame as two corked writes, which the loop would otherwise repeat for every socket).
    options.wsPreEncodedFrame = [Buffer.concat(frame!(only, { readOnly: false, mask: false, rsv1: false, opcode: 2, fin: true }))];
  }
  return encoded;
};
