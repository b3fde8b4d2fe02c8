/** Converts a document's stored Yjs state to what people read: ProseMirror JSON, Markdown, a diff. */
import { getSchema, type JSONContent } from "@tiptap/core";
import { MarkdownManager } from "@tiptap/markdown";
import { prosemirrorJSONToYDoc } from "@tiptap/y-tiptap";
import { diffWordsWithSpace } from "diff";
import type { Node as PMNode } from "@tiptap/pm/model";
import * as Y from "yjs";
import { DOCUMENT_FIELD, contentExtensions } from "../editor/extensions";

const schema = getSchema(contentExtensions);
const markdown = new MarkdownManager({ extensions: contentExtensions });

/** The mark a Yjs format attribute stands for: overlapping marks of one type are stored as `name--hash`. */
export const markNameOf = (attribute: string): string => /^(.*)--[a-zA-Z0-9+/=]{8}$/.exec(attribute)?.[1] ?? attribute;

/** Whether the document schema knows this node (an `XmlElement` name). */
export const isKnownNode = (name: string): boolean => Object.hasOwn(schema.nodes, name) && name !== "text" && name !== "doc";
/** Whether the document schema knows this mark (a format attribute on `XmlText`, `name--hash` included). */
export const isKnownMark = (attribute: string): boolean => Object.hasOwn(schema.marks, markNameOf(attribute));
/** Whether this node of the schema takes this attribute. */
export const isKnownNodeAttribute = (node: string, attribute: string): boolean =>
  isKnownNode(node) && Object.hasOwn(schema.nodes[node]!.spec.attrs ?? {}, attribute);

const EMPTY: JSONContent = { type: "doc", content: [{ type: "paragraph" }] };

function pick(attrs: Record<string, unknown>, allowed: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const kept = Object.entries(attrs).filter(([key, value]) => allowed && Object.hasOwn(allowed, key) && value !== undefined);
  return kept.length ? Object.fromEntries(kept) : undefined;
}

/** Text runs of an `XmlText`, with only the marks (and mark attributes) the schema knows. */
function textToJSON(text: Y.XmlText): JSONContent[] {
  const out: JSONContent[] = [];
  for (const op of text.toDelta() as { insert: unknown; attributes?: Record<string, unknown> }[]) {
    if (typeof op.insert !== "string" || op.insert.length === 0) continue;
    const marks = Object.entries(op.attributes ?? {})
      .filter(([name]) => isKnownMark(name))
      .map(([name, value]) => {
        const type = markNameOf(name);
        const attrs =
          value && typeof value === "object" ? pick(value as Record<string, unknown>, schema.marks[type]!.spec.attrs) : undefined;
        return attrs ? { type, attrs } : { type };
      });
    out.push(marks.length ? { type: "text", text: op.insert, marks } : { type: "text", text: op.insert });
  }
  return out;
}

function childrenToJSON(parent: Y.XmlFragment): JSONContent[] {
  return parent.toArray().flatMap((child): JSONContent[] => {
    if (child instanceof Y.XmlText) return textToJSON(child);
    if (child instanceof Y.XmlElement) {
      // Content the schema does not know (from before updates were checked) is left out, with what it holds.
      if (!isKnownNode(child.nodeName)) return [];
      const node: JSONContent = { type: child.nodeName };
      const attrs = pick(child.getAttributes() as Record<string, unknown>, schema.nodes[child.nodeName]!.spec.attrs);
      if (attrs) node.attrs = attrs;
      const content = childrenToJSON(child);
      if (content.length) node.content = content;
      return [node];
    }
    return [];
  });
}

/** A node tree that breaks the schema's content rules keeps only its text, one paragraph per block. */
function textOnly(json: JSONContent): JSONContent {
  const paragraphs: JSONContent[] = [];
  const walk = (node: JSONContent, line: JSONContent[]): void => {
    if (node.type === "text" && node.text) {
      line.push({ type: "text", text: node.text });
      return;
    }
    const own: JSONContent[] = [];
    for (const child of node.content ?? []) walk(child, own);
    if (own.length) paragraphs.push({ type: "paragraph", content: own });
  };
  for (const block of json.content ?? []) walk(block, []);
  return paragraphs.length ? { type: "doc", content: paragraphs } : EMPTY;
}

/**
 * The document's text as ProseMirror JSON that the schema accepts, whatever the state holds: nodes, marks and
 * attributes the schema does not know are left out, so a stored version always renders (versions are frozen).
 */
export function stateToJSON(state: Uint8Array): JSONContent {
  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, state);
    const json: JSONContent = { type: "doc", content: childrenToJSON(doc.getXmlFragment(DOCUMENT_FIELD)) };
    if (!json.content?.length) return EMPTY;
    try {
      const node: PMNode = schema.nodeFromJSON(json);
      node.check();
      return json;
    } catch {
      return textOnly(json);
    }
  } catch {
    return EMPTY;
  } finally {
    doc.destroy();
  }
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
