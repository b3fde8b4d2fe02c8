import { useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { MAX_CHAT_LENGTH, type BreakoutMessageView } from "../realtime/protocol";
import { formatDateTime } from "../utils/format";
import { useFormatPrefs } from "../utils/root-data";
import type { RoomRequestResult } from "./breakout-room-live";
import { usePersonLabel } from "./breakout-room-people";

type ChatError = Exclude<RoomRequestResult, { ok: true }>["error"];
const knownErrors = new Set(["invalid_payload", "closed", "forbidden", "not_found", "rate_limited", "offline"]);

function ChatMessage({ message }: { message: BreakoutMessageView }) {
  const { t } = useTranslation("breakoutRoom");
  const prefs = useFormatPrefs();
  const label = usePersonLabel();
  return (
    <li className={`breakout-chat__message${message.broadcast ? " breakout-chat__message--broadcast" : ""}`} data-message-id={message.id}>
      <p className="breakout-chat__meta">
        <strong>{message.broadcast ? t("chat.broadcast") : label(message.author)}</strong>{" "}
        <span className="muted">
          <span className="visually-hidden">{t("chat.at")} </span>
          <time dateTime={message.at} suppressHydrationWarning>
            {formatDateTime(message.at, prefs, { dateStyle: undefined, timeStyle: "short" })}
          </time>
        </span>
      </p>
      <p className="breakout-chat__body">{message.body}</p>
    </li>
  );
}

/**
 * The room's chat: its history and new messages in an announced log, and a form to post. What was typed stays in the
 * box until the server has stored it; a refusal is said next to the box.
 */
export function RoomChat({
  messages,
  mayWrite,
  onSend,
  record = false,
}: {
  messages: BreakoutMessageView[];
  mayWrite: boolean;
  onSend: (body: string) => Promise<RoomRequestResult>;
  /** The stored chat read after the room closed. */
  record?: boolean;
}) {
  const { t } = useTranslation("breakoutRoom");
  const [body, setBody] = useState("");
  const [error, setError] = useState<ChatError | null>(null);
  const [sending, setSending] = useState(false);
  const logRef = useRef<HTMLDivElement>(null);
  const id = useId();

  // Keep the newest message in view as they arrive.
  useEffect(() => {
    const log = logRef.current;
    if (log) log.scrollTop = log.scrollHeight;
  }, [messages.length]);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (sending) return;
    const text = body.trim();
    if (text.length === 0 || text.length > MAX_CHAT_LENGTH) {
      setError("invalid_payload");
      return;
    }
    setSending(true);
    const result = await onSend(text);
    setSending(false);
    if (result.ok) {
      setBody("");
      setError(null);
    } else setError(result.error);
  };

  return (
    <section className="panel stack breakout-chat" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t("chat.title")}</h2>
      {record ? <p className="muted">{t("chat.record")}</p> : null}
      {messages.length ? (
        // The log scrolls, so it takes focus for keyboard readers; new messages are announced politely.
        <div className="breakout-chat__log" role="log" aria-label={t("chat.log")} ref={logRef} tabIndex={0} data-testid="chat-log">
          <ol className="breakout-chat__list">
            {messages.map((m) => (
              <ChatMessage key={m.id} message={m} />
            ))}
          </ol>
        </div>
      ) : (
        <p className="muted" role="log" aria-label={t("chat.log")} data-testid="chat-log">
          {t("chat.empty")}
        </p>
      )}
      {mayWrite ? (
        <form className="stack breakout-chat__form" onSubmit={(e) => void submit(e)} noValidate>
          <div className={`field${error ? " field--invalid" : ""}`}>
            <label htmlFor={`${id}-body`}>{t("chat.message")}</label>
            <textarea
              id={`${id}-body`}
              name="body"
              rows={2}
              maxLength={MAX_CHAT_LENGTH}
              value={body}
              onChange={(e) => setBody(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) void submit(e);
              }}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? `${id}-hint ${id}-error` : `${id}-hint`}
            />
            <p className="field__hint" id={`${id}-hint`}>
              {t("chat.hint")}
            </p>
            {error ? (
              <p className="field__error" id={`${id}-error`} role="alert">
                {t(`chat.error.${knownErrors.has(error) ? (error as "closed") : "other"}`)}
              </p>
            ) : null}
          </div>
          <p>
            <button type="submit" className="button" aria-disabled={sending || undefined}>
              {sending ? t("chat.sending") : t("chat.send")}
            </button>
          </p>
        </form>
      ) : null}
    </section>
  );
}
