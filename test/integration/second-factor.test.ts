import { Secret, TOTP } from "otpauth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePerson, type Person } from "../support/factories";
import { get, post, sessionCookieOf, signInAs, startServer, type TestServer } from "../support/server";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const PERIOD_MS = 30_000;

function pendingCookieOf(res: Response): string | null {
  const raw = res.headers.getSetCookie().find((c) => c.startsWith("convene_pending=") && !c.startsWith("convene_pending=;"));
  return raw ? raw.split(";")[0]! : null;
}

/** The password step: where it sends the person, and the pending sign-in's cookie. */
async function password(person: Person, redirectTo?: string) {
  const res = await post(server, "/sign-in", { email: person.email, password: person.password, ...(redirectTo ? { redirectTo } : {}) });
  return { res, location: res.headers.get("location"), pending: pendingCookieOf(res), session: sessionCookieOf(res) };
}

function secretOn(html: string): string {
  const secret = /id="totp-secret"[^>]*>([A-Z2-7 ]+)</.exec(html)?.[1]?.replaceAll(" ", "");
  if (!secret) throw new Error("no TOTP key on the page");
  return secret;
}

const codeAt = (secret: string, timestamp = Date.now()) => new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp });
const recoveryCodesOn = (html: string) => [...new Set(html.match(/[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}/g) ?? [])];

function audit(userId: number, action: string) {
  return server.db.$client.prepare("SELECT detail FROM audit_log WHERE actor_id = ? AND action = ? ORDER BY id").all(userId, action) as {
    detail: string | null;
  }[];
}

/** A secretariat member's first sign-in, through enrolment: their TOTP key, their recovery codes and the first session. */
async function enrolSecretariat(person: Person) {
  const { pending } = await password(person);
  const page = await get(server, "/sign-in/enrol", pending!);
  const secret = secretOn(await page.text());
  const code = codeAt(secret);
  const done = await post(server, "/sign-in/enrol", { code }, pending!);
  expect(done.status).toBe(200);
  return { secret, code, recoveryCodes: recoveryCodesOn(await done.text()), session: sessionCookieOf(done)! };
}

describe("the secretariat needs a second factor", () => {
  it("is taken to enrolment right after the password, and gets no session until enrolled", async () => {
    const person = await makePerson(server.db, { role: "secretariat" });
    const step = await password(person, "/people");
    expect(step.res.status).toBe(302);
    expect(step.location).toBe("/sign-in/enrol?redirectTo=%2Fpeople");
    expect(step.session).toBeNull();
    const cookie = step.res.headers.getSetCookie().find((c) => c.startsWith("convene_pending="))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Path=\/sign-in/i);
    expect(cookie).toMatch(/Max-Age=600/i);
    // The pending sign-in is no session.
    expect((await get(server, "/people", step.pending!)).headers.get("location")).toMatch(/^\/sign-in/);

    const page = await get(server, "/sign-in/enrol", step.pending!);
    expect(page.status).toBe(200);
    const html = await page.text();
    const secret = secretOn(html);
    expect(html).toContain('src="data:image/png;base64,');
    expect(html).toContain("Set up a second factor · Convene");

    const wrong = await post(server, "/sign-in/enrol?redirectTo=%2Fpeople", { code: "000000" }, step.pending!);
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain("That code is not right");
    expect(sessionCookieOf(wrong)).toBeNull();

    const done = await post(server, "/sign-in/enrol?redirectTo=%2Fpeople", { code: codeAt(secret) }, step.pending!);
    expect(done.status).toBe(200);
    const doneHtml = await done.text();
    const codes = recoveryCodesOn(doneHtml);
    expect(new Set(codes).size).toBe(10);
    expect(doneHtml).toContain('href="/people"');
    const session = sessionCookieOf(done)!;
    expect((await get(server, "/people", session)).status).toBe(200);
    // The pending sign-in is used up, and the codes are stored only as hashes.
    const spent = await get(server, "/sign-in/enrol", step.pending!);
    expect(await spent.text()).toContain("This sign-in has expired. Sign in again.");
    expect(
      (await post(server, "/sign-in/enrol", { code: codeAt(secret, Date.now() + PERIOD_MS) }, step.pending!)).headers.get("location"),
    ).toBe("/sign-in");
    const stored = server.db.$client.prepare("SELECT code_hash FROM recovery_codes WHERE user_id = ?").all(person.id) as {
      code_hash: string;
    }[];
    expect(stored).toHaveLength(10);
    expect(stored.map((r) => r.code_hash)).not.toContain(codes[0]!.replaceAll("-", ""));
    expect(audit(person.id, "second_factor.totp_enrolled")).toHaveLength(1);
    expect(audit(person.id, "auth.sign_in").map((r) => JSON.parse(r.detail!))).toEqual([{ secondFactor: "totp" }]);
  });

  it("accepts a code once: the same time step is refused, a later one accepted (ASVS 2.8.4)", async () => {
    const person = await makePerson(server.db, { role: "secretariat" });
    // The code that confirmed the app, still inside its time window.
    const { secret, code: used } = await enrolSecretariat(person);

    const again = await password(person, "/audit");
    expect(again.location).toBe("/sign-in/verify?redirectTo=%2Faudit");
    expect((await get(server, "/sign-in/verify", again.pending!)).status).toBe(200);
    const replay = await post(server, "/sign-in/verify?redirectTo=%2Faudit", { intent: "totp", code: used }, again.pending!);
    expect(replay.status).toBe(400);
    expect(sessionCookieOf(replay)).toBeNull();
    expect(audit(person.id, "auth.second_factor_failed").map((r) => JSON.parse(r.detail!))).toEqual([{ factor: "totp", why: "reused" }]);

    const next = await post(
      server,
      "/sign-in/verify?redirectTo=%2Faudit",
      { intent: "totp", code: codeAt(secret, Date.now() + PERIOD_MS) },
      again.pending!,
    );
    expect(next.status).toBe(302);
    expect(next.headers.get("location")).toBe("/audit");
    expect((await get(server, "/audit", sessionCookieOf(next)!)).status).toBe(200);
    // The pending cookie is cleared with the session's arrival.
    expect(next.headers.getSetCookie().some((c) => /^convene_pending=;/.test(c))).toBe(true);
  });

  it("takes a recovery code once, and new codes replace the old ones", async () => {
    const person = await makePerson(server.db, { role: "secretariat" });
    const { recoveryCodes, session } = await enrolSecretariat(person);

    const first = await password(person);
    const used = await post(server, "/sign-in/verify", { intent: "recovery", code: recoveryCodes[3]!.toUpperCase() }, first.pending!);
    expect(used.status).toBe(302);
    expect(sessionCookieOf(used)).not.toBeNull();

    const second = await password(person);
    const reused = await post(server, "/sign-in/verify", { intent: "recovery", code: recoveryCodes[3]! }, second.pending!);
    expect(reused.status).toBe(400);
    expect(await reused.text()).toContain("That recovery code is not right, or was already used.");

    const regenerated = await post(server, "/account/security", { intent: "recovery-regenerate" }, session);
    expect(regenerated.status).toBe(200);
    const fresh = recoveryCodesOn(await regenerated.text());
    expect(fresh).toHaveLength(10);
    expect((await post(server, "/sign-in/verify", { intent: "recovery", code: recoveryCodes[0]! }, second.pending!)).status).toBe(400);
    expect((await post(server, "/sign-in/verify", { intent: "recovery", code: fresh[0]! }, second.pending!)).status).toBe(302);
    expect(audit(person.id, "second_factor.recovery_codes_replaced")).toHaveLength(1);
  });

  it("throttles wrong codes: five per person, then even the right code waits", async () => {
    const person = await makePerson(server.db, { role: "secretariat" });
    const { secret } = await enrolSecretariat(person);
    const { pending } = await password(person);
    const attempts = await Promise.all(
      Array.from({ length: 5 }, () => post(server, "/sign-in/verify", { intent: "totp", code: "123456" }, pending!)),
    );
    expect(attempts.map((r) => r.status)).toEqual([400, 400, 400, 400, 400]);
    const right = await post(server, "/sign-in/verify", { intent: "totp", code: codeAt(secret, Date.now() + PERIOD_MS) }, pending!);
    expect(right.status).toBe(429);
    expect(await right.text()).toContain("Too many attempts. Try again in 15 minutes.");
    expect(sessionCookieOf(right)).toBeNull();
  });

  it("may not turn the second factor off, nor remove its only factor", async () => {
    const person = await makePerson(server.db, { role: "secretariat" });
    const { session } = await enrolSecretariat(person);
    const page = await (await get(server, "/account/security", session)).text();
    expect(page).not.toContain("Turn off the second factor");
    expect((await post(server, "/account/security", { intent: "turn-off" }, session)).status).toBe(403);
    expect((await post(server, "/account/security", { intent: "totp-remove" }, session)).status).toBe(403);
    expect((await password(person)).location).toBe("/sign-in/verify");
    expect(audit(person.id, "second_factor.turned_off")).toHaveLength(0);
  });
});

describe("a second factor for everyone else", () => {
  it("is set up on the account page, asked for at sign-in, and can be turned off", async () => {
    const person = await makePerson(server.db, { role: "delegate" });
    const plain = await password(person);
    expect(plain.session).not.toBeNull();
    const session = plain.session!;

    expect((await get(server, "/account", session)).status).toBe(200);
    expect(await (await get(server, "/account", session)).text()).toContain('href="/account/security"');
    expect((await post(server, "/account/security", { intent: "totp-start" }, session)).status).toBe(200);
    const secret = secretOn(await (await get(server, "/account/security", session)).text());
    const wrong = await post(server, "/account/security", { intent: "totp-confirm", code: "000000" }, session);
    expect(wrong.status).toBe(400);
    const confirmed = await post(server, "/account/security", { intent: "totp-confirm", code: codeAt(secret) }, session);
    expect(confirmed.status).toBe(200);
    expect(recoveryCodesOn(await confirmed.text())).toHaveLength(10);

    const next = await password(person, "/account");
    expect(next.session).toBeNull();
    expect(next.location).toBe("/sign-in/verify?redirectTo=%2Faccount");
    const signedIn = await post(
      server,
      "/sign-in/verify?redirectTo=%2Faccount",
      { intent: "totp", code: codeAt(secret, Date.now() + PERIOD_MS) },
      next.pending!,
    );
    expect(signedIn.headers.get("location")).toBe("/account");

    const off = await post(server, "/account/security", { intent: "turn-off" }, session);
    expect(off.status).toBe(200);
    expect((await password(person)).session).not.toBeNull();
    expect(audit(person.id, "second_factor.turned_off")).toHaveLength(1);
    expect(server.db.$client.prepare("SELECT count(*) AS n FROM recovery_codes WHERE user_id = ?").get(person.id)).toEqual({ n: 0 });
  });

  it("keeps the way back safe: a pending sign-in is bound to its cookie, and redirectTo stays on this site", async () => {
    const person = await makePerson(server.db, { role: "delegate" });
    const session = (await password(person)).session!;
    await post(server, "/account/security", { intent: "totp-start" }, session);
    const secret = secretOn(await (await get(server, "/account/security", session)).text());
    await post(server, "/account/security", { intent: "totp-confirm", code: codeAt(secret) }, session);

    expect((await get(server, "/sign-in/verify")).headers.get("location")).toBe("/sign-in");
    const step = await password(person, "//evil.example/phish");
    const [id] = step.pending!.slice("convene_pending=".length).split(".");
    const forged = `convene_pending=${id}.${"A".repeat(43)}`;
    expect((await get(server, "/sign-in/verify", forged)).headers.get("location")).toMatch(/^\/sign-in/);
    const forgedPost = await post(server, "/sign-in/verify", { intent: "totp", code: codeAt(secret, Date.now() + PERIOD_MS) }, forged);
    expect(forgedPost.headers.get("location")).toBe("/sign-in");
    expect(sessionCookieOf(forgedPost)).toBeNull();

    const done = await post(
      server,
      `/sign-in/verify?${new URLSearchParams({ redirectTo: "//evil.example/phish" })}`,
      { intent: "totp", code: codeAt(secret, Date.now() + PERIOD_MS) },
      step.pending!,
    );
    expect(done.headers.get("location")).toBe("/");
    expect(sessionCookieOf(done)).not.toBeNull();
  });
});

describe("the passkey endpoints and the pages with secrets", () => {
  const postJson = (path: string, body: string, cookie?: string) =>
    fetch(server.url + path, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Origin: server.url,
        "Sec-Fetch-Site": "same-origin",
        ...(cookie ? { Cookie: cookie } : {}),
      },
      body,
    });

  it("answer bad or unauthorised requests with a refusal, never a 500", async () => {
    const person = await makePerson(server.db, { role: "secretariat" });
    const { session } = await enrolSecretariat(person);
    const { pending } = await password(person);

    expect((await postJson("/sign-in/passkey", JSON.stringify({ intent: "options" }))).status).toBe(401);
    expect((await postJson("/account/passkeys", JSON.stringify({ intent: "options" }))).status).toBe(401);
    for (const body of [
      "not json",
      "{}",
      JSON.stringify({ intent: "verify", response: { id: 1 } }),
      JSON.stringify({ intent: "verify" }),
    ]) {
      expect((await postJson("/sign-in/passkey", body, pending!)).status).toBe(400);
      expect((await postJson("/account/passkeys", body, session)).status).toBe(400);
    }
    // Options for a person without a passkey: a challenge to sign, for this site.
    const options = (await (await postJson("/account/passkeys", JSON.stringify({ intent: "options" }), session)).json()) as {
      ok: boolean;
      options: { rp: { id: string }; challenge: string };
    };
    expect(options.ok).toBe(true);
    expect(options.options.rp.id).toBe("localhost");
    // An answer that no authenticator signed is refused and counted.
    const forged = { id: "AAAA", rawId: "AAAA", type: "public-key", response: { clientDataJSON: "", attestationObject: "" } };
    expect(
      (await postJson("/account/passkeys", JSON.stringify({ intent: "verify", response: forged, name: "Fake" }), session)).status,
    ).toBe(400);
    await postJson("/sign-in/passkey", JSON.stringify({ intent: "options" }), pending!);
    const refused = await postJson("/sign-in/passkey", JSON.stringify({ intent: "verify", response: forged }), pending!);
    expect(refused.status).toBe(400);
    expect(sessionCookieOf(refused)).toBeNull();
    expect(audit(person.id, "auth.second_factor_failed").map((r) => JSON.parse(r.detail!))).toEqual([
      { factor: "passkey", why: "invalid" },
    ]);
  });

  it("keeps the TOTP key and recovery codes out of every cache", async () => {
    const person = await makePerson(server.db, { role: "secretariat" });
    const { pending } = await password(person);
    const enrol = await get(server, "/sign-in/enrol", pending!);
    expect(enrol.headers.get("cache-control")).toBe("private, no-store");
    const secret = secretOn(await enrol.text());
    const done = await post(server, "/sign-in/enrol", { code: codeAt(secret) }, pending!);
    expect(done.headers.get("cache-control")).toBe("private, no-store");
    expect(sessionCookieOf(done)).not.toBeNull();
    expect((await get(server, "/account/security", sessionCookieOf(done)!)).headers.get("cache-control")).toBe("private, no-store");
  });
});

describe("the secretariat's way back for a lost second factor", () => {
  it("another secretariat member clears it: the sessions end and the person sets up a new one at sign-in", async () => {
    const person = await makePerson(server.db, { role: "secretariat" });
    const { session } = await enrolSecretariat(person);
    expect((await get(server, "/account", session)).status).toBe(200);
    const admin = await makePerson(server.db, { role: "secretariat" });
    const adminCookie = await signInAs(server, admin.email, admin.password);

    const people = await get(server, "/people", adminCookie);
    expect(await people.text()).toMatch(new RegExp(`Reset second factor(<!-- -->)? <span class="visually-hidden">${person.name}</span>`));
    const res = await post(server, "/people", { intent: "resetSecondFactor", personId: String(person.id) }, adminCookie);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("second factor was cleared");

    expect((await get(server, "/account", session)).headers.get("location")).toMatch(/^\/sign-in/);
    expect((await password(person)).location).toBe("/sign-in/enrol");
    expect(audit(admin.id, "person.reset_second_factor")).toHaveLength(1);
  });

  it("is for the secretariat only, and never for oneself", async () => {
    const person = await makePerson(server.db, { role: "delegate" });
    const delegate = await makePerson(server.db, { role: "delegate" });
    const delegateCookie = await signInAs(server, delegate.email, delegate.password);
    const asDelegate = await post(server, "/people", { intent: "resetSecondFactor", personId: String(person.id) }, delegateCookie);
    expect(asDelegate.status).toBe(403);

    const admin = await makePerson(server.db, { role: "secretariat" });
    const adminCookie = await signInAs(server, admin.email, admin.password);
    const own = await post(server, "/people", { intent: "resetSecondFactor", personId: String(admin.id) }, adminCookie);
    expect(own.status).toBe(403);
    const missing = await post(server, "/people", { intent: "resetSecondFactor", personId: "99999999" }, adminCookie);
    expect(missing.status).toBe(404);
  });
});
