import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDocument, type DocClient } from "../support/documents";
import { get, personId, post, signInAs, startServer, type TestServer } from "../support/server";

let server: TestServer;
let secretariat: string;
const clients: DocClient[] = [];

beforeAll(async () => {
  server = await startServer();
  secretariat = await signInAs(server, "secretariat@convene.example");
});
afterAll(async () => {
  for (const c of clients) c.close();
  await server.close();
});

function firstPillarId(): string {
  return String((server.db.$client.prepare("SELECT id FROM pillars ORDER BY position LIMIT 1").get() as { id: number }).id);
}

function membershipIn(groupId: number, email: string): string | null {
  const row = server.db.$client
    .prepare("SELECT membership FROM working_group_members WHERE group_id = ? AND user_id = ?")
    .get(groupId, personId(server, email)) as { membership: string } | undefined;
  return row?.membership ?? null;
}

/** Creates a group through the page, as the secretariat, and returns its id. */
async function createGroup(name: string, leadEmail = "facilitator@convene.example"): Promise<number> {
  const res = await post(
    server,
    "/groups",
    {
      intent: "create",
      name,
      description: "Shared practice on hash matching.",
      pillarId: firstPillarId(),
      leadId: String(personId(server, leadEmail)),
    },
    secretariat,
  );
  expect(res.status).toBe(302);
  const match = /^\/groups\/(\d+)$/.exec(res.headers.get("location") ?? "");
  expect(match).not.toBeNull();
  return Number(match![1]);
}

async function addMember(groupId: number, email: string, membership: "editor" | "reader") {
  const res = await post(
    server,
    `/groups/${groupId}`,
    { intent: "addMember", userId: String(personId(server, email)), membership },
    secretariat,
  );
  expect(res.status).toBe(200);
  expect(membershipIn(groupId, email)).toBe(membership);
}

describe("working groups: the secretariat sets them up", () => {
  it("creates a group whose lead becomes an editor, and refuses a duplicate name, keeping what was typed", async () => {
    const groupId = await createGroup("Hash matching practice");
    expect(membershipIn(groupId, "facilitator@convene.example")).toBe("editor");
    expect(
      server.db.$client.prepare("SELECT action FROM audit_log WHERE action = 'working_group.create' ORDER BY id DESC LIMIT 1").get(),
    ).toEqual({
      action: "working_group.create",
    });

    const dup = await post(
      server,
      "/groups",
      { intent: "create", name: "hash MATCHING practice", description: "Again", pillarId: firstPillarId(), leadId: "" },
      secretariat,
    );
    expect(dup.status).toBe(400);
    const html = await dup.text();
    expect(html).toContain("A working group with this name already exists.");
    expect(html).toContain('value="hash MATCHING practice"');
    expect(
      server.db.$client.prepare("SELECT count(*) AS n FROM working_groups WHERE lower(name) = 'hash matching practice'").get(),
    ).toEqual({ n: 1 });

    const empty = await post(server, "/groups", { intent: "create", name: "", description: "", pillarId: "", leadId: "" }, secretariat);
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain("This field is required.");
  });

  it("only the secretariat may create groups", async () => {
    const delegate = await signInAs(server, "ngo@convene.example");
    const res = await post(
      server,
      "/groups",
      { intent: "create", name: "Sneaky group", description: "", pillarId: firstPillarId(), leadId: "" },
      delegate,
    );
    expect(res.status).toBe(403);
    expect(server.db.$client.prepare("SELECT count(*) AS n FROM working_groups WHERE name = 'Sneaky group'").get()).toEqual({ n: 0 });
  });

  it("adds members, and lists the group for members only", async () => {
    const groupId = await createGroup("Platform referral circle");
    await addMember(groupId, "ngo@convene.example", "editor");
    await addMember(groupId, "government@convene.example", "reader");

    const again = await post(
      server,
      `/groups/${groupId}`,
      { intent: "addMember", userId: String(personId(server, "ngo@convene.example")), membership: "reader" },
      secretariat,
    );
    expect(again.status).toBe(400);
    expect(membershipIn(groupId, "ngo@convene.example")).toBe("editor");

    const member = await signInAs(server, "government@convene.example");
    const page = await get(server, `/groups/${groupId}`, member);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Platform referral circle");
    expect(html).toContain("Wanjiru Kamau");
    expect(await (await get(server, "/groups", member)).text()).toContain("Platform referral circle");
    expect(await (await get(server, "/", member)).text()).toContain(`href="/groups/${groupId}"`);

    const outsider = await signInAs(server, "industry@convene.example");
    expect([403, 404]).toContain((await get(server, `/groups/${groupId}`, outsider)).status);
    expect(await (await get(server, "/groups", outsider)).text()).not.toContain("Platform referral circle");
    const sneaky = await post(
      server,
      `/groups/${groupId}`,
      { intent: "createDocument", title: "Sneaky", summary: "", visibility: "group" },
      outsider,
    );
    expect([403, 404]).toContain(sneaky.status);
  });
});

describe("working groups: documents", () => {
  it("an editor creates a document and is taken to it; a reader may not", async () => {
    const groupId = await createGroup("Reporting pathways group");
    await addMember(groupId, "police@convene.example", "editor");
    await addMember(groupId, "observer@convene.example", "reader");

    const editor = await signInAs(server, "police@convene.example");
    const bad = await post(
      server,
      `/groups/${groupId}`,
      { intent: "createDocument", title: "", summary: "", visibility: "everyone" },
      editor,
    );
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("This field is required.");

    const res = await post(
      server,
      `/groups/${groupId}`,
      { intent: "createDocument", title: "Referral good practice", summary: "How platforms refer reports.", visibility: "members" },
      editor,
    );
    expect(res.status).toBe(302);
    const match = /^\/documents\/(\d+)$/.exec(res.headers.get("location") ?? "");
    expect(match).not.toBeNull();
    const documentId = Number(match![1]);
    expect(server.db.$client.prepare("SELECT group_id, title, visibility, status FROM documents WHERE id = ?").get(documentId)).toEqual({
      group_id: groupId,
      title: "Referral good practice",
      visibility: "members",
      status: "draft",
    });
    expect(await (await get(server, `/groups/${groupId}`, editor)).text()).toContain(`href="/documents/${documentId}"`);

    const reader = await signInAs(server, "observer@convene.example");
    const refused = await post(
      server,
      `/groups/${groupId}`,
      { intent: "createDocument", title: "Reader's draft", summary: "", visibility: "group" },
      reader,
    );
    expect(refused.status).toBe(403);
    expect(server.db.$client.prepare("SELECT count(*) AS n FROM documents WHERE title = ?").get("Reader's draft")).toEqual({ n: 0 });
  });
});

describe("working groups: changing who is in them", () => {
  it("removing a member through the page closes their open document at once", async () => {
    const groupId = await createGroup("Survivor support group");
    await addMember(groupId, "ngo@convene.example", "editor");
    await addMember(groupId, "police@convene.example", "editor");
    const ngo = await signInAs(server, "ngo@convene.example");
    const created = await post(
      server,
      `/groups/${groupId}`,
      { intent: "createDocument", title: "Support pathways", summary: "", visibility: "group" },
      ngo,
    );
    const documentId = Number(/(\d+)$/.exec(created.headers.get("location") ?? "")![1]);

    const stays = await openDocument(server, { cookie: ngo }, documentId);
    const leaves = await openDocument(server, "police@convene.example", documentId);
    clients.push(stays, leaves);
    expect(leaves.provider.state.readOnly).toBe(false);
    const closed = new Promise<string | undefined>((resolve) =>
      leaves.provider.on("state", (s) => {
        if (s.connection === "closed") resolve(s.closedReason);
      }),
    );

    const res = await post(
      server,
      `/groups/${groupId}`,
      { intent: "removeMember", userId: String(personId(server, "police@convene.example")) },
      secretariat,
    );
    expect(res.status).toBe(200);
    expect(await closed).toBe("access_removed");
    expect(leaves.provider.state.connection).toBe("closed");
    expect(stays.provider.state.connection).not.toBe("closed");
    expect(membershipIn(groupId, "police@convene.example")).toBeNull();
  });

  it("making an editor a reader turns their open document read-only", async () => {
    const groupId = await createGroup("Age assurance group");
    await addMember(groupId, "ngo@convene.example", "editor");
    const ngo = await signInAs(server, "ngo@convene.example");
    const created = await post(
      server,
      `/groups/${groupId}`,
      { intent: "createDocument", title: "Age assurance", summary: "", visibility: "group" },
      ngo,
    );
    const documentId = Number(/(\d+)$/.exec(created.headers.get("location") ?? "")![1]);
    const client = await openDocument(server, { cookie: ngo }, documentId);
    clients.push(client);
    expect(client.provider.state.readOnly).toBe(false);
    const readOnly = new Promise<void>((resolve) =>
      client.provider.on("state", (s) => {
        if (s.readOnly) resolve();
      }),
    );
    const res = await post(
      server,
      `/groups/${groupId}`,
      { intent: "setMembership", userId: String(personId(server, "ngo@convene.example")), membership: "reader" },
      secretariat,
    );
    expect(res.status).toBe(200);
    await readOnly;
    expect(membershipIn(groupId, "ngo@convene.example")).toBe("reader");
  });

  it("the lead cannot be removed or made a reader, and the page says why", async () => {
    const groupId = await createGroup("Lead protection group");
    const lead = String(personId(server, "facilitator@convene.example"));
    const removal = await post(server, `/groups/${groupId}`, { intent: "removeMember", userId: lead }, secretariat);
    expect(removal.status).toBe(409);
    expect(await removal.text()).toMatch(/role="alert"[^>]*>The lead cannot be removed\./);
    const demotion = await post(server, `/groups/${groupId}`, { intent: "setMembership", userId: lead, membership: "reader" }, secretariat);
    expect(demotion.status).toBe(400);
    expect(membershipIn(groupId, "facilitator@convene.example")).toBe("editor");
  });

  it("naming a new lead makes them an editor, after which the old lead can be removed", async () => {
    const groupId = await createGroup("Lead handover group");
    const update = await post(
      server,
      `/groups/${groupId}`,
      {
        intent: "update",
        name: "Lead handover group",
        description: "Now led by an NGO.",
        pillarId: firstPillarId(),
        leadId: String(personId(server, "ngo@convene.example")),
      },
      secretariat,
    );
    expect(update.status).toBe(200);
    expect(membershipIn(groupId, "ngo@convene.example")).toBe("editor");
    const removal = await post(
      server,
      `/groups/${groupId}`,
      { intent: "removeMember", userId: String(personId(server, "facilitator@convene.example")) },
      secretariat,
    );
    expect(removal.status).toBe(200);
    expect(membershipIn(groupId, "facilitator@convene.example")).toBeNull();

    const observerLead = await post(
      server,
      `/groups/${groupId}`,
      {
        intent: "update",
        name: "Lead handover group",
        description: "",
        pillarId: firstPillarId(),
        leadId: String(personId(server, "observer@convene.example")),
      },
      secretariat,
    );
    expect(observerLead.status).toBe(400);
  });

  it("naming a reader the new lead makes the group's open documents editable for them", async () => {
    const groupId = await createGroup("Lead promotion group");
    await addMember(groupId, "ngo@convene.example", "reader");
    const lead = await signInAs(server, "facilitator@convene.example");
    const created = await post(
      server,
      `/groups/${groupId}`,
      { intent: "createDocument", title: "Promotion notes", summary: "", visibility: "group" },
      lead,
    );
    const documentId = Number(/(\d+)$/.exec(created.headers.get("location") ?? "")![1]);
    const client = await openDocument(server, "ngo@convene.example", documentId);
    clients.push(client);
    expect(client.provider.state.readOnly).toBe(true);
    const writable = new Promise<void>((resolve) =>
      client.provider.on("state", (s) => {
        if (!s.readOnly) resolve();
      }),
    );
    const update = await post(
      server,
      `/groups/${groupId}`,
      {
        intent: "update",
        name: "Lead promotion group",
        description: "",
        pillarId: firstPillarId(),
        leadId: String(personId(server, "ngo@convene.example")),
      },
      secretariat,
    );
    expect(update.status).toBe(200);
    await writable;
    expect(membershipIn(groupId, "ngo@convene.example")).toBe("editor");
  });
});
