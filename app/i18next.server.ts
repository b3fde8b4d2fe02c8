import { RemixI18Next } from "remix-i18next/server";
import { i18nConfig, supportedLanguages } from "./i18n";

export const i18next = new RemixI18Next({
  detection: { supportedLanguages: [...supportedLanguages], fallbackLanguage: "en", order: ["header"] },
  i18next: i18nConfig,
});
