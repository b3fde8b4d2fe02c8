/** One fixed translator per language and namespace, for text the server writes outside a page (calendars, PDFs). */
import i18next, { type Namespace, type TFunction } from "i18next";
import { i18nConfig } from "../i18n";

const translators = new Map<string, TFunction<Namespace>>();

export function translatorFor<N extends Namespace>(language: string, ns: N): TFunction<N> {
  const key = `${language}|${String(ns)}`;
  let t = translators.get(key);
  if (!t) {
    const instance = i18next.createInstance();
    void instance.init({ ...i18nConfig, lng: language, initImmediate: false });
    t = instance.getFixedT(language, ns) as unknown as TFunction<Namespace>;
    translators.set(key, t);
  }
  return t as unknown as TFunction<N>;
}
