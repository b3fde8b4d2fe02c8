import { describe, expect, it } from "vitest";
import { safeRedirect } from "../../app/utils/auth.server";

/** How a browser would read a Location header on a page of this site: the address it would go to. */
function followed(location: string): URL {
  return new URL(location, "https://convene.example.org/sign-in");
}

describe("where sign-in may send someone afterwards", () => {
  it("keeps a path on this site, with its query and fragment", () => {
    expect(safeRedirect("/events/3?tab=agenda#s12")).toBe("/events/3?tab=agenda#s12");
    expect(safeRedirect("/commitments?q=a%20b")).toBe("/commitments?q=a%20b");
    expect(safeRedirect("/")).toBe("/");
  });

  it("normalises what a browser would normalise", () => {
    expect(safeRedirect("/events/../people")).toBe("/people");
    expect(safeRedirect("/even\tts")).toBe("/events");
  });

  const bypasses = [
    "/\t/evil.example/phish",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\t//evil.example",
    "//evil.example",
    "/\\evil.example",
    "/\\/evil.example",
    "\\\\evil.example",
    "/%09/evil.example".replace("%09", "\t"),
    "/..//evil.example",
    "/./../..//evil.example/x",
    "https://evil.example",
    "javascript:alert(1)",
    " /\t/evil.example",
    "evil.example",
    "",
  ];

  it.each(bypasses)("refuses %j, which a browser would take off the site", (payload) => {
    const answer = safeRedirect(payload);
    expect(answer).toBe("/");
  });

  it("never answers anything a browser would follow to another origin", () => {
    for (const payload of [...bypasses, "/events", "/a/b/../../c", "/%2F%2Fevil.example", "/%5Cevil.example"]) {
      expect(followed(safeRedirect(payload)).origin).toBe("https://convene.example.org");
    }
  });

  it("falls back for anything that is not text", () => {
    expect(safeRedirect(null)).toBe("/");
    expect(safeRedirect(undefined, "/events")).toBe("/events");
  });
});
