/**
 * Is a document intact? Loads it in a fresh Yjs client through the app's own provider (`app/realtime/doc-provider.ts`)
 * and checks that nothing waits for missing dependencies, that it renders with the app's schema as the published
 * page does, and that the honest editor's sentinel paragraphs are all there, whole and in order.
 */
import { getSchema, type JSONContent } from "@tiptap/core";
import { renderToReactElement } from "@tiptap/static-renderer/pm/react";
import { yXmlFragmentToProsemirrorJSON } from "@tiptap/y-tiptap";
import { renderToStaticMarkup } from "react-dom/server";
import * as Y from "yjs";
import { DOCUMENT_FIELD, contentExtensions } from "../../app/editor/extensions";
import { DocProvider } from "../../app/realtime/doc-provider";
import { guardedSocket, openSocket } from "./client";

const schema = getSchema(contentExtensions);

export interface DocumentCheck {
  documentId: number;
  problems: string[];
  /**
   * Content of known node types in places the schema's content rules do not allow (text at the top level, a
   * paragraph in a paragraph). Reported, not counted as corruption: issue 13 asks the server to refuse unknown
   * nodes and marks, not to enforce the content rules, and the editor repairs such content when it loads it.
   */
  warnings: string[];
  /** The full state as a fresh client received it, for comparing with a restarted server's copy. */
  state: Uint8Array;
  json: JSONContent | null;
}

/** Opens the document from a fresh client (socket and Y.Doc) and resolves with the synced Y.Doc. */
export async function loadFresh(
  url: string,
  cookie: string,
  documentId: number,
  errors: string[] = [],
  timeoutMs = 15_000,
): Promise<Y.Doc> {
  const socket = await openSocket(url, cookie);
  const doc = new Y.Doc();
  const provider = new DocProvider(guardedSocket(socket, errors), documentId, doc);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`document ${documentId} did not sync within ${timeoutMs} ms${errors.length ? ` (${errors.join("; ")})` : ""}`)),
        timeoutMs,
      );
      provider.on("synced", () => {
        clearTimeout(timer);
        resolve();
      });
      provider.on("state", (s) => {
        if (s.connection === "closed") {
          clearTimeout(timer);
          reject(new Error(`document ${documentId} closed: ${s.closedReason}`));
        }
      });
    });
    return doc;
  } finally {
    provider.destroy();
    socket.close();
  }
}

/** The text of each top-level paragraph. */
function paragraphTexts(json: JSONContent): string[] {
  return (json.content ?? []).filter((n) => n.type === "paragraph").map((n) => (n.content ?? []).map((c) => c.text ?? "").join(""));
}

/** Checks one document as described above; `sentinels` must each be a paragraph of its own, in this order. */
export async function checkDocument(url: string, cookie: string, documentId: number, sentinels: string[]): Promise<DocumentCheck> {
  const problems: string[] = [];
  const warnings: string[] = [];
  let doc: Y.Doc;
  const applyErrors: string[] = [];
  try {
    doc = await loadFresh(url, cookie, documentId, applyErrors);
  } catch (error) {
    return { documentId, problems: [`could not be loaded: ${(error as Error).message}`], warnings, state: new Uint8Array(0), json: null };
  }
  for (const e of applyErrors) problems.push(`a fresh client could not apply what the server sent: ${e}`);
  const store = doc.store;
  if (store.pendingStructs)
    problems.push(`has pending structs (waiting for clients ${[...store.pendingStructs.missing.keys()].join(", ")})`);
  if (store.pendingDs) problems.push("has a pending delete set");
  let json: JSONContent | null = null;
  try {
    json = yXmlFragmentToProsemirrorJSON(doc.getXmlFragment(DOCUMENT_FIELD)) as JSONContent;
    const node = schema.nodeFromJSON(json);
    try {
      node.check();
    } catch (error) {
      warnings.push(`breaks the schema's content rules: ${(error as Error).message}`);
    }
  } catch (error) {
    problems.push(`does not fit the document schema: ${(error as Error).message}`);
  }
  if (json) {
    try {
      renderToStaticMarkup(renderToReactElement({ content: json, extensions: contentExtensions }));
    } catch (error) {
      problems.push(`does not render: ${(error as Error).message}`);
    }
    const texts = paragraphTexts(json);
    let from = 0;
    for (const sentinel of sentinels) {
      const at = texts.indexOf(sentinel, from);
      if (at === -1) problems.push(`sentinel paragraph missing or damaged: "${sentinel}"`);
      else from = at + 1;
    }
  }
  let state: Uint8Array = new Uint8Array(0);
  try {
    state = Y.encodeStateAsUpdate(doc);
  } catch (error) {
    problems.push(`cannot be encoded again: ${(error as Error).message}`);
  }
  doc.destroy();
  return { documentId, problems, warnings, state, json };
}

/** Whether two copies of a document hold the same content: same state vector, delete set and text. */
export function sameDocument(a: Uint8Array, b: Uint8Array): boolean {
  const docA = new Y.Doc();
  const docB = new Y.Doc();
  try {
    Y.applyUpdate(docA, a);
    Y.applyUpdate(docB, b);
    const text = (d: Y.Doc) => {
      try {
        return d.getXmlFragment(DOCUMENT_FIELD).toString();
      } catch (error) {
        return `unreadable: ${(error as Error).message}`;
      }
    };
    return Y.equalSnapshots(Y.snapshot(docA), Y.snapshot(docB)) && text(docA) === text(docB);
  } catch {
    // Content Yjs itself cannot load: compare what was received, byte for byte.
    return Buffer.from(a).equals(Buffer.from(b));
  } finally {
    docA.destroy();
    docB.destroy();
  }
}
