/**
 * Commitments for the people who use them: a milestone never falls due after its commitment ends (added, changed,
 * or when the end moves), the registry's "not yet checked" and principle filters, and principles named by title.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addMilestone,
  addProgressUpdate,
  changeMilestone,
  confirmCommitment,
  createCommitment,
  verifyProgressUpdate,
  type CommitmentInput,
} from "../../app/models/commitments.server";
import { actorOf, makeCommitment, organisationIdOf, pillarIdOf, SECRETARIAT, unique } from "../support/factories";
import { get, signInAs, startServer, type TestServer } from "../support/server";

let server: TestServer;
const meta = { ipAddress: null, userAgent: null };
const year = new Date().getUTCFullYear();
const cookies: Record<string, string> = {};
const LEAD = "Children First Alliance (demo)";

beforeAll(async () => {
  server = await startServer();
  for (const who of ["secretariat", "ngo", "police"]) cookies[who] = await signInAs(server, `${who}@convene.example`);
});
afterAll(() => server.close());

const secretariat = () => actorOf(server.db, SECRETARIAT);
const ngo = () => actorOf(server.db, "ngo@convene.example");
const milestonesOf = (id: number) =>
  server.db.$client.prepare("SELECT title, due_on AS dueOn FROM milestones WHERE commitment_id = ? ORDER BY id").all(id);

function postForm(path: string, fields: Record<string, string>, who: string) {
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

async function referencesOn(path: string, who: string): Promise<string[]> {
  const res = await get(server, path, cookies[who]);
  expect(res.status).toBe(200);
  return [...(await res.text()).matchAll(/data-reference="([^"]+)"/g)].map((m) => m[1]!);
}

describe("a milestone falls due by its commitment's end", () => {
  it("is refused by the model when added or changed to fall due later, and taken on the last day", () => {
    const c = makeCommitment(server.db, { organisation: LEAD, milestones: [{ title: "Pilot", dueOn: `${year}-06-30` }] });
    const [pilot] = server.db.$client.prepare("SELECT id FROM milestones WHERE commitment_id = ?").all(c.id) as { id: number }[];

    expect(addMilestone(server.db, ngo(), c.id, { title: "Too late", dueOn: `${year + 1}-01-01` }, meta)).toEqual({
      ok: false,
      refusal: "invalid",
      errors: { dueOn: "registry:errors.milestoneAfterEnd" },
    });
    expect(addMilestone(server.db, ngo(), c.id, { title: "Wrap-up", dueOn: `${year}-12-31` }, meta)).toMatchObject({ ok: true });
    // Someone of another organisation may not.
    expect(
      addMilestone(server.db, actorOf(server.db, "police@convene.example"), c.id, { title: "X", dueOn: `${year}-03-01` }, meta),
    ).toMatchObject({ ok: false, refusal: "forbidden" });

    const change = { commitmentId: c.id, milestoneId: pilot!.id };
    expect(changeMilestone(server.db, ngo(), { ...change, title: "Pilot", dueOn: `${year + 1}-02-01` }, meta)).toMatchObject({
      ok: false,
      refusal: "invalid",
      errors: { dueOn: "registry:errors.milestoneAfterEnd" },
    });
    expect(changeMilestone(server.db, secretariat(), { ...change, title: "Pilot run", dueOn: `${year}-09-30` }, meta)).toEqual({
      ok: true,
    });
    expect(milestonesOf(c.id)).toEqual([
      { title: "Pilot run", dueOn: `${year}-09-30` },
      { title: "Wrap-up", dueOn: `${year}-12-31` },
    ]);
  });

  it("is refused inline on the commitment page's forms, keeping what was typed", async () => {
    const c = makeCommitment(server.db, { organisation: LEAD, milestones: [{ title: "Survey", dueOn: `${year}-05-01` }] });
    const late = await postForm(
      `/commitments/${c.id}`,
      { intent: "milestoneAdd", title: "Final report", dueOn: `${year + 1}-03-01` },
      "ngo",
    );
    expect(late.status).toBe(400);
    const html = await late.text();
    expect(html).toContain("A milestone must fall due by the commitment&#x27;s end date.");
    expect(html).toContain('value="Final report"');
    expect(milestonesOf(c.id)).toHaveLength(1);

    const missing = await postForm(`/commitments/${c.id}`, { intent: "milestoneAdd", title: "", dueOn: "" }, "ngo");
    expect(missing.status).toBe(400);
    const missingHtml = await missing.text();
    expect(missingHtml).toContain("Give this milestone a title.");
    expect(missingHtml).toContain("Give this milestone a due date.");

    const ok = await postForm(`/commitments/${c.id}`, { intent: "milestoneAdd", title: "Final report", dueOn: `${year}-12-01` }, "ngo");
    expect(ok.status).toBe(200);
    expect(milestonesOf(c.id)).toHaveLength(2);
  });

  it("refuses moving a commitment's end before a milestone it has, naming the milestone", async () => {
    const input: CommitmentInput = {
      title: `Draft ${unique()}`,
      problem: "",
      expectedResult: "",
      pillarId: pillarIdOf(server.db, "collective-action"),
      principles: [],
      type: "single",
      leadOrganisationId: organisationIdOf(server.db, LEAD),
      supporting: [],
      leadContribution: "",
      contactName: "Wanjiru Kamau",
      contactEmail: null,
      startsOn: `${year}-01-15`,
      endsOn: `${year}-12-31`,
      madeAtSessionId: null,
      visibility: "members",
      milestones: [{ title: "Helpline partners signed", dueOn: `${year}-10-15` }],
    };
    const draft = createCommitment(server.db, secretariat(), input, meta, { status: "draft" });
    if (!draft.ok) throw new Error("draft refused");
    const details = { title: input.title, problem: "A problem.", expectedResult: "A result.", startsOn: `${year}-01-15` };
    expect(confirmCommitment(server.db, ngo(), draft.id, meta, { ...details, endsOn: `${year}-09-30` })).toEqual({
      ok: false,
      refusal: "invalid",
      errors: { endsOn: "registry:errors.endBeforeMilestone", form: "commitment:errors.endBeforeMilestone" },
      params: { title: "Helpline partners signed" },
    });

    const res = await postForm(`/commitments/${draft.id}`, { intent: "confirm", ...details, endsOn: `${year}-09-30` }, "ngo");
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("The end date cannot be before milestone “Helpline partners signed” falls due.");
    expect(html).toContain("A milestone falls due after this date.");
    expect(server.db.$client.prepare("SELECT status FROM commitments WHERE id = ?").get(draft.id)).toEqual({ status: "draft" });

    expect(confirmCommitment(server.db, ngo(), draft.id, meta, { ...details, endsOn: `${year}-10-15` })).toEqual({ ok: true });
  });
});

describe("the registry's filters", () => {
  it("lists the commitments with progress not yet checked, for those who check it, in every year", async () => {
    const tag = `Unchecked ${unique()}`;
    const waiting = makeCommitment(server.db, { organisation: LEAD, title: `${tag} waiting` });
    const checked = makeCommitment(server.db, { organisation: LEAD, title: `${tag} checked` });
    makeCommitment(server.db, { organisation: LEAD, title: `${tag} quiet` });
    const update = { completion: "limited" as const, percent: 20, narrative: "Started.", links: [], files: [] };
    expect(addProgressUpdate(server.db, ngo(), waiting.id, update, meta)).toMatchObject({ ok: true });
    const done = addProgressUpdate(server.db, ngo(), checked.id, update, meta);
    if (!done.ok) throw new Error("update refused");
    expect(verifyProgressUpdate(server.db, secretariat(), { commitmentId: checked.id, updateId: done.id, note: "" }, meta)).toEqual({
      ok: true,
    });

    const q = encodeURIComponent(tag);
    expect(await referencesOn(`/commitments?progress=unchecked&q=${q}`, "secretariat")).toEqual([waiting.reference]);
    const page = await (await get(server, `/commitments?progress=unchecked`, cookies.secretariat)).text();
    expect(page).toContain('<option value="unchecked" selected="">Not yet checked</option>');
    // No year asked for: every year, so updates on an earlier year's record are not missed.
    expect(page).toMatch(/<option value="all" selected="">All years<\/option>/);

    // A delegate is not offered the filter, and asking for it filters nothing.
    const delegatePage = await (await get(server, `/commitments?progress=unchecked&q=${q}`, cookies.ngo)).text();
    expect(delegatePage).not.toContain('name="progress"');
    expect(await referencesOn(`/commitments?progress=unchecked&q=${q}`, "ngo")).toHaveLength(3);
  });

  it("filters by Voluntary Principle, named by its short title", async () => {
    const tag = `Principle ${unique()}`;
    const input = (title: string, principles: number[]): CommitmentInput => ({
      title,
      problem: "A problem.",
      expectedResult: "A result.",
      pillarId: pillarIdOf(server.db, "tech-innovation"),
      principles,
      type: "single",
      leadOrganisationId: organisationIdOf(server.db, LEAD),
      supporting: [],
      leadContribution: "",
      contactName: "Wanjiru Kamau",
      contactEmail: null,
      startsOn: `${year}-01-15`,
      endsOn: `${year}-12-31`,
      madeAtSessionId: null,
      visibility: "members",
      milestones: [],
    });
    const live = createCommitment(server.db, secretariat(), input(`${tag} live`, [5, 7]), meta);
    const search = createCommitment(server.db, secretariat(), input(`${tag} search`, [6]), meta);
    if (!live.ok || !search.ok) throw new Error("refused");
    const q = encodeURIComponent(tag);
    expect(await referencesOn(`/commitments?principle=5&q=${q}`, "ngo")).toEqual([live.reference]);
    expect(await referencesOn(`/commitments?principle=99&q=${q}`, "ngo")).toHaveLength(2);
    const page = await (await get(server, `/commitments/${live.id}`, cookies.ngo)).text();
    expect(page).toContain("5 · Combat abuse through livestreaming");
    expect(page).toContain("7 · Enhanced safety measures for children");
    const form = await (await get(server, "/commitments/new", cookies.ngo)).text();
    expect(form).toContain("11 · Publish data and insights on efforts");
  });
});
