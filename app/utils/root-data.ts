import { useRouteLoaderData } from "@remix-run/react";
import type { loader } from "../root";
import type { FormatPrefs } from "./format";

export const useRootData = () => useRouteLoaderData<typeof loader>("root");

/** The reader's locale and time zone for Intl formatting. */
export function useFormatPrefs(): FormatPrefs {
  const data = useRootData();
  return { locale: data?.formatLocale ?? "en", timeZone: data?.timeZone ?? "UTC" };
}
