import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPasswordReset, requestPasswordReset, RESET_REQUESTS_PER_HOUR, RESET_TTL_MS } from "../../app/models/password-resets.server";
import { SIGN_IN_LIMITS } from "../../app/models/sign-in.server";
import { actorOf, makePerson, SECRETARIAT, type Person } from "../support/factories";
import { connectSocket, get, onceConnected, post, signInAs, startServer, type TestServer } from "../support/server";

let server: TestServer;
// Behind a trusted proxy, so each test's requests come from an address of their own.
beforeAll(async () => {
  server = await startServer({ TRUST_PROXY: "true" });
});
afterAll(() => server.close());

let addresses = 0;
function newAddress(): string {
  addresses += 1;
  return `203.0.${Math.floor(addresses / 250)}.${(addresses % 250) + 1}`;
}

const meta = { ipAddress: null, userAgent: "test" };
const mailOptions = (now?: Date) => ({ baseUrl: "http://localhost", compose: (link: string) => ({ subject: "Reset", body: link }), now });

function from(address: string) {
  return { "X-Forwarded-For": address };
}

function askForReset(email: string, address = newAddress()) {
  return post(server, "/password-reset", { email }, undefined, from(address));
}

function outboxLinks(email: string): string[] {
  const rows = server.db.$client
    .prepare("SELECT link FROM mail_outbox WHERE recipient = ? AND kind = 'password_reset' ORDER BY id")
    .all(email) as { link: string | null }[];
  return rows.flatMap((r) => (r.link ? [r.link] : []));
}

function pathOf(link: string): string {
  return new URL(link).pathname;
}

function setPassword(path: string, password: string, confirmPassword = password) {
  return post(server, path, { password, confirmPassword }, undefined, from(newAddress()));
}

async function requestedLink(person: Person): Promise<string> {
  expect((await askForReset(person.email)).status).toBe(200);
  const links = outboxLinks(person.email);
  expect(links.length).toBeGreaterThan(0);
  return pathOf(links.at(-1)!);
}

function auditCount(action: string, targetId: number): number {
  const row = server.db.$client
    .prepare("SELECT count(*) AS n FROM audit_log WHERE action = ? AND target_id = ?")
    .get(action, String(targetId)) as { n: number };
  return row.n;
}

describe("asking for a reset", () => {
  it("is offered on the sign-in page", async () => {
    const html = await (await get(server, "/sign-in")).text();
    expect(html).toMatch(/<a[^>]+href="\/password-reset"[^>]*>Forgot your password\?<\/a>/);
  });

  it("answers alike for an address with an account and one without, and only the account gets a link", async () => {
    const person = await makePerson(server.db);
    const known = await askForReset(person.email);
    const unknown = await askForReset(`nobody-${person.id}@example.org`);
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    const knownText = (await known.text()).replaceAll(person.email, "EMAIL");
    const unknownText = (await unknown.text()).replaceAll(`nobody-${person.id}@example.org`, "EMAIL");
    // The pages differ only in their nonces.
    const strip = (html: string) => html.replace(/nonce="[^"]*"/g, "").replace(/"nonce":"[^"]*"/g, "");
    expect(strip(knownText)).toBe(strip(unknownText));
    expect(knownText).toContain("the secretariat has your request");
    expect(outboxLinks(person.email)).toHaveLength(1);
    expect(outboxLinks(`nobody-${person.id}@example.org`)).toHaveLength(0);
  });

  it("checks the address it is given and keeps what was typed", async () => {
    const res = await askForReset("not an address");
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("Enter an email address like name@example.org.");
    expect(html).toContain('value="not an address"');
  });

  it("makes at most a few links an hour for one person, with the same answer", async () => {
    const person = await makePerson(server.db);
    for (let i = 0; i < RESET_REQUESTS_PER_HOUR + 2; i++) expect((await askForReset(person.email)).status).toBe(200);
    const made = server.db.$client
      .prepare("SELECT count(*) AS n FROM password_resets WHERE user_id = ? AND origin = 'request'")
      .get(person.id) as { n: number };
    expect(made.n).toBe(RESET_REQUESTS_PER_HOUR);
  });

  it("limits how often one address may ask", async () => {
    const address = newAddress();
    for (let i = 0; i < SIGN_IN_LIMITS.resetRequestsPerAddress; i++) {
      expect((await askForReset(`someone-${i}@example.org`, address)).status).toBe(200);
    }
    const refused = await askForReset("someone-else@example.org", address);
    expect(refused.status).toBe(429);
    expect(await refused.text()).toContain("Too many requests from this address.");
  });

  it("puts the request where the secretariat hands it over, with its link", async () => {
    const person = await makePerson(server.db);
    const link = await requestedLink(person);
    const secretariat = await signInAs(server, SECRETARIAT);
    const people = await get(server, "/people", secretariat);
    expect(people.headers.get("cache-control")).toBe("private, no-store");
    const html = await people.text();
    expect(html).toContain("Password resets to hand over");
    expect(html).toContain(link);
    // The invitations page lists invitations only.
    expect(await (await get(server, "/invitations", secretariat)).text()).not.toContain("Set a new Convene password");
  });
});

describe("using a reset link", () => {
  it("sets the new password, ends every session and closes their live connections", async () => {
    const person = await makePerson(server.db);
    const cookie = await signInAs(server, person.email, person.password);
    const socket = connectSocket(server, cookie);
    try {
      await onceConnected(socket);
      const ended = new Promise((resolve) => socket.once("session:ended", resolve));
      const path = await requestedLink(person);
      const page = await get(server, path);
      expect(page.status).toBe(200);
      expect(page.headers.get("cache-control")).toBe("private, no-store");
      expect(await page.text()).toContain(person.email);

      const done = await setPassword(path, "a brand new sentence");
      expect(done.status).toBe(302);
      expect(done.headers.get("location")).toBe("/sign-in?reset=done");
      expect(await ended).toEqual({ reason: "password_changed" });
      expect((await get(server, "/account", cookie)).status).toBe(302);
      expect(
        (await post(server, "/sign-in", { email: person.email, password: person.password }, undefined, from(newAddress()))).status,
      ).toBe(400);
      await signInAs(server, person.email, "a brand new sentence");
      expect(auditCount("auth.password_reset", person.id)).toBe(1);
    } finally {
      socket.close();
    }
  });

  it("works once", async () => {
    const person = await makePerson(server.db);
    const path = await requestedLink(person);
    expect((await setPassword(path, "first new password")).status).toBe(302);
    const again = await setPassword(path, "second new password");
    expect(again.status).toBe(410);
    expect(await again.text()).toContain("This link has already been used.");
    expect((await get(server, path)).status).toBe(410);
    await signInAs(server, person.email, "first new password");
    // The outbox no longer holds a link that cannot be used.
    expect(outboxLinks(person.email)).toHaveLength(0);
  });

  it("works once even when sent twice at the same moment", async () => {
    const person = await makePerson(server.db);
    const path = await requestedLink(person);
    const answers = await Promise.all([setPassword(path, "the first tab wins"), setPassword(path, "the second tab wins")]);
    expect(answers.map((r) => r.status).sort()).toEqual([302, 410]);
    expect(auditCount("auth.password_reset", person.id)).toBe(1);
  });

  it("expires after an hour", async () => {
    const person = await makePerson(server.db);
    const past = new Date(Date.now() - RESET_TTL_MS - 1000);
    const { outboxId } = requestPasswordReset(server.db, person.email, mailOptions(past), meta);
    const link = server.db.$client.prepare("SELECT link FROM mail_outbox WHERE id = ?").get(outboxId) as { link: string };
    const page = await get(server, pathOf(link.link));
    expect(page.status).toBe(410);
    expect(await page.text()).toContain("This link has expired.");
    expect((await setPassword(pathOf(link.link), "too late for this one")).status).toBe(410);
    await signInAs(server, person.email, person.password);
  });

  it("refuses a wrong or made-up token", async () => {
    const person = await makePerson(server.db);
    const path = await requestedLink(person);
    const wrong = path.slice(0, -4) + (path.endsWith("AAAA") ? "BBBB" : "AAAA");
    const page = await get(server, wrong);
    expect(page.status).toBe(404);
    expect(await page.text()).toContain("This link is not valid.");
    expect((await setPassword(wrong, "guessing is no use")).status).toBe(404);
    expect((await get(server, "/password-reset/short")).status).toBe(404);
  });

  it("only the newest link works", async () => {
    const person = await makePerson(server.db);
    const first = await requestedLink(person);
    const second = await requestedLink(person);
    expect((await setPassword(first, "from the first link")).status).toBe(410);
    expect((await setPassword(second, "from the second link")).status).toBe(302);
  });

  it("asks for a password that follows the rules, and the link still works after", async () => {
    const person = await makePerson(server.db);
    const path = await requestedLink(person);
    const short = await setPassword(path, "short");
    expect(short.status).toBe(400);
    expect(await short.text()).toContain("Use at least 12 characters.");
    const differ = await setPassword(path, "one long password", "another long password");
    expect(await differ.text()).toContain("The two passwords do not match.");
    expect((await setPassword(path, "one long password")).status).toBe(302);
  });

  it("lifts the person's sign-in limits", async () => {
    const person = await makePerson(server.db);
    const address = newAddress();
    for (let i = 0; i < SIGN_IN_LIMITS.perPair; i++) {
      await post(server, "/sign-in", { email: person.email, password: `wrong ${i}` }, undefined, from(address));
    }
    const blocked = await post(server, "/sign-in", { email: person.email, password: person.password }, undefined, from(address));
    expect(blocked.status).toBe(429);
    expect((await setPassword(await requestedLink(person), "after the lockout")).status).toBe(302);
    const res = await post(server, "/sign-in", { email: person.email, password: "after the lockout" }, undefined, from(address));
    expect(res.status).toBe(302);
  });

  it("answers the data requests of its pages uncached too", async () => {
    const person = await makePerson(server.db);
    const path = await requestedLink(person);
    for (const url of [`${path}.data`, "/password-reset.data", "/sign-in.data", "/sign-in"]) {
      expect((await get(server, url)).headers.get("cache-control")).toBe("private, no-store");
    }
  });
});

describe("the secretariat makes a link for a person", () => {
  it("shows it once on the people page, to hand over; it works like a requested one", async () => {
    const person = await makePerson(server.db);
    const secretariat = await signInAs(server, SECRETARIAT);
    const res = await post(server, "/people", { intent: "createPasswordReset", personId: String(person.id) }, secretariat);
    expect(res.status).toBe(200);
    const html = await res.text();
    const link = html.match(/value="(http[^"]+\/password-reset\/[^"]+)"/)?.[1];
    expect(link).toBeDefined();
    expect(auditCount("person.create_password_reset", person.id)).toBe(1);
    expect((await setPassword(pathOf(link!), "handed over by hand")).status).toBe(302);
    await signInAs(server, person.email, "handed over by hand");
  });

  it("is for the secretariat only", async () => {
    const person = await makePerson(server.db);
    const other = await makePerson(server.db, { role: "facilitator" });
    const cookie = await signInAs(server, other.email, other.password);
    expect((await post(server, "/people", { intent: "createPasswordReset", personId: String(person.id) }, cookie)).status).toBe(403);
    expect(createPasswordReset(server.db, actorOf(server.db, other.email), person.id, mailOptions(), meta)).toEqual({
      ok: false,
      reason: "forbidden",
    });
  });
});
