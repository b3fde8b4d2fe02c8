/**
 * What the server says beyond a page's content: caching of confidential answers, the origin of
 * mutations, 4xx instead of 500 for odd requests, and the same answer for "missing" and "not yours".
 */
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addProgressUpdate,
  carryOver,
  closeCycle,
  createCommitment,
  openCycle,
  type CommitmentInput,
} from "../../app/models/commitments.server";
import { createInvitation } from "../../app/models/invitations.server";
import { publishDocument } from "../../app/models/documents.server";
import { DEMO_ACCOUNTS } from "../../db/seed";
import { SECRETARIAT, actorOf, makeCommitment, makeGroupWithDocument, organisationIdOf, pillarIdOf } from "../support/factories";
import { get, signInAs, startServer, type TestServer } from "../support/server";

let server: TestServer;
const cookies = new Map<string, string | undefined>();
const meta = { ipAddress: null, userAgent: null };
const q = <T>(sql: string, ...args: unknown[]) => server.db.$client.prepare(sql).get(...args) as T;

let ids: {
  event: number;
  session: number;
  commitment: number;
  document: number;
  group: number;
  organisation: number;
  year: number;
  token: string;
  groupOnly: { documentId: number; number: number };
  publicVersion: { documentId: number; number: number };
  membersEvidence: number;
  secretEvidence: number;
};

beforeAll(async () => {
  server = await startServer();
  cookies.set("anonymous", undefined);
  for (const account of DEMO_ACCOUNTS) cookies.set(account.email, await signInAs(server, account.email));
  const secretariat = actorOf(server.db, SECRETARIAT);

  const invitation = createInvitation(
    server.db,
    secretariat,
    { email: `invitee-${Date.now()}@example.org`, role: "delegate", organisationId: null },
    { baseUrl: "http://localhost", compose: (link) => ({ subject: "Invitation", body: link }) },
    meta,
  );
  if (!invitation.ok) throw new Error("could not invite");

  // A group-only published version (police@ may read it, facilitator@ may not) and a public one.
  const group = makeGroupWithDocument(server.db, { lead: "police@convene.example", visibility: "group" });
  const groupOnly = publishDocument(
    server.db,
    actorOf(server.db, "police@convene.example"),
    group.documentId,
    { visibility: "group", name: () => "v1" },
    meta,
  );
  const open = makeGroupWithDocument(server.db, { lead: "police@convene.example", visibility: "public" });
  const published = publishDocument(
    server.db,
    actorOf(server.db, "police@convene.example"),
    open.documentId,
    { visibility: "public", name: () => "v1" },
    meta,
  );
  if (!groupOnly.ok || !published.ok) throw new Error("could not publish");

  // Evidence (its record is enough: nobody below may read the file) on a members-only and a secretariat-only commitment.
  const evidenceOn = (visibility: "members" | "secretariat") => {
    const commitment = makeCommitment(server.db, { organisation: "Ministry of Digital Affairs (demo)", visibility });
    const added = addProgressUpdate(
      server.db,
      actorOf(server.db, "government@convene.example"),
      commitment.id,
      {
        completion: "limited",
        percent: 10,
        narrative: "Started.",
        links: [],
        files: [{ fileName: "notes.txt", mimeType: "text/plain", size: 5, sha256: "a".repeat(64) }],
      },
      meta,
    );
    if (!added.ok) throw new Error("could not add progress");
    return q<{ id: number }>("SELECT id FROM evidence WHERE update_id = ? AND kind = 'file'", added.id).id;
  };

  ids = {
    event: q<{ id: number }>("SELECT id FROM events ORDER BY id LIMIT 1").id,
    session: q<{ id: number }>("SELECT id FROM agenda_sessions ORDER BY id LIMIT 1").id,
    commitment: q<{ id: number }>("SELECT id FROM commitments ORDER BY id LIMIT 1").id,
    document: q<{ id: number }>("SELECT id FROM documents ORDER BY id LIMIT 1").id,
    group: group.groupId,
    organisation: organisationIdOf(server.db, "Children First Alliance (demo)"),
    year: q<{ year: number }>("SELECT year FROM forum_cycles ORDER BY year DESC LIMIT 1").year,
    token: new URL(invitation.link).pathname.split("/").pop()!,
    groupOnly: { documentId: group.documentId, number: groupOnly.number },
    publicVersion: { documentId: open.documentId, number: published.number },
    membersEvidence: evidenceOn("members"),
    secretEvidence: evidenceOn("secretariat"),
  };
  const session = q<{ eventId: number }>("SELECT event_id AS eventId FROM agenda_sessions WHERE id = ?", ids.session);
  ids.event = session.eventId;
});
afterAll(() => server.close());

/** A request with headers `fetch` will not send as given (Host). */
function raw(
  method: string,
  path: string,
  headers: Record<string, string>,
  body = "",
): Promise<{ status: number; headers: Record<string, unknown> }> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method, path, headers: { ...headers, "Content-Length": String(Buffer.byteLength(body)) } },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("Cache-Control", () => {
  /** Every page that is not public, with its data answer, and the confidential downloads. */
  const confidential = () => {
    const pages = [
      "/",
      "/account",
      "/audit",
      "/calendar",
      "/commitments",
      `/commitments/${ids.commitment}`,
      "/commitments/dashboard",
      "/commitments/new",
      "/cycles",
      `/cycles/${ids.year}`,
      "/documents",
      `/documents/${ids.document}`,
      `/documents/${ids.document}/versions`,
      `/documents/${ids.groupOnly.documentId}/v/${ids.groupOnly.number}`,
      "/events",
      `/events/${ids.event}`,
      `/events/${ids.event}/programme`,
      `/events/${ids.event}/timetable`,
      `/events/${ids.event}/registrations`,
      "/groups",
      `/groups/${ids.group}`,
      "/invitations",
      "/invitations/new",
      `/invitations/${ids.token}`,
      "/organisations",
      `/organisations/${ids.organisation}`,
      "/people",
      "/reports",
      `/reports/${ids.year}`,
      "/sign-in",
    ];
    return [
      ...pages,
      ...pages.map((p) => (p === "/" ? "/_root.data" : `${p}.data`)),
      `/events/${ids.event}/sessions/${ids.session}/description`,
      `/events/${ids.event}/agenda.csv`,
      `/events/${ids.event}/agenda.ics`,
      "/commitments.csv",
      `/documents/${ids.groupOnly.documentId}/v/${ids.groupOnly.number}.md`,
      `/evidence/${ids.secretEvidence}`,
      "/documents/99999999",
    ];
  };

  it("is private, no-store on every confidential answer, for every role and for someone signed out", async () => {
    const wrong: string[] = [];
    // One account of each role (the four delegates see alike), and no account.
    const roles = new Map([...new Map(DEMO_ACCOUNTS.map((a) => [a.role, a.email])).values()].map((email) => [email, cookies.get(email)]));
    roles.set("anonymous", undefined);
    for (const [who, cookie] of roles) {
      for (const path of confidential()) {
        const res = await get(server, path, cookie);
        await res.arrayBuffer();
        if (res.headers.get("cache-control") !== "private, no-store")
          wrong.push(`${who} ${path}: ${res.status} ${res.headers.get("cache-control") ?? "(none)"}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("is private, no-store on refusals and errors too", async () => {
    const refused = await raw(
      "POST",
      "/sign-in",
      { Origin: "https://evil.example", "Content-Type": "application/x-www-form-urlencoded" },
      "a=b",
    );
    expect(refused.status).toBe(403);
    expect(refused.headers["cache-control"]).toBe("private, no-store");
    const badPath = await get(server, "/invitations/%ZZ");
    expect(badPath.headers.get("cache-control")).toBe("private, no-store");
  });

  it("leaves public answers and static assets their own caching", async () => {
    const html = await (await get(server, "/sign-in")).text();
    const asset = /\/assets\/[\w.-]+\.(?:js|css)/.exec(html)?.[0];
    expect(asset).toBeDefined();
    const res = await get(server, asset!);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const favicon = await get(server, "/favicon.svg");
    expect(favicon.headers.get("cache-control")).toBe("public, max-age=3600");
    const markdown = await get(server, `/documents/${ids.publicVersion.documentId}/v/${ids.publicVersion.number}.md`);
    expect(markdown.status).toBe(200);
    expect(markdown.headers.get("cache-control")).toBe("public, max-age=300");
  });
});

describe("the origin of a mutation", () => {
  it("must match in scheme as well as host and port", async () => {
    const body = new URLSearchParams({ email: SECRETARIAT, password: "wrong" }).toString();
    const form = { "Content-Type": "application/x-www-form-urlencoded" };
    const port = new URL(server.url).port;
    for (const origin of [`https://127.0.0.1:${port}`, "http://127.0.0.1:1", `https://localhost:${port}`]) {
      expect((await raw("POST", "/sign-in", { ...form, Origin: origin }, body)).status, origin).toBe(403);
    }
    // The page's own origin still works (a wrong password is a 400).
    expect((await raw("POST", "/sign-in", { ...form, Origin: server.url }, body)).status).toBe(400);
  });

  it("is refused (403, not 500, not accepted) when Host is foreign, even with a matching Origin", async () => {
    const body = new URLSearchParams({ email: SECRETARIAT, password: "convene-demo-2026" }).toString();
    const form = { "Content-Type": "application/x-www-form-urlencoded" };
    for (const host of ["evil.example", "evil.example:8080", "[2001:db8::1]:3000"]) {
      const res = await raw("POST", "/sign-in", { ...form, Host: host, Origin: `http://${host}` }, body);
      expect(res.status, host).toBe(403);
      expect(res.headers["set-cookie"], host).toBeUndefined();
    }
  });
});

describe("odd requests get a 4xx, never a 500", () => {
  it("answers the old ?_data= form with 404, for every role and every route", async () => {
    const paths = [
      `/invitations/${ids.token}?_data=routes/invitations.$token`,
      `/invitations/${ids.token}.data?_data=routes/invitations.$token`,
      "/invitations/no-such-token-at-all-0123456789?_data=routes/invitations.$token",
      "/sign-in?_data=routes/sign-in",
      "/?_data=root",
      `/commitments/${ids.commitment}?_data=`,
    ];
    for (const [who, cookie] of cookies) {
      for (const path of paths) {
        const res = await get(server, path, cookie);
        expect(res.status, `${who} ${path}`).toBe(404);
      }
    }
    // The page's own data answer still works.
    const data = await get(server, `/invitations/${ids.token}.data`);
    expect(data.status).toBe(200);
  });

  it("answers 400 to a path that cannot be decoded and to a Host that is no host", async () => {
    expect((await get(server, "/invitations/%ZZ.data")).status).toBe(400);
    expect((await get(server, "/events/%E0%A4%A")).status).toBe(400);
    for (const host of ["evil.example:99999", "a b", "evil.example:-1", "[::1", "x/y"]) {
      expect((await raw("GET", "/sign-in", { Host: host })).status, host).toBe(400);
    }
  });

  it("answers every route with odd ids without a 500, signed out and signed in", async () => {
    const odd = ["0", "-1", "abc", "99999999", "9".repeat(400), "1.5"];
    const routes = (x: string) => [
      `/events/${x}`,
      `/events/${x}/programme`,
      `/events/${x}/registrations`,
      `/events/${x}/settings`,
      `/events/${x}/timetable`,
      `/events/${ids.event}/sessions/${x}/description`,
      `/events/${x}/agenda.csv`,
      `/events/${x}/agenda.ics`,
      `/groups/${x}`,
      `/organisations/${x}`,
      `/cycles/${x}`,
      `/cycles/${x}/carry-over`,
      `/reports/${x}`,
      `/reports/${x}/public`,
      `/reports/${ids.year}/download/${x}`,
      `/documents/${x}`,
      `/documents/${x}/versions`,
      `/documents/${x}/v/${x}`,
      `/documents/${x}/v/1.md`,
      `/commitments/${x}`,
      `/evidence/${x}`,
      `/invitations/${x}`,
      `/calendar/${x}.ics`,
      `/commitments?page=${x}&year=${x}&q=${x}`,
      `/audit?page=${x}`,
    ];
    const failures: string[] = [];
    for (const who of ["anonymous", SECRETARIAT]) {
      for (const x of odd) {
        for (const path of routes(x)) {
          const [p, query] = path.split("?");
          for (const variant of [path, `${p}.data${query ? `?${query}` : ""}`]) {
            const res = await get(server, variant, cookies.get(who));
            await res.arrayBuffer();
            if (res.status >= 500) failures.push(`${who} ${variant.slice(0, 80)}: ${res.status}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });
});

/** An answer with what legitimately varies taken out: dates, timings, nonces, and the requested path itself. */
async function comparable(path: string, cookie: string | undefined) {
  const res = await get(server, path, cookie);
  const paths = [path, path.replace(/\.data$/, "")];
  const variants = [...paths, ...paths.map(encodeURIComponent)].sort((a, b) => b.length - a.length);
  const scrub = (s: string) =>
    variants
      .reduce((out, v) => out.replaceAll(v, "PATH"), s)
      .replace(/nonce-[A-Za-z0-9+/=]+/g, "nonce")
      .replace(/nonce="[^"]*"/g, 'nonce=""');
  const headers = [...res.headers.entries()]
    .filter(([name]) => !["date", "server-timing", "content-length", "etag"].includes(name))
    .map(([name, value]) => `${name}: ${scrub(value)}`);
  return { status: res.status, headers, body: scrub(await res.text()) };
}

describe("nothing tells an existing thing from a missing one", () => {
  it("answers an evidence file signed out alike whether it exists or not", async () => {
    const existing = await comparable(`/evidence/${ids.membersEvidence}`, undefined);
    const missing = await comparable("/evidence/99999999", undefined);
    expect(existing.status).toBe(302);
    expect(missing).toEqual(existing);
    const nonsense = await comparable("/evidence/abc", undefined);
    expect(nonsense).toEqual(existing);
  });

  it("answers an evidence file someone may not read like a missing one", async () => {
    const cookie = cookies.get("police@convene.example");
    const hidden = await comparable(`/evidence/${ids.secretEvidence}`, cookie);
    const missing = await comparable("/evidence/99999999", cookie);
    expect(hidden.status).toBe(404);
    expect(missing).toEqual(hidden);
  });

  it("answers a group-only published version signed out alike whether it exists or not, page and data", async () => {
    const { documentId, number } = ids.groupOnly;
    for (const suffix of ["", ".data", ".md"]) {
      const existing = await comparable(`/documents/${documentId}/v/${number}${suffix}`, undefined);
      const missing = await comparable(`/documents/99999999/v/${number}${suffix}`, undefined);
      expect(existing.status, suffix).toBe(suffix === ".data" ? 202 : 302);
      expect(missing, suffix).toEqual(existing);
      const noVersion = await comparable(`/documents/${documentId}/v/99${suffix}`, undefined);
      expect(noVersion.status, suffix).toBe(existing.status);
    }
  });

  it("answers a group-only published version someone outside the group may not read like a missing one", async () => {
    const cookie = cookies.get("facilitator@convene.example");
    const { documentId, number } = ids.groupOnly;
    for (const suffix of ["", ".data", ".md"]) {
      const hidden = await comparable(`/documents/${documentId}/v/${number}${suffix}`, cookie);
      const missing = await comparable(`/documents/99999999/v/${number}${suffix}`, cookie);
      expect(hidden.status, suffix).toBe(404);
      expect(missing, suffix).toEqual(hidden);
    }
    // The group itself still reads it.
    expect((await get(server, `/documents/${documentId}/v/${number}`, cookies.get("police@convene.example"))).status).toBe(200);
  });
});

describe("a merged commitment's lineage", () => {
  it("names a source the reader may not see only as an earlier commitment they cannot see", async () => {
    const secretariat = actorOf(server.db, SECRETARIAT);
    const year = 2061;
    const input = (title: string, organisation: string, visibility: CommitmentInput["visibility"]): CommitmentInput => ({
      title,
      problem: "A problem worth a commitment.",
      expectedResult: "A result that can be checked.",
      pillarId: pillarIdOf(server.db, "collective-action"),
      principles: [],
      type: "single",
      leadOrganisationId: organisationIdOf(server.db, organisation),
      supporting: [],
      leadContribution: "",
      contactName: "Contact person",
      contactEmail: null,
      startsOn: `${year}-01-15`,
      endsOn: `${year + 1}-12-31`,
      madeAtSessionId: null,
      visibility,
      milestones: [],
    });
    expect(openCycle(server.db, secretariat, { year, reportOn: `${year}-12-01` }, meta)).toMatchObject({ ok: true });
    const open = createCommitment(
      server.db,
      secretariat,
      input("Shared hotline triage", "Children First Alliance (demo)", "members"),
      meta,
    );
    const secret = createCommitment(
      server.db,
      secretariat,
      input("Undercover liaison protocol", "Ministry of Digital Affairs (demo)", "secretariat"),
      meta,
    );
    if (!open.ok || !secret.ok) throw new Error("could not record the commitments");
    const cycleId = q<{ id: number }>("SELECT id FROM forum_cycles WHERE year = ?", year).id;
    expect(closeCycle(server.db, secretariat, cycleId, {}, `${year}-12-02`, meta)).toMatchObject({ ok: true });
    expect(openCycle(server.db, secretariat, { year: year + 1, reportOn: `${year + 1}-12-01` }, meta)).toMatchObject({ ok: true });
    const merged = carryOver(
      server.db,
      secretariat,
      open.id,
      { kind: "merged", rationale: "One programme", withIds: [secret.id], title: "Joint triage programme", expectedResult: "One queue" },
      meta,
    );
    if (!merged.ok) throw new Error("could not merge");
    const mergedId = merged.created[0]!;

    // A member who may see the merged commitment but not its secretariat-only source.
    const member = cookies.get("police@convene.example");
    const page = await get(server, `/commitments/${mergedId}`, member);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("an earlier commitment you cannot see");
    expect(html).toContain(`${open.reference} Shared hotline triage`);
    expect(html).not.toContain(secret.reference);
    expect(html).not.toContain("Undercover liaison protocol");
    const data = await (await get(server, `/commitments/${mergedId}.data`, member)).text();
    expect(data).not.toContain(secret.reference);
    expect(data).not.toContain("Undercover");

    // The secretariat sees both sources by name.
    const full = await (await get(server, `/commitments/${mergedId}`, cookies.get(SECRETARIAT))).text();
    expect(full).toContain(`${secret.reference} Undercover liaison protocol`);
    expect(full).not.toContain("commitment you cannot see");
  });
});

describe("demo mode at start", () => {
  it("says whether it is on and why", async () => {
    expect(server.logs).toContain("Demo mode is on: DEMO_MODE=true.");
    const deployed = await startServer({ DEMO_MODE: "", APP_URL: "http://convene.example.org" });
    try {
      expect(deployed.convene.services.env.DEMO_MODE).toBe(false);
      expect(deployed.logs).toContain(
        "Demo mode is off: APP_URL http://convene.example.org is not a loopback address (set DEMO_MODE=true to seed the demo anyway).",
      );
    } finally {
      await deployed.close();
    }
  });
});
