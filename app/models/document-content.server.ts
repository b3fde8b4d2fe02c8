/** Converts a document's stored Yjs state to what people read: ProseMirror JSON, Markdown, a diff. */
import { getSchema, type JSONContent } from "@tiptap/core";
import { MarkdownManager } from "@tiptap/markdown";
import { prosemirrorJSONToYDoc, yXmlFragmentToProsemirrorJSON } from "@tiptap/y-tiptap";
import { diffWordsWithSpace } from "diff";
import * as Y from "yjs";
import { DOCUMENT_FIELD, contentExtensions } from "../editor/extensions";

const schema = getSchema(contentExtensions);
const markdown = new MarkdownManager({ extensions: contentExtensions });

export function stateToJSON(state: Uint8Array): JSONContent {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  const json = yXmlFragmentToProsemirrorJSON(doc.getXmlFragment(DOCUMENT_FIELD)) as JSONContent;
  doc.destroy();
  return json.content?.length ? json : { type: "doc", content: [{ type: "paragraph" }] };
}

export function stateToMarkdown(state: Uint8Array): string {
  return markdown.serialize(stateToJSON(state)).trim();
}

/** A Yjs state holding the given Markdown, as the editor would store it (for seeding and imports). */
export function markdownToState(text: string): Uint8Array {
  const doc = prosemirrorJSONToYDoc(schema, markdown.parse(text), DOCUMENT_FIELD);
  const state = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return state;
}

export interface DiffPart {
  value: string;
  change: "added" | "removed" | "same";
}

/** A word-level comparison of two states, read as Markdown: what `from` had and `to` does not, and back. */
export function compareStates(from: Uint8Array, to: Uint8Array): { parts: DiffPart[]; added: number; removed: number } {
  const parts = diffWordsWithSpace(stateToMarkdown(from), stateToMarkdown(to)).map((p): DiffPart => ({
    value: p.value,
    change: p.added ? "added" : p.removed ? "removed" : "same",
  }));
  const words = (change: DiffPart["change"]) =>
    parts.filter((p) => p.change === change).reduce((n, p) => n + (p.value.match(/\S+/g)?.length ?? 0), 0);
  return { parts, added: words("added"), removed: words("removed") };
}

/**
 * Replaces the text of `doc` with the text of `state`, as one new change: history is kept,
 * and every open editor receives the restored text like any other edit.
 */
export function replaceText(doc: Y.Doc, state: Uint8Array): void {
  const source = new Y.Doc();
  Y.applyUpdate(source, state);
  const from = source.getXmlFragment(DOCUMENT_FIELD);
  const to = doc.getXmlFragment(DOCUMENT_FIELD);
  doc.transact(() => {
    to.delete(0, to.length);
    to.insert(
      0,
      from.toArray().map((node) => (node as Y.XmlElement | Y.XmlText).clone()),
    );
  });
  source.destroy();
}
