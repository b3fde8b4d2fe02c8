/**
 * The secretariat's cycle pages against the real server: who may use them, opening a cycle, the
 * carry-over review, closing with frozen assessments, and the dashboard's figures against plain SQL.
 * Last, the dashboard's queries are timed on a generated database of 20,000 commitments.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { get, post, signInAs, startServer, type TestServer } from "../support/server";

let server: TestServer;
let secretariat: string;
let delegate: string;
let observer: string;
/** This year's cycle, as the demo seeds it (last year's is closed). */
let Y: number;

const q = <T>(sql: string, ...args: unknown[]) => server.db.$client.prepare(sql).get(...args) as T;
const all = <T>(sql: string, ...args: unknown[]) => server.db.$client.prepare(sql).all(...args) as T[];
const today = () => new Date().toISOString().slice(0, 10);
const idOf = (reference: string, year: number) =>
  q<{ id: number } | undefined>(
    "SELECT c.id FROM commitments c JOIN forum_cycles f ON f.id = c.cycle_id WHERE c.reference = ? AND f.year = ?",
    reference,
    year,
  )?.id;
const statusOf = (id: number) => q<{ status: string }>("SELECT status FROM commitments WHERE id = ?", id).status;
const count = (html: string, needle: string) => html.split(needle).length - 1;

beforeAll(async () => {
  server = await startServer();
  [secretariat, delegate, observer] = await Promise.all([
    signInAs(server, "secretariat@convene.example"),
    signInAs(server, "ngo@convene.example"),
    signInAs(server, "observer@convene.example"),
  ]);
  Y = q<{ y: number }>("SELECT max(year) AS y FROM forum_cycles").y;
});
afterAll(() => server.close());

describe("who may use the cycle pages", () => {
  it("refuses everyone but the secretariat, on every page and action", async () => {
    const pages = ["/cycles", `/cycles/${Y}`, `/cycles/${Y}/carry-over`, "/commitments/dashboard", `/commitments/dashboard?year=${Y}`];
    for (const cookie of [delegate, observer]) {
      for (const path of pages) expect((await get(server, path, cookie)).status, path).toBe(403);
      expect((await post(server, "/cycles", { intent: "open", year: "2090", reportOn: "2090-12-01" }, cookie)).status).toBe(403);
      expect((await post(server, `/cycles/${Y}`, { intent: "close", confirmed: "yes" }, cookie)).status).toBe(403);
      const triage = idOf(`CA-${Y - 1}-01`, Y)!;
      expect(
        (
          await post(
            server,
            `/cycles/${Y}/carry-over`,
            { intent: "decide", commitmentId: String(triage), kind: "withdrawn", rationale: "No" },
            cookie,
          )
        ).status,
      ).toBe(403);
    }
    expect(q<{ n: number }>("SELECT count(*) AS n FROM forum_cycles WHERE year = 2090").n).toBe(0);
    expect(q<{ status: string }>("SELECT status FROM forum_cycles WHERE year = ?", Y).status).toBe("open");
    // Without an account: the sign-in page.
    const anonymous = await get(server, "/cycles");
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("location")).toMatch(/^\/sign-in/);
    for (const path of pages) expect((await get(server, path, secretariat)).status, path).toBe(200);
  });
});

describe("the dashboard", () => {
  const cell = (html: string, name: string) => {
    const m = html.match(new RegExp(`data-cell="${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}" data-value="(\\d+)"`));
    return m ? Number(m[1]) : null;
  };

  it("shows the seed's figures as the database holds them", async () => {
    const res = await get(server, `/commitments/dashboard?year=${Y}`, secretariat);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('data-chart="stacked-bars"');
    expect(html).toContain('data-chart="grouped-columns"');
    expect(html).toContain('role="img"');

    // (a) Status by pillar for the chosen year.
    const pillars = all<{ slug: string }>("SELECT slug FROM pillars ORDER BY position");
    const statusRows = all<{ slug: string; status: string; n: number }>(
      `SELECT p.slug, c.status, count(*) AS n FROM commitments c JOIN pillars p ON p.id = c.pillar_id JOIN forum_cycles f ON f.id = c.cycle_id
       WHERE f.year = ? GROUP BY p.slug, c.status`,
      Y,
    );
    expect(statusRows.length).toBeGreaterThan(0);
    for (const { slug } of pillars) {
      let total = 0;
      for (const status of ["open", "completed", "withdrawn", "carried"]) {
        const expected = statusRows.find((r) => r.slug === slug && r.status === status)?.n ?? 0;
        total += expected;
        expect(cell(html, `status-by-pillar:${slug}:${status}`), `${slug} ${status}`).toBe(expected);
      }
      expect(cell(html, `status-by-pillar:${slug}:total`)).toBe(total);
    }

    // (b) Per year: made, carried in, completed, withdrawn.
    const years = all<{ id: number; year: number }>("SELECT id, year FROM forum_cycles ORDER BY year");
    for (const { id, year } of years) {
      const made = q<{ n: number }>(
        "SELECT count(*) AS n FROM commitments WHERE cycle_id = ? AND id NOT IN (SELECT to_id FROM carry_links WHERE to_id IS NOT NULL)",
        id,
      ).n;
      const carriedIn = q<{ n: number }>(
        "SELECT count(*) AS n FROM commitments WHERE cycle_id = ? AND id IN (SELECT to_id FROM carry_links WHERE to_id IS NOT NULL)",
        id,
      ).n;
      const completed = q<{ n: number }>("SELECT count(*) AS n FROM commitments WHERE completed_in_cycle_id = ?", id).n;
      const withdrawn = q<{ n: number }>("SELECT count(*) AS n FROM commitments WHERE cycle_id = ? AND status = 'withdrawn'", id).n;
      expect(cell(html, `flow-by-year:${year}:made`), `${year} made`).toBe(made);
      expect(cell(html, `flow-by-year:${year}:carriedIn`), `${year} carried in`).toBe(carriedIn);
      expect(cell(html, `flow-by-year:${year}:completed`), `${year} completed`).toBe(completed);
      expect(cell(html, `flow-by-year:${year}:withdrawn`), `${year} withdrawn`).toBe(withdrawn);
    }
    // What the demo seeds, as a check on the SQL above: four made last year, two of them completed;
    // this year two carried in and two new.
    expect(cell(html, `flow-by-year:${Y - 1}:made`)).toBe(4);
    expect(cell(html, `flow-by-year:${Y - 1}:completed`)).toBe(2);
    expect(cell(html, `flow-by-year:${Y}:carriedIn`)).toBe(2);
    expect(cell(html, `flow-by-year:${Y}:made`)).toBe(2);

    // (c) Overdue milestones of open commitments, per pillar and listed.
    const overdue = all<{ slug: string; n: number }>(
      `SELECT p.slug, count(*) AS n FROM milestones m JOIN commitments c ON c.id = m.commitment_id JOIN pillars p ON p.id = c.pillar_id
       WHERE m.done_on IS NULL AND m.due_on < ? AND c.status = 'open' GROUP BY p.slug`,
      today(),
    );
    for (const { slug } of pillars)
      expect(cell(html, `overdue-by-pillar:${slug}:overdue`), `${slug} overdue`).toBe(overdue.find((r) => r.slug === slug)?.n ?? 0);
    const overdueTotal = overdue.reduce((s, r) => s + r.n, 0);
    expect(count(html, 'data-testid="overdue-item"')).toBe(overdueTotal);
  });

  it("shows another year's status when asked, and the newest open cycle by default", async () => {
    const last = await (await get(server, `/commitments/dashboard?year=${Y - 1}`, secretariat)).text();
    const expected = q<{ n: number }>(
      "SELECT count(*) AS n FROM commitments c JOIN forum_cycles f ON f.id = c.cycle_id JOIN pillars p ON p.id = c.pillar_id WHERE f.year = ? AND p.slug = 'tech-innovation' AND c.status = 'completed'",
      Y - 1,
    ).n;
    expect(cell(last, "status-by-pillar:tech-innovation:completed")).toBe(expected);
    expect(expected).toBe(1);
    const byDefault = await (await get(server, "/commitments/dashboard", secretariat)).text();
    expect(byDefault).toContain(`Status by pillar, ${Y}`);
  });
});

describe("opening a cycle", () => {
  it("opens the next year and refuses a second cycle for the same year, keeping what was typed", async () => {
    const next = Y + 1;
    const res = await post(server, "/cycles", { intent: "open", year: String(next), reportOn: `${next}-12-01` }, secretariat);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`/cycles/${next}?opened=1`);
    expect(q<{ status: string; reportOn: string }>("SELECT status, report_on AS reportOn FROM forum_cycles WHERE year = ?", next)).toEqual({
      status: "open",
      reportOn: `${next}-12-01`,
    });
    expect(await (await get(server, `/cycles/${next}?opened=1`, secretariat)).text()).toContain(`The ${next} cycle is open.`);

    const dup = await post(server, "/cycles", { intent: "open", year: String(next), reportOn: `${next}-11-15` }, secretariat);
    expect(dup.status).toBe(400);
    const html = await dup.text();
    expect(html).toContain("There is already a cycle for that year.");
    expect(html).toContain(`value="${next}-11-15"`);
    expect(q<{ n: number }>("SELECT count(*) AS n FROM forum_cycles WHERE year = ?", next).n).toBe(1);

    const badDate = await post(server, "/cycles", { intent: "open", year: "2091", reportOn: "2095-01-01" }, secretariat);
    expect(badDate.status).toBe(400);
    expect(await badDate.text()).toContain("The report date must fall in the cycle");
    const badYear = await post(server, "/cycles", { intent: "open", year: "20x1", reportOn: "2091-01-01" }, secretariat);
    expect(badYear.status).toBe(400);

    const list = await (await get(server, "/cycles", secretariat)).text();
    expect(list).toContain(`data-testid="cycle-${next}"`);
    expect(list).toContain(`data-testid="cycle-${Y - 1}"`);
  });
});

describe("the carry-over review", () => {
  const decide = (fields: Record<string, string>) =>
    post(server, `/cycles/${Y + 1}/carry-over`, { intent: "decide", ...fields }, secretariat);

  it("lists what is still open in earlier cycles, only for the current cycle", async () => {
    const res = await get(server, `/cycles/${Y + 1}/carry-over`, secretariat);
    expect(res.status).toBe(200);
    const html = await res.text();
    const open = all<{ reference: string }>(
      "SELECT c.reference FROM commitments c JOIN forum_cycles f ON f.id = c.cycle_id WHERE c.status = 'open' AND f.year < ?",
      Y + 1,
    );
    expect(open).toHaveLength(4);
    expect(count(html, 'data-testid="carry-candidate"')).toBe(open.length);
    for (const { reference } of open) expect(html).toContain(`data-reference="${reference}"`);
    // Triage was continued once already.
    expect(html).toContain("Carried 1 time");

    // An earlier cycle's review only points to the current one, and takes no decisions.
    const earlier = await (await get(server, `/cycles/${Y}/carry-over`, secretariat)).text();
    expect(earlier).toContain('data-testid="carry-not-current"');
    const refused = await post(
      server,
      `/cycles/${Y}/carry-over`,
      { intent: "decide", commitmentId: String(idOf(`CA-${Y - 1}-01`, Y)), kind: "continued", rationale: "x" },
      secretariat,
    );
    expect(refused.status).toBe(409);
  });

  it("continues work under the same reference", async () => {
    const triage = idOf(`CA-${Y - 1}-01`, Y)!;
    const res = await decide({ commitmentId: String(triage), kind: "continued", rationale: "Five platforms now take part." });
    expect(res.status).toBe(302);
    expect(statusOf(triage)).toBe("carried");
    const next = idOf(`CA-${Y - 1}-01`, Y + 1);
    expect(next).toBeDefined();
    expect(q("SELECT kind, to_id AS toId, rationale FROM carry_links WHERE from_id = ?", triage)).toEqual({
      kind: "continued",
      toId: next,
      rationale: "Five platforms now take part.",
    });

    const page = await (await get(server, res.headers.get("location")!, secretariat)).text();
    expect(page).toContain(`CA-${Y - 1}-01: Continued. The decision is recorded.`);
    expect(page).toMatch(new RegExp(`data-testid="carry-decided" data-reference="CA-${Y - 1}-01"`));
    expect(page).toContain(`href="/commitments/${next}"`);
    expect(page).not.toContain(`data-testid="carry-candidate" data-reference="CA-${Y - 1}-01"`);
  });

  it("splits work into new references linked to the old one", async () => {
    const briefings = idOf(`KS-${Y}-01`, Y)!;
    const res = await decide({
      commitmentId: String(briefings),
      kind: "split",
      rationale: "Two audiences need different briefings.",
      part1Title: "Threat briefings for police",
      part1ExpectedResult: "Four briefings a year",
      part2Title: "Threat briefings for hotlines",
      part2ExpectedResult: "Two briefings a year",
      part3Title: "",
      part3ExpectedResult: "",
    });
    expect(res.status).toBe(302);
    expect(statusOf(briefings)).toBe("carried");
    const links = all<{ kind: string; reference: string; title: string; year: number }>(
      "SELECT l.kind, c.reference, c.title, f.year FROM carry_links l JOIN commitments c ON c.id = l.to_id JOIN forum_cycles f ON f.id = c.cycle_id WHERE l.from_id = ? ORDER BY c.reference",
      briefings,
    );
    expect(links).toEqual([
      { kind: "split", reference: `KS-${Y + 1}-01`, title: "Threat briefings for police", year: Y + 1 },
      { kind: "split", reference: `KS-${Y + 1}-02`, title: "Threat briefings for hotlines", year: Y + 1 },
    ]);
    const page = await (await get(server, `/cycles/${Y + 1}/carry-over`, secretariat)).text();
    expect(page).toContain(`KS-${Y + 1}-01 · Threat briefings for police`);
    expect(page).toContain(`KS-${Y + 1}-02 · Threat briefings for hotlines`);

    // A split needs its two parts.
    const research = idOf(`IR-${Y - 1}-01`, Y)!;
    const half = await decide({
      commitmentId: String(research),
      kind: "split",
      rationale: "Halves",
      part1Title: "Only one",
      part1ExpectedResult: "One",
    });
    expect(half.status).toBe(400);
    expect(statusOf(research)).toBe("open");
  });

  it("needs a rationale: without one the decision is refused with the message and the input kept", async () => {
    const protocol = idOf(`CA-${Y}-01`, Y)!;
    const res = await decide({ commitmentId: String(protocol), kind: "withdrawn", rationale: "" });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("Give a rationale for this decision.");
    // The withdraw form of that commitment is open again, and the commitment is still to decide.
    expect(html).toMatch(/<details[^>]*open=""[^>]*data-kind="withdrawn"/);
    expect(html).toContain(`data-testid="carry-candidate" data-reference="CA-${Y}-01"`);
    expect(statusOf(protocol)).toBe("open");
    expect(q<{ n: number }>("SELECT count(*) AS n FROM carry_links WHERE from_id = ?", protocol).n).toBe(0);

    // What was typed comes back.
    const research = idOf(`IR-${Y - 1}-01`, Y)!;
    const rescope = await decide({
      commitmentId: String(research),
      kind: "rescoped",
      title: "Researcher access to one dataset",
      expectedResult: "One dataset open",
      rationale: "   ",
    });
    expect(rescope.status).toBe(400);
    const kept = await rescope.text();
    expect(kept).toContain("Give a rationale for this decision.");
    expect(kept).toContain('value="Researcher access to one dataset"');
    expect(kept).toContain("One dataset open</textarea>");

    // Merging needs something to merge with.
    const merge = await decide({
      commitmentId: String(research),
      kind: "merged",
      title: "Merged",
      expectedResult: "All",
      rationale: "Together",
    });
    expect(merge.status).toBe(400);
    expect(await merge.text()).toContain("Choose at least one commitment to merge with.");

    const withdrawn = await decide({
      commitmentId: String(protocol),
      kind: "withdrawn",
      rationale: "The ministry leads this elsewhere now.",
    });
    expect(withdrawn.status).toBe(302);
    expect(statusOf(protocol)).toBe("withdrawn");
    expect(q("SELECT kind, to_id AS toId FROM carry_links WHERE from_id = ?", protocol)).toEqual({ kind: "withdrawn", toId: null });
    // Decided once, final.
    const again = await decide({ commitmentId: String(protocol), kind: "continued", rationale: "Changed our minds" });
    expect(again.status).toBe(409);
  });

  it("rescopes under the same reference, and the list empties as decisions are taken", async () => {
    const research = idOf(`IR-${Y - 1}-01`, Y)!;
    const res = await decide({
      commitmentId: String(research),
      kind: "rescoped",
      title: "Researcher access to one dataset",
      expectedResult: "One dataset open",
      rationale: "Legal review allows one.",
    });
    expect(res.status).toBe(302);
    const next = idOf(`IR-${Y - 1}-01`, Y + 1)!;
    expect(q("SELECT title, expected_result AS expectedResult FROM commitments WHERE id = ?", next)).toEqual({
      title: "Researcher access to one dataset",
      expectedResult: "One dataset open",
    });
    const page = await (await get(server, `/cycles/${Y + 1}/carry-over`, secretariat)).text();
    expect(count(page, 'data-testid="carry-candidate"')).toBe(0);
    expect(page).toContain("Nothing left to decide");
    expect(count(page, 'data-testid="carry-decided"')).toBe(4);
  });
});

describe("closing a cycle", () => {
  it("is refused before the report date", async () => {
    const page = await (await get(server, `/cycles/${Y + 1}`, secretariat)).text();
    expect(page).toContain('data-testid="close-not-yet"');
    expect(page).toContain("This cycle can be closed on or after its report date");
    const res = await post(server, `/cycles/${Y + 1}`, { intent: "close", confirmed: "yes" }, secretariat);
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("A cycle can be closed on or after its report date.");
    expect(q<{ status: string }>("SELECT status FROM forum_cycles WHERE year = ?", Y + 1).status).toBe("open");
  });

  it("asks for confirmation, freezes an assessment of every commitment, shows them, and refuses a second close", async () => {
    // The report date has come (yesterday).
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    server.db.$client.prepare("UPDATE forum_cycles SET report_on = ? WHERE year = ?").run(yesterday, Y);
    const cycleId = q<{ id: number }>("SELECT id FROM forum_cycles WHERE year = ?", Y).id;
    const triage = idOf(`CA-${Y - 1}-01`, Y)!;
    const page = await (await get(server, `/cycles/${Y}`, secretariat)).text();
    expect(page).toContain('data-testid="close-form"');
    expect(page).toContain(`name="earlyResult.${triage}"`);

    const notes = { [`earlyResult.${triage}`]: "Five platforms triage together.", [`note.${triage}`]: "Carried into next year." };
    const review = await post(server, `/cycles/${Y}`, { intent: "reviewClose", ...notes }, secretariat);
    expect(review.status).toBe(200);
    const confirm = await review.text();
    expect(confirm).toContain(`Close the ${Y} cycle for good?`);
    expect(confirm).toContain("Early result: Five platforms triage together.");
    expect(q<{ status: string }>("SELECT status FROM forum_cycles WHERE id = ?", cycleId).status).toBe("open");
    // Without the confirmation step, nothing closes.
    expect((await post(server, `/cycles/${Y}`, { intent: "close", ...notes }, secretariat)).status).toBe(200);
    expect(q<{ status: string }>("SELECT status FROM forum_cycles WHERE id = ?", cycleId).status).toBe("open");

    const res = await post(server, `/cycles/${Y}`, { intent: "close", confirmed: "yes", ...notes }, secretariat);
    expect(res.status).toBe(302);
    const commitmentsInCycle = q<{ n: number }>("SELECT count(*) AS n FROM commitments WHERE cycle_id = ?", cycleId).n;
    expect(res.headers.get("location")).toBe(`/cycles/${Y}?closed=${commitmentsInCycle}`);
    expect(q<{ status: string }>("SELECT status FROM forum_cycles WHERE id = ?", cycleId).status).toBe("closed");
    expect(q<{ n: number }>("SELECT count(*) AS n FROM cycle_assessments WHERE cycle_id = ?", cycleId).n).toBe(commitmentsInCycle);
    expect(q("SELECT early_result AS earlyResult, note FROM cycle_assessments WHERE commitment_id = ?", triage)).toEqual({
      earlyResult: "Five platforms triage together.",
      note: "Carried into next year.",
    });

    const after = await (await get(server, res.headers.get("location")!, secretariat)).text();
    expect(after).toContain("The cycle is closed");
    expect(after).toContain('data-testid="assessments"');
    expect(count(after, 'data-testid="assessment"')).toBe(commitmentsInCycle);
    expect(after).toContain("Five platforms triage together.");
    expect(after).not.toContain('data-testid="close-form"');

    const second = await post(server, `/cycles/${Y}`, { intent: "close", confirmed: "yes", ...notes }, secretariat);
    expect(second.status).toBe(409);
    expect(await second.text()).toContain("This cycle is already closed.");
    expect(q<{ n: number }>("SELECT count(*) AS n FROM cycle_assessments WHERE cycle_id = ?", cycleId).n).toBe(commitmentsInCycle);
  });

  it("flags work carried twice for rescoping in the next review", async () => {
    const next = Y + 2;
    expect((await post(server, "/cycles", { intent: "open", year: String(next), reportOn: `${next}-12-01` }, secretariat)).status).toBe(
      302,
    );
    const html = await (await get(server, `/cycles/${next}/carry-over`, secretariat)).text();
    const item = html.slice(html.indexOf(`data-testid="carry-candidate" data-reference="CA-${Y - 1}-01"`));
    expect(item.slice(0, item.indexOf("</h3>") + 400)).toContain("Carried 2 times");
    expect(item).toContain('data-testid="rescope-flag"');
    expect(html).toContain("Carried twice — rescope");
  });
});
