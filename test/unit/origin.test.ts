import { describe, expect, it } from "vitest";
import { isSameOrigin, requestOrigin } from "../../server/http/origin";

const appUrl = "https://convene.example.org";

describe("same-origin check for mutations and socket handshakes", () => {
  it("accepts the page's own origin", () => {
    expect(isSameOrigin({ host: "localhost:3000", origin: "http://localhost:3000", "sec-fetch-site": "same-origin" }, appUrl)).toBe(true);
    expect(isSameOrigin({ host: "internal:8080", origin: "https://convene.example.org" }, appUrl)).toBe(true);
    // A same-origin GET (a socket's polling handshake) carries no Origin, only Sec-Fetch-Site.
    expect(isSameOrigin({ host: "localhost:3000", "sec-fetch-site": "same-origin" }, appUrl)).toBe(true);
  });

  it("refuses other sites, missing or opaque origins", () => {
    expect(isSameOrigin({ host: "localhost:3000", origin: "https://evil.example" }, appUrl)).toBe(false);
    expect(isSameOrigin({ host: "localhost:3000" }, appUrl)).toBe(false);
    expect(isSameOrigin({ host: "localhost:3000", origin: "null" }, appUrl)).toBe(false);
    expect(isSameOrigin({ host: "localhost:3000", origin: "::not a url" }, appUrl)).toBe(false);
  });

  it("trusts Sec-Fetch-Site over a matching Origin", () => {
    expect(isSameOrigin({ host: "localhost:3000", origin: "http://localhost:3000", "sec-fetch-site": "cross-site" }, appUrl)).toBe(false);
    expect(isSameOrigin({ host: "localhost:3000", origin: "http://localhost:3000", "sec-fetch-site": "same-site" }, appUrl)).toBe(false);
  });

  it("compares the whole origin: scheme, host and port", () => {
    // Convene serves plain HTTP: a page at https://localhost:3000 is another origin.
    expect(isSameOrigin({ host: "localhost:3000", origin: "https://localhost:3000" }, "http://localhost:3000")).toBe(false);
    expect(isSameOrigin({ host: "127.0.0.1:3000", origin: "https://127.0.0.1:3000" }, "http://localhost:3000")).toBe(false);
    expect(isSameOrigin({ host: "localhost:3000", origin: "http://localhost:3001" }, "http://localhost:3000")).toBe(false);
    expect(isSameOrigin({ host: "internal:8080", origin: "http://convene.example.org" }, appUrl)).toBe(false);
    expect(isSameOrigin({ host: "internal:8080", origin: "https://convene.example.org:8443" }, appUrl)).toBe(false);
    // Anything beyond scheme://host:port is no origin at all.
    expect(isSameOrigin({ host: "localhost:3000", origin: "http://localhost:3000/path" }, "http://localhost:3000")).toBe(false);
    expect(isSameOrigin({ host: "localhost:3000", origin: "http://user@localhost:3000" }, "http://localhost:3000")).toBe(false);
  });

  it("takes the scheme and host from a trusted proxy, and only from a trusted one", () => {
    const headers = {
      host: "127.0.0.1:3000",
      "x-forwarded-proto": "https",
      "x-forwarded-host": "localhost:8443",
      origin: "https://localhost:8443",
    };
    expect(requestOrigin(headers, { trustProxy: true })).toBe("https://localhost:8443");
    expect(isSameOrigin(headers, "http://localhost:3000", { trustProxy: true })).toBe(true);
    expect(requestOrigin(headers)).toBe("http://127.0.0.1:3000");
    expect(isSameOrigin(headers, "http://localhost:3000")).toBe(false);
    expect(
      isSameOrigin({ host: "127.0.0.1:3000", origin: "https://127.0.0.1:3000", "x-forwarded-proto": "https" }, "http://localhost:3000"),
    ).toBe(false);
  });

  it("refuses a foreign Host even when Origin names it (a name that merely resolves to this server)", () => {
    expect(isSameOrigin({ host: "evil.example", origin: "http://evil.example" }, appUrl)).toBe(false);
    expect(isSameOrigin({ host: "evil.example", "sec-fetch-site": "same-origin" }, appUrl)).toBe(false);
    expect(isSameOrigin({ host: "evil.example:99999", origin: "http://evil.example:99999" }, appUrl)).toBe(false);
    expect(isSameOrigin({ host: "a b", origin: "http://a b" }, appUrl)).toBe(false);
    expect(requestOrigin({ host: "a b" })).toBeNull();
    expect(requestOrigin({ host: "x/y" })).toBeNull();
  });
});
