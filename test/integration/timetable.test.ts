/**
 * The timetable editor and the agenda's writes: clashes told without naming what the editor may not
 * see, the editor's form posted exactly as a browser sends it, and what every write announces.
 */
import { actorFor } from "../../app/models/people.server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DomainEvent } from "../../app/domain/events";
import { findConflicts, getEvent, saveSession, setSessionStatus, slotOf } from "../../app/models/agenda.server";
import { onDomainEvents } from "../../app/models/domain-events.server";
import { setEventStatus } from "../../app/models/events.server";
import { zonedToUtc } from "../../app/utils/zoned-time";
import { agendaSessions, events, sessionSpeakers } from "../../db/schema";
import { get, personId, post, signInAs, startServer, type TestServer } from "../support/server";

let server: TestServer;
let secretariat: string;
let facilitator: string;
let forumId: number;
let forumStart: string;
const announced: DomainEvent[] = [];
let stopListening: () => void;

beforeAll(async () => {
  server = await startServer();
  secretariat = await signInAs(server, "secretariat@convene.example");
  facilitator = await signInAs(server, "facilitator@convene.example");
  const forum = one<{ id: number; startsOn: string }>("SELECT id, starts_on AS startsOn FROM events WHERE kind = 'forum'");
  forumId = forum.id;
  forumStart = forum.startsOn;
  stopListening = onDomainEvents(server.db, (list) => announced.push(...list));
});
afterAll(async () => {
  stopListening();
  await server.close();
});

const meta = { ipAddress: "127.0.0.1", userAgent: "test" };
const one = <T>(sql: string, ...args: unknown[]) => server.db.$client.prepare(sql).get(...args) as T;
const sessionId = (title: string) => one<{ id: number }>("SELECT id FROM agenda_sessions WHERE title = ?", title).id;
const roomId = (name: string) => one<{ id: number }>("SELECT id FROM rooms WHERE name = ? AND event_id = ?", name, forumId).id;
const pillarId = (slug: string) => one<{ id: number }>("SELECT id FROM pillars WHERE slug = ?", slug).id;
const actorOf = (email: string) => actorFor(server.db, personId(server, email))!;
const lastAudit = () =>
  one<{ action: string; target: string; detail: string }>(
    "SELECT action, target_id AS target, detail FROM audit_log ORDER BY id DESC LIMIT 1",
  );

/** What the writes made while `act` ran announced. */
async function heard(act: () => Promise<unknown> | unknown): Promise<DomainEvent[]> {
  const from = announced.length;
  await act();
  return announced.slice(from);
}

/** A form POST with repeated fields and in a given order, as a browser sends it. */
function postEntries(path: string, entries: [string, string][], cookie: string): Promise<Response> {
  return fetch(server.url + path, {
    method: "POST",
    redirect: "manual",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Origin: server.url,
      "Sec-Fetch-Site": "same-origin",
      Cookie: cookie,
    },
    body: new URLSearchParams(entries),
  });
}

const decode = (s: string) =>
  s.replace(/&(amp|lt|gt|quot|#x27|#39);/g, (_, e: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#x27": "'", "#39": "'" })[e]!);

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/\s([\w:-]+)(?:="([^"]*)")?/g)) out[m[1]!.toLowerCase()] = decode(m[2] ?? "");
  return out;
}

/**
 * What a browser submits when the button labelled `button` of the editor's session form is pressed:
 * to the form's action, its successful controls in document order, with the pressed button's name and
 * value where the button stands. `values` replaces what the person would have typed.
 */
function submit(html: string, button: string, cookie: string, values: Record<string, string> = {}): Promise<Response> {
  const section = html.slice(html.indexOf('id="session-form"'));
  const form = section.slice(section.indexOf("<form"), section.indexOf("</form>"));
  const action = attributes(form.slice(0, form.indexOf(">") + 1)).action!;
  const entries: [string, string][] = [];
  let pressed = false;
  const controls =
    /<input\b[^>]*>|<select\b[^>]*>[\s\S]*?<\/select>|<textarea\b[^>]*>[\s\S]*?<\/textarea>|<button\b[^>]*>[\s\S]*?<\/button>/g;
  for (const [control] of form.matchAll(controls)) {
    const tag = control.slice(0, control.indexOf(">") + 1);
    const a = attributes(tag);
    if (!a.name || "disabled" in a) continue;
    if (control.startsWith("<input")) {
      const type = a.type ?? "text";
      if ((type === "checkbox" || type === "radio") && !("checked" in a)) continue;
      entries.push([a.name, a.value ?? (type === "checkbox" ? "on" : "")]);
    } else if (control.startsWith("<select")) {
      const options = [...control.matchAll(/<option\b[^>]*>/g)].map(([o]) => attributes(o));
      const chosen = options.find((o) => "selected" in o) ?? options[0];
      if (chosen) entries.push([a.name, chosen.value ?? ""]);
    } else if (control.startsWith("<textarea")) {
      entries.push([a.name, decode(control.slice(tag.length, control.lastIndexOf("</textarea>"))).replace(/^\n/, "")]);
    } else if (decode(control.replace(/<[^>]*>/g, "")).trim() === button) {
      entries.push([a.name, a.value ?? ""]);
      pressed = true;
    }
  }
  if (!pressed) throw new Error(`no button "${button}" in the session form`);
  return postEntries(
    action,
    entries.map(([k, v]) => [k, k in values ? values[k]! : v]),
    cookie,
  );
}

describe("a clash is told, never the title of a session the editor may not see", () => {
  const hiddenTitles = ["Unannounced side meeting", "Hotline-only briefing"];
  let speakers: number[];

  beforeAll(() => {
    // The same speakers, at the same time, at a draft event and at one only the hotlines are invited to.
    const base = { kind: "convening" as const, year: Number(forumStart.slice(0, 4)), startsOn: forumStart, endsOn: forumStart };
    const draft = server.db
      .insert(events)
      .values({ ...base, title: "Draft side event", timeZone: "Europe/Brussels", status: "draft" })
      .returning()
      .get();
    const hotlines = server.db
      .insert(events)
      .values({
        ...base,
        title: "Hotline convening",
        timeZone: "Europe/Brussels",
        status: "published",
        visibility: "groups",
        invitedGroups: ["hotline"],
      })
      .returning()
      .get();
    speakers = [personId(server, "industry@convene.example"), personId(server, "ngo@convene.example")];
    [draft, hotlines].forEach((event, i) => {
      const session = server.db
        .insert(agendaSessions)
        .values({
          eventId: event.id,
          kind: "workshop",
          title: hiddenTitles[i]!,
          startsAt: zonedToUtc(forumStart, "16:00", "Europe/Brussels"),
          endsAt: zonedToUtc(forumStart, "17:00", "Europe/Brussels"),
        })
        .returning()
        .get();
      server.db.insert(sessionSpeakers).values({ sessionId: session.id, userId: speakers[i]! }).run();
    });
  });

  const clashingSave = (): [string, string][] => [
    ["title", "Research and platforms"],
    ["kind", "workshop"],
    ["pillarId", String(pillarId("independent-research"))],
    ["roomId", String(roomId("Room C"))],
    ["date", forumStart],
    ["startTime", "16:15"],
    ["endTime", "16:45"],
    ["attribution", "on_record"],
    ...speakers.map((id): [string, string] => ["speakerIds", String(id)]),
    ["intent", "save"],
  ];

  it("a track lead saving a session is told who is busy elsewhere, not where", async () => {
    const res = await postEntries(`/events/${forumId}/timetable`, clashingSave(), facilitator);
    expect(res.status).toBe(409);
    const html = await res.text();
    for (const title of hiddenTitles) expect(html).not.toContain(title);
    expect(html).toContain("Daniel Cho is speaking at another session you cannot see at the same time.");
    expect(html).toContain("Wanjiru Kamau is speaking at another session you cannot see at the same time.");
    expect(one<{ n: number }>("SELECT count(*) AS n FROM agenda_sessions WHERE title = 'Research and platforms'").n).toBe(0);
  });

  it("the secretariat, who sees every event, is told which sessions", async () => {
    const res = await postEntries(`/events/${forumId}/timetable`, clashingSave(), secretariat);
    expect(res.status).toBe(409);
    const html = await res.text();
    expect(html).toContain("Daniel Cho is speaking at “Unannounced side meeting” at the same time.");
    expect(html).toContain("Wanjiru Kamau is speaking at “Hotline-only briefing” at the same time.");
  });

  it("the model's conflicts carry neither the title nor the id of a hidden session", () => {
    const forum = getEvent(server.db, forumId)!;
    const slot = { roomId: null, ...slotOf(forum, { date: forumStart, startTime: "16:15", endTime: "16:45" })!, speakerIds: speakers };
    const hidden = findConflicts(server.db, actorOf("facilitator@convene.example"), forum, slot);
    expect(hidden).toHaveLength(2);
    expect(hidden).toEqual(
      expect.arrayContaining([
        { kind: "speaker_hidden", speaker: "Daniel Cho" },
        { kind: "speaker_hidden", speaker: "Wanjiru Kamau" },
      ]),
    );
    // Someone the hotline convening invites (but who may not see the draft) learns its title only.
    const hotlinePerson = { ...actorOf("ngo@convene.example"), stakeholderGroup: "hotline" };
    const seen = findConflicts(server.db, hotlinePerson, forum, slot);
    expect(seen).toHaveLength(2);
    expect(seen).toEqual(
      expect.arrayContaining([
        { kind: "speaker_hidden", speaker: "Daniel Cho" },
        { kind: "speaker", sessionId: sessionId("Hotline-only briefing"), title: "Hotline-only briefing", speaker: "Wanjiru Kamau" },
      ]),
    );
  });
});

describe("the editor's form, posted as the browser sends it", () => {
  const editor = async (title: string) => {
    const res = await get(server, `/events/${forumId}/timetable?session=${sessionId(title)}`, secretariat);
    expect(res.status).toBe(200);
    return res.text();
  };

  it("Cancel cancels the session and Put back puts it back", async () => {
    const title = "A maturity model for newer companies";
    const id = sessionId(title);
    const cancelled = await submit(await editor(title), "Cancel this session", secretariat);
    expect(cancelled.status).toBe(200);
    expect(await cancelled.text()).toContain("The session is cancelled.");
    expect(one<{ status: string }>("SELECT status FROM agenda_sessions WHERE id = ?", id).status).toBe("cancelled");
    expect(lastAudit()).toMatchObject({ action: "agenda.session_cancelled", target: String(id) });

    const restored = await submit(await editor(title), "Put back on the agenda", secretariat);
    expect(restored.status).toBe(200);
    expect(await restored.text()).toContain("The session is back on the agenda.");
    expect(one<{ status: string }>("SELECT status FROM agenda_sessions WHERE id = ?", id).status).toBe("scheduled");
    expect(lastAudit()).toMatchObject({ action: "agenda.session_restored", target: String(id) });
  });

  it("Save refuses a clash and Save anyway, on the form the refusal shows, saves it", async () => {
    const title = "Research on deterrence messaging";
    const id = sessionId(title);
    const refused = await submit(await editor(title), "Save", secretariat, { roomId: String(roomId("Room A")) });
    expect(refused.status).toBe(409);
    const page = await refused.text();
    expect(page).toContain("The room is already taken by “Whole-of-society action plans”.");
    expect(one<{ roomId: number }>("SELECT room_id AS roomId FROM agenda_sessions WHERE id = ?", id).roomId).toBe(roomId("Room B"));

    const anyway = await submit(page, "Save anyway", secretariat);
    expect(anyway.status).toBe(200);
    expect(await anyway.text()).toContain("Saved. Everyone viewing the agenda sees the change.");
    expect(one<{ roomId: number }>("SELECT room_id AS roomId FROM agenda_sessions WHERE id = ?", id).roomId).toBe(roomId("Room A"));
    const audit = lastAudit();
    expect(audit).toMatchObject({ action: "agenda.session_moved", target: String(id) });
    expect(JSON.parse(audit.detail)).toMatchObject({ conflictsAccepted: 1 });
  });
});

describe("what the agenda's writes announce", () => {
  it("a move announces the session as it now is; a refused one announces nothing", async () => {
    const id = sessionId("Hash-sharing between platforms: what is working");
    const move = { intent: "move", sessionId: String(id), roomId: String(roomId("Room D")), date: forumStart, startTime: "08:00" };
    const refused = await heard(async () =>
      expect((await post(server, `/events/${forumId}/timetable`, { ...move, endTime: "08:30" }, facilitator)).status).toBe(403),
    );
    expect(refused).toEqual([]);
    const moved = await heard(async () =>
      expect((await post(server, `/events/${forumId}/timetable`, { ...move, endTime: "08:30" }, secretariat)).status).toBe(200),
    );
    expect(moved).toEqual([
      {
        type: "agenda.changed",
        change: expect.objectContaining({
          eventId: forumId,
          sessionId: id,
          change: "moved",
          session: expect.objectContaining({ roomName: "Room D" }),
        }),
      },
    ]);
  });

  it("a break in every room announces each session; cancelling twice announces once", async () => {
    const breaks = await heard(async () => {
      const res = await post(
        server,
        `/events/${forumId}/timetable`,
        {
          intent: "save",
          title: "Tea",
          kind: "break",
          pillarId: "",
          roomId: "",
          date: forumStart,
          startTime: "18:00",
          endTime: "18:15",
          attribution: "on_record",
          everyRoom: "1",
        },
        secretariat,
      );
      expect(res.status).toBe(200);
    });
    expect(breaks.map((e) => e.type === "agenda.changed" && e.change.change)).toEqual(Array(5).fill("created"));

    const forum = getEvent(server.db, forumId)!;
    const tea = sessionId("Tea");
    const first = setSessionStatus(server.db, actorOf("secretariat@convene.example"), forum, tea, "cancelled", meta);
    const again = setSessionStatus(server.db, actorOf("secretariat@convene.example"), forum, tea, "cancelled", meta);
    expect(first).toMatchObject({ ok: true, sessionIds: [tea], events: [{ type: "agenda.changed", change: { change: "cancelled" } }] });
    expect(again).toEqual({ ok: true, sessionIds: [], events: [] });
  });

  it("the model refuses, by itself, what the editor would not offer", () => {
    const forum = getEvent(server.db, forumId)!;
    const input = {
      title: "Not allowed",
      kind: "workshop" as const,
      description: "",
      roomId: null,
      pillarId: pillarId("tech-innovation"),
      date: forumStart,
      startTime: "19:00",
      endTime: "19:30",
      capacity: null,
      attribution: "on_record" as const,
      speakerIds: [],
      guests: [],
    };
    const opts = { acceptConflicts: true };
    expect(saveSession(server.db, actorOf("government@convene.example"), forum, null, input, opts, meta)).toEqual({
      ok: false,
      reason: "forbidden",
    });
    // A track lead edits only their track's sessions, and nothing without a track.
    expect(saveSession(server.db, actorOf("facilitator@convene.example"), forum, null, input, opts, meta)).toMatchObject({
      reason: "forbidden",
    });
    expect(
      saveSession(server.db, actorOf("facilitator@convene.example"), forum, null, { ...input, pillarId: null }, opts, meta),
    ).toMatchObject({ reason: "forbidden" });
    const plenary = sessionId("Opening plenary: the year in review");
    expect(setSessionStatus(server.db, actorOf("facilitator@convene.example"), forum, plenary, "cancelled", meta)).toEqual({
      ok: false,
      reason: "forbidden",
    });
    // An event someone may not see is, to them, not there.
    const draft = server.db
      .insert(events)
      .values({ kind: "convening", title: "Quiet draft", year: 2027, startsOn: "2027-09-01", endsOn: "2027-09-01", timeZone: "UTC" })
      .returning()
      .get();
    expect(
      saveSession(server.db, actorOf("facilitator@convene.example"), draft, null, { ...input, date: "2027-09-01" }, opts, meta),
    ).toEqual({ ok: false, reason: "not_found" });
    expect(one<{ n: number }>("SELECT count(*) AS n FROM agenda_sessions WHERE title = 'Not allowed'").n).toBe(0);
  });
});

describe("what event settings announce", () => {
  let eventId: number;
  const settingsForm = (overrides: Record<string, string> = {}) => {
    const form = new URLSearchParams({
      kind: "convening",
      title: "Announced convening",
      description: "",
      startsOn: "2027-06-01",
      endsOn: "2027-06-01",
      timeZone: "Europe/Brussels",
      visibility: "members",
      rooms: "Hall\nAnnex",
      ...overrides,
    });
    return form;
  };
  const postSettings = (form: URLSearchParams, cookie = secretariat) =>
    postEntries(`/events/${eventId}/settings`, [...form.entries()], cookie);

  beforeAll(async () => {
    const created = await postEntries("/events/new", [...settingsForm().entries()], secretariat);
    expect(created.status).toBe(302);
    eventId = Number(created.headers.get("location")!.match(/\/events\/(\d+)\//)![1]);
  });

  it("publishing, unpublishing and archiving change who may see the event; doing it again changes nothing", async () => {
    const publish = await heard(async () =>
      expect((await post(server, `/events/${eventId}/settings`, { intent: "publish" }, secretariat)).status).toBe(200),
    );
    expect(publish).toEqual([{ type: "event.accessChanged", eventId }]);
    const again = await heard(async () =>
      expect((await post(server, `/events/${eventId}/settings`, { intent: "publish" }, secretariat)).status).toBe(200),
    );
    expect(again).toEqual([]);
    expect(setEventStatus(server.db, actorOf("secretariat@convene.example"), eventId, "archived", meta, { confirmed: true })).toEqual({
      ok: true,
      events: [{ type: "event.accessChanged", eventId }],
    });
    expect(setEventStatus(server.db, actorOf("secretariat@convene.example"), eventId, "published", meta).ok).toBe(true);
  });

  it("others may not change an event's status, through the page or the model", async () => {
    const refused = await heard(async () => {
      for (const email of ["facilitator@convene.example", "government@convene.example"]) {
        const cookie = await signInAs(server, email);
        expect((await post(server, `/events/${eventId}/settings`, { intent: "unpublish" }, cookie)).status).toBe(403);
        expect((await postSettings(settingsForm({ title: "Taken over" }), cookie)).status).toBe(403);
      }
    });
    expect(refused).toEqual([]);
    expect(setEventStatus(server.db, actorOf("facilitator@convene.example"), eventId, "draft", meta)).toEqual({
      ok: false,
      error: "errors.forbidden",
    });
    expect(one("SELECT status, title FROM events WHERE id = ?", eventId)).toEqual({ status: "published", title: "Announced convening" });
  });

  it("narrowing the invited groups changes who may see it; a removed room's sessions are announced without it", async () => {
    const annex = one<{ id: number }>("SELECT id FROM rooms WHERE event_id = ? AND name = 'Annex'", eventId).id;
    const session = server.db
      .insert(agendaSessions)
      .values({
        eventId,
        roomId: annex,
        kind: "workshop",
        title: "In the annex",
        startsAt: zonedToUtc("2027-06-01", "10:00", "Europe/Brussels"),
        endsAt: zonedToUtc("2027-06-01", "11:00", "Europe/Brussels"),
      })
      .returning()
      .get();

    const unchanged = await heard(async () => expect((await postSettings(settingsForm({ description: "Same people" }))).status).toBe(200));
    expect(unchanged).toEqual([]);

    const narrowed = settingsForm({ visibility: "groups", rooms: "Hall" });
    narrowed.append("invitedGroups", "ngo");
    const changed = await heard(async () => expect((await postSettings(narrowed)).status).toBe(200));
    expect(changed).toEqual([
      {
        type: "agenda.changed",
        change: expect.objectContaining({
          sessionId: session.id,
          change: "moved",
          session: expect.objectContaining({ roomId: null, roomName: null, sequence: 1 }),
        }),
      },
      { type: "event.accessChanged", eventId },
    ]);
    expect(one("SELECT room_id AS roomId, sequence FROM agenda_sessions WHERE id = ?", session.id)).toEqual({ roomId: null, sequence: 1 });
  });
});
