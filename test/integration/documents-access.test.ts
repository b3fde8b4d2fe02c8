import { actorFor } from "../../app/models/people.server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { prosemirrorJSONToYDoc } from "@tiptap/y-tiptap";
import { getSchema } from "@tiptap/core";
import type { Ack, DocJoinResult } from "../../app/realtime/protocol";
import { publishDocument } from "../../app/models/documents.server";
import { contentExtensions, DOCUMENT_FIELD } from "../../app/editor/extensions";
import { stateToMarkdown } from "../../app/models/document-content.server";
import { DEMO_ACCOUNTS } from "../../db/seed";
import { groupWithDocument, openDocument, saved, until, type DocClient } from "../support/documents";
import { connectSocket, get, onceConnected, personId, post, signInAs, startServer, type TestServer } from "../support/server";

let server: TestServer;
const cookies = new Map<string, string>();
let draftId: number;
let publishedId: number;
const clients: DocClient[] = [];

const idOf = (title: string) => (server.db.$client.prepare("SELECT id FROM documents WHERE title = ?").get(title) as { id: number }).id;

beforeAll(async () => {
  server = await startServer();
  for (const account of DEMO_ACCOUNTS) cookies.set(account.email, await signInAs(server, account.email));
  // Seeded: a group-only draft (lead ngo@; editors police@ and industry@; readers government@ and observer@)
  // and a public published model of another group.
  draftId = idOf("Hash-sharing agreements");
  publishedId = idOf("Transparency report outline");
});
afterAll(async () => {
  for (const c of clients) c.close();
  await server.close();
});

/** Who may open, edit and manage the seeded draft: the matrix the policy must honour for every role. */
const expected: Record<string, { page: number; join: "edit" | "read" | "forbidden"; manage: boolean }> = {
  "secretariat@convene.example": { page: 200, join: "edit", manage: true },
  "ngo@convene.example": { page: 200, join: "edit", manage: true },
  "police@convene.example": { page: 200, join: "edit", manage: false },
  "industry@convene.example": { page: 200, join: "edit", manage: false },
  "government@convene.example": { page: 200, join: "read", manage: false },
  "observer@convene.example": { page: 200, join: "read", manage: false },
  "facilitator@convene.example": { page: 404, join: "forbidden", manage: false },
};

describe("documents: who may read, edit and manage", () => {
  for (const account of DEMO_ACCOUNTS) {
    const want = expected[account.email]!;
    it(`${account.role} ${account.email}: page ${want.page}, ${want.join}, ${want.manage ? "manages" : "does not manage"}`, async () => {
      const cookie = cookies.get(account.email)!;
      expect((await get(server, `/documents/${draftId}`, cookie)).status).toBe(want.page);
      expect((await get(server, `/documents/${draftId}/versions`, cookie)).status).toBe(want.page);

      const socket = connectSocket(server, cookie);
      await onceConnected(socket);
      const ack = await new Promise<Ack<DocJoinResult>>((resolve) => socket.emit("doc:join", { documentId: draftId }, resolve));
      socket.close();
      if (want.join === "forbidden") expect(ack).toMatchObject({ ok: false, error: "forbidden" });
      else expect(ack).toMatchObject({ ok: true, readOnly: want.join === "read" });

      const versionsBefore = server.db.$client
        .prepare("SELECT count(*) AS n FROM document_versions WHERE document_id = ?")
        .get(draftId) as { n: number };
      const version = await post(server, `/documents/${draftId}/versions`, { intent: "create", name: `By ${account.role}` }, cookie);
      expect(version.status).toBe(want.join === "edit" ? 200 : want.page === 404 ? 404 : 403);
      const versionsAfter = server.db.$client.prepare("SELECT count(*) AS n FROM document_versions WHERE document_id = ?").get(draftId) as {
        n: number;
      };
      expect(versionsAfter.n - versionsBefore.n).toBe(want.join === "edit" ? 1 : 0);

      const manage = await post(server, `/documents/${draftId}`, { intent: "draft" }, cookie);
      expect(manage.status).toBe(want.manage ? 200 : want.page === 404 ? 404 : 403);
    });
  }

  it("refuses bad settings with a message, keeps what was typed and changes nothing", async () => {
    const cookie = cookies.get("ngo@convene.example")!;
    const before = server.db.$client.prepare("SELECT title, visibility FROM documents WHERE id = ?").get(draftId);
    const res = await post(
      server,
      `/documents/${draftId}`,
      { intent: "settings", title: "   ", summary: "Kept summary", visibility: "everyone" },
      cookie,
    );
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("This field is required.");
    expect(html).toContain("Kept summary");
    expect(server.db.$client.prepare("SELECT title, visibility FROM documents WHERE id = ?").get(draftId)).toEqual(before);
    const version = await post(server, `/documents/${draftId}/versions`, { intent: "create", name: "" }, cookie);
    expect(version.status).toBe(400);
    expect(await version.text()).toContain("This field is required.");
  });

  it("lets anyone read a public published version, without an account", async () => {
    expect((await get(server, `/documents/${publishedId}/v/1`)).status).toBe(200);
    const md = await get(server, `/documents/${publishedId}/v/1.md`);
    expect(md.status).toBe(200);
    expect(md.headers.get("content-type")).toContain("text/markdown");
    expect(await md.text()).toContain("| Detection |");
    // The live draft behind it still needs an account.
    expect((await get(server, `/documents/${publishedId}`)).status).toBe(302);
    // A version that does not exist is answered like one that is not public: sign in first (decision 027).
    expect((await get(server, `/documents/${publishedId}/v/2`)).status).toBe(302);
  });

  it("keeps a group-only published version from people outside the group", async () => {
    const meta = { ipAddress: null, userAgent: null };
    const lead = actorFor(server.db, personId(server, "ngo@convene.example"))!;
    expect(publishDocument(server.db, lead, draftId, { visibility: "group", name: (n) => `v${n}` }, meta)).toMatchObject({ ok: true });
    const anonymous = await get(server, `/documents/${draftId}/v/1.md`);
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("location")).toContain("/sign-in");
    expect((await get(server, `/documents/${draftId}/v/1`, cookies.get("facilitator@convene.example"))).status).toBe(404);
    expect((await get(server, `/documents/${draftId}/v/1.md`, cookies.get("facilitator@convene.example"))).status).toBe(404);
    expect((await get(server, `/documents/${draftId}/v/1`, cookies.get("observer@convene.example"))).status).toBe(200);
  });

  it("never renders a script link from a document's text, even one forged into the Yjs state", async () => {
    const schema = getSchema(contentExtensions);
    const forged = prosemirrorJSONToYDoc(
      schema,
      {
        type: "doc",
        content: [
          {
            type: "paragraph",
            content: [{ type: "text", text: "click me", marks: [{ type: "link", attrs: { href: "javascript:alert(1)" } }] }],
          },
        ],
      },
      DOCUMENT_FIELD,
    );
    const state = Buffer.from(Y.encodeStateAsUpdate(forged));
    server.db.$client
      .prepare(
        "INSERT INTO document_versions (document_id, name, kind, state, title, published_number, visibility) VALUES (?, 'forged', 'published', ?, 'Forged', 99, 'public')",
      )
      .run(publishedId, state);
    const html = await (await get(server, `/documents/${publishedId}/v/99`)).text();
    expect(html).toContain("click me");
    expect(html).not.toMatch(/href="javascript:/i);
  });
});

describe("documents: changes made on the page reach open editors", () => {
  it("narrowing who may read a document in its settings closes it for whoever may no longer", async () => {
    const { documentId } = groupWithDocument(server, { "ngo@convene.example": "editor" }, "members");
    const outsider = await openDocument(server, { cookie: cookies.get("facilitator@convene.example")! }, documentId);
    const member = await openDocument(server, { cookie: cookies.get("ngo@convene.example")! }, documentId);
    clients.push(outsider, member);
    const closed = new Promise<string | undefined>((resolve) =>
      outsider.provider.on("state", (s) => s.connection === "closed" && resolve(s.closedReason)),
    );
    const res = await post(
      server,
      `/documents/${documentId}`,
      { intent: "settings", title: "Good practice", summary: "", visibility: "group" },
      cookies.get("secretariat@convene.example"),
    );
    expect(res.status).toBe(200);
    expect(await closed).toBe("access_removed");
    expect(member.provider.state.connection).not.toBe("closed");
  });

  it("restoring a version on the versions page puts its text into the open editor", async () => {
    const { documentId } = groupWithDocument(server, { "ngo@convene.example": "editor" });
    const cookie = cookies.get("ngo@convene.example")!;
    const client = await openDocument(server, { cookie }, documentId);
    clients.push(client);
    const markdown = () => stateToMarkdown(Y.encodeStateAsUpdate(client.doc));
    const write = (text: string) => {
      const fragment = client.doc.getXmlFragment(DOCUMENT_FIELD);
      client.doc.transact(() => {
        fragment.delete(0, fragment.length);
        const paragraph = new Y.XmlElement("paragraph");
        paragraph.insert(0, [new Y.XmlText(text)]);
        fragment.insert(0, [paragraph]);
      });
    };
    write("The agreed wording");
    await saved(client);
    expect((await post(server, `/documents/${documentId}/versions`, { intent: "create", name: "Agreed" }, cookie)).status).toBe(200);
    const { id: versionId } = server.db.$client
      .prepare("SELECT id FROM document_versions WHERE document_id = ? AND name = 'Agreed'")
      .get(documentId) as { id: number };
    write("A later rewrite");
    await saved(client);

    const res = await post(server, `/documents/${documentId}/versions`, { intent: "restore", versionId: String(versionId) }, cookie);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("was restored.");
    await until(client, () => markdown() === "The agreed wording");
  });
});
