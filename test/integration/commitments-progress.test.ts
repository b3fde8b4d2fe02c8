/**
 * A commitment's page with the real server: progress updates with evidence links and files, who may
 * post and read them, the secretariat's check, milestones, and the timeline across forum years.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addProgressUpdate, carryOver, completeMilestone, currentCycle, openCycle } from "../../app/models/commitments.server";
import { findPersonByEmail } from "../../app/models/people.server";
import { DEMO_ACCOUNTS } from "../../db/seed";
import { get, personId, post, signInAs, startServer, type TestServer } from "../support/server";

const MAX_BYTES = 64 * 1024;
let server: TestServer;
const cookies = new Map<string, string>();
const cookie = (who: string) => cookies.get(`${who}@convene.example`)!;
let evidenceRoot: string;

let briefings: number; // members-only, current cycle; lead: police, supporting: hotline
let protocol: number; // secretariat-only, current cycle; lead: ministry (government@)
let triageNow: number; // carried from last year, current cycle; lead: ngo, supporting: industry
let triageLast: number; // last year's record of the same reference, closed cycle
let hashing: number; // public, last year, completed

const q = <T>(sql: string, ...args: unknown[]) => server.db.$client.prepare(sql).get(...args) as T;
const all = <T>(sql: string, ...args: unknown[]) => server.db.$client.prepare(sql).all(...args) as T[];
const idOfTitle = (title: string) => q<{ id: number }>("SELECT id FROM commitments WHERE title = ? ORDER BY id DESC", title).id;
const count = (table: string) => q<{ n: number }>(`SELECT count(*) AS n FROM ${table}`).n;
/** The person as the models see them when they act. */
const actorOf = (who: string) => findPersonByEmail(server.db, `${who}@convene.example`)!;
const meta = { ipAddress: null, userAgent: null };

/** Every stored evidence file (relative path), leaving out the temporary folder. */
function storedFiles(): string[] {
  if (!existsSync(evidenceRoot)) return [];
  return readdirSync(evidenceRoot, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(evidenceRoot.length + 1))
    .sort();
}
function tempFiles(): string[] {
  const tmp = join(evidenceRoot, "tmp");
  return existsSync(tmp) ? readdirSync(tmp) : [];
}

interface Upload {
  name: string;
  type: string;
  bytes: Uint8Array<ArrayBuffer>;
}

/** A multipart POST as the page's form sends it (same origin, with the session). */
function postMultipart(path: string, who: string | null, fields: Record<string, string>, files: Upload[] = []) {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  for (const f of files) form.append("files", new Blob([f.bytes], { type: f.type }), f.name);
  return fetch(server.url + path, {
    method: "POST",
    redirect: "manual",
    headers: { Origin: server.url, "Sec-Fetch-Site": "same-origin", ...(who ? { Cookie: cookie(who) } : {}) },
    body: form,
  });
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
function png(size = 300, seed = 1): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  bytes.set(PNG_SIGNATURE);
  for (let i = PNG_SIGNATURE.length; i < size; i++) bytes[i] = (i * 31 + seed) % 251;
  return bytes;
}
const text = (s: string) => new Uint8Array(new TextEncoder().encode(s));
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

const update = (fields: Partial<Record<string, string>> = {}) => ({
  intent: "progress",
  completion: "limited",
  percent: "40",
  narrative: "The first briefing was held with three units.",
  ...fields,
});

beforeAll(async () => {
  server = await startServer({ EVIDENCE_MAX_BYTES: String(MAX_BYTES) });
  evidenceRoot = join(dirname(server.convene.services.env.DATABASE_PATH), "evidence");
  for (const account of DEMO_ACCOUNTS) cookies.set(account.email, await signInAs(server, account.email));
  briefings = idOfTitle("Quarterly threat briefings for law enforcement");
  protocol = idOfTitle("Joint response protocol for live-streamed abuse");
  triageNow = idOfTitle("Shared triage of reports between hotlines and platforms");
  triageLast = q<{ id: number }>(
    "SELECT id FROM commitments WHERE title = ? ORDER BY id ASC",
    "Shared triage of reports between hotlines and platforms",
  ).id;
  hashing = idOfTitle("Open-source hash matching for smaller platforms");
});
afterAll(() => server.close());

describe("the commitment page", () => {
  it("shows the reference, owners, what each contributes, and the timeline with last year's frozen assessment", async () => {
    const res = await get(server, `/commitments/${triageNow}`, cookie("industry"));
    expect(res.status).toBe(200);
    const html = await res.text();
    const reference = q<{ reference: string }>("SELECT reference FROM commitments WHERE id = ?", triageNow).reference;
    expect(html).toContain(reference);
    expect(html).toContain("Children First Alliance (demo)");
    expect(html).toContain("Engineering time for the shared queue");
    expect(html).toContain("Two platforms triage together.");
    expect(html).toContain("Three more platforms asked to join.");
    expect(html).toContain(`href="/commitments/${triageLast}"`);
    // Updates of every year of the lineage, with their verification state.
    expect(html).toContain("The pilot runs with two platforms.");
    expect(html).toContain("Checked by the secretariat on");
    expect(html).toContain("Confirmed with both platforms.");
    expect(html).not.toContain('data-testid="carried-flag"');
  });

  it("can be read without an account when public; otherwise it asks to sign in, and is a 404 to someone who may not see it", async () => {
    expect((await get(server, `/commitments/${hashing}`)).status).toBe(200);
    const anonymous = await get(server, `/commitments/${briefings}`);
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("location")).toMatch(/^\/sign-in\?redirectTo=/);
    expect((await get(server, `/commitments/${protocol}`, cookie("police"))).status).toBe(404);
    expect((await get(server, `/commitments/${protocol}`, cookie("government"))).status).toBe(200);
    expect((await get(server, `/commitments/${protocol}`, cookie("secretariat"))).status).toBe(200);
    expect((await get(server, "/commitments/999999", cookie("secretariat"))).status).toBe(404);
  });
});

describe("posting progress with evidence", () => {
  let postedId: number;
  const file = png(500, 7);

  it("lets a delegate of an owning organisation post an update with a link and a file: stored by hash, shown on the page", async () => {
    const before = count("progress_updates");
    const res = await postMultipart(`/commitments/${briefings}`, "police", update({ link1: "https://example.org/briefing-notes" }), [
      { name: "Briefing attendance.png", type: "image/png", bytes: file },
    ]);
    expect(res.status).toBe(200);
    expect(count("progress_updates")).toBe(before + 1);
    const row = q<{ id: number; authorId: number; organisationId: number; completion: string; percent: number }>(
      "SELECT id, author_id AS authorId, organisation_id AS organisationId, completion, percent FROM progress_updates ORDER BY id DESC LIMIT 1",
    );
    postedId = row.id;
    expect(row).toMatchObject({ authorId: personId(server, "police@convene.example"), completion: "limited", percent: 40 });
    const rows = all<{
      kind: string;
      url: string | null;
      fileName: string | null;
      mimeType: string | null;
      size: number | null;
      sha256: string | null;
    }>(
      "SELECT kind, url, file_name AS fileName, mime_type AS mimeType, size, sha256 FROM evidence WHERE update_id = ? ORDER BY id",
      postedId,
    );
    expect(rows).toEqual([
      { kind: "link", url: "https://example.org/briefing-notes", fileName: null, mimeType: null, size: null, sha256: null },
      { kind: "file", url: null, fileName: "Briefing attendance.png", mimeType: "image/png", size: file.byteLength, sha256: sha256(file) },
    ]);
    const onDisk = join(evidenceRoot, sha256(file).slice(0, 2), sha256(file));
    expect(existsSync(onDisk)).toBe(true);
    expect(sha256(readFileSync(onDisk))).toBe(sha256(file));
    expect(tempFiles()).toEqual([]);

    const page = await (await get(server, `/commitments/${briefings}`, cookie("ngo"))).text();
    expect(page).toContain("The first briefing was held with three units.");
    expect(page).toContain("https://example.org/briefing-notes");
    expect(page).toContain("Briefing attendance.png");
    expect(page).toMatch(new RegExp(`data-testid="update-${postedId}"[^>]*data-verified="false"`));
  });

  it("stores the same content once", async () => {
    const files = storedFiles().length;
    const res = await postMultipart(`/commitments/${briefings}`, "police", update({ narrative: "Same attachment again." }), [
      { name: "copy.png", type: "image/png", bytes: file },
    ]);
    expect(res.status).toBe(200);
    expect(storedFiles().length).toBe(files);
    expect(q<{ n: number }>("SELECT count(*) AS n FROM evidence WHERE sha256 = ?", sha256(file)).n).toBe(2);
  });

  it("refuses an organisation that does not own the commitment, and an observer, storing nothing", async () => {
    const updates = count("progress_updates");
    const evidence = count("evidence");
    const files = storedFiles();
    for (const who of ["ngo", "industry", "observer"]) {
      const res = await postMultipart(`/commitments/${briefings}`, who, update({ narrative: `Posted by ${who}` }), [
        { name: `${who}.png`, type: "image/png", bytes: png(200, who.length) },
      ]);
      expect(res.status, who).toBe(403);
    }
    // A secretariat-only commitment does not exist for someone outside it.
    expect((await postMultipart(`/commitments/${protocol}`, "police", update(), [])).status).toBe(404);
    expect((await postMultipart(`/commitments/${briefings}`, null, update(), [])).status).toBe(302);
    expect(count("progress_updates")).toBe(updates);
    expect(count("evidence")).toBe(evidence);
    expect(storedFiles()).toEqual(files);
  });

  it("refuses files that are too large or of the wrong kind with a message, keeping what was typed and storing nothing", async () => {
    const updates = count("progress_updates");
    const evidence = count("evidence");
    const files = storedFiles();
    const cases: { upload: Upload; message: string }[] = [
      { upload: { name: "huge.png", type: "image/png", bytes: png(MAX_BYTES + 1) }, message: "is larger than" },
      {
        upload: { name: "page.html", type: "text/html", bytes: text("<script>alert(1)</script>") },
        message: "is not an accepted kind of file",
      },
      // Declared as a PDF, named as one, but it is not one.
      {
        upload: { name: "report.pdf", type: "application/pdf", bytes: text("<html><script>alert(1)</script></html>") },
        message: "is not an accepted kind of file",
      },
      // A real PNG under a JPEG's name and type.
      { upload: { name: "photo.jpg", type: "image/jpeg", bytes: png(400) }, message: "is not an accepted kind of file" },
      {
        upload: { name: "program.txt", type: "text/plain", bytes: new Uint8Array([0x4d, 0x5a, 0x90, 0x00, 0x03]) },
        message: "is not an accepted kind of file",
      },
    ];
    for (const { upload, message } of cases) {
      const res = await postMultipart(
        `/commitments/${briefings}`,
        "police",
        update({ narrative: "Kept narrative text", link1: "https://example.org/kept" }),
        [{ name: "fine.png", type: "image/png", bytes: png(100, 3) }, upload],
      );
      expect(res.status, upload.name).toBe(400);
      const html = await res.text();
      expect(html, upload.name).toContain(message);
      expect(html).toContain(upload.name);
      expect(html).toContain("Kept narrative text");
      expect(html).toContain("https://example.org/kept");
      expect(html).toContain("Nothing was stored");
    }
    // Remix's parser cannot read such a name: a clear message, nothing stored.
    const oddName = await postMultipart(`/commitments/${briefings}`, "police", update(), [
      { name: "minutes; v=2.png", type: "image/png", bytes: png(100, 5) },
    ]);
    expect(oddName.status).toBe(400);
    expect(await oddName.text()).toContain("A file name could not be read.");
    const six = Array.from({ length: 6 }, (_, i) => ({ name: `page-${i}.png`, type: "image/png", bytes: png(100 + i, i) }));
    const tooMany = await postMultipart(`/commitments/${briefings}`, "police", update(), six);
    expect(tooMany.status).toBe(400);
    expect(await tooMany.text()).toContain("at most 5 files");

    expect(count("progress_updates")).toBe(updates);
    expect(count("evidence")).toBe(evidence);
    expect(storedFiles()).toEqual(files);
    expect(tempFiles()).toEqual([]);
  });

  it("accepts each allowed kind of file", async () => {
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00]);
    const res = await postMultipart(`/commitments/${briefings}`, "police", update({ narrative: "All the kinds." }), [
      { name: "minutes.pdf", type: "application/pdf", bytes: text("%PDF-1.7\n%\u00e2\u00e3\n1 0 obj\n") },
      { name: "photo.jpeg", type: "image/jpeg", bytes: new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70]) },
      { name: "figures.csv", type: "text/csv", bytes: text("unit,briefed\nA,3\nB,4\n") },
      { name: "agenda.docx", type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", bytes: zip },
      { name: "tally.xlsx", type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", bytes: new Uint8Array([...zip, 1]) },
    ]);
    expect(res.status).toBe(200);
    const id = q<{ id: number }>("SELECT id FROM progress_updates ORDER BY id DESC LIMIT 1").id;
    expect(
      all<{ mimeType: string }>("SELECT mime_type AS mimeType FROM evidence WHERE update_id = ? ORDER BY id", id).map((r) => r.mimeType),
    ).toEqual([
      "application/pdf",
      "image/jpeg",
      "text/csv",
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ]);
  });

  it("checks the fields: completion and percent agree, a narrative is given, links are https", async () => {
    const updates = count("progress_updates");
    const complete = await postMultipart(`/commitments/${briefings}`, "police", update({ completion: "complete", percent: "50" }));
    expect(complete.status).toBe(400);
    expect(await complete.text()).toContain("A complete commitment is 100% done.");
    const notStarted = await post(
      server,
      `/commitments/${briefings}`,
      update({ completion: "not_started", percent: "10" }),
      cookie("police"),
    );
    expect(notStarted.status).toBe(400);
    expect(await notStarted.text()).toContain("A commitment not started is 0% done.");
    const empty = await postMultipart(`/commitments/${briefings}`, "police", update({ narrative: "   " }));
    expect(await empty.text()).toContain("Describe what happened.");
    const http = await postMultipart(`/commitments/${briefings}`, "police", update({ link2: "http://example.org/plain" }));
    expect(http.status).toBe(400);
    expect(await http.text()).toContain("Enter a full link starting with https://.");
    const js = await postMultipart(`/commitments/${briefings}`, "police", update({ link1: "javascript:alert(1)" }));
    expect(js.status).toBe(400);
    const range = await postMultipart(`/commitments/${briefings}`, "police", update({ percent: "101" }));
    expect(range.status).toBe(400);
    expect(count("progress_updates")).toBe(updates);
  });

  it("takes progress only on the current cycle's record", async () => {
    const updates = count("progress_updates");
    const res = await postMultipart(`/commitments/${triageLast}`, "ngo", update(), [
      { name: "late.png", type: "image/png", bytes: png(120, 9) },
    ]);
    expect(res.status).toBe(409);
    const page = await (await get(server, `/commitments/${triageLast}`, cookie("ngo"))).text();
    expect(page).not.toContain('data-testid="progress-form"');
    expect(page).toContain(`href="/commitments/${triageNow}"`);
    expect(count("progress_updates")).toBe(updates);
  });

  it("lets bodies over 1 MiB through only as multipart posts to a commitment's page", async () => {
    const big = png(1024 * 1024 + 200 * 1024);
    const toCommitment = await postMultipart(`/commitments/${briefings}`, "police", update(), [
      { name: "big.png", type: "image/png", bytes: big },
    ]);
    // Past the guard, the page itself refuses the file.
    expect(toCommitment.status).toBe(400);
    expect(await toCommitment.text()).toContain("is larger than");
    const elsewhere = await postMultipart("/groups/1", "police", { intent: "update" }, [
      { name: "big.png", type: "image/png", bytes: big },
    ]);
    expect(elsewhere.status).toBe(413);
    const tooBig = await postMultipart(`/commitments/${briefings}`, "police", update(), [
      { name: "bigger.png", type: "image/png", bytes: png(6 * MAX_BYTES + 1024 * 1024) },
    ]);
    expect(tooBig.status).toBe(413);
    expect(tempFiles()).toEqual([]);
  });

  it("keeps updates as posted: the database refuses a change, and a correction is a new update", async () => {
    expect(() => server.db.$client.prepare("UPDATE progress_updates SET narrative = 'changed' WHERE id = ?").run(postedId)).toThrow(
      /append-only/,
    );
    expect(() => server.db.$client.prepare("DELETE FROM progress_updates WHERE id = ?").run(postedId)).toThrow(/append-only/);
    const res = await postMultipart(
      `/commitments/${briefings}`,
      "police",
      update({ percent: "35", narrative: "Correction: 35%, one unit cancelled." }),
    );
    expect(res.status).toBe(200);
    const page = await (await get(server, `/commitments/${briefings}`, cookie("police"))).text();
    const correction = page.indexOf("Correction: 35%, one unit cancelled.");
    const original = page.indexOf("The first briefing was held with three units.");
    expect(correction).toBeGreaterThan(-1);
    // Newest first, the original still there.
    expect(original).toBeGreaterThan(correction);
  });
});

describe("evidence downloads", () => {
  let secretFile: Uint8Array<ArrayBuffer>;
  let secretEvidenceId: number;
  let membersEvidenceId: number;

  beforeAll(async () => {
    secretFile = text("Protocol draft, secretariat only.\n");
    const res = await postMultipart(`/commitments/${protocol}`, "government", update({ narrative: "Draft protocol shared." }), [
      { name: 'Draft "v1" – protocol.txt', type: "text/plain", bytes: secretFile },
    ]);
    expect(res.status).toBe(200);
    secretEvidenceId = q<{ id: number }>("SELECT id FROM evidence WHERE sha256 = ?", sha256(secretFile)).id;
    membersEvidenceId = q<{ id: number }>(
      "SELECT e.id FROM evidence e JOIN progress_updates u ON u.id = e.update_id WHERE u.commitment_id = ? AND e.kind = 'file' ORDER BY e.id LIMIT 1",
      briefings,
    ).id;
  });

  it("serves a file to the owner and the secretariat, as an attachment that is never sniffed or cached", async () => {
    for (const who of ["government", "secretariat"]) {
      const res = await get(server, `/evidence/${secretEvidenceId}`, cookie(who));
      expect(res.status, who).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("cache-control")).toBe("private, no-store");
      const disposition = res.headers.get("content-disposition")!;
      expect(disposition).toMatch(/^attachment; filename="[^"]+"; filename\*=UTF-8''/);
      // An ASCII name without quotes inside, and the exact name (with its dash) in UTF-8.
      expect(disposition).toMatch(/^attachment; filename="Draft [^"\\;]* protocol\.txt"; filename\*=UTF-8''[A-Za-z0-9%._~-]+$/);
      expect(disposition).toContain("%E2%80%93");
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(secretFile);
    }
  });

  it("is a 404 to someone who may not see the commitment, and asks someone signed out to sign in", async () => {
    for (const who of ["police", "ngo", "observer", "industry", "facilitator"]) {
      expect((await get(server, `/evidence/${secretEvidenceId}`, cookie(who))).status, who).toBe(404);
    }
    expect((await get(server, `/evidence/${secretEvidenceId}`)).status).toBe(302);
    expect((await get(server, `/evidence/${membersEvidenceId}`)).status).toBe(302);
    expect((await get(server, "/evidence/999999", cookie("secretariat"))).status).toBe(404);
    // A link is not a file.
    const link = q<{ id: number }>("SELECT id FROM evidence WHERE kind = 'link' ORDER BY id LIMIT 1").id;
    expect((await get(server, `/evidence/${link}`, cookie("secretariat"))).status).toBe(404);
  });

  it("serves members-only evidence to any member who may see the commitment", async () => {
    const res = await get(server, `/evidence/${membersEvidenceId}`, cookie("observer"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("content-disposition")).toContain('filename="Briefing attendance.png"');
  });
});

describe("the secretariat's check", () => {
  it("is for the secretariat only, once, with an optional note", async () => {
    const id = q<{ id: number }>("SELECT id FROM progress_updates WHERE commitment_id = ? AND narrative LIKE 'Correction%'", briefings).id;
    expect(
      (await post(server, `/commitments/${briefings}`, { intent: "verify", updateId: String(id), note: "" }, cookie("police"))).status,
    ).toBe(403);
    expect((await post(server, `/commitments/${briefings}`, { intent: "verify", updateId: String(id) }, cookie("observer"))).status).toBe(
      403,
    );
    const before = count("progress_verifications");

    const ok = await post(
      server,
      `/commitments/${briefings}`,
      { intent: "verify", updateId: String(id), note: "Confirmed with the unit." },
      cookie("secretariat"),
    );
    expect(ok.status).toBe(200);
    expect(count("progress_verifications")).toBe(before + 1);
    expect(q<{ note: string }>("SELECT note FROM progress_verifications WHERE update_id = ?", id).note).toBe("Confirmed with the unit.");

    const again = await post(
      server,
      `/commitments/${briefings}`,
      { intent: "verify", updateId: String(id), note: "Twice" },
      cookie("secretariat"),
    );
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("already checked");
    expect(count("progress_verifications")).toBe(before + 1);

    // An update of another commitment cannot be checked through this one.
    const other = q<{ id: number }>("SELECT id FROM progress_updates WHERE commitment_id = ? LIMIT 1", protocol).id;
    expect(
      (await post(server, `/commitments/${briefings}`, { intent: "verify", updateId: String(other) }, cookie("secretariat"))).status,
    ).toBe(404);

    const page = await (await get(server, `/commitments/${briefings}`, cookie("police"))).text();
    expect(page).toMatch(new RegExp(`data-testid="update-${id}"[^>]*data-verified="true"`));
    expect(page).toContain("Confirmed with the unit.");
  });
});

describe("milestones", () => {
  const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
  let overdueId: number;

  beforeAll(() => {
    overdueId = Number(
      server.db.$client
        .prepare("INSERT INTO milestones (commitment_id, title, due_on) VALUES (?, 'Second briefing held', ?)")
        .run(briefings, daysAgo(10)).lastInsertRowid,
    );
  });

  it("flags an overdue milestone on the page", async () => {
    const page = await (await get(server, `/commitments/${briefings}`, cookie("ngo"))).text();
    expect(page).toMatch(new RegExp(`data-testid="milestone-${overdueId}"[^>]*data-overdue="true"`));
    expect(page).toContain("Overdue");
    // Someone who may not report sees no form to mark it done.
    expect(page).not.toContain(`id="milestone-done-${overdueId}"`);
  });

  it("lets an owner mark one done on a date, once; not on a date to come, and not by others", async () => {
    expect(
      (
        await post(
          server,
          `/commitments/${briefings}`,
          { intent: "milestone", milestoneId: String(overdueId), doneOn: daysAgo(1) },
          cookie("ngo"),
        )
      ).status,
    ).toBe(403);
    const future = await post(
      server,
      `/commitments/${briefings}`,
      { intent: "milestone", milestoneId: String(overdueId), doneOn: "2999-01-01" },
      cookie("police"),
    );
    expect(future.status).toBe(400);
    expect(await future.text()).toContain("a date still to come");
    const bad = await post(
      server,
      `/commitments/${briefings}`,
      { intent: "milestone", milestoneId: String(overdueId), doneOn: "2026-02-30" },
      cookie("police"),
    );
    expect(bad.status).toBe(400);

    const ok = await post(
      server,
      `/commitments/${briefings}`,
      { intent: "milestone", milestoneId: String(overdueId), doneOn: daysAgo(2) },
      cookie("police"),
    );
    expect(ok.status).toBe(200);
    expect(
      q<{ doneOn: string; doneBy: number }>("SELECT done_on AS doneOn, done_by AS doneBy FROM milestones WHERE id = ?", overdueId),
    ).toEqual({
      doneOn: daysAgo(2),
      doneBy: personId(server, "police@convene.example"),
    });
    const again = await post(
      server,
      `/commitments/${briefings}`,
      { intent: "milestone", milestoneId: String(overdueId), doneOn: daysAgo(1) },
      cookie("police"),
    );
    expect(again.status).toBe(409);

    const page = await (await get(server, `/commitments/${briefings}`, cookie("police"))).text();
    expect(page).not.toMatch(new RegExp(`data-testid="milestone-${overdueId}"[^>]*data-overdue="true"`));

    // A milestone of another commitment is not found through this one.
    const elsewhere = q<{ id: number }>("SELECT id FROM milestones WHERE commitment_id = ? LIMIT 1", triageNow).id;
    expect(
      (
        await post(
          server,
          `/commitments/${briefings}`,
          { intent: "milestone", milestoneId: String(elsewhere), doneOn: daysAgo(1) },
          cookie("police"),
        )
      ).status,
    ).toBe(404);
  });
});

describe("the models' own rules, whatever page or script calls them", () => {
  const progress = { completion: "limited" as const, percent: 50, narrative: "Reported late.", links: [], files: [] };

  it("refuse progress on a record whose forum cycle is closed, even from an owner", () => {
    const updates = count("progress_updates");
    expect(
      q<{ status: string }>("SELECT f.status FROM commitments c JOIN forum_cycles f ON f.id = c.cycle_id WHERE c.id = ?", triageLast),
    ).toEqual({
      status: "closed",
    });
    expect(addProgressUpdate(server.db, actorOf("ngo"), triageLast, progress, meta)).toMatchObject({ ok: false, refusal: "conflict" });
    expect(addProgressUpdate(server.db, actorOf("secretariat"), triageLast, progress, meta)).toMatchObject({ ok: false });
    expect(count("progress_updates")).toBe(updates);
  });

  it("refuse progress from someone whose organisation is not behind the commitment", () => {
    const updates = count("progress_updates");
    expect(addProgressUpdate(server.db, actorOf("industry"), briefings, progress, meta)).toMatchObject({ ok: false, refusal: "forbidden" });
    expect(addProgressUpdate(server.db, actorOf("observer"), briefings, progress, meta)).toMatchObject({ ok: false, refusal: "forbidden" });
    expect(count("progress_updates")).toBe(updates);
  });

  it("refuse a milestone change on a record whose forum cycle is closed, and through the page too", async () => {
    const open = q<{ id: number }>("SELECT id FROM milestones WHERE commitment_id = ? AND done_on IS NULL LIMIT 1", triageLast).id;
    const doneOn = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    expect(completeMilestone(server.db, actorOf("ngo"), { commitmentId: triageLast, milestoneId: open, doneOn }, meta)).toMatchObject({
      ok: false,
      refusal: "conflict",
    });
    const res = await post(server, `/commitments/${triageLast}`, { intent: "milestone", milestoneId: String(open), doneOn }, cookie("ngo"));
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("Milestones of a closed or carried record cannot be changed.");
    expect(q<{ doneOn: string | null }>("SELECT done_on AS doneOn FROM milestones WHERE id = ?", open).doneOn).toBeNull();
  });

  it("refuse a milestone done on a date still to come, or by someone whose organisation is not behind it", () => {
    const id = Number(
      server.db.$client
        .prepare("INSERT INTO milestones (commitment_id, title, due_on) VALUES (?, 'Third briefing held', '2001-06-30')")
        .run(briefings).lastInsertRowid,
    );
    const change = { commitmentId: briefings, milestoneId: id, doneOn: "2999-01-01" };
    expect(completeMilestone(server.db, actorOf("police"), change, meta)).toMatchObject({
      ok: false,
      refusal: "invalid",
      errors: { doneOn: "commitment:errors.dateInFuture" },
    });
    expect(completeMilestone(server.db, actorOf("ngo"), { ...change, doneOn: "2001-01-01" }, meta)).toMatchObject({ refusal: "forbidden" });
    expect(q<{ doneOn: string | null }>("SELECT done_on AS doneOn FROM milestones WHERE id = ?", id).doneOn).toBeNull();
    expect(completeMilestone(server.db, actorOf("police"), { ...change, doneOn: "2001-01-01" }, meta)).toEqual({ ok: true });
  });
});

describe("work carried twice", () => {
  it("is flagged for rescoping on its page", async () => {
    const secretariat = actorOf("secretariat");
    const year = currentCycle(server.db)!.year;
    expect(openCycle(server.db, secretariat, { year: year + 1, reportOn: `${year + 1}-12-01` }, meta)).toMatchObject({ ok: true });
    const carried = carryOver(
      server.db,
      secretariat,
      triageNow,
      { kind: "continued", rationale: "Still waiting for two platforms." },
      meta,
    );
    expect(carried).toMatchObject({ ok: true });
    const next = carried.ok ? carried.created[0]! : 0;
    const page = await (await get(server, `/commitments/${next}`, cookie("ngo"))).text();
    expect(page).toContain('data-testid="carried-flag"');
    expect(page).toContain("Carried twice: due for rescoping.");
    expect(page).toContain("Still waiting for two platforms.");
    // The earlier record now points to the newest, where progress is reported.
    const earlier = await (await get(server, `/commitments/${triageNow}`, cookie("ngo"))).text();
    expect(earlier).toContain(`href="/commitments/${next}"`);
    expect(earlier).not.toContain('data-testid="progress-form"');
  });
});
