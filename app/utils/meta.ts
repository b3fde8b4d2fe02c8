import type { MetaArgs, MetaDescriptor } from "@remix-run/node";
import i18next, { type TFunction } from "i18next";
import { i18nConfig } from "../i18n";

const fixed = new Map<string, TFunction>();

/** A translator for `meta`, which runs outside React and so cannot use the hook. */
function translatorFor(locale: string): TFunction {
  let t = fixed.get(locale);
  if (!t) {
    const instance = i18next.createInstance();
    void instance.init({ ...i18nConfig, lng: locale, initImmediate: false });
    t = instance.getFixedT(locale);
    fixed.set(locale, t);
  }
  return t;
}

/** The page title in the reader's language: "<page> · Convene". */
export function pageTitle(key: string) {
  return ({ matches }: Pick<MetaArgs, "matches">): MetaDescriptor[] => {
    const root = matches.find((m) => m.id === "root")?.data as { locale?: string } | undefined;
    const t = translatorFor(root?.locale ?? "en");
    return [{ title: `${t(key as "titles.home")} · Convene` }];
  };
}

/** Like `pageTitle`, with values taken from the route's loader data ("Annual progress report 2025"). */
export function pageTitleWith<D>(key: string, valuesOf: (data: D) => Record<string, unknown>) {
  return ({ matches, data }: Pick<MetaArgs, "matches"> & { data: D | undefined }): MetaDescriptor[] => {
    const root = matches.find((m) => m.id === "root")?.data as { locale?: string } | undefined;
    const t = translatorFor(root?.locale ?? "en");
    return [{ title: `${data ? t(key as "titles.home", valuesOf(data) as never) : ""} · Convene` }];
  };
}
