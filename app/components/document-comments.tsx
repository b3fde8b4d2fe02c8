/**
 * Comments on passages of a document's live text (decision 038): the "Comment on selection" button, the highlights
 * that follow the passages as the text changes (Yjs relative positions), and the labelled list of threads with
 * replies, resolve and reopen, and delete. Everything goes over the page's socket; a `doc:comments` push makes every
 * open reader ask for the comments again, as they may see them.
 */
import { Extension, type Editor } from "@tiptap/core";
import { Plugin, PluginKey, type EditorState } from "@tiptap/pm/state";
import { Decoration, DecorationSet } from "@tiptap/pm/view";
import { absolutePositionToRelativePosition, relativePositionToAbsolutePosition, ySyncPluginKey } from "@tiptap/y-tiptap";
import { useCallback, useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import * as Y from "yjs";
import {
  MAX_COMMENT_QUOTE_LENGTH,
  commentBody,
  type CommentThreadView,
  type CommentView,
  type RelativePositionJSON,
} from "../realtime/protocol";
import { DateTime } from "./time";
import { useRealtime } from "./realtime";

type Anchor = { start: RelativePositionJSON; end: RelativePositionJSON };
type Range = { from: number; to: number };

/** Where a passage is now in the editor's text, or null when it was removed. */
function resolveAnchor(state: EditorState, anchor: Anchor | null): Range | null {
  if (!anchor) return null;
  const sync = ySyncPluginKey.getState(state) as
    { doc: Y.Doc; type: Y.XmlFragment; binding?: { mapping: Map<Y.AbstractType<unknown>, unknown> } } | undefined;
  if (!sync?.binding) return null;
  try {
    const mapping = sync.binding.mapping as Parameters<typeof relativePositionToAbsolutePosition>[3];
    const from = relativePositionToAbsolutePosition(sync.doc, sync.type, Y.createRelativePositionFromJSON(anchor.start), mapping);
    const to = relativePositionToAbsolutePosition(sync.doc, sync.type, Y.createRelativePositionFromJSON(anchor.end), mapping);
    return from !== null && to !== null && to > from ? { from, to } : null;
  } catch {
    return null;
  }
}

/** The editor's current selection as a passage to comment on: its text and its relative positions. */
function selectedPassage(editor: Editor): { quote: string; anchor: Anchor } | null {
  const { from, to } = editor.state.selection;
  if (to <= from) return null;
  const quote = editor.state.doc.textBetween(from, to, " ").trim();
  const sync = ySyncPluginKey.getState(editor.state) as { type: Y.XmlFragment; binding?: { mapping: unknown } } | undefined;
  if (!quote || !sync?.binding) return null;
  const mapping = sync.binding.mapping as Parameters<typeof absolutePositionToRelativePosition>[2];
  const plain = (p: Y.RelativePosition) => JSON.parse(JSON.stringify(Y.relativePositionToJSON(p))) as RelativePositionJSON;
  return {
    quote: quote.length > MAX_COMMENT_QUOTE_LENGTH ? `${quote.slice(0, MAX_COMMENT_QUOTE_LENGTH - 1)}…` : quote,
    anchor: {
      start: plain(absolutePositionToRelativePosition(from, sync.type, mapping)),
      end: plain(absolutePositionToRelativePosition(to, sync.type, mapping)),
    },
  };
}

const highlightKey = new PluginKey<{ threads: CommentThreadView[]; active: number | null }>("commentHighlights");

/** Marks each open thread's passage in the text; the thread being read is marked more strongly. */
export const CommentHighlights = Extension.create({
  name: "commentHighlights",
  addProseMirrorPlugins() {
    return [
      new Plugin({
        key: highlightKey,
        state: {
          init: () => ({ threads: [] as CommentThreadView[], active: null as number | null }),
          apply: (tr, value) => (tr.getMeta(highlightKey) as typeof value | undefined) ?? value,
        },
        props: {
          decorations(state) {
            const { threads, active } = highlightKey.getState(state)!;
            const decorations = threads.flatMap((thread) => {
              if (thread.resolvedAt) return [];
              const range = resolveAnchor(state, thread.anchor);
              if (!range) return [];
              const className = `comment-highlight${thread.id === active ? " comment-highlight--active" : ""}`;
              return [Decoration.inline(range.from, range.to, { class: className, "data-comment": String(thread.id) })];
            });
            return DecorationSet.create(state.doc, decorations);
          },
        },
      }),
    ];
  },
});

/** The document's comments, fetched again whenever the server says they changed; emptied when access is lost. */
function useComments(documentId: number) {
  const { socket } = useRealtime();
  const [threads, setThreads] = useState<CommentThreadView[]>([]);
  const [canComment, setCanComment] = useState(false);
  const [loaded, setLoaded] = useState(false);
  const refresh = useCallback(() => {
    socket?.emit("comments:list", { documentId }, (res) => {
      if (res.ok) {
        setThreads(res.threads);
        setCanComment(res.canComment);
      } else {
        setThreads([]);
        setCanComment(false);
      }
      setLoaded(true);
    });
  }, [socket, documentId]);
  useEffect(() => {
    if (!socket) return;
    const changed = (p: { documentId: number }) => p.documentId === documentId && refresh();
    const access = (p: { documentId: number } & ({ readOnly: boolean } | { closed: string })) => {
      if (p.documentId !== documentId) return;
      if ("closed" in p) {
        setThreads([]);
        setCanComment(false);
      } else refresh();
    };
    refresh();
    socket.on("doc:comments", changed);
    socket.on("doc:access", access);
    socket.on("connect", refresh);
    return () => {
      socket.off("doc:comments", changed);
      socket.off("doc:access", access);
      socket.off("connect", refresh);
    };
  }, [socket, documentId, refresh]);
  return { threads, canComment, loaded };
}

/** A translation key for the first problem with a comment's text, or null. */
function bodyError(body: string): string | null {
  const parsed = commentBody.safeParse(body);
  return parsed.success ? null : (parsed.error.issues[0]?.message ?? "comments.errors.bodyRequired");
}

function errorKeyOf(res: { ok: false; error: string; message: string }): string {
  const key = /comments\.errors\.\w+/.exec(res.message)?.[0];
  if (key) return key;
  if (res.error === "rate_limited") return "comments.errors.tooFast";
  if (res.error === "forbidden" || res.error === "not_found") return "comments.errors.notAllowed";
  return "comments.errors.failed";
}

/** One comment's text field with its inline error, and a send button; the typed text is kept when it is refused. */
function CommentForm({
  label,
  submit,
  onSubmit,
  onCancel,
  autoFocus,
}: {
  label: string;
  submit: string;
  onSubmit: (body: string) => Promise<string | null>;
  onCancel?: () => void;
  autoFocus?: boolean;
}) {
  const { t } = useTranslation("documents");
  const id = useId();
  const [body, setBody] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const field = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    if (autoFocus) field.current?.focus();
  }, [autoFocus]);
  return (
    <form
      className="comment-form stack-sm"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const invalid = bodyError(body);
        if (invalid) {
          setError(invalid);
          field.current?.focus();
          return;
        }
        setBusy(true);
        void onSubmit(body.trim()).then((refused) => {
          setBusy(false);
          setError(refused);
          if (refused) field.current?.focus();
          else setBody("");
        });
      }}
    >
      <div className={`field${error ? " field--invalid" : ""}`}>
        <label htmlFor={id}>{label}</label>
        <textarea
          ref={field}
          id={id}
          name="body"
          rows={3}
          value={body}
          onChange={(e) => setBody(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
        />
        {error ? (
          <p className="field__error" id={`${id}-error`}>
            {t(error as "comments.errors.failed")}
          </p>
        ) : null}
      </div>
      <div className="comment-form__actions">
        <button type="submit" className="button button--small" aria-disabled={busy || undefined}>
          {submit}
        </button>
        {onCancel ? (
          <button type="button" className="button button--quiet button--small" onClick={onCancel}>
            {t("comments.cancel")}
          </button>
        ) : null}
      </div>
    </form>
  );
}

/**
 * The "Comment on selection" button and the comments region of a document. `shownName` turns an author as the server
 * sends it (a name, or `group:<stakeholder group>` where the attribution rule withholds it) into what readers see.
 */
export function DocumentComments({
  documentId,
  editor,
  shownName,
}: {
  documentId: number;
  editor: Editor | null;
  shownName: (name: string) => string;
}) {
  const { t } = useTranslation("documents");
  const { socket } = useRealtime();
  const { threads, canComment, loaded } = useComments(documentId);
  const [draft, setDraft] = useState<{ quote: string; anchor: Anchor } | null>(null);
  const [hint, setHint] = useState<string | null>(null);
  const [active, setActive] = useState<number | null>(null);
  const [showResolved, setShowResolved] = useState(false);
  const [, setTick] = useState(0);
  const regionId = useId();

  // The highlights follow the comments; the list's "removed" state follows the text.
  useEffect(() => {
    if (!editor || editor.isDestroyed) return;
    editor.view.dispatch(editor.state.tr.setMeta(highlightKey, { threads, active }));
  }, [editor, threads, active]);
  useEffect(() => {
    if (!editor) return;
    const bump = ({ transaction }: { transaction: { docChanged: boolean } }) => transaction.docChanged && setTick((n) => n + 1);
    editor.on("transaction", bump);
    return () => void editor.off("transaction", bump);
  }, [editor]);

  const start = () => {
    const passage = editor ? selectedPassage(editor) : null;
    if (!passage) {
      setHint(t("comments.selectFirst"));
      return;
    }
    setHint(null);
    setDraft(passage);
  };

  const goTo = (thread: CommentThreadView) => {
    setActive(thread.id);
    const range = editor ? resolveAnchor(editor.state, thread.anchor) : null;
    if (!editor || !range) return;
    editor.commands.setTextSelection(range);
    editor.view.dom.querySelector(`[data-comment="${thread.id}"]`)?.scrollIntoView({ block: "center" });
    editor.commands.focus();
  };

  const open = threads.filter((th) => !th.resolvedAt);
  const resolved = threads.filter((th) => th.resolvedAt);

  return (
    <div className="doc-comments stack">
      {canComment ? (
        <div className="doc-comments__start">
          <button
            type="button"
            className="button button--small"
            // Keeps the text's selection where it is while the button is pressed.
            onMouseDown={(e) => e.preventDefault()}
            onClick={start}
            aria-describedby={hint ? `${regionId}-hint` : undefined}
          >
            {t("comments.onSelection")}
          </button>
          <p className={hint ? "field__error" : "muted"} id={`${regionId}-hint`} aria-live="polite">
            {hint ?? t("comments.howTo")}
          </p>
        </div>
      ) : null}

      <section className="panel stack doc-comments__list" aria-labelledby={`${regionId}-title`} data-testid="comments">
        <h2 id={`${regionId}-title`}>{t("comments.title", { count: open.length })}</h2>
        {draft ? (
          <div className="comment comment--new stack-sm">
            <blockquote className="comment__quote">{draft.quote}</blockquote>
            <CommentForm
              label={t("comments.newLabel")}
              submit={t("comments.send")}
              autoFocus
              onCancel={() => setDraft(null)}
              onSubmit={(body) =>
                new Promise((resolve) =>
                  socket?.emit("comments:add", { documentId, body, quote: draft.quote, anchor: draft.anchor }, (res) => {
                    if (!res.ok) return resolve(errorKeyOf(res));
                    setDraft(null);
                    setActive(res.commentId);
                    resolve(null);
                  }),
                )
              }
            />
          </div>
        ) : null}
        <div aria-live="polite" className="stack">
          {loaded && threads.length === 0 && !draft ? <p className="muted">{t("comments.none")}</p> : null}
          {open.length ? (
            <ol className="comment-list" aria-label={t("comments.openList")}>
              {open.map((thread) => (
                <Thread
                  key={thread.id}
                  thread={thread}
                  removed={!editor || !resolveAnchor(editor.state, thread.anchor)}
                  active={thread.id === active}
                  shownName={shownName}
                  canComment={canComment}
                  onGo={() => goTo(thread)}
                />
              ))}
            </ol>
          ) : null}
        </div>
        {resolved.length ? (
          <div className="stack-sm">
            <button
              type="button"
              className="button button--quiet button--small"
              aria-expanded={showResolved}
              onClick={() => setShowResolved((v) => !v)}
            >
              {t(showResolved ? "comments.hideResolved" : "comments.showResolved", { count: resolved.length })}
            </button>
            {showResolved ? (
              <ol className="comment-list" aria-label={t("comments.resolvedList")}>
                {resolved.map((thread) => (
                  <Thread
                    key={thread.id}
                    thread={thread}
                    removed={!editor || !resolveAnchor(editor.state, thread.anchor)}
                    active={false}
                    shownName={shownName}
                    canComment={canComment}
                    onGo={() => goTo(thread)}
                  />
                ))}
              </ol>
            ) : null}
          </div>
        ) : null}
      </section>
    </div>
  );
}

function Byline({ comment, shownName }: { comment: CommentView; shownName: (name: string) => string }) {
  const { t } = useTranslation("documents");
  return (
    <p className="comment__byline">
      <span className="comment__author">{comment.mine ? t("comments.you") : shownName(comment.author)}</span>{" "}
      <span className="muted">
        <DateTime value={comment.createdAt} options={{ dateStyle: "medium", timeStyle: "short" }} />
      </span>
    </p>
  );
}

function Thread({
  thread,
  removed,
  active,
  shownName,
  canComment,
  onGo,
}: {
  thread: CommentThreadView;
  removed: boolean;
  active: boolean;
  shownName: (name: string) => string;
  canComment: boolean;
  onGo: () => void;
}) {
  const { t } = useTranslation("documents");
  const { socket } = useRealtime();
  const [replying, setReplying] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const act = (event: "comments:resolve" | "comments:delete", payload: { commentId: number; resolved?: boolean }) => {
    const done = (res: { ok: true } | { ok: false; error: string; message: string }) => setProblem(res.ok ? null : errorKeyOf(res));
    if (event === "comments:resolve") socket?.emit(event, { commentId: payload.commentId, resolved: !!payload.resolved }, done);
    else socket?.emit(event, { commentId: payload.commentId }, done);
  };
  return (
    <li className={`comment stack-sm${active ? " comment--active" : ""}`} data-testid="comment-thread" data-comment-id={thread.id}>
      {removed ? (
        <p className="comment__removed">
          {t("comments.removedPassage")} <q className="comment__quote-inline">{thread.quote}</q>
        </p>
      ) : (
        <p>
          <button type="button" className="comment__quote-link" onClick={onGo}>
            <span className="visually-hidden">{t("comments.goToPassage")} </span>
            <q>{thread.quote}</q>
          </button>
        </p>
      )}
      <Byline comment={thread} shownName={shownName} />
      <p className="comment__body">{thread.body}</p>
      {thread.resolvedAt ? <p className="badge">{t("comments.resolved")}</p> : null}
      {thread.replies.length ? (
        <ol className="comment-replies" aria-label={t("comments.replies", { count: thread.replies.length })}>
          {thread.replies.map((reply) => (
            <li key={reply.id} className="comment-reply stack-sm" data-testid="comment-reply">
              <Byline comment={reply} shownName={shownName} />
              <p className="comment__body">{reply.body}</p>
              {reply.canDelete ? (
                <button
                  type="button"
                  className="button button--quiet button--small"
                  onClick={() => act("comments:delete", { commentId: reply.id })}
                >
                  {t("comments.deleteReply")}
                </button>
              ) : null}
            </li>
          ))}
        </ol>
      ) : null}
      {problem ? (
        <p className="field__error" role="alert">
          {t(problem as "comments.errors.failed")}
        </p>
      ) : null}
      {replying ? (
        <CommentForm
          label={t("comments.replyLabel")}
          submit={t("comments.sendReply")}
          autoFocus
          onCancel={() => setReplying(false)}
          onSubmit={(body) =>
            new Promise((resolve) =>
              socket?.emit("comments:reply", { commentId: thread.id, body }, (res) => {
                if (!res.ok) return resolve(errorKeyOf(res));
                setReplying(false);
                resolve(null);
              }),
            )
          }
        />
      ) : null}
      <div className="comment__actions">
        {canComment && !replying && !thread.resolvedAt ? (
          <button type="button" className="button button--quiet button--small" onClick={() => setReplying(true)}>
            {t("comments.reply")}
          </button>
        ) : null}
        {thread.canResolve ? (
          <button
            type="button"
            className="button button--quiet button--small"
            onClick={() => act("comments:resolve", { commentId: thread.id, resolved: !thread.resolvedAt })}
          >
            {thread.resolvedAt ? t("comments.reopen") : t("comments.resolve")}
          </button>
        ) : null}
        {thread.canDelete ? (
          <button
            type="button"
            className="button button--quiet button--small"
            onClick={() => act("comments:delete", { commentId: thread.id })}
          >
            {t("comments.delete")}
          </button>
        ) : null}
      </div>
    </li>
  );
}
