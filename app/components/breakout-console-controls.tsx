import { Form, Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import type { BreakoutState } from "../realtime/protocol";
import { FormAlert, SubmitButton, TextAreaField, TextField } from "./form";
import { BreakoutTimer, type ServerTimer } from "./breakout-timer";

/** What the console's action answers: done (with a message key), refused or invalid (with what was typed), or a question. */
export type ConsoleResult =
  | { ok: true; intent: string; done: string; params?: Record<string, string>; at: number }
  | { ok: false; intent: string; errors: Record<string, string>; values: Record<string, string>; confirm?: boolean };

const failed = (result: ConsoleResult | undefined, ...intents: string[]) =>
  result && !result.ok && intents.includes(result.intent) ? result : null;

/** The form-level message of a result for these intents: what was done, or why not. */
export function ConsoleMessage({ result, intents }: { result: ConsoleResult | undefined; intents: string[] }) {
  const { t } = useTranslation(["breakoutRoom", "common"]);
  if (!result || !intents.includes(result.intent)) return null;
  // The keys come from the action: messages of this namespace, or common errors.
  const translate = t as unknown as (key: string, values?: Record<string, string>) => string;
  if (result.ok) return <FormAlert tone="success" message={translate(result.done, result.params)} />;
  return result.errors.form ? <FormAlert message={translate(result.errors.form)} /> : null;
}

/** Opening and closing every room at once; closing asks first. */
export function ConsoleOpenClose({ status, result }: { status: BreakoutState["status"]; result: ConsoleResult | undefined }) {
  const { t } = useTranslation("breakoutRoom");
  const asking = !!failed(result, "close")?.confirm && status === "open";
  return (
    <section className="panel stack" aria-labelledby="console-rooms-state">
      <h2 id="console-rooms-state">{t("console.status", { status: t(`status.${status}`) })}</h2>
      <div role="status" aria-live="polite">
        <ConsoleMessage result={result} intents={["open", "close"]} />
      </div>
      {status !== "open" ? (
        <Form method="post">
          <SubmitButton intent="open" pendingLabel={t("console.opening")}>
            {status === "closed" ? t("console.reopen") : t("console.open")}
          </SubmitButton>
        </Form>
      ) : asking ? (
        <div className="stack breakout-confirm" role="alertdialog" aria-labelledby="close-confirm">
          <p id="close-confirm">{t("console.closeConfirm")}</p>
          <Form method="post" className="inline-form">
            <input type="hidden" name="confirm" value="yes" />
            {/* Focus moves to the decision, so a keyboard or screen-reader user is asked at once. */}
            <SubmitButton intent="close" className="button button--danger" autoFocus>
              {t("console.closeYes")}
            </SubmitButton>
            <Link className="button button--quiet" to="." replace>
              {t("console.closeCancel")}
            </Link>
          </Form>
        </div>
      ) : (
        <Form method="post">
          <SubmitButton intent="close" className="button button--danger">
            {t("console.close")}
          </SubmitButton>
        </Form>
      )}
    </section>
  );
}

/** The countdown every room sees: start, extend, stop. */
export function ConsoleTimer({ timer, open, result }: { timer: ServerTimer; open: boolean; result: ConsoleResult | undefined }) {
  const { t } = useTranslation("breakoutRoom");
  const start = failed(result, "timer-start");
  const extend = failed(result, "timer-extend");
  const startMinutes = start?.values.minutes ?? "10";
  // The fields start afresh after a countdown change, and keep what was typed through anything else.
  const timerDone = result?.ok && result.intent.startsWith("timer-") ? result.at : "kept";
  return (
    <section className="panel stack" aria-labelledby="console-timer">
      <h2 id="console-timer">{t("console.timer.title")}</h2>
      <BreakoutTimer timer={timer} />
      <div role="status" aria-live="polite">
        <ConsoleMessage result={result} intents={["timer-start", "timer-extend", "timer-stop"]} />
      </div>
      {open ? (
        <Form method="post" className="inline-form breakout-console__timer-form">
          <TextField
            name="minutes"
            label={t("console.timer.minutes")}
            hint={t("console.timer.minutesHint")}
            inputMode="numeric"
            defaultValue={startMinutes}
            error={start?.errors.minutes}
            key={`start-${timerDone}`}
          />
          <SubmitButton intent="timer-start">{t("console.timer.startLabel")}</SubmitButton>
        </Form>
      ) : null}
      {open && timer.endsAt ? (
        <>
          <Form method="post" className="inline-form breakout-console__timer-form">
            <TextField
              name="minutes"
              label={t("console.timer.extendLabel")}
              hint={t("console.timer.minutesHint")}
              inputMode="numeric"
              defaultValue={extend?.values.minutes ?? "5"}
              error={extend?.errors.minutes}
              key={`extend-${timerDone}`}
            />
            <SubmitButton intent="timer-extend" className="button button--quiet">
              {t("console.timer.extend")}
            </SubmitButton>
          </Form>
          <Form method="post">
            <SubmitButton intent="timer-stop" className="button button--quiet">
              {t("console.timer.stop")}
            </SubmitButton>
          </Form>
        </>
      ) : null}
    </section>
  );
}

/** A message to every room's chat. */
export function ConsoleBroadcast({ result }: { result: ConsoleResult | undefined }) {
  const { t } = useTranslation("breakoutRoom");
  const refused = failed(result, "broadcast");
  return (
    <section className="panel stack" aria-labelledby="console-broadcast">
      <h2 id="console-broadcast">{t("console.broadcast.title")}</h2>
      <div role="status" aria-live="polite">
        <ConsoleMessage result={result} intents={["broadcast"]} />
      </div>
      <Form method="post" className="stack" key={result?.ok && result.intent === "broadcast" ? result.at : "kept"}>
        <TextAreaField
          name="body"
          label={t("console.broadcast.body")}
          hint={t("console.broadcast.hint")}
          rows={3}
          maxLength={2000}
          defaultValue={refused?.values.body ?? ""}
          error={refused?.errors.body}
        />
        <SubmitButton intent="broadcast">{t("console.broadcast.send")}</SubmitButton>
      </Form>
    </section>
  );
}
