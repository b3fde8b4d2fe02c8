import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorFor } from "../../app/models/people.server";
import { createInvitation, INVITATION_TTL_MS, inspectInvitation } from "../../app/models/invitations.server";
import { get, personId, post, sessionCookieOf, signInAs, startServer, type TestServer } from "../support/server";

let server: TestServer;
let secretariat: string;
beforeAll(async () => {
  server = await startServer();
  secretariat = await signInAs(server, "secretariat@convene.example");
});
afterAll(() => server.close());

const meta = { ipAddress: "127.0.0.1", userAgent: "test" };
const compose = (link: string) => ({ subject: "Invitation", body: link });

function orgId(name: string): number {
  return (server.db.$client.prepare("SELECT id FROM organisations WHERE name = ?").get(name) as { id: number }).id;
}

async function invite(email: string, role = "delegate", organisation = "Children First Alliance (demo)"): Promise<string> {
  const res = await post(server, "/invitations/new", { email, role, organisationId: String(orgId(organisation)) }, secretariat);
  expect(res.status).toBe(302);
  const outboxId = Number(new URL(res.headers.get("location")!, server.url).searchParams.get("created"));
  const row = server.db.$client.prepare("SELECT link FROM mail_outbox WHERE id = ?").get(outboxId) as { link: string };
  return new URL(row.link).pathname;
}

describe("inviting a person", () => {
  it("creates a link in the outbox that the invitee uses to set a name and password and land signed in", async () => {
    const path = await invite("new.delegate@example.org");
    const outbox = await get(server, "/invitations", secretariat);
    expect(await outbox.text()).toContain(path);

    const page = await get(server, path);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Children First Alliance (demo)");

    const accept = await post(server, path, {
      name: "Nia Delegate",
      password: "a long enough password",
      confirmPassword: "a long enough password",
    });
    expect(accept.status).toBe(302);
    expect(accept.headers.get("location")).toBe("/");
    const home = await get(server, "/", sessionCookieOf(accept)!);
    expect(await home.text()).toContain("Welcome, Nia Delegate");

    const user = server.db.$client
      .prepare("SELECT role, organisation_id AS org FROM users WHERE email = ?")
      .get("new.delegate@example.org") as { role: string; org: number };
    expect(user).toEqual({ role: "delegate", org: orgId("Children First Alliance (demo)") });
  });

  it("gives someone invited to the secretariat no session until they set up a second factor", async () => {
    const path = await invite(`new.secretariat.${Date.now()}@example.org`, "secretariat");
    const accept = await post(server, path, {
      name: "Sol Secretariat",
      password: "a long enough password",
      confirmPassword: "a long enough password",
    });
    expect(accept.status).toBe(302);
    expect(accept.headers.get("location")).toBe("/sign-in/enrol");
    expect(sessionCookieOf(accept)).toBeNull();
    const pending = accept.headers
      .getSetCookie()
      .find((c) => c.startsWith("convene_pending="))!
      .split(";")[0]!;
    const enrol = await get(server, "/sign-in/enrol", pending);
    expect(enrol.status).toBe(200);
    expect(await enrol.text()).toContain('id="totp-secret"');
  });

  it("works once only", async () => {
    const path = await invite("once@example.org");
    const body = { name: "Once", password: "a long enough password", confirmPassword: "a long enough password" };
    expect((await post(server, path, body)).status).toBe(302);
    // The outbox no longer holds a working link.
    const token = path.split("/").pop()!;
    const mail = server.db.$client.prepare("SELECT link, body FROM mail_outbox WHERE recipient = 'once@example.org'").get() as {
      link: string | null;
      body: string;
    };
    expect(mail.link).toBeNull();
    expect(mail.body).not.toContain(token);
    const again = await post(server, path, body);
    expect(again.status).toBe(410);
    const page = await get(server, path);
    expect(page.status).toBe(410);
    expect(await page.text()).toContain("This invitation has already been used");
  });

  it("expires after seven days", async () => {
    const created = createInvitation(
      server.db,
      actorFor(server.db, personId(server, "secretariat@convene.example"))!,
      { email: "late@example.org", role: "observer", organisationId: null },
      { baseUrl: server.url, compose, now: new Date(Date.now() - INVITATION_TTL_MS - 1000) },
      meta,
    );
    if (!created.ok) throw new Error("invitation not created");
    const path = new URL(created.link).pathname;
    const page = await get(server, path);
    expect(page.status).toBe(410);
    expect(await page.text()).toContain("This invitation has expired");
    const accept = await post(server, path, {
      name: "Late",
      password: "a long enough password",
      confirmPassword: "a long enough password",
    });
    expect(accept.status).toBe(410);
    expect(server.db.$client.prepare("SELECT count(*) AS n FROM users WHERE email = 'late@example.org'").get()).toEqual({ n: 0 });
  });

  it("keeps what was typed and explains what is wrong", async () => {
    const path = await invite("typo@example.org");
    const res = await post(server, path, { name: "Kept Name", password: "short", confirmPassword: "different" });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('value="Kept Name"');
    expect(html).toContain("Use at least 12 characters.");
    expect(html).toContain("The two passwords do not match.");
    expect(inspectInvitation(server.db, path.split("/").pop()!).status).toBe("valid");
  });

  it("withdraws the older link when a person is invited again", async () => {
    const first = await invite("twice@example.org");
    const second = await invite("twice@example.org");
    expect((await get(server, first)).status).toBe(410);
    expect((await get(server, second)).status).toBe(200);
  });

  it("refuses to invite someone who already has an account, keeping the form", async () => {
    const res = await post(
      server,
      "/invitations/new",
      { email: "observer@convene.example", role: "delegate", organisationId: "" },
      secretariat,
    );
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("Someone with this email address already has an account.");
    expect(html).toContain('value="observer@convene.example"');
  });

  it("rejects an unknown role or organisation", async () => {
    const res = await post(server, "/invitations/new", { email: "x@example.org", role: "emperor", organisationId: "99999" }, secretariat);
    expect(res.status).toBe(400);
    const bad = await post(server, "/invitations/new", { email: "x@example.org", role: "delegate", organisationId: "99999" }, secretariat);
    expect(bad.status).toBe(400);
    expect(server.db.$client.prepare("SELECT count(*) AS n FROM invitations WHERE email = 'x@example.org'").get()).toEqual({ n: 0 });
  });

  it("treats an unknown token as not found", async () => {
    expect((await get(server, "/invitations/not-a-real-token-at-all-000000")).status).toBe(404);
  });
});
