/** Loading a document from storage: updates Yjs cannot merge into one are applied one by one, never an error. */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { appendDocumentUpdate, compactDocument, loadDocumentState } from "../../app/models/document-store.server";
import { makeGroupWithDocument, makePerson } from "../support/factories";
import { startServer, type TestServer } from "../support/server";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

/**
 * A snapshot and two small updates, each accepted in turn on a live document, that `Y.mergeUpdates` cannot fold
 * into one update Yjs can apply (found by the hostile-input benchmark: the server then answered `internal` and
 * could not put a document back after refusing a change).
 */
const fixture = JSON.parse(readFileSync(new URL("../fixtures/unmergeable-updates.json", import.meta.url), "utf8")) as {
  snapshot: string;
  tail: string[];
};
const bytes = (base64: string) => new Uint8Array(Buffer.from(base64, "base64"));

describe("loading a stored document", () => {
  it("gives back the document its updates made, even when they cannot be merged into one", async () => {
    const lead = await makePerson(server.db, { role: "delegate" });
    const { documentId } = makeGroupWithDocument(server.db, { lead: lead.id });
    const snapshot = bytes(fixture.snapshot);
    const tail = fixture.tail.map(bytes);
    const merged = new Y.Doc();
    Y.applyUpdate(merged, snapshot);
    expect(() => Y.applyUpdate(merged, Y.mergeUpdates(tail))).toThrow();

    compactDocument(server.db, documentId, snapshot, 0);
    for (const update of tail) appendDocumentUpdate(server.db, documentId, update, lead.id);

    const expected = new Y.Doc();
    Y.applyUpdate(expected, snapshot);
    for (const update of tail) Y.applyUpdate(expected, update);

    const { doc, tailLength } = loadDocumentState(server.db, documentId);
    expect(tailLength).toBe(2);
    expect(doc.getXmlFragment("default").toString()).toBe(expected.getXmlFragment("default").toString());
    expect(Y.encodeStateVector(doc)).toEqual(Y.encodeStateVector(expected));
  });
});
