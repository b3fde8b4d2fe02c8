import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { Trans, useTranslation } from "react-i18next";
import { FormAlert, NewPasswordFields, SelectField, SubmitButton, TextField } from "../components/form";
import { changePassword, getPerson, updateAccount } from "../models/people.server";
import { listUserSessions, revokeSession } from "../models/session.server";
import { forbidden, requirePermission } from "../utils/auth.server";
import { parseForm, readForm } from "../utils/forms.server";
import { DateTime } from "../components/time";
import { AccountSchema, PasswordChangeSchema } from "../utils/validation";
import { pageTitle } from "../utils/meta";
import { displayTimeZone, offeredTimeZones } from "../utils/time-zones";

export const meta: MetaFunction = pageTitle("titles.account");

export function loader({ request, context }: LoaderFunctionArgs) {
  const user = requirePermission(context, request, "account.manage");
  const db = context.services.db;
  const person = getPerson(db, user.id)!;
  return {
    profile: {
      name: person.name,
      email: person.email,
      timeZone: person.timeZone ? displayTimeZone(person.timeZone) : "",
      role: person.role,
    },
    currentSessionId: context.auth!.session.id,
    sessions: listUserSessions(db, user.id),
    timeZones: offeredTimeZones(),
  };
}

type Section = "profile" | "password" | "sessions";
type Result = { ok: boolean; section: Section; message?: string; errors: Record<string, string>; values: Record<string, string> };

export async function action({ request, context }: ActionFunctionArgs) {
  const user = requirePermission(context, request, "account.manage");
  const auth = context.auth!;
  const { db } = context.services;
  const form = await readForm(request);
  const done = (section: Section, message: string) => data<Result>({ ok: true, section, message, errors: {}, values: {} });

  switch (form.get("intent")) {
    case "profile": {
      const parsed = parseForm(form, AccountSchema);
      if (!parsed.ok) return data<Result>({ ...parsed, section: "profile" }, { status: 400 });
      updateAccount(db, user, parsed.data, context.requestMeta);
      return done("profile", "account.profileSaved");
    }
    case "password": {
      const parsed = parseForm(form, PasswordChangeSchema);
      if (!parsed.ok) return data<Result>({ ...parsed, section: "password" }, { status: 400 });
      const result = await changePassword(db, user, auth.session.id, parsed.data, context.requestMeta);
      if (!result.ok)
        return data<Result>({ ok: false, section: "password", errors: { [result.field]: result.error }, values: {} }, { status: 400 });
      return done("password", "account.passwordChanged");
    }
    case "revoke": {
      const sessionId = String(form.get("sessionId") ?? "");
      const result = revokeSession(db, user, sessionId, context.requestMeta);
      if (!result.ok && result.reason === "forbidden") throw forbidden();
      if (!result.ok)
        return data<Result>({ ok: false, section: "sessions", message: "errors.alreadyClosed", errors: {}, values: {} }, { status: 404 });
      if (sessionId === auth.session.id) return redirect("/sign-in", { headers: { "Set-Cookie": context.sessionCookie.clear() } });
      return done("sessions", "account.revoked");
    }
    default:
      return data<Result>({ ok: false, section: "profile", errors: { form: "errors.invalidValue" }, values: {} }, { status: 400 });
  }
}

function describeAgent(ua: string | null): string {
  if (!ua) return "—";
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /Firefox\//.test(ua)
      ? "Firefox"
      : /Chrom(e|ium)\//.test(ua)
        ? "Chrome"
        : /Safari\//.test(ua)
          ? "Safari"
          : null;
  const os = /Windows/.test(ua)
    ? "Windows"
    : /Android/.test(ua)
      ? "Android"
      : /iPhone|iPad/.test(ua)
        ? "iOS"
        : /Mac OS X/.test(ua)
          ? "macOS"
          : /Linux/.test(ua)
            ? "Linux"
            : null;
  return [browser, os].filter(Boolean).join(" · ") || ua.slice(0, 60);
}

export default function Account() {
  const { t } = useTranslation();
  const { t: ts } = useTranslation("security");
  const { profile, sessions, currentSessionId, timeZones } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const section = (s: Section) => (result?.section === s ? result : null);
  const profileResult = section("profile");
  const passwordResult = section("password");
  const sessionsResult = section("sessions");
  const profileValues = profileResult && !profileResult.ok ? profileResult.values : profile;

  return (
    <div className="stack-lg">
      <header className="page-header">
        <h1>{t("account.title")}</h1>
        <p className="lead">
          {profile.email} · {t(`roles.${profile.role}`)}
        </p>
        <Link to="/account/security">{ts("account.link")}</Link>
      </header>
      <div className="two-col">
        <section aria-labelledby="profile-title" className="panel">
          <h2 id="profile-title">{t("account.profileTitle")}</h2>
          <Form method="post" noValidate className="stack">
            <FormAlert message={profileResult?.message ? t(profileResult.message as "account.profileSaved") : null} tone="success" />
            <TextField
              name="name"
              label={t("fields.fullName")}
              autoComplete="name"
              required
              defaultValue={profileValues.name}
              error={profileResult?.errors.name}
            />
            <SelectField
              name="timeZone"
              label={t("fields.timeZone")}
              hint={t("fields.timeZoneHint")}
              defaultValue={profileValues.timeZone ?? ""}
              error={profileResult?.errors.timeZone}
              options={[
                { value: "", label: t("fields.browserTimeZone") },
                ...timeZones.map((z) => ({ value: z, label: z.replaceAll("_", " ") })),
              ]}
            />
            <SubmitButton intent="profile" pendingLabel={t("common.saving")}>
              {t("common.save")}
            </SubmitButton>
          </Form>
        </section>
        <section aria-labelledby="password-title" className="panel">
          <h2 id="password-title">{t("account.passwordTitle")}</h2>
          <Form method="post" noValidate className="stack">
            <FormAlert message={passwordResult?.message ? t(passwordResult.message as "account.passwordChanged") : null} tone="success" />
            <TextField
              name="currentPassword"
              type="password"
              label={t("fields.currentPassword")}
              autoComplete="current-password"
              required
              error={passwordResult?.errors.currentPassword}
            />
            <NewPasswordFields errors={passwordResult?.errors} />
            <SubmitButton intent="password" pendingLabel={t("common.saving")}>
              {t("account.changePassword")}
            </SubmitButton>
          </Form>
        </section>
      </div>
      <section aria-labelledby="sessions-title" className="panel">
        <h2 id="sessions-title">{t("account.sessionsTitle")}</h2>
        <p className="muted">{t("account.sessionsLead")}</p>
        <FormAlert
          message={sessionsResult?.message ? t(sessionsResult.message as "account.revoked") : null}
          tone={sessionsResult?.ok ? "success" : "error"}
        />
        <ul className="row-list">
          {sessions.map((s) => (
            <li key={s.id} className="row-list__item" data-testid="session-item">
              <div>
                <span className="cell-title">
                  {describeAgent(s.userAgent)}
                  {s.id === currentSessionId ? <span className="badge badge--active">{t("account.thisDevice")}</span> : null}
                </span>
                <span className="cell-sub">
                  <Trans
                    i18nKey="account.sessionMeta"
                    values={{ ip: s.ipAddress ?? "—" }}
                    components={{ started: <DateTime value={s.createdAt} />, seen: <DateTime value={s.lastVerifiedAt} /> }}
                  />
                </span>
              </div>
              <Form method="post" className="inline-form">
                <input type="hidden" name="sessionId" value={s.id} />
                <SubmitButton intent="revoke" className="button button--quiet button--small">
                  {s.id === currentSessionId ? t("auth.signOut") : t("account.revoke")}
                </SubmitButton>
              </Form>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
