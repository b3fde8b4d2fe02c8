import enAccess from "./locales/en/access.json";
import enAgenda from "./locales/en/agenda.json";
import enCalendar from "./locales/en/calendar.json";
import enCommitment from "./locales/en/commitment.json";
import enCommitments from "./locales/en/commitments.json";
import enCycles from "./locales/en/cycles.json";
import en from "./locales/en/common.json";
import enDocuments from "./locales/en/documents.json";
import enGroups from "./locales/en/groups.json";
import enRegistry from "./locales/en/registry.json";
import enReport from "./locales/en/report.json";
import enSecurity from "./locales/en/security.json";
import enBreakouts from "./locales/en/breakouts.json";
import enBreakoutRoom from "./locales/en/breakoutRoom.json";
import enBreakoutReports from "./locales/en/breakoutReports.json";

export const supportedLanguages = ["en"] as const;
export const defaultNS = "common";
/** One namespace per feature area, so each keeps its own file. */
export const resources = {
  en: {
    common: en,
    agenda: enAgenda,
    calendar: enCalendar,
    groups: enGroups,
    documents: enDocuments,
    commitments: enCommitments,
    registry: enRegistry,
    commitment: enCommitment,
    cycles: enCycles,
    report: enReport,
    access: enAccess,
    security: enSecurity,
    breakouts: enBreakouts,
    breakoutRoom: enBreakoutRoom,
    breakoutReports: enBreakoutReports,
  },
} as const;

/** Shared by the server and the browser; translations are bundled, so no backend fetch is needed. */
export const i18nConfig = {
  supportedLngs: [...supportedLanguages],
  fallbackLng: "en",
  defaultNS,
  ns: [
    "common",
    "agenda",
    "calendar",
    "groups",
    "documents",
    "commitments",
    "registry",
    "commitment",
    "cycles",
    "report",
    "access",
    "security",
    "breakouts",
    "breakoutRoom",
    "breakoutReports",
  ],
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
