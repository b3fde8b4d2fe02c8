import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePerson } from "../support/factories";
import { post, startServer, type TestServer } from "../support/server";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

/** Signs in through the form with this `redirectTo`, as a link to `/sign-in?redirectTo=…` would carry it. */
async function signInTowards(redirectTo: string): Promise<string> {
  const person = await makePerson(server.db);
  const res = await post(server, "/sign-in", { email: person.email, password: person.password, redirectTo });
  expect(res.status).toBe(302);
  return res.headers.get("location")!;
}

describe("the address sign-in sends someone to afterwards", () => {
  it("goes back to the page on this site that asked for sign-in", async () => {
    expect(await signInTowards("/events?when=past#list")).toBe("/events?when=past#list");
  });

  // Each of these reads, in a browser, as an address on another site.
  const payloads = [
    decodeURIComponent("%2F%09%2Fevil.example%2Fphish"),
    "/\n/evil.example",
    "/\r/evil.example",
    "//evil.example",
    "/\\evil.example",
    "/..//evil.example/phish",
    "https://evil.example/",
  ];

  it.each(payloads)("never leaves the site for %j", async (payload) => {
    const location = await signInTowards(payload);
    expect(location).toBe("/");
    expect(new URL(location, server.url).origin).toBe(server.url);
  });
});
