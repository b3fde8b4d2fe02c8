import Collaboration from "@tiptap/extension-collaboration";
import CollaborationCaret from "@tiptap/extension-collaboration-caret";
import { EditorContent, useEditor, useEditorState, type Editor } from "@tiptap/react";
import { useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import * as Y from "yjs";
import { DOCUMENT_FIELD, contentExtensions } from "../editor/extensions";
import { CommentHighlights, DocumentComments } from "./document-comments";
import { DocProvider, type DocProviderState, type DocSocket } from "../realtime/doc-provider";
import { useRealtime } from "./realtime";

/** Calm, distinguishable caret colours with enough contrast for white label text. */
const CARET_COLOURS = ["#1f5f8b", "#8a3b12", "#1d6b3a", "#6b2f8a", "#8a1f4d", "#0f5f5c", "#5c4a00", "#3b4a8a"];
export const caretColour = (userId: number) => CARET_COLOURS[userId % CARET_COLOURS.length]!;

interface Person {
  clientId: number;
  name: string;
  color: string;
  self: boolean;
}

/** The live provider for one document on the page's socket, created in the browser only. */
function useDocProvider(documentId: number) {
  const { socket } = useRealtime();
  const [provider, setProvider] = useState<DocProvider | null>(null);
  const [state, setState] = useState<DocProviderState>({ connection: "connecting", readOnly: true, unsaved: false });
  useEffect(() => {
    if (!socket) return;
    const p = new DocProvider(socket as unknown as DocSocket, documentId, new Y.Doc());
    setProvider(p);
    setState(p.state);
    p.on("state", setState);
    return () => {
      p.destroy();
      p.doc.destroy();
      setProvider(null);
    };
  }, [socket, documentId]);
  return { provider, state };
}

function usePresence(provider: DocProvider | null): Person[] {
  const [people, setPeople] = useState<Person[]>([]);
  useEffect(() => {
    if (!provider) return;
    const read = () => {
      const list: Person[] = [];
      provider.awareness.getStates().forEach((s, clientId) => {
        const user = (s as { user?: { name?: unknown; color?: unknown } }).user;
        if (typeof user?.name === "string")
          list.push({
            clientId,
            name: user.name,
            color: typeof user.color === "string" ? user.color : "#555",
            self: clientId === provider.doc.clientID,
          });
      });
      setPeople(list.sort((a, b) => Number(b.self) - Number(a.self) || a.name.localeCompare(b.name)));
    };
    read();
    provider.awareness.on("change", read);
    return () => provider.awareness.off("change", read);
  }, [provider]);
  return people;
}

/**
 * Where the session's attribution rule withholds names (a breakout room's notes), the server replaces each presence
 * name with `group:<stakeholder group>`: shown as "Government participant", or "Participant" for `group:none`.
 */
function usePresenceName(): (name: string) => string {
  const { t } = useTranslation(["documents", "common"]);
  return (name) => {
    if (!name.startsWith("group:")) return name;
    const key = name.slice("group:".length);
    const groups = t("common:stakeholderGroups", { returnObjects: true }) as Record<string, string>;
    return key in groups ? t("documents:presence.group", { group: groups[key] }) : t("documents:presence.noGroup");
  };
}

/** A collaborator's caret and name label, coloured through the CSS object model (the page's CSP allows no style attributes). */
function caretElement(name: string, color: string): HTMLElement {
  const caret = document.createElement("span");
  caret.classList.add("collaboration-carets__caret");
  if (/^#[0-9a-f]{3,8}$/i.test(color)) caret.style.borderColor = color;
  const label = document.createElement("div");
  label.classList.add("collaboration-carets__label");
  if (/^#[0-9a-f]{3,8}$/i.test(color)) label.style.backgroundColor = color;
  label.textContent = name;
  caret.append(label);
  return caret;
}

export function DocumentEditor({ documentId, user }: { documentId: number; user: { id: number; name: string } }) {
  const { t } = useTranslation("documents");
  const shownName = usePresenceName();
  const { provider, state } = useDocProvider(documentId);
  const people = usePresence(provider);
  const colour = caretColour(user.id);

  const editor = useEditor(
    {
      immediatelyRender: false,
      editable: false,
      // The page's Content Security Policy allows no inline <style>; the editor's base rules are in app.css.
      injectCSS: false,
      extensions: provider
        ? [
            ...contentExtensions,
            Collaboration.configure({ document: provider.doc, field: DOCUMENT_FIELD }),
            CommentHighlights,
            CollaborationCaret.configure({
              provider,
              user: { name: user.name, color: colour },
              render: (u: { name?: string; color?: string }) => caretElement(shownName(String(u.name ?? "")), String(u.color ?? "")),
            }),
          ]
        : contentExtensions,
      editorProps: {
        attributes: {
          class: "prose prose-editor",
          "aria-label": t("editor.label"),
          "aria-multiline": "true",
          role: "textbox",
        },
      },
    },
    [provider],
  );

  const editable = !!provider && !state.readOnly && state.connection !== "closed" && (provider.synced || state.connection === "offline");
  useEffect(() => {
    if (!editor || editor.isDestroyed) return;
    editor.setEditable(editable);
    editor.view.dom.setAttribute("aria-readonly", String(!editable));
  }, [editor, editable]);

  return (
    <div className="doc-editor">
      <div className="doc-editor__bar">
        <ConnectionState state={state} />
        <Presence people={people} />
      </div>
      {editable && editor ? <Toolbar editor={editor} /> : null}
      {state.connection === "closed" ? (
        <p className="banner banner--warning" role="alert">
          {t(state.closedReason === "access_removed" ? "editor.accessRemoved" : "editor.forbidden")}
        </p>
      ) : null}
      <div className="doc-editor__page" data-testid="document-text" data-synced={provider?.synced ? "true" : "false"} aria-busy={!editor}>
        {editor ? <EditorContent editor={editor} /> : <p className="muted">{t("editor.loading")}</p>}
      </div>
      {state.connection === "closed" ? null : (
        <DocumentComments documentId={documentId} editor={provider ? editor : null} shownName={shownName} />
      )}
    </div>
  );
}

function ConnectionState({ state }: { state: DocProviderState }) {
  const { t } = useTranslation("documents");
  const key =
    state.connection === "offline"
      ? state.unsaved
        ? "offlineUnsaved"
        : "offline"
      : state.connection === "online"
        ? state.unsaved
          ? "saving"
          : "saved"
        : state.connection;
  return (
    <p
      className={`doc-state doc-state--${state.connection}`}
      role="status"
      aria-live="polite"
      data-testid="doc-connection"
      data-state={key}
    >
      <span className="live-dot" aria-hidden="true" />
      {t(`connection.${key}`)}
      {state.readOnly && state.connection !== "closed" ? <span className="badge">{t("editor.readOnly")}</span> : null}
    </p>
  );
}

function Presence({ people }: { people: Person[] }) {
  const { t } = useTranslation("documents");
  const shownName = usePresenceName();
  return (
    <div className="presence">
      <h2 className="visually-hidden" id="presence-title">
        {t("presence.title")}
      </h2>
      <ul className="presence__list" aria-labelledby="presence-title" data-testid="presence">
        {people.map((p) => (
          <li key={p.clientId} className="presence__person" style={{ "--person": p.color } as React.CSSProperties}>
            <span className="presence__dot" aria-hidden="true" />
            {p.self ? t("presence.you", { name: shownName(p.name) }) : shownName(p.name)}
          </li>
        ))}
      </ul>
    </div>
  );
}

function Toolbar({ editor }: { editor: Editor }) {
  const { t } = useTranslation("documents");
  const active = useEditorState({
    editor,
    selector: ({ editor: e }) => ({
      bold: e.isActive("bold"),
      italic: e.isActive("italic"),
      h2: e.isActive("heading", { level: 2 }),
      h3: e.isActive("heading", { level: 3 }),
      bulletList: e.isActive("bulletList"),
      orderedList: e.isActive("orderedList"),
      blockquote: e.isActive("blockquote"),
      link: e.isActive("link"),
      table: e.isActive("table"),
    }),
  });
  const buttons = useMemo(
    () =>
      [
        { key: "bold", run: () => editor.chain().focus().toggleBold().run() },
        { key: "italic", run: () => editor.chain().focus().toggleItalic().run() },
        { key: "h2", run: () => editor.chain().focus().toggleHeading({ level: 2 }).run() },
        { key: "h3", run: () => editor.chain().focus().toggleHeading({ level: 3 }).run() },
        { key: "bulletList", run: () => editor.chain().focus().toggleBulletList().run() },
        { key: "orderedList", run: () => editor.chain().focus().toggleOrderedList().run() },
        { key: "blockquote", run: () => editor.chain().focus().toggleBlockquote().run() },
      ] as const,
    [editor],
  );
  const setLink = () => {
    const previous = (editor.getAttributes("link").href as string | undefined) ?? "";
    const href = window.prompt(t("toolbar.linkPrompt"), previous);
    if (href === null) return;
    if (href.trim() === "") editor.chain().focus().extendMarkRange("link").unsetLink().run();
    else editor.chain().focus().extendMarkRange("link").setLink({ href: href.trim() }).run();
  };
  return (
    <div className="toolbar" role="toolbar" aria-label={t("toolbar.label")}>
      {buttons.map((b) => (
        <button key={b.key} type="button" className="toolbar__button" aria-pressed={active?.[b.key] ?? false} onClick={b.run}>
          {t(`toolbar.${b.key}`)}
        </button>
      ))}
      <button type="button" className="toolbar__button" aria-pressed={active?.link ?? false} onClick={setLink}>
        {t("toolbar.link")}
      </button>
      {active?.table ? (
        <>
          <button type="button" className="toolbar__button" onClick={() => editor.chain().focus().addRowAfter().run()}>
            {t("toolbar.addRow")}
          </button>
          <button type="button" className="toolbar__button" onClick={() => editor.chain().focus().addColumnAfter().run()}>
            {t("toolbar.addColumn")}
          </button>
          <button type="button" className="toolbar__button" onClick={() => editor.chain().focus().deleteTable().run()}>
            {t("toolbar.deleteTable")}
          </button>
        </>
      ) : (
        <button
          type="button"
          className="toolbar__button"
          onClick={() => editor.chain().focus().insertTable({ rows: 3, cols: 2, withHeaderRow: true }).run()}
        >
          {t("toolbar.table")}
        </button>
      )}
      <span className="toolbar__sep" aria-hidden="true" />
      <button type="button" className="toolbar__button" onClick={() => editor.chain().focus().undo().run()}>
        {t("toolbar.undo")}
      </button>
      <button type="button" className="toolbar__button" onClick={() => editor.chain().focus().redo().run()}>
        {t("toolbar.redo")}
      </button>
    </div>
  );
}
