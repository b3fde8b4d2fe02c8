import { PassThrough } from "node:stream";
import type { AppLoadContext, EntryContext } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { createInstance, type i18n as I18n } from "i18next";
import { renderToPipeableStream } from "react-dom/server";
import { I18nextProvider, initReactI18next } from "react-i18next";
import { i18nConfig } from "./i18n";
import { i18next } from "./i18next.server";
import { NonceContext } from "./utils/nonce";

const ABORT_DELAY = 5_000;

/**
 * One translator per language, made once: the translations are bundled and a translator is only read while
 * rendering, so every request in a language can share one (making one cost about a millisecond per request).
 */
const translators = new Map<string, Promise<I18n>>();
function translatorFor(lng: string): Promise<I18n> {
  let translator = translators.get(lng);
  if (!translator) {
    const instance = createInstance();
    translator = instance
      .use(initReactI18next)
      .init({ ...i18nConfig, lng })
      .then(() => instance);
    translators.set(lng, translator);
  }
  return translator;
}

/**
 * Renders the whole document before answering, and answers it as one body. No loader defers anything, so
 * streaming the shell first would gain nothing; it would cost a great deal: the loader data follows the shell in
 * many small chunks, and the compression middleware flushes and compresses each one on its own (a page three
 * times larger on the wire, and more CPU). One body is compressed once.
 */
export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const instance = await translatorFor(await i18next.getLocale(request));
  const nonce = loadContext.cspNonce;

  return new Promise<Response>((resolve, reject) => {
    let settled = false;
    const { pipe, abort } = renderToPipeableStream(
      <NonceContext.Provider value={nonce}>
        <I18nextProvider i18n={instance}>
          <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
        </I18nextProvider>
      </NonceContext.Provider>,
      {
        nonce,
        onAllReady() {
          const chunks: Buffer[] = [];
          const body = new PassThrough();
          body.on("data", (chunk: Buffer) => chunks.push(chunk));
          body.on("end", () => {
            settled = true;
            clearTimeout(timer);
            responseHeaders.set("Content-Type", "text/html; charset=utf-8");
            resolve(new Response(Buffer.concat(chunks), { headers: responseHeaders, status: responseStatusCode }));
          });
          pipe(body);
        },
        onShellError(error: unknown) {
          settled = true;
          clearTimeout(timer);
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          if (settled) console.error(error);
        },
      },
    );
    const timer = setTimeout(abort, ABORT_DELAY);
  });
}
