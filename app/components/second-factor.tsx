import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";

/** False in the server's HTML and until the page's scripts run: passkey buttons need them. */
export function useHydrated(): boolean {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}

/** Recovery codes, shown once right after they are made, with what to do with them. */
export function RecoveryCodes({ codes }: { codes: string[] }) {
  const { t } = useTranslation("security");
  return (
    <section aria-labelledby="recovery-codes-title" className="alert alert--info stack">
      <h2 id="recovery-codes-title">{t("recovery.title")}</h2>
      <p>{t("recovery.showOnce", { count: codes.length })}</p>
      <ol className="stack" data-testid="recovery-codes">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ol>
    </section>
  );
}

/** POSTs JSON to one of our passkey endpoints; the answer's `error` is a translation key. */
export async function postJson<T>(url: string, body: unknown): Promise<T & { ok: boolean; error?: string }> {
  const res = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const json = (await res.json().catch(() => ({ ok: false, error: "errors.passkeyFailed" }))) as T & { ok: boolean; error?: string };
  return json;
}

/** The QR code to scan, and the same secret as text for typing into the app. */
export function TotpSetupSteps({ setup }: { setup: { qr: string; grouped: string } }) {
  const { t } = useTranslation("security");
  return (
    <div className="stack">
      <p>{t("totp.scan")}</p>
      <img src={setup.qr} alt={t("totp.qrAlt")} width={200} height={200} />
      <p>
        {t("totp.manual")}{" "}
        <code id="totp-secret" data-testid="totp-secret">
          {setup.grouped}
        </code>
      </p>
    </div>
  );
}
