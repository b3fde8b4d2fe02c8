import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useRevalidator } from "@remix-run/react";
import { startRegistration } from "@simplewebauthn/browser";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { FormAlert, SubmitButton, TextField } from "../components/form";
import { postJson, RecoveryCodes, TotpSetupSteps, useHydrated } from "../components/second-factor";
import { DateTime } from "../components/time";
import {
  accountSecurity,
  confirmTotpEnrolment,
  regenerateRecoveryCodes,
  removePasskey,
  removeTotp,
  startTotpEnrolment,
  turnOffSecondFactor,
} from "../models/second-factor.server";
import { requirePermission } from "../utils/auth.server";
import { readForm } from "../utils/forms.server";
import { pageTitle } from "../utils/meta";

export const meta: MetaFunction = pageTitle("security:titles.account");

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = requirePermission(context, request, "account.manage");
  return accountSecurity(context.services.db, user);
}

const Intent = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("totp-start") }),
  z.object({ intent: z.literal("totp-confirm"), code: z.string().trim().min(1, "errors.required").max(20, "errors.tooLong") }),
  z.object({ intent: z.literal("totp-remove") }),
  z.object({ intent: z.literal("recovery-regenerate") }),
  z.object({ intent: z.literal("passkey-remove"), passkeyId: z.string().min(1).max(1024) }),
  z.object({ intent: z.literal("turn-off") }),
]);

type Result = { ok: boolean; message?: string; error?: string; recoveryCodes?: string[] | null };

const REFUSALS: Record<string, string> = {
  invalid: "security:errors.codeInvalid",
  required: "security:errors.required",
  not_found: "security:errors.notFound",
  enrolled: "security:errors.alreadyEnrolled",
};

export async function action({ request, context }: ActionFunctionArgs) {
  const user = requirePermission(context, request, "account.manage");
  const { db } = context.services;
  const meta = context.requestMeta;
  const parsed = Intent.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) return data<Result>({ ok: false, error: "security:errors.codeMissing" }, { status: 400 });
  const input = parsed.data;
  const result =
    input.intent === "totp-start"
      ? startTotpEnrolment(db, user)
      : input.intent === "totp-confirm"
        ? confirmTotpEnrolment(db, user, input.code, meta)
        : input.intent === "totp-remove"
          ? removeTotp(db, user, meta)
          : input.intent === "recovery-regenerate"
            ? regenerateRecoveryCodes(db, user, meta)
            : input.intent === "passkey-remove"
              ? removePasskey(db, user, input.passkeyId, meta)
              : turnOffSecondFactor(db, user, meta);
  if (!result.ok) {
    const status = result.reason === "required" ? 403 : result.reason === "not_found" ? 404 : 400;
    return data<Result>({ ok: false, error: REFUSALS[result.reason] }, { status });
  }
  const recoveryCodes = "recoveryCodes" in result ? (result.recoveryCodes as string[] | null) : null;
  return data<Result>({ ok: true, message: `security:done.${input.intent}`, recoveryCodes });
}

function AddPasskey({ onCodes }: { onCodes: (codes: string[]) => void }) {
  const { t } = useTranslation("security");
  const revalidator = useRevalidator();
  const hydrated = useHydrated();
  const [name, setName] = useState("");
  const [message, setMessage] = useState<{ tone: "error" | "success"; key: string } | null>(null);
  async function add(event: React.FormEvent) {
    event.preventDefault();
    setMessage(null);
    try {
      const options = await postJson<{ options: Parameters<typeof startRegistration>[0]["optionsJSON"] }>("/account/passkeys", {
        intent: "options",
      });
      if (!options.ok) throw new Error(options.error);
      const response = await startRegistration({ optionsJSON: options.options });
      const result = await postJson<{ recoveryCodes: string[] | null }>("/account/passkeys", {
        intent: "verify",
        response,
        name: name.trim() || t("passkeys.defaultName"),
      });
      if (!result.ok) throw new Error(result.error);
      if (result.recoveryCodes) onCodes(result.recoveryCodes);
      setName("");
      setMessage({ tone: "success", key: "done.passkey-add" });
      revalidator.revalidate();
    } catch (e) {
      const key = (e as Error).message;
      setMessage({ tone: "error", key: key.startsWith("security:") ? key.slice("security:".length) : "errors.passkeyFailed" });
    }
  }
  return (
    <form method="post" onSubmit={add} noValidate className="stack">
      <FormAlert message={message ? t(message.key as "errors.passkeyFailed") : null} tone={message?.tone} />
      <TextField
        name="name"
        label={t("passkeys.nameLabel")}
        hint={t("passkeys.nameHint")}
        value={name}
        onChange={(e) => setName(e.target.value)}
      />
      <button type="submit" className="button" disabled={!hydrated}>
        {t("passkeys.add")}
      </button>
    </form>
  );
}

export default function AccountSecurity() {
  const { t } = useTranslation("security");
  const state = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [passkeyCodes, setPasskeyCodes] = useState<string[] | null>(null);
  const codes = result?.recoveryCodes ?? passkeyCodes;
  const anyFactor = state.totpEnrolled || state.passkeys.length > 0;
  return (
    <div className="stack-lg">
      <header className="page-header">
        <h1>{t("account.title")}</h1>
        <p className="lead">{state.required ? t("account.required") : t("account.optional")}</p>
        <Link to="/account">{t("account.back")}</Link>
      </header>
      <FormAlert
        message={result?.error ? t(result.error as "errors.codeInvalid") : result?.message ? t(result.message as "done.totp-start") : null}
        tone={result?.ok ? "success" : "error"}
      />
      {codes ? <RecoveryCodes codes={codes} /> : null}

      <section aria-labelledby="totp-title" className="panel stack">
        <h2 id="totp-title">{t("totp.title")}</h2>
        {state.totpEnrolled ? (
          <>
            <p>{t("totp.enrolled")}</p>
            <Form method="post">
              <SubmitButton intent="totp-remove" className="button button--quiet">
                {t("totp.remove")}
              </SubmitButton>
            </Form>
          </>
        ) : state.totpSetup ? (
          <>
            <TotpSetupSteps setup={state.totpSetup} />
            <Form method="post" noValidate className="stack">
              <TextField
                name="code"
                label={t("verify.codeLabel")}
                hint={t("enrol.codeHint")}
                inputMode="numeric"
                autoComplete="one-time-code"
                maxLength={6}
                required
              />
              <SubmitButton intent="totp-confirm" pendingLabel={t("verify.checking")}>
                {t("enrol.submit")}
              </SubmitButton>
            </Form>
          </>
        ) : (
          <>
            <p>{t("totp.intro")}</p>
            <Form method="post">
              <SubmitButton intent="totp-start">{t("totp.start")}</SubmitButton>
            </Form>
          </>
        )}
      </section>

      <section aria-labelledby="passkeys-title" className="panel stack">
        <h2 id="passkeys-title">{t("passkeys.title")}</h2>
        <p className="muted">{t("passkeys.intro")}</p>
        {state.passkeys.length > 0 ? (
          <ul className="row-list">
            {state.passkeys.map((k) => (
              <li key={k.id} className="row-list__item" data-testid="passkey-item">
                <div>
                  <span className="cell-title">{k.name}</span>
                  <span className="cell-sub">
                    {t("passkeys.added")} <DateTime value={k.createdAt} />
                  </span>
                </div>
                <Form method="post" className="inline-form">
                  <input type="hidden" name="passkeyId" value={k.id} />
                  <SubmitButton
                    intent="passkey-remove"
                    className="button button--quiet button--small"
                    aria-label={t("passkeys.removeNamed", { name: k.name })}
                  >
                    {t("passkeys.remove")}
                  </SubmitButton>
                </Form>
              </li>
            ))}
          </ul>
        ) : null}
        <AddPasskey onCodes={setPasskeyCodes} />
      </section>

      {anyFactor ? (
        <section aria-labelledby="recovery-title" className="panel stack">
          <h2 id="recovery-title">{t("recovery.panelTitle")}</h2>
          <p>{t("recovery.left", { count: state.recoveryCodesLeft })}</p>
          <Form method="post">
            <SubmitButton intent="recovery-regenerate" className="button button--quiet">
              {t("recovery.regenerate")}
            </SubmitButton>
          </Form>
        </section>
      ) : null}

      {anyFactor && !state.required ? (
        <section aria-labelledby="off-title" className="panel stack">
          <h2 id="off-title">{t("off.title")}</h2>
          <p>{t("off.lead")}</p>
          <Form method="post">
            <SubmitButton intent="turn-off" className="button button--danger">
              {t("off.submit")}
            </SubmitButton>
          </Form>
        </section>
      ) : null}
    </div>
  );
}
