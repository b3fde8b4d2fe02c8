/** Converts a document's stored Yjs state to what people read: ProseMirror JSON, Markdown, a rendered comparison. */
import { getSchema, type JSONContent } from "@tiptap/core";
import { MarkdownManager } from "@tiptap/markdown";
import { prosemirrorJSONToYDoc } from "@tiptap/y-tiptap";
import { diffArrays } from "diff";
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

/** A mark on a run of compared text (bold, italic, link…), as in ProseMirror JSON. */
export interface DiffMark {
  type: string;
  attrs?: Record<string, unknown>;
}
export type DiffChange = "same" | "added" | "removed";
/** A run of text inside a paragraph, heading or code block; `hardBreak` stands for a line break. */
export interface DiffRun {
  text: string;
  marks?: DiffMark[];
  hardBreak?: boolean;
  change: DiffChange;
}
/**
 * A block of the compared text: a paragraph, heading or code block holds `runs`, anything else (lists, items, quotes,
 * tables, rows, cells) holds `content`. A block added or removed whole has that `change`; a block found in both
 * texts is "same", with the changes marked inside it.
 */
export interface DiffBlock {
  type: string;
  attrs?: Record<string, unknown>;
  change: DiffChange;
  content?: DiffBlock[];
  runs?: DiffRun[];
}

const isTextblock = (type: string | undefined) => !!type && !!schema.nodes[type]?.isTextblock;

interface Token {
  text: string;
  marks?: DiffMark[];
  hardBreak?: boolean;
}

/** A paragraph's inline content as words and spaces, each with its marks. */
function tokens(content: JSONContent[] | undefined): Token[] {
  return (content ?? []).flatMap((node): Token[] => {
    if (node.type === "hardBreak") return [{ text: "\n", hardBreak: true }];
    if (node.type !== "text" || !node.text) return [];
    const marks = node.marks?.map((m) => (m.attrs ? { type: m.type, attrs: m.attrs } : { type: m.type }));
    return node.text
      .split(/(\s+)/)
      .filter(Boolean)
      .map((text) => (marks?.length ? { text, marks } : { text }));
  });
}

const tokenKey = (t: Token) => JSON.stringify([t.text, t.marks ?? null, t.hardBreak ?? false]);

/** Runs of tokens: neighbours with the same change and marks are joined. */
function runsOf(list: Token[], change: DiffChange, into: DiffRun[] = []): DiffRun[] {
  for (const token of list) {
    const last = into[into.length - 1];
    if (
      last &&
      !last.hardBreak &&
      !token.hardBreak &&
      last.change === change &&
      JSON.stringify(last.marks) === JSON.stringify(token.marks)
    ) {
      last.text += token.text;
    } else into.push({ ...token, change });
  }
  return into;
}

/** A word-level comparison of two paragraphs (or headings, or code blocks) of the same kind. */
function diffInline(from: JSONContent[] | undefined, to: JSONContent[] | undefined): DiffRun[] {
  const a = tokens(from);
  const b = tokens(to);
  const runs: DiffRun[] = [];
  let ia = 0;
  let ib = 0;
  for (const part of diffArrays(a.map(tokenKey), b.map(tokenKey))) {
    const n = part.count ?? part.value.length;
    if (part.removed) runsOf(a.slice(ia, (ia += n)), "removed", runs);
    else if (part.added) runsOf(b.slice(ib, (ib += n)), "added", runs);
    else {
      runsOf(b.slice(ib, ib + n), "same", runs);
      ia += n;
      ib += n;
    }
  }
  return runs;
}

/** A whole block, unchanged or added or removed as a whole. */
function wholeBlock(node: JSONContent, change: DiffChange): DiffBlock {
  const block: DiffBlock = { type: node.type ?? "paragraph", change };
  if (node.attrs) block.attrs = node.attrs;
  if (isTextblock(node.type)) block.runs = runsOf(tokens(node.content), change);
  else if (node.content?.length) block.content = node.content.map((child) => wholeBlock(child, change));
  return block;
}

/** Two blocks of the same kind compared inside: words in text, blocks in lists, quotes and tables. */
function diffPair(from: JSONContent, to: JSONContent): DiffBlock {
  const block: DiffBlock = { type: to.type ?? "paragraph", change: "same" };
  if (to.attrs) block.attrs = to.attrs;
  if (isTextblock(to.type)) block.runs = diffInline(from.content, to.content);
  else block.content = diffBlocks(from.content ?? [], to.content ?? []);
  return block;
}

const sameKind = (a: JSONContent, b: JSONContent) =>
  a.type === b.type && JSON.stringify(a.attrs ?? null) === JSON.stringify(b.attrs ?? null);

/** A block-level comparison: unchanged blocks kept, changed ones of the same kind compared inside, others added or removed. */
function diffBlocks(from: JSONContent[], to: JSONContent[]): DiffBlock[] {
  const out: DiffBlock[] = [];
  const parts = diffArrays(
    from.map((n) => JSON.stringify(n)),
    to.map((n) => JSON.stringify(n)),
  );
  let ia = 0;
  let ib = 0;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const n = part.count ?? part.value.length;
    if (!part.added && !part.removed) {
      for (let k = 0; k < n; k++) out.push(wholeBlock(to[ib + k]!, "same"));
      ia += n;
      ib += n;
    } else if (part.removed && parts[i + 1]?.added) {
      // A replaced stretch: blocks of the same kind, in order, are the same block changed.
      const next = parts[++i]!;
      const removed = from.slice(ia, (ia += n));
      const added = to.slice(ib, (ib += next.count ?? next.value.length));
      let r = 0;
      added.forEach((block, j) => {
        const match = removed.findIndex((old, k) => k >= r && sameKind(old, block));
        if (match === -1) {
          // What was removed reads before what replaced it, unless a later block is the same one changed.
          while (r < removed.length && !added.slice(j + 1).some((later) => sameKind(removed[r]!, later))) {
            out.push(wholeBlock(removed[r++]!, "removed"));
          }
          out.push(wholeBlock(block, "added"));
          return;
        }
        for (; r < match; r++) out.push(wholeBlock(removed[r]!, "removed"));
        out.push(diffPair(removed[r++]!, block));
      });
      for (; r < removed.length; r++) out.push(wholeBlock(removed[r]!, "removed"));
    } else if (part.removed) {
      for (const node of from.slice(ia, (ia += n))) out.push(wholeBlock(node, "removed"));
    } else {
      for (const node of to.slice(ib, (ib += n))) out.push(wholeBlock(node, "added"));
    }
  }
  return out;
}

function countWords(blocks: DiffBlock[], change: DiffChange): number {
  return blocks.reduce(
    (n, b) =>
      n +
      (b.runs ?? []).filter((r) => r.change === change).reduce((m, r) => m + (r.text.match(/\S+/g)?.length ?? 0), 0) +
      countWords(b.content ?? [], change),
    0,
  );
}

/**
 * Compares two states as rendered text (decision 038): block by block (paragraphs, headings, list items, table rows),
 * then word by word inside blocks of the same kind, keeping headings, lists, marks and tables for the page to render.
 */
export function compareStates(from: Uint8Array, to: Uint8Array): { blocks: DiffBlock[]; added: number; removed: number } {
  const blocks = diffBlocks(stateToJSON(from).content ?? [], stateToJSON(to).content ?? []);
  return { blocks, added: countWords(blocks, "added"), removed: countWords(blocks, "removed") };
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
