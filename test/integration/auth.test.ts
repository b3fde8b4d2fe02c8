import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../../db/seed";
import { get, post, sessionCookieOf, signInAs, startServer, type TestServer } from "../support/server";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

describe("signing in and out", () => {
  it("signs in with the right password and lands on the home page", async () => {
    const res = await post(server, "/sign-in", { email: "NGO@convene.example ", password: DEMO_PASSWORD });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/");
    const setCookie = res.headers.getSetCookie().join("\n");
    expect(setCookie).toMatch(/convene_session=[\w-]+\.[\w-]+/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const home = await get(server, "/", sessionCookieOf(res)!);
    expect(home.status).toBe(200);
    const html = await home.text();
    expect(html).toContain("Welcome, Wanjiru Kamau");
    expect(html).toContain("<title>Home · Convene</title>");
  });

  it("gives the same neutral message for a wrong password and an unknown account", async () => {
    const wrong = await post(server, "/sign-in", { email: "industry@convene.example", password: "not the password" });
    const unknown = await post(server, "/sign-in", { email: "nobody@convene.example", password: "not the password" });
    expect(wrong.status).toBe(400);
    expect(unknown.status).toBe(400);
    const message = "That email and password do not match an active account.";
    const wrongHtml = await wrong.text();
    expect(wrongHtml).toContain(message);
    expect(await unknown.text()).toContain(message);
    // What the person typed is kept, except the password.
    expect(wrongHtml).toContain('value="industry@convene.example"');
    expect(wrongHtml).not.toContain("not the password");
  });

  it("shows field errors for an empty form", async () => {
    const res = await post(server, "/sign-in", { email: "", password: "" });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("This field is required.");
  });

  it("blocks an account from one address for a while after repeated failures, with a clear wait time", async () => {
    const email = "police@convene.example";
    for (let i = 0; i < 5; i++) {
      expect((await post(server, "/sign-in", { email, password: `wrong-${i}` })).status).toBe(400);
    }
    const locked = await post(server, "/sign-in", { email, password: DEMO_PASSWORD });
    expect(locked.status).toBe(429);
    expect(await locked.text()).toContain("Too many failed attempts. Try again in 15 minutes.");
    // Another account from the same address is not locked by that.
    expect((await post(server, "/sign-in", { email: "observer@convene.example", password: DEMO_PASSWORD })).status).toBe(302);
  });

  it("signs out: the session stops working at once", async () => {
    const cookie = await signInAs(server, "government@convene.example");
    expect((await get(server, "/", cookie)).status).toBe(200);
    const out = await post(server, "/sign-out", {}, cookie);
    expect(out.status).toBe(302);
    expect(out.headers.get("location")).toBe("/sign-in");
    const after = await get(server, "/account", cookie);
    expect(after.status).toBe(302);
    expect(after.headers.get("location")).toBe("/sign-in?redirectTo=%2Faccount");
  });

  it("rejects a forged token that reuses a real session id", async () => {
    const cookie = await signInAs(server, "facilitator@convene.example");
    const [, token] = cookie.split("=");
    const [id] = token!.split(".");
    const forged = `convene_session=${id}.${"A".repeat(43)}`;
    expect((await get(server, "/account", forged)).status).toBe(302);
    expect((await get(server, "/", cookie)).status).toBe(200);
  });
});

describe("requests that are refused before they reach the app", () => {
  it("refuses a mutation without an Origin header", async () => {
    const res = await fetch(`${server.url}/sign-in`, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "email=a%40b.c&password=x",
    });
    expect(res.status).toBe(403);
  });

  it("refuses a mutation from another site", async () => {
    const cookie = await signInAs(server, "secretariat@convene.example");
    const res = await post(server, "/organisations", { name: "Evil Org", stakeholderGroup: "industry", country: "US" }, cookie, {
      Origin: "https://evil.example",
      "Sec-Fetch-Site": "cross-site",
    });
    expect(res.status).toBe(403);
    const count = server.db.$client.prepare("SELECT count(*) AS n FROM organisations WHERE name = 'Evil Org'").get() as { n: number };
    expect(count.n).toBe(0);
  });

  it("refuses an oversized body with 413 and keeps serving", async () => {
    const res = await post(server, "/sign-in", { email: "x@y.z", password: "p".repeat(2 * 1024 * 1024) });
    expect(res.status).toBe(413);
    expect((await get(server, "/sign-in")).status).toBe(200);
  });

  it("refuses a mutation whose body length is not declared", async () => {
    const res = await fetch(`${server.url}/sign-in`, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server.url },
      body: new Blob(["email=a%40b.c&password=x"]).stream(),
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(411);
  });

  it("answers a malformed body with 400, not a crash", async () => {
    const res = await fetch(`${server.url}/sign-in`, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "multipart/form-data; boundary=nope", Origin: server.url },
      body: "this is not multipart",
    });
    expect(res.status).toBe(400);
    expect((await get(server, "/sign-in")).status).toBe(200);
  });

  it("sends security headers with a fresh CSP nonce on every page", async () => {
    const a = await get(server, "/sign-in");
    const b = await get(server, "/sign-in");
    const csp = a.headers.get("content-security-policy")!;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/script-src [^;]*'nonce-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toBe(b.headers.get("content-security-policy"));
    expect(a.headers.get("x-content-type-options")).toBe("nosniff");
    expect(a.headers.get("x-frame-options")).toBe("DENY");
    const nonce = csp.match(/'nonce-([^']+)'/)![1]!;
    expect(await a.text()).toContain(`nonce="${nonce}"`);
  });
});
