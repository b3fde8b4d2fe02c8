/**
 * Access changes reach every open connection: for each kind of change, a socket that lost access to
 * a live room stops receiving that room's messages at once, and keeps receiving those of rooms it
 * may still see. Every change is made as a person would make it, through the pages' form posts.
 */
import type { Socket } from "socket.io-client";
import * as Y from "yjs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AgendaChange } from "../../app/realtime/protocol";
import { DocProvider } from "../../app/realtime/doc-provider";
import { groupWithDocument, openDocument, saved, type DocClient } from "../support/documents";
import { connectSocket, onceConnected, personId, post, signInAs, startServer, type TestServer } from "../support/server";

let server: TestServer;
let secretariat: string;
const closeLater: { close(): void }[] = [];
beforeAll(async () => {
  server = await startServer();
  secretariat = await signInAs(server, "secretariat@convene.example");
});
afterEach(() => {
  for (const c of closeLater.splice(0)) c.close();
});
afterAll(() => server.close());

const one = <T>(sql: string, ...args: unknown[]) => server.db.$client.prepare(sql).get(...args) as T;
let events = 0;

const eventForm = (title: string, visibility: string, invitedGroups: string[]) => {
  const form = new URLSearchParams({
    intent: "save",
    kind: "convening",
    title,
    description: "",
    startsOn: "2027-03-10",
    endsOn: "2027-03-10",
    timeZone: "Europe/Vienna",
    visibility,
    rooms: "Main hall",
    newSeriesName: `${title} series`,
    newSeriesCadence: "ad_hoc",
  });
  for (const g of invitedGroups) form.append("invitedGroups", g);
  return form;
};

async function postForm(path: string, form: URLSearchParams, cookie = secretariat): Promise<Response> {
  return fetch(server.url + path, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server.url, "Sec-Fetch-Site": "same-origin", Cookie: cookie },
    body: form,
  });
}

/** A published event made by the secretariat through its forms; returns its id. */
async function publishedEvent(visibility: "public" | "members" | "groups", invitedGroups: string[] = []): Promise<number> {
  const title = `Live access convening ${++events}`;
  const created = await postForm("/events/new", eventForm(title, visibility, invitedGroups));
  expect(created.status).toBe(302);
  const id = Number(created.headers.get("location")!.match(/\/events\/(\d+)\//)![1]);
  expect((await post(server, `/events/${id}/settings`, { intent: "publish" }, secretariat)).status).toBe(200);
  return id;
}

let sessions = 0;
/** The secretariat adds a session to the event's timetable: a change pushed to everyone following it. */
async function editAgenda(eventId: number): Promise<string> {
  const title = `Session ${++sessions}`;
  const roomId = one<{ id: number }>("SELECT id FROM rooms WHERE event_id = ?", eventId).id;
  const res = await post(
    server,
    `/events/${eventId}/timetable`,
    {
      intent: "save",
      title,
      kind: "panel",
      pillarId: "",
      roomId: String(roomId),
      date: "2027-03-10",
      startTime: `${String(8 + (sessions % 10)).padStart(2, "0")}:00`,
      endTime: `${String(8 + (sessions % 10)).padStart(2, "0")}:30`,
      attribution: "on_record",
    },
    secretariat,
  );
  expect(res.status).toBe(200);
  return title;
}

interface Follower {
  socket: Socket;
  /** Titles of the agenda changes received, by event. */
  received: Map<number, string[]>;
  closed: number[];
  /** Resolves once a change with this title has arrived. */
  receives(title: string): Promise<void>;
  /** Resolves once the server has closed this event's room to the socket. */
  closedOut(eventId: number): Promise<void>;
}

async function follow(cookie: string, ...eventIds: number[]): Promise<Follower> {
  const socket = connectSocket(server, cookie);
  closeLater.push(socket);
  const received = new Map<number, string[]>();
  const closed: number[] = [];
  const waiters: (() => void)[] = [];
  const notify = () => waiters.splice(0).forEach((w) => w());
  socket.on("agenda:changed", (c: AgendaChange) => {
    received.set(c.eventId, [...(received.get(c.eventId) ?? []), c.session.title]);
    notify();
  });
  socket.on("event:access", (p: { eventId: number }) => {
    closed.push(p.eventId);
    notify();
  });
  const until = (predicate: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => (predicate() ? resolve() : waiters.push(check));
      check();
    });
  await onceConnected(socket);
  for (const eventId of eventIds) {
    expect(await socket.timeout(5000).emitWithAck("event:join", { eventId })).toEqual({ ok: true });
  }
  return {
    socket,
    received,
    closed,
    receives: (title) => until(() => [...received.values()].some((titles) => titles.includes(title))),
    closedOut: (eventId) => until(() => closed.includes(eventId)),
  };
}

/**
 * After an access change to `lost`: the next change of `lost` does not reach `follower`, while the
 * next change of `kept` does. A socket's messages arrive in order, so once the change of `kept`
 * (made second) is in, the change of `lost` would have been too.
 */
async function expectCutOff(follower: Follower, lost: number, kept: number, witness: Follower) {
  const hidden = await editAgenda(lost);
  const visible = await editAgenda(kept);
  await witness.receives(hidden);
  await follower.receives(visible);
  expect(follower.received.get(lost) ?? []).not.toContain(hidden);
}

describe("agenda rooms follow access changes", () => {
  it("unpublishing an event closes it for delegates following it, not their other events", async () => {
    const [lost, kept] = [await publishedEvent("public"), await publishedEvent("members")];
    const delegate = await follow(await signInAs(server, "ngo@convene.example"), lost, kept);
    const staff = await follow(secretariat, lost);
    const before = await editAgenda(lost);
    await delegate.receives(before);

    expect((await post(server, `/events/${lost}/settings`, { intent: "unpublish", confirm: "yes" }, secretariat)).status).toBe(200);
    await delegate.closedOut(lost);
    await expectCutOff(delegate, lost, kept, staff);
    // Asking to follow it again is refused like an event that does not exist.
    expect(await delegate.socket.timeout(5000).emitWithAck("event:join", { eventId: lost })).toMatchObject({
      ok: false,
      error: "forbidden",
    });
  });

  it("narrowing an event to other stakeholder groups closes it for the groups left out, not for those invited", async () => {
    const [lost, kept] = [await publishedEvent("members"), await publishedEvent("members")];
    const outsider = await follow(await signInAs(server, "police@convene.example"), lost, kept);
    const invited = await follow(await signInAs(server, "government@convene.example"), lost);

    const narrowed = await postForm(`/events/${lost}/settings`, eventForm(`Narrowed ${lost}`, "groups", ["government"]));
    expect(narrowed.status).toBe(200);
    await outsider.closedOut(lost);
    await expectCutOff(outsider, lost, kept, invited);
    expect(invited.closed).toEqual([]);
  });

  it("changing an organisation's stakeholder group closes the events its people may no longer see", async () => {
    const [lost, kept] = [await publishedEvent("groups", ["industry"]), await publishedEvent("members")];
    const delegate = await follow(await signInAs(server, "industry@convene.example"), lost, kept);
    const staff = await follow(secretariat, lost);

    const orgId = one<{ organisation_id: number }>(
      "SELECT organisation_id FROM users WHERE email = 'industry@convene.example'",
    ).organisation_id;
    const org = one<{ name: string; country: string }>("SELECT name, country FROM organisations WHERE id = ?", orgId);
    const res = await post(
      server,
      `/organisations/${orgId}`,
      { name: org.name, stakeholderGroup: "research", country: org.country },
      secretariat,
    );
    expect(res.status).toBe(302);
    await delegate.closedOut(lost);
    await expectCutOff(delegate, lost, kept, staff);
  });

  it("deactivating a person closes all their connections, while others keep following", async () => {
    const eventId = await publishedEvent("members");
    const delegate = await follow(await signInAs(server, "observer@convene.example"), eventId);
    const colleague = await follow(await signInAs(server, "facilitator@convene.example"), eventId);
    const ended = new Promise<string>((resolve) => delegate.socket.once("session:ended", (p: { reason: string }) => resolve(p.reason)));
    const gone = new Promise<void>((resolve) => delegate.socket.once("disconnect", () => resolve()));

    const res = await post(
      server,
      "/people",
      { intent: "deactivate", personId: String(personId(server, "observer@convene.example")), confirm: "yes" },
      secretariat,
    );
    expect(res.status).toBe(200);
    expect(await ended).toBe("deactivated");
    await gone;
    const title = await editAgenda(eventId);
    await colleague.receives(title);
    expect(delegate.received.get(eventId) ?? []).not.toContain(title);
  });
});

describe("document rooms follow access changes", () => {
  it("removing a member closes that group's document for them at once, not another group's", async () => {
    const { groupId, documentId: lost } = groupWithDocument(server, {
      "police@convene.example": "editor",
      "ngo@convene.example": "editor",
    });
    const { documentId: kept } = groupWithDocument(server, { "police@convene.example": "reader", "ngo@convene.example": "editor" });
    const member = await openDocument(server, "police@convene.example", lost);
    // The same socket has the other group's document open too: its messages arrive in order with the first's.
    const elsewhere = new Y.Doc();
    const elsewhereProvider = new DocProvider(member.socket, kept, elsewhere);
    await new Promise<void>((resolve) => elsewhereProvider.on("synced", () => resolve()));
    const writer = await openDocument(server, "ngo@convene.example", lost);
    const writerElsewhere = await openDocument(server, "ngo@convene.example", kept);
    closeLater.push({ close: () => elsewhereProvider.destroy() }, member, writer, writerElsewhere);
    const closedReason = new Promise<string | undefined>((resolve) =>
      member.provider.on("state", (s) => s.connection === "closed" && resolve(s.closedReason)),
    );

    const res = await post(
      server,
      `/groups/${groupId}`,
      { intent: "removeMember", userId: String(personId(server, "police@convene.example")) },
      secretariat,
    );
    expect(res.status).toBe(200);
    expect(await closedReason).toBe("access_removed");

    type(writer, "hidden from the removed member");
    await saved(writer);
    type(writerElsewhere, "still shared");
    await new Promise<void>((resolve) => {
      const check = () => elsewhere.getText("t").toString().includes("still shared") && resolve();
      elsewhere.on("update", check);
      check();
    });
    expect(member.text()).not.toContain("hidden from the removed member");
  });
});

function type(client: DocClient, text: string) {
  client.doc.getText("t").insert(0, text);
}
