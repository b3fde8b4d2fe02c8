import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCommitment, type CommitmentInput } from "../../app/models/commitments.server";
import { findPersonByEmail } from "../../app/models/people.server";
import { get, signInAs, startServer, type TestServer } from "../support/server";

let server: TestServer;
const meta = { ipAddress: null, userAgent: null };
const year = new Date().getUTCFullYear();
const last = year - 1;
const cookies: Record<string, string> = {};

const q = <T>(sql: string, ...args: unknown[]) => server.db.$client.prepare(sql).get(...args) as T;
const orgId = (prefix: string) => q<{ id: number }>("SELECT id FROM organisations WHERE name LIKE ?", `${prefix}%`).id;
const pillarId = (slug: string) => q<{ id: number }>("SELECT id FROM pillars WHERE slug = ?", slug).id;
const countOf = (sql: string, ...args: unknown[]) => q<{ n: number }>(sql, ...args).n;
/** The person as the models see them when they act. */
const actorOf = (who: string) => findPersonByEmail(server.db, `${who}@convene.example`)!;

beforeAll(async () => {
  server = await startServer();
  for (const who of ["secretariat", "ngo", "government", "industry", "police", "observer"])
    cookies[who] = await signInAs(server, `${who}@convene.example`);
});
afterAll(() => server.close());

/** A same-origin form POST whose fields may repeat (checkboxes). */
function postForm(path: string, fields: [string, string][], who: string) {
  return fetch(server.url + path, {
    method: "POST",
    redirect: "manual",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Origin: server.url,
      "Sec-Fetch-Site": "same-origin",
      Cookie: cookies[who]!,
    },
    body: new URLSearchParams(fields),
  });
}

/** A multipart upload, as the import page's form sends it. */
function postCsv(csv: string, who: string, fileName = "commitments.csv") {
  const form = new FormData();
  form.append("file", new Blob([csv], { type: "text/csv" }), fileName);
  return fetch(server.url + "/commitments/import", {
    method: "POST",
    redirect: "manual",
    headers: { Origin: server.url, "Sec-Fetch-Site": "same-origin", Cookie: cookies[who]! },
    body: form,
  });
}

/** The references of the registry rows on a page, in order. */
async function referencesOn(path: string, who: string): Promise<string[]> {
  const res = await get(server, path, cookies[who]);
  expect(res.status).toBe(200);
  const html = await res.text();
  return [...html.matchAll(/data-reference="([^"]+)"/g)].map((m) => m[1]!);
}

function validForm(patch: Record<string, string> = {}, principles = ["1", "3"]): [string, string][] {
  const fields: Record<string, string> = {
    title: "Shared hash list for small platforms",
    problem: "Small platforms cannot afford their own hash lists.",
    expectedResult: "Ten small platforms match against one shared list.",
    pillarId: String(pillarId("tech-innovation")),
    type: "joint",
    leadOrganisationId: String(orgId("Children First")),
    leadContribution: "Coordination",
    "supporting.0.organisationId": String(orgId("Streamwave")),
    "supporting.0.contribution": "Hosting the list",
    "supporting.1.organisationId": "",
    "supporting.1.contribution": "",
    contactName: "Wanjiru Kamau",
    contactEmail: "ngo@convene.example",
    startsOn: `${year}-02-01`,
    endsOn: `${year + 1}-06-30`,
    "milestones.0.title": "Pilot platforms chosen",
    "milestones.0.dueOn": `${year}-09-30`,
    "milestones.1.title": "",
    "milestones.1.dueOn": "",
    madeAtSessionId: "",
    visibility: "members",
    ...patch,
  };
  return [...Object.entries(fields), ...principles.map((p): [string, string] => ["principles", p])];
}

function input(title: string, patch: Partial<CommitmentInput> = {}): CommitmentInput {
  return {
    title,
    problem: "p",
    expectedResult: "r",
    pillarId: pillarId("collective-action"),
    principles: [1],
    type: "single",
    leadOrganisationId: orgId("Safe Line"),
    leadContribution: "",
    supporting: [],
    contactName: "Someone",
    contactEmail: null,
    startsOn: `${year}-01-01`,
    endsOn: `${year}-12-31`,
    madeAtSessionId: null,
    visibility: "members",
    milestones: [],
    ...patch,
  };
}

const secret = `CA-${year}-01`; // "Joint response protocol…": secretariat only, led by the ministry.

describe("the registry", () => {
  it("shows the current cycle by default and filters by year, pillar, group, organisation, status, origin and search", async () => {
    expect(await referencesOn("/commitments", "secretariat")).toEqual([`CA-${last}-01`, secret, `IR-${last}-01`, `KS-${year}-01`]);
    expect(await referencesOn(`/commitments?year=${last}&status=completed`, "secretariat")).toEqual([`TA-${last}-01`, `TI-${last}-01`]);
    expect(await referencesOn("/commitments?year=all&q=triage", "secretariat")).toEqual([`CA-${last}-01`, `CA-${last}-01`]);
    expect(await referencesOn(`/commitments?q=ks-${year}`, "secretariat")).toEqual([`KS-${year}-01`]);
    expect(await referencesOn("/commitments?pillar=knowledge-sharing", "secretariat")).toEqual([`KS-${year}-01`]);
    expect(await referencesOn("/commitments?group=law_enforcement", "secretariat")).toEqual([`KS-${year}-01`]);
    // An organisation's commitments: as lead or supporting.
    expect(await referencesOn(`/commitments?organisation=${orgId("Streamwave")}`, "secretariat")).toEqual([`CA-${last}-01`]);
    expect(await referencesOn(`/commitments?organisation=${orgId("Safe Line")}`, "secretariat")).toEqual([`KS-${year}-01`]);
    expect(await referencesOn("/commitments?origin=carried", "secretariat")).toEqual([`CA-${last}-01`, `IR-${last}-01`]);
    expect(await referencesOn("/commitments?origin=new", "secretariat")).toEqual([secret, `KS-${year}-01`]);
    // Unreadable filters are ignored rather than refused.
    expect(await referencesOn("/commitments?status=bogus&pillar=&page=-3", "secretariat")).toHaveLength(4);
    expect(await referencesOn("/commitments?q=nothing-like-this", "secretariat")).toEqual([]);
    const empty = await (await get(server, "/commitments?q=nothing-like-this", cookies.secretariat)).text();
    expect(empty).toContain("No commitments match these filters.");
  });

  it("shows progress, carried and new, overdue and carried-twice flags", async () => {
    const html = await (await get(server, "/commitments", cookies.secretariat)).text();
    const row = (ref: string) =>
      html.slice(html.indexOf(`data-reference="${ref}"`), html.indexOf("</tr>", html.indexOf(`data-reference="${ref}"`)));
    // Carried work keeps the progress reported on it last year.
    expect(row(`CA-${last}-01`)).toContain("Limited");
    expect(row(`CA-${last}-01`)).toContain("40%");
    expect(row(`CA-${last}-01`)).toContain("Carried");
    expect(row(`KS-${year}-01`)).toContain("25%");
    expect(row(`KS-${year}-01`)).toContain("New");
    expect(row(secret)).toContain("No progress reported");

    const overdue = createCommitment(
      server.db,
      actorOf("secretariat"),
      input("Overdue helpline rota", { milestones: [{ title: "Rota agreed", dueOn: "2001-01-31" }] }),
      meta,
    );
    const onTime = createCommitment(
      server.db,
      actorOf("secretariat"),
      input("On-time helpline rota", { endsOn: "2999-12-31", milestones: [{ title: "Rota agreed", dueOn: "2999-01-31" }] }),
      meta,
    );
    expect(overdue.ok && onTime.ok).toBe(true);
    const overdueRefs = await referencesOn("/commitments?overdue=1&q=helpline+rota", "secretariat");
    expect(overdueRefs).toEqual([overdue.ok ? overdue.reference : ""]);
    expect(await referencesOn("/commitments?q=helpline+rota", "secretariat")).toHaveLength(2);

    // The same reference in a third cycle: carried twice, to rescope.
    server.db.$client
      .prepare("INSERT INTO forum_cycles (year, status, report_on) VALUES (?, 'closed', ?)")
      .run(year - 2, `${year - 2}-12-01`);
    const older = q<{ id: number }>("SELECT id FROM forum_cycles WHERE year = ?", year - 2).id;
    const { lastInsertRowid } = server.db.$client
      .prepare(
        "INSERT INTO commitments (cycle_id, reference, pillar_id, title, contact_name, starts_on, ends_on, status) VALUES (?, ?, ?, 'Shared triage (first)', 'X', ?, ?, 'carried')",
      )
      .run(older, `CA-${last}-01`, pillarId("collective-action"), `${year - 2}-01-01`, `${year - 2}-12-31`);
    server.db.$client
      .prepare("INSERT INTO commitment_organisations (commitment_id, organisation_id, role) VALUES (?, ?, 'lead')")
      .run(lastInsertRowid, orgId("Children First"));
    const again = await (await get(server, "/commitments?q=triage", cookies.secretariat)).text();
    expect(again).toContain("Carried twice — rescope");
    const lastYear = await (await get(server, `/commitments?q=triage&year=${last}`, cookies.secretariat)).text();
    expect(lastYear).not.toContain("Carried twice — rescope");
  });

  it("pages through 50 at a time with counts", async () => {
    const secretariat = actorOf("secretariat");
    for (let i = 1; i <= 53; i++)
      createCommitment(
        server.db,
        secretariat,
        input(`Paging sample ${String(i).padStart(2, "0")}`, { pillarId: pillarId("transparency-accountability") }),
        meta,
      );
    const first = await get(server, "/commitments?q=paging+sample", cookies.secretariat);
    const html = await first.text();
    expect([...html.matchAll(/data-testid="registry-row"/g)]).toHaveLength(50);
    expect(html).toContain("1–50 of 53 commitments");
    expect(html).toContain("Page 1 of 2");
    const second = await referencesOn("/commitments?q=paging+sample&page=2", "secretariat");
    expect(second).toHaveLength(3);
    expect(await referencesOn("/commitments?q=paging+sample&page=99", "secretariat")).toHaveLength(3);
  });

  it("hides a secretariat-only commitment from other organisations, and shows it to its own and the secretariat", async () => {
    const ca = "/commitments?pillar=collective-action";
    expect(await referencesOn(ca, "ngo")).not.toContain(secret);
    expect(await referencesOn(ca, "ngo")).toContain(`CA-${last}-01`);
    expect(await referencesOn(ca, "observer")).not.toContain(secret);
    expect(await referencesOn("/commitments?q=live-streamed", "industry")).toEqual([]);
    expect(await referencesOn(ca, "government")).toContain(secret);
    expect(await referencesOn(ca, "secretariat")).toContain(secret);
    // Counts agree with what is shown.
    const html = await (await get(server, "/commitments?origin=new&pillar=collective-action&q=protocol", cookies.ngo)).text();
    expect(html).toContain("No commitments match these filters.");
  });

  it("lists my organisation's commitments, as lead or supporting", async () => {
    expect(await referencesOn("/commitments?mine=1", "ngo")).toEqual([`CA-${last}-01`]);
    expect(await referencesOn("/commitments?mine=1", "industry")).toEqual([`CA-${last}-01`]);
    expect(await referencesOn("/commitments?mine=1", "government")).toEqual([secret]);
    expect(await referencesOn("/commitments?mine=1&year=all", "industry")).toEqual([
      `CA-${last}-01`,
      `CA-${last}-01`,
      `TA-${last}-01`,
      `TI-${last}-01`,
    ]);
  });

  it("needs an account", async () => {
    const res = await get(server, "/commitments");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toMatch(/^\/sign-in/);
  });
});

describe("recording a commitment", () => {
  it("lets a delegate record one for their own organisation, with a reference, owners and milestones", async () => {
    const page = await get(server, "/commitments/new", cookies.ngo);
    expect(page.status).toBe(200);
    const form = await page.text();
    expect(form).toContain("11 · Publish data and insights on efforts");
    expect(form).toContain("Children First Alliance (demo)");

    const res = await postForm("/commitments/new", validForm(), "ngo");
    expect(res.status).toBe(302);
    const id = Number(/^\/commitments\/(\d+)$/.exec(res.headers.get("location") ?? "")?.[1]);
    expect(id).toBeGreaterThan(0);
    const row = q<{ reference: string; type: string; principles: string; cycleYear: number; visibility: string }>(
      "SELECT c.reference, c.type, c.principles, y.year AS cycleYear, c.visibility FROM commitments c JOIN forum_cycles y ON y.id = c.cycle_id WHERE c.id = ?",
      id,
    );
    expect(row).toEqual({ reference: `TI-${year}-01`, type: "joint", principles: "[1,3]", cycleYear: year, visibility: "members" });
    const owners = server.db.$client
      .prepare("SELECT organisation_id AS org, role, contribution FROM commitment_organisations WHERE commitment_id = ? ORDER BY role")
      .all(id);
    expect(owners).toEqual([
      { org: orgId("Children First"), role: "lead", contribution: "Coordination" },
      { org: orgId("Streamwave"), role: "supporting", contribution: "Hosting the list" },
    ]);
    expect(server.db.$client.prepare("SELECT title, due_on AS dueOn FROM milestones WHERE commitment_id = ?").all(id)).toEqual([
      { title: "Pilot platforms chosen", dueOn: `${year}-09-30` },
    ]);
    expect(await referencesOn("/commitments?mine=1&pillar=tech-innovation", "ngo")).toEqual([`TI-${year}-01`]);
  });

  it("refuses a commitment for another organisation (403) and observers", async () => {
    const before = countOf("SELECT count(*) AS n FROM commitments");
    const res = await postForm(
      "/commitments/new",
      validForm({ title: "Not mine to make", leadOrganisationId: String(orgId("Ministry")) }),
      "ngo",
    );
    expect(res.status).toBe(403);
    const bad = await postForm("/commitments/new", validForm({ title: "", leadOrganisationId: String(orgId("Ministry")) }), "ngo");
    expect(bad.status).toBe(403);
    expect((await get(server, "/commitments/new", cookies.observer)).status).toBe(403);
    expect((await postForm("/commitments/new", validForm({ leadOrganisationId: String(orgId("Regional")) }), "observer")).status).toBe(403);
    expect(countOf("SELECT count(*) AS n FROM commitments")).toBe(before);
  });

  it("gives 400 with clear messages and keeps what was typed", async () => {
    const before = countOf("SELECT count(*) AS n FROM commitments");
    const res = await postForm(
      "/commitments/new",
      validForm(
        {
          title: "Kept title of a commitment",
          startsOn: `${year}-05-01`,
          endsOn: `${year}-04-01`,
          contactName: "",
          "milestones.1.title": "Half a milestone",
        },
        ["4"],
      ),
      "ngo",
    );
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("The end date cannot be before the start date.");
    expect(html).toContain("This field is required.");
    expect(html).toContain("Give this milestone a due date.");
    expect(html).toContain('value="Kept title of a commitment"');
    expect(html).toContain(`value="${year}-05-01"`);
    expect(html).toContain('value="Hosting the list"');
    // React writes `checked` before `value`.
    expect(html).toMatch(/name="principles" checked="" value="4"/);
    expect(html).toMatch(/name="principles" value="3"/);
    expect(html).not.toMatch(/name="principles" checked="" value="3"/);

    const none = await postForm(
      "/commitments/new",
      validForm({ type: "joint", "supporting.0.organisationId": "", "supporting.0.contribution": "" }, []),
      "ngo",
    );
    expect(none.status).toBe(400);
    const noneHtml = await none.text();
    expect(noneHtml).toContain("Choose at least one Voluntary Principle.");
    expect(noneHtml).toContain("A joint commitment needs at least one supporting organisation.");
    const self = await postForm("/commitments/new", validForm({ "supporting.0.organisationId": String(orgId("Children First")) }), "ngo");
    expect(self.status).toBe(400);
    expect(await self.text()).toContain("The lead organisation cannot also be a supporting one.");
    expect(countOf("SELECT count(*) AS n FROM commitments")).toBe(before);
  });

  it("lets the secretariat record one for any organisation, made at a session of this year's forum", async () => {
    const session = q<{ id: number; title: string }>(
      "SELECT s.id, s.title FROM agenda_sessions s JOIN events e ON e.id = s.event_id WHERE e.kind = 'forum' AND e.year = ? AND s.kind <> 'break' ORDER BY s.starts_at LIMIT 1",
      year,
    );
    const page = await (await get(server, "/commitments/new", cookies.secretariat)).text();
    const escaped = session.title
      .replace(/&/g, "&amp;")
      .replace(/'/g, "&#x27;")
      .replace(/"/g, "&quot;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;");
    expect(page).toContain(`<option value="${session.id}">${escaped} — `);
    const res = await postForm(
      "/commitments/new",
      validForm({
        title: "Ministry-led referral pathway",
        leadOrganisationId: String(orgId("Ministry")),
        madeAtSessionId: String(session.id),
        visibility: "secretariat",
      }),
      "secretariat",
    );
    expect(res.status).toBe(302);
    const id = Number(res.headers.get("location")!.split("/").pop());
    expect(q("SELECT made_at_session_id AS s, visibility FROM commitments WHERE id = ?", id)).toEqual({
      s: session.id,
      visibility: "secretariat",
    });
    const wrongSession = await postForm(
      "/commitments/new",
      validForm({ leadOrganisationId: String(orgId("Ministry")), madeAtSessionId: "999999" }),
      "secretariat",
    );
    expect(wrongSession.status).toBe(400);
  });
});

describe("a commitment's dates", () => {
  it("are refused by the model itself when a milestone falls due after the commitment ends", () => {
    const before = countOf("SELECT count(*) AS n FROM commitments");
    const late = input("Milestone after the end", {
      endsOn: `${year}-06-30`,
      milestones: [{ title: "Late step", dueOn: `${year}-07-01` }],
    });
    expect(createCommitment(server.db, actorOf("secretariat"), late, meta)).toEqual({
      ok: false,
      refusal: "invalid",
      errors: { "milestones.0.dueOn": "registry:errors.milestoneAfterEnd" },
    });
    expect(
      createCommitment(server.db, actorOf("secretariat"), { ...late, endsOn: `${year - 1}-12-31`, milestones: [] }, meta),
    ).toMatchObject({
      refusal: "invalid",
      errors: { endsOn: "registry:errors.endBeforeStart" },
    });
    expect(countOf("SELECT count(*) AS n FROM commitments")).toBe(before);
    // Due on the last day is in time.
    expect(
      createCommitment(server.db, actorOf("secretariat"), { ...late, milestones: [{ title: "Last step", dueOn: `${year}-06-30` }] }, meta),
    ).toMatchObject({ ok: true });
  });

  it("are refused on the form, at the milestone's own field, keeping what was typed", async () => {
    const before = countOf("SELECT count(*) AS n FROM commitments");
    const res = await postForm(
      "/commitments/new",
      validForm({
        title: "Briefings past their end",
        endsOn: `${year}-10-31`,
        "milestones.1.title": "Evaluation published",
        "milestones.1.dueOn": `${year}-12-15`,
      }),
      "ngo",
    );
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("A milestone must fall due by the commitment&#x27;s end date.");
    expect(html).toContain('value="Evaluation published"');
    expect(countOf("SELECT count(*) AS n FROM commitments")).toBe(before);
  });
});

describe("CSV export", () => {
  it("exports the filtered registry, only what the person may see, with formula-safe cells", async () => {
    createCommitment(server.db, actorOf("secretariat"), input('=HYPERLINK("https://evil.example")', { visibility: "public" }), meta);
    const ngo = await get(server, "/commitments.csv", cookies.ngo);
    expect(ngo.status).toBe(200);
    expect(ngo.headers.get("content-type")).toMatch(/^text\/csv/);
    const ngoCsv = await ngo.text();
    expect(ngoCsv.replace(/^\uFEFF/, "").split(/\r?\n/)[0]).toBe(
      "id,reference,year,title,pillar,lead_organisation,lead_stakeholder_group,supporting_organisations,status,origin,completion,percent,overdue,carried_twice_rescope,visibility,starts_on,ends_on,contact_name",
    );
    expect(ngoCsv).toContain("Shared triage of reports between hotlines and platforms");
    expect(ngoCsv).not.toContain("Joint response protocol for live-streamed abuse");
    expect(ngoCsv).not.toContain("Ministry-led referral pathway");
    expect(ngoCsv).toContain(`"'=HYPERLINK(""https://evil.example"")"`);

    const government = await (await get(server, "/commitments.csv", cookies.government)).text();
    expect(government).toContain("Joint response protocol for live-streamed abuse");
    const secretariat = await (await get(server, "/commitments.csv?pillar=knowledge-sharing", cookies.secretariat)).text();
    expect(secretariat.trim().split(/\r?\n/)).toHaveLength(2);
    expect(secretariat).toContain(`KS-${year}-01`);
    const all = await (await get(server, "/commitments.csv?year=all&q=triage", cookies.ngo)).text();
    expect(all.trim().split(/\r?\n/)).toHaveLength(4);
    expect((await get(server, "/commitments.csv")).status).toBe(302);
  });
});

describe("CSV import", () => {
  const header =
    "external_id,reference,title,problem,expected_result,pillar,principles,type,lead_organisation,lead_contribution,supporting_organisation_1,supporting_contribution_1,contact_name,contact_email,starts_on,ends_on,milestone_1,milestone_1_due,visibility";
  const rowOf = (id: string, title: string, lead = "Streamwave Platforms (demo)") =>
    `${id},,"${title}",Problem stated,"Result, measured",CA,1;2,,${lead},Engineering,children first alliance (demo),Outreach,Dana Lee,dana@example.org,${year}-03-01,${year}-12-31,Kick-off,${year}-04-01,public`;

  it("is the secretariat's only", async () => {
    expect((await get(server, "/commitments/import", cookies.ngo)).status).toBe(403);
    expect((await postCsv(`${header}\r\n${rowOf("X-1", "Sneaky import")}`, "ngo")).status).toBe(403);
    expect(countOf("SELECT count(*) AS n FROM commitments WHERE title = 'Sneaky import'")).toBe(0);
    expect((await get(server, "/commitments.csv?template=1", cookies.ngo)).status).toBe(403);
    const template = await get(server, "/commitments.csv?template=1", cookies.secretariat);
    expect(template.status).toBe(200);
    expect(template.headers.get("content-type")).toMatch(/^text\/csv/);
    expect((await template.text()).replace(/^\uFEFF/, "").split(/\r?\n/)[0]).toMatch(/^external_id,reference,title,/);
  });

  it("imports every row once: the same file again changes nothing", async () => {
    const csv = `\uFEFF${header}\r\n${rowOf("IMP-1", "Imported protocol one")}\r\n${rowOf("IMP-2", "Imported protocol two")}\r\n`;
    const before = countOf("SELECT count(*) AS n FROM commitments");
    const first = await postCsv(csv, "secretariat");
    expect(first.status).toBe(200);
    expect(await first.text()).toContain("Created: 2. Skipped as already imported: 0.");
    expect(countOf("SELECT count(*) AS n FROM commitments")).toBe(before + 2);
    const imported = server.db.$client
      .prepare(
        "SELECT c.title, c.type, c.visibility, y.year FROM commitments c JOIN forum_cycles y ON y.id = c.cycle_id WHERE c.title LIKE 'Imported protocol%' ORDER BY c.title",
      )
      .all();
    expect(imported).toEqual([
      { title: "Imported protocol one", type: "joint", visibility: "public", year },
      { title: "Imported protocol two", type: "joint", visibility: "public", year },
    ]);
    const snapshot = server.db.$client.prepare("SELECT id, reference, title FROM commitments ORDER BY id").all();

    const second = await postCsv(csv, "secretariat");
    expect(second.status).toBe(200);
    expect(await second.text()).toContain("Created: 0. Skipped as already imported: 2.");
    expect(server.db.$client.prepare("SELECT id, reference, title FROM commitments ORDER BY id").all()).toEqual(snapshot);

    // A file with one new row adds only that one.
    const third = await postCsv(`${csv}${rowOf("IMP-3", "Imported protocol three")}\r\n`, "secretariat");
    expect(await third.text()).toContain("Created: 1. Skipped as already imported: 2.");
    expect(countOf("SELECT count(*) AS n FROM commitment_imports")).toBe(3);
  });

  it("imports nothing when any row is invalid, and says which rows and columns", async () => {
    const before = countOf("SELECT count(*) AS n FROM commitments");
    const csv = [
      header,
      rowOf("BAD-1", "All or nothing one"),
      rowOf("BAD-2", "All or nothing two", "No Such Organisation"),
      rowOf("BAD-3", "").replace(`${year}-12-31`, `${year - 1}-12-31`),
      rowOf("BAD-1", "All or nothing duplicate"),
    ].join("\n");
    const res = await postCsv(csv, "secretariat");
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("Nothing was imported");
    expect(html).toMatch(/<td[^>]*>3<\/td><td[^>]*><code>lead_organisation<\/code><\/td><td[^>]*>No organisation has this name\.<\/td>/);
    expect(html).toMatch(/<td[^>]*>4<\/td><td[^>]*><code>title<\/code><\/td><td[^>]*>This field is required\.<\/td>/);
    expect(html).toMatch(
      /<td[^>]*>4<\/td><td[^>]*><code>ends_on<\/code><\/td><td[^>]*>The end date cannot be before the start date\.<\/td>/,
    );
    expect(html).toMatch(/<td[^>]*>5<\/td><td[^>]*><code>external_id<\/code><\/td>/);
    expect(countOf("SELECT count(*) AS n FROM commitments")).toBe(before);
    expect(countOf("SELECT count(*) AS n FROM commitments WHERE title LIKE 'All or nothing%'")).toBe(0);

    const wrongHeader = await postCsv("title,colour\nSomething,blue\n", "secretariat");
    expect(wrongHeader.status).toBe(400);
    expect(await wrongHeader.text()).toContain("This column is not in the template.");
    const noFile = await postCsv("", "secretariat", "empty.csv");
    expect(noFile.status).toBe(400);
  });

  it("refuses a row whose milestone falls due after the commitment ends", async () => {
    const late = rowOf("LATE-1", "Imported milestone after the end").replace(`${year}-12-31`, `${year}-03-15`);
    const res = await postCsv(`${header}\n${late}\n`, "secretariat");
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(
      /<td[^>]*>2<\/td><td[^>]*><code>milestone_1_due<\/code><\/td><td[^>]*>A milestone must fall due by the commitment&#x27;s end date\.<\/td>/,
    );
    expect(countOf("SELECT count(*) AS n FROM commitments WHERE title = 'Imported milestone after the end'")).toBe(0);
  });

  it("reads a quoted cell holding a comma and a line break as one cell", async () => {
    const title = "Referral desk, second phase\nfor the northern region";
    const res = await postCsv(`${header}\r\n${rowOf("QUOTED-1", title)}\r\n\r\n`, "secretariat");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Created: 1. Skipped as already imported: 0.");
    expect(q("SELECT title, expected_result AS expectedResult FROM commitments WHERE title LIKE 'Referral desk, second phase%'")).toEqual({
      title,
      expectedResult: "Result, measured",
    });
  });

  it("reads a file saved with a UTF-8 byte-order mark: the first column keeps its name", async () => {
    const res = await postCsv(`\uFEFF${header}\n${rowOf("BOM-1", "Saved by a spreadsheet with a BOM")}\n`, "secretariat");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Created: 1. Skipped as already imported: 0.");
    expect(q("SELECT source_key AS sourceKey FROM commitment_imports WHERE source_key = 'external:BOM-1'")).toEqual({
      sourceKey: "external:BOM-1",
    });
  });

  it("says which row could not be read when a quote is never closed, and imports nothing", async () => {
    const before = countOf("SELECT count(*) AS n FROM commitments");
    // The last cell opens a quote that nothing closes.
    const csv = `${header}\n${rowOf("OPEN-1", "Fine row")}\n${rowOf("OPEN-2", "Broken row").replace(/,public$/, ',"public')}\n`;
    const res = await postCsv(csv, "secretariat");
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/<td[^>]*>3<\/td><td[^>]*>[^<]*<\/td><td[^>]*>This row could not be read as CSV/);
    expect(countOf("SELECT count(*) AS n FROM commitments")).toBe(before);
  });
});
