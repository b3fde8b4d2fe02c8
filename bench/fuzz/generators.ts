/**
 * Hostile live messages for Convene's real-time protocol (`app/realtime/protocol.ts`), as fast-check arbitraries.
 * One generator serves the fuzz benchmark (`bench/fuzz.ts`, 100,000 messages and more) and the property-based
 * test in `npm test` (`test/integration/live-fuzz.test.ts`, a few hundred).
 *
 * Every message is a Socket.IO event with its arguments, sent with or without an acknowledgement. Its `kind`
 * names what is wrong with it (for the report); `mustRefuse` marks messages the server must answer with
 * `{ ok: false }` whatever else happens (a change from someone who may only read, a `__proto__` payload, a
 * presence for someone else's client id, a node the document schema does not know...). Yjs updates are built
 * from real edits (a corpus made once per run) and then truncated, bit-flipped, spliced or sent out of order.
 */
import { getSchema } from "@tiptap/core";
import { prosemirrorJSONToYDoc } from "@tiptap/y-tiptap";
import fc from "fast-check";
import * as encoding from "lib0/encoding";
import * as Y from "yjs";
import { DOCUMENT_FIELD, contentExtensions } from "../../app/editor/extensions";
import {
  MAX_DOC_MESSAGE_BYTES,
  MAX_PAYLOAD_BYTES,
  docMessageType,
  requestSchemas,
  syncMessageType,
  type RequestEvent,
} from "../../app/realtime/protocol";

export type FuzzRole = "editor" | "reader" | "outsider" | "anonymous";

/** Who sends, and what they aim at. */
export interface FuzzTarget {
  role: Exclude<FuzzRole, "anonymous">;
  /** The document under attack: the editor may change it, the reader only read it, the outsider not even read it. */
  documentId: number;
  /** An id no document has. */
  missingDocumentId: number;
  /** Events this person may follow. */
  visibleEventIds: number[];
  /** An event this person may not see (a draft), or one that does not exist. */
  hiddenEventId: number;
  /** The signed-in person's name: presence must carry it. */
  name: string;
  /** Yjs client ids of an honest editor of the document, who wrote (and announced presence) with them. */
  victimClientIds: number[];
  victimName: string;
}

export interface FuzzMessage {
  /** What is wrong with the message (or "valid"), for the report. */
  kind: string;
  event: string;
  args: readonly unknown[];
  /** Sent with an acknowledgement callback: the server must then answer it. */
  ack: boolean;
  /** The server must answer `{ ok: false }` (when `ack`). */
  mustRefuse: boolean;
  /** Larger than Socket.IO's own 1 MB limit: the server closes the connection instead of answering (documented). */
  closesConnection?: boolean;
}

/** Updates made by real edits of a document in the app's schema. */
export interface Corpus {
  /** Self-contained changes (each from its own Yjs client): always applicable. */
  independent: Uint8Array[];
  /** Consecutive changes of one client (typing, formatting, deleting): each depends on the ones before it. */
  chained: Uint8Array[];
  /** Self-contained changes that bring a node or mark the document schema does not know. */
  unknownContent: Uint8Array[];
}

const schema = getSchema(contentExtensions);

/** A state in the app's schema, made the way the editor stores one. */
function stateOf(content: object[]): Y.Doc {
  return prosemirrorJSONToYDoc(schema, { type: "doc", content }, DOCUMENT_FIELD);
}

/** Builds the corpus of real edits; deterministic for a given seed (client ids come from it). */
export function buildCorpus(seed = 1): Corpus {
  let next = seed * 7919;
  const clientId = () => (next = (next * 48271 + 11) % 2_147_483_647);
  const independent: Uint8Array[] = [];
  const paragraphs: object[][] = [
    [{ type: "paragraph", content: [{ type: "text", text: "A line of hostile text." }] }],
    [{ type: "heading", attrs: { level: 2 }, content: [{ type: "text", text: "Heading" }] }],
    [{ type: "bulletList", content: [{ type: "listItem", content: [{ type: "paragraph", content: [{ type: "text", text: "item" }] }] }] }],
    [
      {
        type: "paragraph",
        content: [
          { type: "text", text: "bold", marks: [{ type: "bold" }] },
          { type: "text", text: " plain" },
        ],
      },
    ],
    [
      {
        type: "paragraph",
        content: [{ type: "text", text: "a link", marks: [{ type: "link", attrs: { href: "https://example.org" } }] }],
      },
    ],
    [{ type: "blockquote", content: [{ type: "paragraph", content: [{ type: "text", text: "quoted" }] }] }],
    [{ type: "codeBlock", content: [{ type: "text", text: "<script>alert(1)</script>" }] }],
  ];
  for (const content of paragraphs) {
    const doc = stateOf(content);
    // Re-encode under a fresh client id, so the corpus' changes never collide with each other.
    const fresh = new Y.Doc();
    fresh.clientID = clientId();
    const fragment = fresh.getXmlFragment(DOCUMENT_FIELD);
    fragment.insert(
      0,
      doc
        .getXmlFragment(DOCUMENT_FIELD)
        .toArray()
        .map((n) => (n as Y.XmlElement).clone()),
    );
    independent.push(Y.encodeStateAsUpdate(fresh));
    doc.destroy();
    fresh.destroy();
  }

  // Typing, formatting and deleting in one paragraph: consecutive incremental updates.
  const chained: Uint8Array[] = [];
  const doc = new Y.Doc();
  doc.clientID = clientId();
  doc.on("update", (update: Uint8Array) => chained.push(update));
  const paragraph = new Y.XmlElement("paragraph");
  doc.getXmlFragment(DOCUMENT_FIELD).insert(0, [paragraph]);
  const text = new Y.XmlText();
  paragraph.insert(0, [text]);
  for (const [i, ch] of [..."typing a sentence"].entries()) text.insert(i, ch);
  text.format(0, 6, { bold: {} });
  text.delete(2, 3);
  text.insert(0, "Edited: ");
  doc.destroy();

  const unknownContent: Uint8Array[] = [];
  for (const make of [
    (f: Y.XmlFragment) => f.insert(0, [new Y.XmlElement("script")]),
    (f: Y.XmlFragment) => {
      const image = new Y.XmlElement("image");
      image.setAttribute("src", "https://evil.example/x.png");
      f.insert(0, [image]);
    },
    (f: Y.XmlFragment) => {
      const p = new Y.XmlElement("paragraph");
      const t = new Y.XmlText();
      p.insert(0, [t]);
      f.insert(0, [p]);
      t.insert(0, "blinking", { blink: {} });
    },
  ]) {
    const d = new Y.Doc();
    d.clientID = clientId();
    make(d.getXmlFragment(DOCUMENT_FIELD));
    unknownContent.push(Y.encodeStateAsUpdate(d));
    d.destroy();
  }
  return { independent, chained, unknownContent };
}

/** A y-protocols message as the server reads it: message type, then (for sync) sub-type and a length-prefixed payload. */
export function syncFrame(syncType: number, payload: Uint8Array): Buffer {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, docMessageType.sync);
  encoding.writeVarUint(encoder, syncType);
  encoding.writeVarUint8Array(encoder, payload);
  return Buffer.from(encoding.toUint8Array(encoder));
}

/** An awareness message with the given states (`null` removes one). */
export function awarenessFrame(states: { clientId: number; clock: number; state: unknown; raw?: string }[]): Buffer {
  const inner = encoding.createEncoder();
  encoding.writeVarUint(inner, states.length);
  for (const s of states) {
    encoding.writeVarUint(inner, s.clientId);
    encoding.writeVarUint(inner, s.clock);
    encoding.writeVarString(inner, s.raw ?? JSON.stringify(s.state));
  }
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, docMessageType.awareness);
  encoding.writeVarUint8Array(encoder, encoding.toUint8Array(inner));
  return Buffer.from(encoding.toUint8Array(encoder));
}

/** Every request event of the protocol: a new one is fuzzed as soon as it exists. */
const REQUEST_EVENTS = Object.keys(requestSchemas) as RequestEvent[];
/** Names socket.io-client refuses to emit. */
const RESERVED = new Set(["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"]);

/** Values of the wrong type for a positive whole id. */
const badId = fc.oneof(
  fc.string({ maxLength: 12 }),
  // Within ±2^53: the msgpack encoder turns some larger negative numbers into positive 64-bit integers on the way.
  fc.double({ min: -(2 ** 53), max: 2 ** 53, noNaN: true }).filter((n) => !Number.isInteger(n) || n <= 0),
  fc.integer({ max: 0 }),
  fc.constantFrom(null, true, false, [], {}, -1, 0, Infinity, NaN, "1"),
  fc.array(fc.nat(), { maxLength: 3 }),
);

function flipBits(bytes: Uint8Array, positions: number[]): Buffer {
  const out = Buffer.from(bytes);
  if (out.length === 0) return out;
  for (const p of positions) {
    const bit = p % (out.length * 8);
    out[bit >> 3]! ^= 1 << (bit & 7);
  }
  return out;
}

/** Arbitrary Yjs update payloads: real edits, and real edits damaged. */
function updatePayload(corpus: Corpus) {
  const real = fc.constantFrom(...corpus.independent, ...corpus.chained);
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...corpus.independent).map((u) => ({ kind: "update:valid", bytes: u })) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(...corpus.chained.slice(1)).map((u) => ({ kind: "update:missing-dependency", bytes: u })),
    },
    {
      weight: 4,
      arbitrary: fc
        .tuple(real, fc.nat())
        .map(([u, n]) => ({ kind: "update:truncated", bytes: u.slice(0, u.length > 1 ? n % (u.length - 1) : 0) })),
    },
    {
      weight: 6,
      arbitrary: fc
        .tuple(real, fc.array(fc.nat(), { minLength: 1, maxLength: 4 }))
        .map(([u, flips]) => ({ kind: "update:bit-flipped", bytes: flipBits(u, flips) })),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(real, real, fc.nat(), fc.nat()).map(([a, b, i, j]) => ({
        kind: "update:spliced",
        bytes: Buffer.concat([a.slice(0, i % (a.length + 1)), b.slice(j % (b.length + 1))]),
      })),
    },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => ({ kind: "update:random-bytes", bytes: b })) },
  );
}

/** What kind of y-protocols message carries the update, and the frame bytes. */
function docFrame(corpus: Corpus, target: FuzzTarget) {
  const canWrite = target.role === "editor";
  return fc.oneof(
    {
      weight: 10,
      arbitrary: fc.tuple(updatePayload(corpus), fc.constantFrom(syncMessageType.update, syncMessageType.step2)).map(([u, sub]) => ({
        kind: u.kind,
        bytes: syncFrame(sub, u.bytes) as Uint8Array,
        // Everyone but an editor is refused any change; what an editor's damaged changes may do is judged on the documents afterwards.
        mustRefuse: !canWrite,
      })),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(...corpus.unknownContent).map((u) => ({
        kind: "update:unknown-node-or-mark",
        bytes: syncFrame(syncMessageType.update, u) as Uint8Array,
        mustRefuse: true,
      })),
    },
    {
      weight: 2,
      arbitrary: fc.uint8Array({ maxLength: 32 }).map((sv) => ({
        kind: "sync-step1:garbage-state-vector",
        bytes: syncFrame(syncMessageType.step1, sv) as Uint8Array,
        mustRefuse: target.role === "outsider",
      })),
    },
    {
      weight: 1,
      arbitrary: fc.constant({
        kind: "sync-step1:valid",
        bytes: syncFrame(syncMessageType.step1, Y.encodeStateVector(new Y.Doc())) as Uint8Array,
        mustRefuse: target.role === "outsider",
      }),
    },
    {
      weight: 2,
      arbitrary: fc.uint8Array({ maxLength: 24 }).map((b) => ({ kind: "message:random-bytes", bytes: b, mustRefuse: false })),
    },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 4, max: 1000 }).map((t) => {
        const encoder = encoding.createEncoder();
        encoding.writeVarUint(encoder, t);
        return { kind: "message:unknown-type", bytes: encoding.toUint8Array(encoder), mustRefuse: true };
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: "message:empty", bytes: new Uint8Array(0), mustRefuse: true }) },
    {
      weight: 1,
      arbitrary: fc.constant({
        kind: "message:query-awareness",
        bytes: Uint8Array.of(docMessageType.queryAwareness),
        mustRefuse: target.role === "outsider",
      }),
    },
    { weight: 8, arbitrary: presenceFrame(target) },
  );
}

/** Presence (awareness) messages: honest, floods, someone else's client id, someone else's name, broken JSON. */
function presenceFrame(target: FuzzTarget) {
  const own = (id: number, clock: number) => ({ clientId: id, clock, state: { user: { name: target.name, color: "#333" }, cursor: null } });
  const outsider = target.role === "outsider";
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc.tuple(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.nat(100)).map(([id, clock]) => ({
        kind: "presence:own",
        bytes: awarenessFrame([own(id, clock)]) as Uint8Array,
        mustRefuse: outsider,
      })),
    },
    {
      weight: 3,
      arbitrary: fc.array(fc.integer({ min: 1, max: 2 ** 31 - 1 }), { minLength: 2, maxLength: 16 }).map((ids) => ({
        kind: "presence:flood",
        bytes: awarenessFrame(ids.map((id) => own(id, 1))) as Uint8Array,
        mustRefuse: outsider,
      })),
    },
    {
      weight: 1,
      arbitrary: fc.array(fc.integer({ min: 1, max: 2 ** 31 - 1 }), { minLength: 17, maxLength: 64 }).map((ids) => ({
        kind: "presence:too-many-states",
        bytes: awarenessFrame(ids.map((id) => own(id, 1))) as Uint8Array,
        mustRefuse: true,
      })),
    },
    {
      weight: 3,
      arbitrary: fc.tuple(fc.constantFrom(...target.victimClientIds), fc.nat(1000), fc.boolean()).map(([id, clock, remove]) => ({
        kind: remove ? "presence:remove-someone-else" : "presence:someone-elses-client-id",
        bytes: awarenessFrame([remove ? { clientId: id, clock, state: null } : own(id, clock)]) as Uint8Array,
        mustRefuse: true,
      })),
    },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 1, max: 2 ** 31 - 1 }).map((id) => ({
        kind: "presence:someone-elses-name",
        bytes: awarenessFrame([{ clientId: id, clock: 1, state: { user: { name: target.victimName, color: "#f00" } } }]) as Uint8Array,
        mustRefuse: true,
      })),
    },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 1, max: 2 ** 31 - 1 }).map((id) => ({
        kind: "presence:oversized-state",
        bytes: awarenessFrame([{ ...own(id, 1), state: { user: { name: target.name }, pad: "x".repeat(5000) } }]) as Uint8Array,
        mustRefuse: true,
      })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.string({ maxLength: 40 })).map(([id, raw]) => ({
        kind: "presence:broken-json",
        bytes: awarenessFrame([{ clientId: id, clock: 1, state: null, raw: `{${raw}` }]) as Uint8Array,
        mustRefuse: true,
      })),
    },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 1, max: 2 ** 31 - 1 }).map((id) => ({
        kind: "presence:__proto__-state",
        bytes: awarenessFrame([
          { clientId: id, clock: 1, state: null, raw: `{"__proto__":{"user":{"name":${JSON.stringify(target.name)}}}}` },
        ]) as Uint8Array,
        mustRefuse: true,
      })),
    },
  );
}

/** `doc:message` with its arguments right, wrong, missing or extra. */
function docMessage(corpus: Corpus, target: FuzzTarget): fc.Arbitrary<FuzzMessage> {
  return fc.oneof(
    {
      weight: 60,
      arbitrary: fc.tuple(docFrame(corpus, target), fc.boolean(), fc.nat(9)).map(([f, binaryAsArrayBuffer, ackRoll]) => ({
        kind: `doc:message ${f.kind}`,
        event: "doc:message",
        args: [target.documentId, binaryAsArrayBuffer ? new Uint8Array(f.bytes).buffer : Buffer.from(f.bytes)],
        // Real clients send presence without an acknowledgement; a hostile one does what it likes.
        ack: ackRoll > 0,
        mustRefuse: f.mustRefuse,
      })),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(badId, docFrame(corpus, target)).map(([id, f]) => ({
        kind: "doc:message wrong document id type",
        event: "doc:message",
        args: [id, Buffer.from(f.bytes)],
        ack: true,
        mustRefuse: true,
      })),
    },
    {
      weight: 1,
      arbitrary: docFrame(corpus, target).map((f) => ({
        kind: "doc:message document not joined",
        event: "doc:message",
        args: [target.missingDocumentId, Buffer.from(f.bytes)],
        ack: true,
        mustRefuse: true,
      })),
    },
    {
      weight: 2,
      arbitrary: fc.anything({ maxDepth: 2, maxKeys: 4 }).map((m) => ({
        kind: "doc:message message not binary",
        event: "doc:message",
        args: [target.documentId, m],
        ack: true,
        mustRefuse: true,
      })),
    },
    {
      weight: 1,
      arbitrary: fc.constant({
        kind: "doc:message no arguments",
        event: "doc:message",
        args: [],
        ack: true,
        mustRefuse: true,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.constant({
        kind: "doc:message only a document id",
        event: "doc:message",
        args: [target.documentId],
        ack: true,
        mustRefuse: true,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(docFrame(corpus, target), fc.anything({ maxDepth: 1 })).map(([f, extra]) => ({
        kind: "doc:message extra argument",
        event: "doc:message",
        args: [target.documentId, Buffer.from(f.bytes), extra],
        ack: true,
        mustRefuse: false,
      })),
    },
    {
      weight: 1,
      arbitrary: fc.nat(64 * 1024).map((extra) => ({
        kind: "doc:message oversized",
        event: "doc:message",
        args: [
          target.documentId,
          Buffer.concat([syncFrame(syncMessageType.update, new Uint8Array(0)), Buffer.alloc(MAX_DOC_MESSAGE_BYTES + 1 + extra)]),
        ],
        ack: true,
        mustRefuse: true,
      })),
    },
  );
}

/** Request events (every one in `requestSchemas`) with right, wrong and hostile payloads. */
function requestMessage(target: FuzzTarget): fc.Arbitrary<FuzzMessage> {
  const docEvent = fc.constantFrom("doc:join", "doc:leave");
  const eventEvent = fc.constantFrom("event:join", "event:leave");
  const anyRequest = fc.constantFrom(...REQUEST_EVENTS);
  const outsider = target.role === "outsider";
  return fc.oneof(
    // Honest requests, so the hostile ones meet a socket in every state (joined, left, rejoined).
    {
      weight: 6,
      arbitrary: fc.oneof(
        fc.constant({
          kind: "valid doc:join",
          event: "doc:join",
          args: [{ documentId: target.documentId }],
          ack: true,
          mustRefuse: outsider,
        }),
        fc.constant({
          kind: "valid doc:leave",
          event: "doc:leave",
          args: [{ documentId: target.documentId }],
          ack: true,
          mustRefuse: false,
        }),
        fc.constant({ kind: "valid whoami", event: "whoami", args: [{}], ack: true, mustRefuse: false }),
        fc
          .constantFrom(...target.visibleEventIds)
          .map((id) => ({ kind: "valid event:join", event: "event:join", args: [{ eventId: id }], ack: true, mustRefuse: false })),
      ),
    },
    {
      weight: 2,
      arbitrary: fc.oneof(
        fc.constantFrom(target.missingDocumentId, Number.MAX_SAFE_INTEGER, Number.MAX_VALUE).map((id) => ({
          kind: "doc:join hidden or missing",
          event: "doc:join",
          args: [{ documentId: id }],
          ack: true,
          mustRefuse: true,
        })),
        fc.constant({
          kind: "event:join hidden or missing",
          event: "event:join",
          args: [{ eventId: target.hiddenEventId }],
          ack: true,
          mustRefuse: true,
        }),
      ),
    },
    {
      weight: 4,
      arbitrary: fc
        .tuple(docEvent, badId)
        .map(([event, id]) => ({ kind: `${event} wrong type`, event, args: [{ documentId: id }], ack: true, mustRefuse: true })),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(eventEvent, badId)
        .map(([event, id]) => ({ kind: `${event} wrong type`, event, args: [{ eventId: id }], ack: true, mustRefuse: true })),
    },
    {
      weight: 3,
      arbitrary: fc.tuple(anyRequest, fc.anything({ maxDepth: 3, maxKeys: 5 })).map(([event, payload]) => ({
        kind: `${event} any payload`,
        event,
        args: [payload],
        ack: true,
        mustRefuse: false,
      })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(anyRequest, fc.string({ minLength: 1, maxLength: 10 }), fc.anything({ maxDepth: 1 }))
        .map(([event, key, value]) => ({
          kind: `${event} extra key`,
          event,
          args: [{ documentId: target.documentId, eventId: target.visibleEventIds[0], [`x${key}`]: value }],
          ack: true,
          mustRefuse: true,
        })),
    },
    {
      // The msgpack decoder makes a `__proto__` key the payload's prototype: validation must not read through it.
      weight: 3,
      arbitrary: fc.tuple(anyRequest, fc.boolean()).map(([event, nested]) => {
        const inner = event.startsWith("doc:") ? `{"documentId":${target.documentId}}` : `{"eventId":${target.visibleEventIds[0]}}`;
        const json = nested ? `{"__proto__":${inner}}` : `{"__proto__":${inner},"constructor":{"prototype":{"polluted":true}}}`;
        return { kind: `${event} __proto__ key`, event, args: [JSON.parse(json) as unknown], ack: true, mustRefuse: true };
      }),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(anyRequest, fc.nat(4 * MAX_PAYLOAD_BYTES)).map(([event, extra]) => ({
        kind: `${event} oversized payload`,
        event,
        args: [{ documentId: target.documentId, pad: "x".repeat(MAX_PAYLOAD_BYTES + 1 + extra) }],
        ack: true,
        mustRefuse: true,
      })),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(anyRequest, fc.array(fc.anything({ maxDepth: 1 }), { minLength: 2, maxLength: 4 })).map(([event, args]) => ({
        kind: `${event} extra arguments`,
        event,
        args,
        ack: true,
        mustRefuse: false,
      })),
    },
    {
      weight: 1,
      arbitrary: anyRequest.map((event) => ({ kind: `${event} no arguments`, event, args: [], ack: true, mustRefuse: event !== "whoami" })),
    },
  );
}

function unknownEvent(): fc.Arbitrary<FuzzMessage> {
  const name = fc.oneof(
    fc.constantFrom(
      "__proto__",
      "constructor",
      "hasOwnProperty",
      "toString",
      "doc:delete",
      "admin",
      "error",
      "ping",
      "message",
      "doc:message ",
    ),
    fc.string({ minLength: 1, maxLength: 30 }),
  );
  return fc
    .tuple(name, fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 3 }))
    .filter(([event]) => !RESERVED.has(event) && !(REQUEST_EVENTS as readonly string[]).includes(event) && event !== "doc:message")
    .map(([event, args]) => ({ kind: "unknown event", event, args, ack: true, mustRefuse: true }));
}

/** One hostile (or honest) message from a signed-in person in the given position. */
export function messageArbitrary(corpus: Corpus, target: FuzzTarget): fc.Arbitrary<FuzzMessage> {
  const message = fc.oneof(
    { weight: 10, arbitrary: docMessage(corpus, target) },
    { weight: 6, arbitrary: requestMessage(target) },
    { weight: 2, arbitrary: unknownEvent() },
  );
  // About one message in ten goes without an acknowledgement: nothing can be answered, the server must still hold.
  return fc.tuple(message, fc.nat(9)).map(([m, roll]) => (roll === 0 ? { ...m, kind: `${m.kind} (no ack)`, ack: false } : m));
}

/** A message beyond Socket.IO's 1 MB limit: the connection is closed (documented), nothing may be stored. */
export function overLimitMessage(target: FuzzTarget): FuzzMessage {
  return {
    kind: "doc:message beyond the transport limit",
    event: "doc:message",
    args: [target.documentId, Buffer.alloc(1_100_000, 7)],
    ack: true,
    mustRefuse: true,
    closesConnection: true,
  };
}

/** Draws `count` messages from an arbitrary, reproducibly. */
export function sampleMessages(arbitrary: fc.Arbitrary<FuzzMessage>, count: number, seed: number): FuzzMessage[] {
  return fc.sample(arbitrary, { numRuns: count, seed });
}

/** Anonymous attempts: handshakes with no cookie, a forged one, or a foreign origin. */
export const anonymousHandshake = fc.record({
  cookie: fc.oneof(
    fc.constant(undefined),
    fc.string({ maxLength: 60 }).map((s) => `convene_session=${encodeURIComponent(s)}`),
    fc.constant("convene_session=__proto__"),
  ),
  origin: fc.oneof(fc.constant("same"), fc.constant("null"), fc.constant("https://evil.example"), fc.webUrl()),
});
