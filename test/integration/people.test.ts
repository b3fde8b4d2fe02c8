import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../../db/seed";
import { get, personId, post, signInAs, startServer, type TestServer } from "../support/server";

let server: TestServer;
let secretariat: string;
beforeAll(async () => {
  server = await startServer();
  secretariat = await signInAs(server, "secretariat@convene.example");
});
afterAll(() => server.close());

type AuditRow = {
  action: string;
  actor_id: number | null;
  target_type: string | null;
  target_id: string | null;
  ip_address: string | null;
};
function lastAudit(action: string): AuditRow | undefined {
  return server.db.$client.prepare("SELECT * FROM audit_log WHERE action = ? ORDER BY id DESC LIMIT 1").get(action) as AuditRow | undefined;
}

describe("managing people and organisations", () => {
  it("changes a role and records who did it, to whom and from where", async () => {
    const target = personId(server, "police@convene.example");
    const res = await post(server, "/people", { intent: "changeRole", personId: String(target), role: "observer" }, secretariat);
    expect(res.status).toBe(200);
    expect(server.db.$client.prepare("SELECT role FROM users WHERE id = ?").get(target)).toEqual({ role: "observer" });
    expect(lastAudit("person.change_role")).toMatchObject({
      actor_id: personId(server, "secretariat@convene.example"),
      target_type: "user",
      target_id: String(target),
      ip_address: expect.stringContaining("127.0.0.1"),
    });
  });

  it("a deactivated person cannot sign in, and can again once reactivated", async () => {
    const target = String(personId(server, "industry@convene.example"));
    expect((await post(server, "/people", { intent: "deactivate", personId: target, confirm: "yes" }, secretariat)).status).toBe(200);
    expect((await post(server, "/sign-in", { email: "industry@convene.example", password: DEMO_PASSWORD })).status).toBe(400);
    expect((await post(server, "/people", { intent: "reactivate", personId: target }, secretariat)).status).toBe(200);
    expect((await post(server, "/sign-in", { email: "industry@convene.example", password: DEMO_PASSWORD })).status).toBe(302);
  });

  it("the secretariat cannot deactivate itself", async () => {
    const me = String(personId(server, "secretariat@convene.example"));
    expect((await post(server, "/people", { intent: "deactivate", personId: me }, secretariat)).status).toBe(403);
    expect((await get(server, "/people", secretariat)).status).toBe(200);
  });

  it("adds and edits an organisation, refusing duplicate names and keeping the form", async () => {
    const created = await post(
      server,
      "/organisations",
      { name: "Nordic Safety Lab", stakeholderGroup: "research", country: "NO" },
      secretariat,
    );
    expect(created.status).toBe(200);
    const dup = await post(
      server,
      "/organisations",
      { name: "nordic safety lab", stakeholderGroup: "industry", country: "SE" },
      secretariat,
    );
    expect(dup.status).toBe(400);
    const html = await dup.text();
    expect(html).toContain("An organisation with this name already exists.");
    expect(html).toContain('value="nordic safety lab"');

    const id = (server.db.$client.prepare("SELECT id FROM organisations WHERE name = 'Nordic Safety Lab'").get() as { id: number }).id;
    const bad = await post(
      server,
      `/organisations/${id}`,
      { name: "Nordic Safety Lab", stakeholderGroup: "pirates", country: "XX" },
      secretariat,
    );
    expect(bad.status).toBe(400);
    const edited = await post(
      server,
      `/organisations/${id}`,
      { name: "Nordic Safety Lab", stakeholderGroup: "ngo", country: "NO" },
      secretariat,
    );
    expect(edited.status).toBe(302);
    expect(server.db.$client.prepare("SELECT stakeholder_group AS g FROM organisations WHERE id = ?").get(id)).toEqual({ g: "ngo" });
    expect(lastAudit("organisation.update")).toMatchObject({ target_id: String(id) });
  });

  it("the audit log can be browsed and filtered by action", async () => {
    const res = await get(server, "/audit?action=organisation.create", secretariat);
    const rows = (await res.text()).match(/<tr data-testid="audit-row">.*?<\/tr>/g) ?? [];
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toContain("Added an organisation");
  });

  it("the audit log is append-only", () => {
    expect(() => server.db.$client.prepare("UPDATE audit_log SET action = 'nothing'").run()).toThrow(/append-only/);
    expect(() => server.db.$client.prepare("DELETE FROM audit_log").run()).toThrow(/append-only/);
  });
});

describe("my account", () => {
  it("lists my sessions and lets me end another one", async () => {
    const a = await signInAs(server, "ngo@convene.example");
    const b = await signInAs(server, "ngo@convene.example");
    const sessionB = decodeURIComponent(b.split("=")[1]!).split(".")[0]!;
    const page = await (await get(server, "/account", a)).text();
    expect(page).toContain(sessionB);
    expect((await post(server, "/account", { intent: "revoke", sessionId: sessionB }, a)).status).toBe(200);
    expect((await get(server, "/account", b)).status).toBe(302);
    expect((await get(server, "/", a)).status).toBe(200);
  });

  it("cannot end someone else's session", async () => {
    const mine = await signInAs(server, "government@convene.example");
    const theirs = await signInAs(server, "observer@convene.example");
    const theirId = decodeURIComponent(theirs.split("=")[1]!).split(".")[0]!;
    expect((await post(server, "/account", { intent: "revoke", sessionId: theirId }, mine)).status).toBe(403);
    expect((await get(server, "/", theirs)).status).toBe(200);
  });

  it("saves a time zone and refuses one that does not exist", async () => {
    const me = await signInAs(server, "government@convene.example");
    const bad = await post(server, "/account", { intent: "profile", name: "Priya Natarajan", timeZone: "Mars/Olympus" }, me);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("Choose a time zone from the list.");
    expect((await post(server, "/account", { intent: "profile", name: "Priya N.", timeZone: "Asia/Kolkata" }, me)).status).toBe(200);
    expect(await (await get(server, "/", me)).text()).toContain("Times are shown in Asia/Kolkata");
  });
});
