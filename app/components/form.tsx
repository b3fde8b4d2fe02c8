import { useActionData, useLocation, useNavigation } from "@remix-run/react";
import type { SerializeFrom } from "@remix-run/node";
import { forwardRef, useEffect, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { formatCalendarDate } from "../utils/format";
import { readMessage } from "../utils/messages";
import { useFormatPrefs } from "../utils/root-data";

interface FieldBase {
  name: string;
  label: string;
  error?: string;
  hint?: string;
}

function useFieldIds(name: string, error?: string, hint?: string) {
  const id = `${useId()}-${name}`;
  const errorId = error ? `${id}-error` : undefined;
  const hintId = hint ? `${id}-hint` : undefined;
  return { id, errorId, hintId, describedBy: [hintId, errorId].filter(Boolean).join(" ") || undefined };
}

function FieldMessages({ hint, hintId, error, errorId }: { hint?: string; hintId?: string; error?: string; errorId?: string }) {
  const { t } = useTranslation();
  // Keys come from the server at run time, some with values (`readMessage`).
  const translate = t as unknown as (key: string, values?: Record<string, string>) => string;
  const { locale } = useFormatPrefs();
  const message = error ? readMessage(error, (date) => formatCalendarDate(date, locale, { dateStyle: "long" })) : null;
  return (
    <>
      {hint ? (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {message ? (
        <p className="field__error" id={errorId}>
          {translate(message.key, message.values)}
        </p>
      ) : null}
    </>
  );
}

export const TextField = forwardRef<HTMLInputElement, FieldBase & React.InputHTMLAttributes<HTMLInputElement>>(function TextField(
  { name, label, error, hint, ...input },
  ref,
) {
  const ids = useFieldIds(name, error, hint);
  return (
    <div className={`field${error ? " field--invalid" : ""}`}>
      <label htmlFor={ids.id}>{label}</label>
      <input ref={ref} id={ids.id} name={name} aria-invalid={error ? true : undefined} aria-describedby={ids.describedBy} {...input} />
      <FieldMessages hint={hint} hintId={ids.hintId} error={error} errorId={ids.errorId} />
    </div>
  );
});

export function TextAreaField({ name, label, error, hint, ...textarea }: FieldBase & React.TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const ids = useFieldIds(name, error, hint);
  return (
    <div className={`field${error ? " field--invalid" : ""}`}>
      <label htmlFor={ids.id}>{label}</label>
      <textarea id={ids.id} name={name} aria-invalid={error ? true : undefined} aria-describedby={ids.describedBy} {...textarea} />
      <FieldMessages hint={hint} hintId={ids.hintId} error={error} errorId={ids.errorId} />
    </div>
  );
}

export function SelectField({
  name,
  label,
  error,
  hint,
  options,
  ...select
}: FieldBase & React.SelectHTMLAttributes<HTMLSelectElement> & { options: { value: string; label: string }[] }) {
  const ids = useFieldIds(name, error, hint);
  return (
    <div className={`field${error ? " field--invalid" : ""}`}>
      <label htmlFor={ids.id}>{label}</label>
      <select id={ids.id} name={name} aria-invalid={error ? true : undefined} aria-describedby={ids.describedBy} {...select}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <FieldMessages hint={hint} hintId={ids.hintId} error={error} errorId={ids.errorId} />
    </div>
  );
}

/** A form-level message (not tied to one field), announced when it appears. */
export function FormAlert({ message, tone = "error" }: { message?: string | null; tone?: "error" | "success" }) {
  if (!message) return null;
  return (
    <div className={`alert alert--${tone}`} role={tone === "error" ? "alert" : "status"}>
      {message}
    </div>
  );
}

/** A submit button that shows progress while its form is on its way. */
export function SubmitButton({
  children,
  pendingLabel,
  intent,
  className = "button",
  ...rest
}: React.ButtonHTMLAttributes<HTMLButtonElement> & { pendingLabel?: string; intent?: string }) {
  const navigation = useNavigation();
  const pending = navigation.state === "submitting" && (intent === undefined || navigation.formData?.get("intent") === intent);
  return (
    <button
      type="submit"
      className={className}
      name={intent ? "intent" : undefined}
      value={intent}
      aria-disabled={pending || undefined}
      {...rest}
    >
      {pending && pendingLabel ? pendingLabel : children}
    </button>
  );
}

export function EmptyState({ title, children }: { title: string; children?: React.ReactNode }) {
  return (
    <div className="empty-state">
      <p className="empty-state__title">{title}</p>
      {children ? <div className="empty-state__body">{children}</div> : null}
    </div>
  );
}

/** A new password and its confirmation, as every form that sets one asks for them (invitation, reset, account). */
export function NewPasswordFields({ errors }: { errors?: { password?: string; confirmPassword?: string } }) {
  const { t } = useTranslation();
  return (
    <>
      <TextField
        name="password"
        type="password"
        label={t("fields.newPassword")}
        hint={t("fields.passwordHint")}
        autoComplete="new-password"
        required
        error={errors?.password}
      />
      <TextField
        name="confirmPassword"
        type="password"
        label={t("fields.confirmPassword")}
        autoComplete="new-password"
        required
        error={errors?.confirmPassword}
      />
    </>
  );
}

/**
 * The last answer of this page's action, kept while the page's data is fetched again. A live page fetches its data
 * again when someone else changes something, and that clears `useActionData()`: the person's own "saved" or error
 * message would vanish before they could read it. It goes when the page sends its next form or navigates (a live
 * refresh is a revalidation, not a navigation).
 */
export function useKeptActionData<T>(): SerializeFrom<T> | undefined {
  const current = useActionData<T>();
  const { key } = useLocation();
  const submitting = useNavigation().state === "submitting";
  const [kept, setKept] = useState<{ key: string; data: SerializeFrom<T> } | null>(null);
  useEffect(() => {
    if (current !== undefined) setKept({ key, data: current });
  }, [current, key]);
  if (current !== undefined) return current;
  // Kept only on the same location (a navigation has a new one) and until the next form is sent.
  return kept && kept.key === key && !submitting ? kept.data : undefined;
}
