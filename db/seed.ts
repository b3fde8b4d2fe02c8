import { eq } from "drizzle-orm";
import { ensureBreakout } from "../app/models/breakouts.server";
import { hashPassword } from "../app/models/password.server";
import type { Db } from "./client";
import type { Actor } from "../app/utils/policy";
import { zonedToUtc } from "../app/utils/zoned-time";
import {
  agendaSessions,
  documentSnapshots,
  documentVersions,
  documents,
  eventSeries,
  events,
  organisations,
  pillars,
  rooms,
  sessionSpeakers,
  trackLeads,
  users,
  workingGroupMembers,
  workingGroups,
  type Role,
  type StakeholderGroup,
} from "./schema";

export const DEMO_PASSWORD = "convene-demo-2026";

export const PILLARS = [
  { slug: "tech-innovation", name: "Tech Innovation" },
  { slug: "collective-action", name: "Collective Action" },
  { slug: "independent-research", name: "Independent Research" },
  { slug: "knowledge-sharing", name: "Information & Knowledge Sharing" },
  { slug: "transparency-accountability", name: "Transparency & Accountability" },
] as const;

const DEMO_ORGANISATIONS: { key: string; name: string; stakeholderGroup: StakeholderGroup; country: string }[] = [
  { key: "ministry", name: "Ministry of Digital Affairs (demo)", stakeholderGroup: "government", country: "GB" },
  { key: "police", name: "Federal Cybercrime Unit (demo)", stakeholderGroup: "law_enforcement", country: "DE" },
  { key: "ngo", name: "Children First Alliance (demo)", stakeholderGroup: "ngo", country: "KE" },
  { key: "hotline", name: "Safe Line Hotline Network (demo)", stakeholderGroup: "hotline", country: "PH" },
  { key: "industry", name: "Streamwave Platforms (demo)", stakeholderGroup: "industry", country: "US" },
  { key: "research", name: "Institute for Online Safety Research (demo)", stakeholderGroup: "research", country: "AU" },
  { key: "intergov", name: "Regional Child Protection Partnership (demo)", stakeholderGroup: "intergovernmental", country: "BR" },
];

export const DEMO_ACCOUNTS: { email: string; name: string; role: Role; org: string | null }[] = [
  { email: "secretariat@convene.example", name: "Sam Okafor", role: "secretariat", org: null },
  { email: "facilitator@convene.example", name: "Ana Ribeiro", role: "facilitator", org: "research" },
  { email: "government@convene.example", name: "Priya Natarajan", role: "delegate", org: "ministry" },
  { email: "police@convene.example", name: "Jonas Weber", role: "delegate", org: "police" },
  { email: "ngo@convene.example", name: "Wanjiru Kamau", role: "delegate", org: "ngo" },
  { email: "industry@convene.example", name: "Daniel Cho", role: "delegate", org: "industry" },
  { email: "observer@convene.example", name: "Lucía Fernández", role: "observer", org: "intergov" },
];

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function addDays(d: Date, days: number): Date {
  return new Date(d.getTime() + days * 86_400_000);
}

/** Fills an empty database with a small demo forum. Returns the accounts it created. */
export async function seedDemoForum(db: Db, now = new Date()) {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const year = now.getUTCFullYear();
  // The forum is a few weeks ahead, but always in the current year.
  let forumStart = addDays(now, 21);
  if (forumStart.getUTCFullYear() !== year) forumStart = new Date(Date.UTC(year, 11, 28));
  const conveningStart = addDays(now, 60);
  // Loaded only when seeding, so an ordinary start does not pay for the rich-text schema.
  const { markdownToState } = await import("../app/models/document-content.server");

  db.transaction((tx) => {
    tx.insert(pillars)
      .values(PILLARS.map((p, i) => ({ ...p, position: i + 1 })))
      .run();
    const orgIds = new Map<string, number>();
    for (const { key, ...org } of DEMO_ORGANISATIONS) {
      orgIds.set(key, tx.insert(organisations).values(org).returning({ id: organisations.id }).get().id);
    }
    tx.insert(users)
      .values(
        DEMO_ACCOUNTS.map((a) => ({
          email: a.email,
          name: a.name,
          role: a.role,
          passwordHash,
          organisationId: a.org ? (orgIds.get(a.org) ?? null) : null,
        })),
      )
      .run();
    const series = tx.insert(eventSeries).values({ name: "Quarterly convenings", cadence: "quarterly" }).returning().get();
    const [forum] = tx
      .insert(events)
      .values([
        {
          kind: "forum",
          title: `Annual Multi-Stakeholder Forum ${year}`,
          description: "Three days on the five pillars: what worked, what did not, and what we commit to next.",
          year,
          startsOn: isoDate(forumStart),
          endsOn: isoDate(addDays(forumStart, 2)),
          timeZone: "Europe/Brussels",
          venue: "Brussels and online",
          status: "published",
          visibility: "members",
        },
        {
          kind: "convening",
          seriesId: series.id,
          title: "Quarterly convening: detection and reporting",
          description: "A half-day online convening on information sharing between hotlines and platforms.",
          year: conveningStart.getUTCFullYear(),
          startsOn: isoDate(conveningStart),
          endsOn: isoDate(conveningStart),
          timeZone: "America/New_York",
          onlineUrl: "https://meet.example.org/convening",
          status: "published",
          visibility: "members",
        },
        {
          kind: "convening",
          seriesId: series.id,
          title: "Quarterly convening: research priorities (draft)",
          description: "Not yet announced.",
          year: addDays(conveningStart, 91).getUTCFullYear(),
          startsOn: isoDate(addDays(conveningStart, 91)),
          endsOn: isoDate(addDays(conveningStart, 91)),
          timeZone: "Asia/Singapore",
          status: "draft",
          visibility: "members",
        },
      ])
      .returning()
      .all();
    seedForumAgenda(tx, forum!);
    seedWorkingGroups(tx, markdownToState);
  });
  await seedCommitments(db, year);
  return DEMO_ACCOUNTS.map((a) => ({ email: a.email, role: a.role, password: DEMO_PASSWORD }));
}

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

const HASH_SHARING = `## Why this matters

Hotlines and platforms that exchange hashes of known abuse material remove it faster and re-traumatise fewer victims.

## Good practice

1. Agree on the **hash formats** both sides accept before the first exchange.
2. Keep a named contact on each side, reachable within one working day.
3. Review false positives together every quarter.

> Share the hash, never the material.

## Open questions

- How should smaller platforms without a trust and safety team take part?
- Which audit evidence should a hotline keep?`;

const TRANSPARENCY = `## Purpose

A common outline for transparency reports, so readers can compare figures across services.

## The outline

| Section | What it reports |
| --- | --- |
| Detection | Tools used and their scope |
| Reporting | Reports made to hotlines and law enforcement |
| Appeals | Appeals received and outcomes |

## Principles

- Report **counts with definitions**, not only totals.
- Publish on the same date each year.`;

/** Two working groups: one drafting a document, one with a published, public good-practice model. */
function seedWorkingGroups(tx: Tx, markdownToState: (text: string) => Uint8Array) {
  const userId = (email: string) => tx.select({ id: users.id }).from(users).where(eq(users.email, email)).get()!.id;
  const pillarId = (slug: string) => tx.select({ id: pillars.id }).from(pillars).where(eq(pillars.slug, slug)).get()!.id;
  const secretariat = userId("secretariat@convene.example");

  const sharing = tx
    .insert(workingGroups)
    .values({
      name: "Hash-sharing between hotlines and platforms",
      description: "Agreements and routines for exchanging hashes of known material.",
      pillarId: pillarId("knowledge-sharing"),
      leadId: userId("ngo@convene.example"),
    })
    .returning({ id: workingGroups.id })
    .get().id;
  const transparency = tx
    .insert(workingGroups)
    .values({
      name: "Transparency reporting",
      description: "A shared outline for annual transparency reports.",
      pillarId: pillarId("transparency-accountability"),
      leadId: userId("industry@convene.example"),
    })
    .returning({ id: workingGroups.id })
    .get().id;
  tx.insert(workingGroupMembers)
    .values([
      { groupId: sharing, userId: userId("ngo@convene.example"), membership: "editor" },
      { groupId: sharing, userId: userId("police@convene.example"), membership: "editor" },
      { groupId: sharing, userId: userId("industry@convene.example"), membership: "editor" },
      { groupId: sharing, userId: userId("government@convene.example"), membership: "reader" },
      { groupId: sharing, userId: userId("observer@convene.example"), membership: "reader" },
      { groupId: transparency, userId: userId("industry@convene.example"), membership: "editor" },
      { groupId: transparency, userId: userId("government@convene.example"), membership: "editor" },
    ])
    .run();

  const draft = tx
    .insert(documents)
    .values({
      groupId: sharing,
      title: "Hash-sharing agreements",
      summary: "What a good hash-sharing agreement between a hotline and a platform covers.",
      visibility: "group",
      createdBy: userId("ngo@convene.example"),
    })
    .returning({ id: documents.id })
    .get().id;
  tx.insert(documentSnapshots)
    .values({ documentId: draft, state: Buffer.from(markdownToState(HASH_SHARING)), throughUpdateId: 0 })
    .run();

  const model = { title: "Transparency report outline", summary: "A common outline for annual transparency reports." };
  const published = tx
    .insert(documents)
    .values({ groupId: transparency, ...model, status: "published", visibility: "public", createdBy: userId("industry@convene.example") })
    .returning({ id: documents.id })
    .get().id;
  const state = Buffer.from(markdownToState(TRANSPARENCY));
  tx.insert(documentSnapshots).values({ documentId: published, state, throughUpdateId: 0 }).run();
  tx.insert(documentVersions)
    .values({
      documentId: published,
      ...model,
      name: "Published as v1",
      kind: "published",
      state,
      publishedNumber: 1,
      visibility: "public",
      createdBy: secretariat,
    })
    .run();
}

/** A first day of the forum: a plenary, a workshop per pillar in parallel rooms, a break, a closing panel. */
function seedForumAgenda(tx: Tx, forum: typeof events.$inferSelect) {
  const roomIds = ["Main hall", "Room A", "Room B", "Room C", "Room D"].map(
    (name, position) => tx.insert(rooms).values({ eventId: forum.id, name, position }).returning({ id: rooms.id }).get().id,
  );
  const pillarIds = tx
    .select({ id: pillars.id })
    .from(pillars)
    .orderBy(pillars.position)
    .all()
    .map((p) => p.id);
  const userId = (email: string) => tx.select({ id: users.id }).from(users).where(eq(users.email, email)).get()!.id;
  const at = (day: number, time: string) => {
    const date = new Date(Date.parse(`${forum.startsOn}T00:00:00Z`) + day * 86_400_000).toISOString().slice(0, 10);
    return zonedToUtc(date, time, forum.timeZone);
  };
  const add = (s: Omit<typeof agendaSessions.$inferInsert, "eventId">, speakerIds: number[] = []) => {
    const id = tx
      .insert(agendaSessions)
      .values({ ...s, eventId: forum.id })
      .returning({ id: agendaSessions.id })
      .get().id;
    speakerIds.forEach((uid, position) => tx.insert(sessionSpeakers).values({ sessionId: id, userId: uid, position }).run());
    ensureBreakout(tx, id);
  };
  add(
    {
      kind: "plenary",
      title: "Opening plenary: the year in review",
      roomId: roomIds[0],
      startsAt: at(0, "09:00"),
      endsAt: at(0, "10:00"),
      description: "Where the coalition stands on each of the five pillars.",
    },
    [userId("secretariat@convene.example")],
  );
  const workshops = [
    "Hash-sharing between platforms: what is working",
    "Whole-of-society action plans",
    "Research on deterrence messaging",
    "Rapid response protocols for new abuse vectors",
    "A maturity model for newer companies",
  ];
  workshops.forEach((title, i) =>
    add({
      kind: "workshop",
      title,
      pillarId: pillarIds[i],
      roomId: roomIds[i % roomIds.length],
      startsAt: at(0, "10:30"),
      endsAt: at(0, "12:00"),
      capacity: 30,
      attribution: "chatham_house",
    }),
  );
  roomIds.forEach((roomId) => add({ kind: "break", title: "Lunch", roomId, startsAt: at(0, "12:00"), endsAt: at(0, "13:00") }));
  add(
    {
      kind: "panel",
      title: "Transparency reporting beyond the numbers",
      pillarId: pillarIds[4],
      roomId: roomIds[0],
      startsAt: at(0, "14:00"),
      endsAt: at(0, "15:30"),
      attribution: "group_only",
    },
    [userId("industry@convene.example"), userId("ngo@convene.example")],
  );
  add({
    kind: "breakout",
    title: "Breakouts by pillar: next year's commitments",
    roomId: null,
    startsAt: at(0, "15:45"),
    endsAt: at(0, "17:00"),
    attribution: "chatham_house",
  });
  tx.insert(trackLeads)
    .values({ eventId: forum.id, pillarId: pillarIds[2]!, userId: userId("facilitator@convene.example") })
    .run();
}

/**
 * Last year's cycle, closed with its assessments, and this year's open cycle with carried and new
 * commitments, progress (some verified, some self-reported) and an overdue milestone.
 */
async function seedCommitments(db: Db, year: number) {
  const m = await import("../app/models/commitments.server");
  const meta = { ipAddress: null, userAgent: null };
  const q = <T>(sql: string, ...args: unknown[]) => db.$client.prepare(sql).get(...args) as T;
  const userOf = (email: string) =>
    q<Actor>("SELECT id, role, status, organisation_id AS organisationId FROM users WHERE email = ?", email);
  const orgOf = (key: string) =>
    q<{ id: number }>("SELECT id FROM organisations WHERE name = ?", DEMO_ORGANISATIONS.find((o) => o.key === key)!.name).id;
  const pillarOf = (slug: string) => q<{ id: number }>("SELECT id FROM pillars WHERE slug = ?", slug).id;
  const secretariat = userOf("secretariat@convene.example");
  const last = year - 1;

  const base = (
    title: string,
    pillar: string,
    lead: string,
    patch: Partial<import("../app/models/commitments.server").CommitmentInput> = {},
  ) => ({
    title,
    problem: "",
    expectedResult: "",
    pillarId: pillarOf(pillar),
    principles: [] as number[],
    type: "single" as const,
    leadOrganisationId: orgOf(lead),
    leadContribution: "",
    supporting: [] as { organisationId: number; contribution: string }[],
    contactName: DEMO_ACCOUNTS.find((a) => a.org === lead)?.name ?? "Sam Okafor",
    contactEmail: DEMO_ACCOUNTS.find((a) => a.org === lead)?.email ?? null,
    startsOn: `${last}-01-15`,
    endsOn: `${year}-12-31`,
    madeAtSessionId: null,
    visibility: "members" as const,
    milestones: [] as { title: string; dueOn: string }[],
    ...patch,
  });
  const made = (r: { ok: true; id: number } | { ok: false; errors: Record<string, string> }) => {
    if (!r.ok) throw new Error(`seeding commitments failed: ${JSON.stringify(r.errors)}`);
    return r.id;
  };

  m.openCycle(db, secretariat, { year: last, reportOn: `${last}-12-01` }, meta);
  const triage = made(
    m.createCommitment(
      db,
      secretariat,
      base("Shared triage of reports between hotlines and platforms", "collective-action", "ngo", {
        problem: "Reports of the same material reach several platforms and hotlines, and each triages them again.",
        expectedResult: "One shared triage routine used by at least five platforms.",
        principles: [1, 2],
        supporting: [{ organisationId: orgOf("industry"), contribution: "Engineering time for the shared queue" }],
        leadContribution: "Runs the pilot and the triage guidance",
        milestones: [
          { title: "Pilot with two platforms", dueOn: `${last}-06-30` },
          { title: "Guidance published", dueOn: `${year}-03-31` },
        ],
      }),
      meta,
    ),
  );
  const hashing = made(
    m.createCommitment(
      db,
      secretariat,
      base("Open-source hash matching for smaller platforms", "tech-innovation", "industry", { visibility: "public", principles: [1] }),
      meta,
    ),
  );
  const research = made(
    m.createCommitment(db, secretariat, base("Researcher access to anonymised report data", "independent-research", "research"), meta),
  );
  const outline = made(
    m.createCommitment(
      db,
      secretariat,
      base("A common transparency report outline", "transparency-accountability", "industry", { visibility: "public", principles: [11] }),
      meta,
    ),
  );

  const ngo = userOf("ngo@convene.example");
  const industry = userOf("industry@convene.example");
  const first = made(
    m.addProgressUpdate(
      db,
      ngo,
      triage,
      {
        completion: "limited",
        percent: 40,
        narrative: "The pilot runs with two platforms.",
        links: ["https://example.org/triage-pilot"],
        files: [],
      },
      meta,
    ),
  );
  m.verifyProgressUpdate(db, secretariat, { commitmentId: triage, updateId: first, note: "Confirmed with both platforms." }, meta);
  m.completeMilestone(
    db,
    ngo,
    {
      commitmentId: triage,
      milestoneId: q<{ id: number }>("SELECT id FROM milestones WHERE commitment_id = ? ORDER BY due_on LIMIT 1", triage).id,
      doneOn: `${last}-07-10`,
    },
    meta,
  );
  const shipped = made(
    m.addProgressUpdate(
      db,
      industry,
      hashing,
      {
        completion: "complete",
        percent: 100,
        narrative: "The matcher is released under an open licence.",
        links: ["https://example.org/matcher"],
        files: [],
      },
      meta,
    ),
  );
  m.verifyProgressUpdate(db, secretariat, { commitmentId: hashing, updateId: shipped, note: "" }, meta);
  m.addProgressUpdate(
    db,
    industry,
    outline,
    { completion: "complete", percent: 100, narrative: "The outline is published as a good-practice model.", links: [], files: [] },
    meta,
  );
  m.addProgressUpdate(
    db,
    userOf("facilitator@convene.example"),
    research,
    { completion: "limited", percent: 10, narrative: "Legal review of data sharing is slower than planned.", links: [], files: [] },
    meta,
  );
  const lastCycle = q<{ id: number }>("SELECT id FROM forum_cycles WHERE year = ?", last).id;
  m.closeCycle(
    db,
    secretariat,
    lastCycle,
    { [triage]: { earlyResult: "Two platforms triage together.", note: "On track." } },
    `${year}-01-10`,
    meta,
  );

  m.openCycle(db, secretariat, { year, reportOn: `${year}-12-01` }, meta);
  m.carryOver(db, secretariat, triage, { kind: "continued", rationale: "Three more platforms asked to join." }, meta);
  m.carryOver(
    db,
    secretariat,
    research,
    {
      kind: "rescoped",
      rationale: "Narrowed to what the legal review allows.",
      title: "Researcher access to two anonymised datasets",
      expectedResult: "Two datasets open to vetted researchers.",
    },
    meta,
  );
  const briefings = made(
    m.createCommitment(
      db,
      secretariat,
      base("Quarterly threat briefings for law enforcement", "knowledge-sharing", "police", {
        startsOn: `${year}-01-15`,
        supporting: [{ organisationId: orgOf("hotline"), contribution: "Trend data from reports" }],
        milestones: [{ title: "First briefing held", dueOn: `${year}-03-31` }],
      }),
      meta,
    ),
  );
  made(
    m.createCommitment(
      db,
      secretariat,
      base("Joint response protocol for live-streamed abuse", "collective-action", "ministry", {
        startsOn: `${year}-02-01`,
        visibility: "secretariat",
      }),
      meta,
    ),
  );
  m.addProgressUpdate(
    db,
    userOf("police@convene.example"),
    briefings,
    { completion: "limited", percent: 25, narrative: "The first briefing is being prepared.", links: [], files: [] },
    meta,
  );
}
