import { Form, Link } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";

/**
 * Asking before an action that cannot easily be undone (decision 036). The action's button posts as
 * usual; the server does nothing without `confirm=yes` and answers with the question instead, which the
 * page shows with this component. Its form posts the same intent again with `confirm=yes`. The same
 * round trip works without script, so nobody skips the question.
 */
export const CONFIRM_FIELD = "confirm";
const CONFIRM_VALUE = "yes";

/** Whether the person answered the question (server side: refuse the action when not). */
export function isConfirmed(form: FormData): boolean {
  return form.get(CONFIRM_FIELD) === CONFIRM_VALUE;
}

/**
 * The question, with "Yes, …" (posting `intent` and `fields` with `confirm=yes`) and Cancel (back to the
 * page as it was). Focus moves to the question when it appears, and back to the element with
 * `returnFocusTo` (the button that asked) when it goes.
 */
export function Confirm({
  question,
  detail,
  confirmLabel,
  intent,
  fields = {},
  returnFocusTo,
  danger = true,
}: {
  question: string;
  detail?: string;
  confirmLabel: string;
  intent: string;
  fields?: Record<string, string>;
  returnFocusTo?: string;
  danger?: boolean;
}) {
  const { t } = useTranslation();
  const box = useRef<HTMLDivElement>(null);
  const questionId = `confirm-${intent}`;
  useEffect(() => {
    box.current?.focus();
    return () => {
      // After Cancel or the action, the button that asked (if it is still there) takes focus back.
      if (!returnFocusTo) return;
      requestAnimationFrame(() => document.getElementById(returnFocusTo)?.focus());
    };
  }, [returnFocusTo]);
  return (
    <div
      ref={box}
      className="confirm stack"
      role="alertdialog"
      aria-labelledby={questionId}
      aria-describedby={detail ? `${questionId}-detail` : undefined}
      tabIndex={-1}
      data-testid="confirm"
    >
      <p id={questionId} className="confirm__question">
        {question}
      </p>
      {detail ? (
        <p id={`${questionId}-detail`} className="confirm__detail">
          {detail}
        </p>
      ) : null}
      <Form method="post" className="inline-form" preventScrollReset>
        {Object.entries(fields).map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
        <input type="hidden" name={CONFIRM_FIELD} value={CONFIRM_VALUE} />
        <button type="submit" name="intent" value={intent} className={`button${danger ? " button--danger" : ""}`}>
          {confirmLabel}
        </button>
        <Link to="." replace preventScrollReset className="button button--quiet">
          {t("confirm.cancel")}
        </Link>
      </Form>
    </div>
  );
}
