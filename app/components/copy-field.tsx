import { useId, useState } from "react";
import { useTranslation } from "react-i18next";

/** A read-only value with a copy button (the field stays selectable where the clipboard is unavailable). */
export function CopyField({ label, value }: { label: string; value: string }) {
  const { t } = useTranslation();
  const id = useId();
  const [copied, setCopied] = useState(false);
  return (
    <div className="copy-field">
      <label htmlFor={id} className="visually-hidden">
        {label}
      </label>
      <input id={id} readOnly value={value} onFocus={(e) => e.currentTarget.select()} />
      <button
        type="button"
        className="button button--small button--quiet"
        onClick={() => {
          void navigator.clipboard?.writeText(value).then(() => setCopied(true));
        }}
      >
        {copied ? t("common.copied") : t("common.copy")}
      </button>
      <span className="visually-hidden" role="status">
        {copied ? t("common.copied") : ""}
      </span>
    </div>
  );
}
