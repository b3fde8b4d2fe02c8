import en from "./locales/en/common.json";

export const supportedLanguages = ["en"] as const;
export const defaultNS = "common";
export const resources = { en: { common: en } } as const;

/** Shared by the server and the browser; translations are bundled, so no backend fetch is needed. */
export const i18nConfig = {
  supportedLngs: [...supportedLanguages],
  fallbackLng: "en",
  defaultNS,
  ns: [defaultNS],
  resources,
  interpolation: { escapeValue: false },
  react: { useSuspense: false },
};

declare module "i18next" {
  interface CustomTypeOptions {
    defaultNS: typeof defaultNS;
    resources: (typeof resources)["en"];
  }
}
