import { describe, expect, it } from "vitest";
import { isSameOrigin } from "../../server/http/origin";

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
});
