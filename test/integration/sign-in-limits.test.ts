import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { liftSignInLimits } from "../../app/models/sign-in-limits.server";
import { SIGN_IN_LIMITS } from "../../app/models/sign-in.server";
import { actorOf, makePerson, SECRETARIAT, type Person } from "../support/factories";
import { get, post, signInAs, startServer, type TestServer } from "../support/server";

let server: TestServer;
// Behind a trusted proxy, so each request can come from an address of its own.
beforeAll(async () => {
  server = await startServer({ TRUST_PROXY: "true" });
});
afterAll(() => server.close());

let addresses = 0;
/** An address no other test here uses. */
function newAddress(): string {
  addresses += 1;
  return `198.51.${Math.floor(addresses / 250)}.${(addresses % 250) + 1}`;
}

function attempt(email: string, password: string, from: string, fields: Record<string, string> = {}) {
  return post(server, "/sign-in", { email, password, ...fields }, undefined, { "X-Forwarded-For": from });
}

function checkedFailures(email: string): number {
  const row = server.db.$client
    .prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'auth.sign_in_failed' AND json_extract(detail, '$.email') = ?")
    .get(email) as { n: number };
  return row.n;
}

/** Signs in from `from`, retrying while the account's slow-down asks to wait (never longer than its cap). */
async function signInOnceAllowed(person: Person, from: string): Promise<Response> {
  const deadline = Date.now() + (SIGN_IN_LIMITS.maxDelaySeconds + 5) * 1000;
  for (;;) {
    const res = await attempt(person.email, person.password, from);
    if (res.status !== 429 || Date.now() > deadline) return res;
    const wait = Number(res.headers.get("retry-after"));
    expect(wait).toBeLessThanOrEqual(SIGN_IN_LIMITS.maxDelaySeconds);
    expect(await res.text()).toMatch(/Wait \d+ seconds?, then try again/);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("attempts are charged before the password is checked", () => {
  it("checks at most the pair's limit of 20 wrong guesses sent at once from one address", async () => {
    const person = await makePerson(server.db);
    const from = newAddress();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => attempt(person.email, `wrong guess ${i}`, from)));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 400)).toHaveLength(SIGN_IN_LIMITS.perPair);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20 - SIGN_IN_LIMITS.perPair);
    expect(checkedFailures(person.email)).toBe(SIGN_IN_LIMITS.perPair);
  });

  it("checks few of 20 wrong guesses sent at once from 20 addresses: the free ones, then one per delay", async () => {
    const person = await makePerson(server.db);
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => attempt(person.email, `wrong guess ${i}`, newAddress())));
    const elapsedSeconds = (Date.now() - started) / 1000;
    const checked = answers.filter((r) => r.status === 400).length;
    // The first attempts are free; from then on the shortest delay is a second, so a burst of any length
    // gets at most one more check per second it lasts (without the atomic charge, all 20 were checked).
    expect(checked).toBeLessThanOrEqual(SIGN_IN_LIMITS.slowDownAfter + Math.floor(elapsedSeconds));
    expect(checked).toBeLessThan(20);
    expect(checkedFailures(person.email)).toBe(checked);
    expect(answers.filter((r) => r.status === 429)).toHaveLength(20 - checked);
  });
});

describe("nobody can lock someone else out", () => {
  it("blocks an account from one address after the limit, with a clear wait", async () => {
    const person = await makePerson(server.db);
    const from = newAddress();
    for (let i = 0; i < SIGN_IN_LIMITS.perPair; i++) expect((await attempt(person.email, `wrong-${i}`, from)).status).toBe(400);
    const blocked = await attempt(person.email, person.password, from);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get("retry-after")).toBe(String(15 * 60));
    expect(await blocked.text()).toContain("Too many failed attempts. Try again in 15 minutes.");
    // The right password from elsewhere still works.
    expect((await signInOnceAllowed(person, newAddress())).status).toBe(302);
  });

  it("lets the owner in from their usual address while a stranger guesses from many others", async () => {
    const person = await makePerson(server.db);
    const home = newAddress();
    expect((await attempt(person.email, person.password, home)).status).toBe(302);
    const statuses: number[] = [];
    for (let a = 0; a < 4; a++) {
      const from = newAddress();
      for (let i = 0; i < SIGN_IN_LIMITS.perPair + 1; i++) statuses.push((await attempt(person.email, `stranger ${a}-${i}`, from)).status);
    }
    expect(statuses.every((s) => s === 400 || s === 429)).toBe(true);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    // At once, no wait, from the address they signed in from before.
    expect((await attempt(person.email, person.password, home)).status).toBe(302);
  });

  it("only slows the owner down briefly on a new address, never locks them out", async () => {
    const person = await makePerson(server.db);
    for (let a = 0; a < 2; a++) {
      const from = newAddress();
      for (let i = 0; i < SIGN_IN_LIMITS.perPair; i++) await attempt(person.email, `stranger ${a}-${i}`, from);
    }
    expect((await signInOnceAllowed(person, newAddress())).status).toBe(302);
  });

  it("keeps a limit per address across accounts", async () => {
    const from = newAddress();
    for (let i = 0; i < SIGN_IN_LIMITS.perAddress; i++) {
      expect((await attempt(`nobody-${i}-${from}@example.org`, "not it", from)).status).toBe(400);
    }
    const person = await makePerson(server.db);
    expect((await attempt(person.email, person.password, from)).status).toBe(429);
  });
});

describe("the secretariat lifts a person's limits", () => {
  async function blockedPerson(from: string): Promise<Person> {
    const person = await makePerson(server.db);
    for (let i = 0; i < SIGN_IN_LIMITS.perPair; i++) await attempt(person.email, `wrong-${i}`, from);
    expect((await attempt(person.email, person.password, from)).status).toBe(429);
    return person;
  }

  it("shows who is limited and lifts it with one button, recorded in the audit log", async () => {
    const from = newAddress();
    const person = await blockedPerson(from);
    const secretariat = await signInAs(server, SECRETARIAT);
    const page = await (await get(server, "/people", secretariat)).text();
    expect(page).toMatch(new RegExp(`${person.email.replace(/[.]/g, "\\.")}[\\s\\S]*?Sign-in limited`));
    const lifted = await post(server, "/people", { intent: "liftSignInLimits", personId: String(person.id) }, secretariat);
    expect(lifted.status).toBe(200);
    expect(await lifted.text()).toContain(`${person.name} can sign in again from anywhere.`);
    expect((await attempt(person.email, person.password, from)).status).toBe(302);
    const audit = server.db.$client
      .prepare("SELECT actor_id AS actorId FROM audit_log WHERE action = 'person.lift_sign_in_limits' AND target_id = ?")
      .get(String(person.id)) as { actorId: number } | undefined;
    expect(audit?.actorId).toBe(actorOf(server.db, SECRETARIAT).id);
  });

  it("lets no one else lift them", async () => {
    const from = newAddress();
    const person = await blockedPerson(from);
    const other = await makePerson(server.db, { role: "facilitator" });
    const cookie = await signInAs(server, other.email, other.password);
    expect((await post(server, "/people", { intent: "liftSignInLimits", personId: String(person.id) }, cookie)).status).toBe(403);
    const meta = { ipAddress: null, userAgent: "test" };
    expect(liftSignInLimits(server.db, actorOf(server.db, other.email), person.id, meta)).toEqual({ ok: false, reason: "forbidden" });
    expect((await attempt(person.email, person.password, from)).status).toBe(429);
  });
});
