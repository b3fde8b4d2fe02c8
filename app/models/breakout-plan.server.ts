/**
 * Preparing a breakout session: its rooms, and who goes to which, by their own choice, by hand, from a file or by the
 * balanced proposal. Every write asks the policy, keeps a room within its capacity and announces what followers see.
 */
import { CsvError, parse } from "csv-parse/sync";
import { and, asc, count, desc, eq, inArray, ne, notInArray, or, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "../../db/client";
import {
  agendaSessions,
  breakoutAssignments,
  breakoutPreferences,
  breakoutRooms,
  breakouts,
  eventRegistrations,
  events,
  organisations,
  pillars,
  rooms,
  users,
} from "../../db/schema";
import type { DomainEvent } from "../domain/events";
import { can, type Actor } from "../utils/policy";
import type { BreakoutOptionsInput, BreakoutRoomInput } from "../utils/validation";
import { recordAudit, type RequestMeta } from "./audit.server";
import { balanceOf, proposeAssignment, type BalancePerson, type BalanceRoom } from "./breakout-balance";
import {
  assignedRoomOf,
  breakoutForbidden,
  breakoutNotFound,
  breakoutSessionOf,
  breakoutState,
  ensureBreakout,
  listBreakoutRooms,
  managerIdsOf,
  mayFollowBreakout,
  mayManageBreakout,
  type BreakoutRefusal,
  type BreakoutSession,
} from "./breakouts.server";
import { announce } from "./domain-events.server";

export type ChooseRoomResult = { ok: true; roomId: number; events: DomainEvent[] } | BreakoutRefusal;

/**
 * The actor chooses their own room. Where delegates choose (`assignmentMode` "choice"), the place is theirs if the room
 * has one left (first come, first served, checked in the transaction that takes it); where the facilitator plans, the
 * choice is kept as a preferred pillar for the balanced proposal. Late arrivals may still choose while rooms run.
 */
export function chooseRoom(db: Db, actor: Actor, sessionId: number, roomId: number, meta: RequestMeta): ChooseRoomResult {
  const result = choose(db, actor, sessionId, roomId, meta);
  return result.ok ? { ...result, events: announce(db, result.events) } : result;
}

export interface Choice {
  actor: Actor;
  sessionId: number;
  roomId: number;
  meta: RequestMeta;
}

/**
 * Several people's choices, in the order given (first come, first served), stored with one commit: when a thousand
 * people choose in the same second they share the disk's sync instead of waiting for a thousand. Each choice is its
 * own savepoint, so one refused or failing choice changes nothing of the others. The events are announced once the
 * whole batch has committed; a choice that failed unexpectedly comes back as its error.
 */
export function chooseRooms(db: Db, choices: readonly Choice[]): (ChooseRoomResult | Error)[] {
  const results = db.transaction(() =>
    choices.map((c): ChooseRoomResult | Error => {
      try {
        return choose(db, c.actor, c.sessionId, c.roomId, c.meta);
      } catch (error) {
        return error instanceof Error ? error : new Error(String(error));
      }
    }),
  );
  // A thousand choices in one session need its followers told once, not a thousand times.
  const events = new Map<string, DomainEvent>();
  for (const r of results) if (!(r instanceof Error) && r.ok) for (const e of r.events) events.set(JSON.stringify(e), e);
  announce(db, [...events.values()]);
  return results;
}

/** One choice in its own transaction (a savepoint within a batch); the caller announces its events. */
function choose(db: Db, actor: Actor, sessionId: number, roomId: number, meta: RequestMeta): ChooseRoomResult {
  const session = breakoutSessionOf(db, sessionId);
  if (!session || !mayFollowBreakout(db, actor, session)) return breakoutNotFound;
  if (!can(actor, "breakout.choose")) return breakoutForbidden;
  return db.transaction((tx): ChooseRoomResult => {
    const state = tx.select().from(breakouts).where(eq(breakouts.sessionId, sessionId)).get()!;
    if (state.status === "closed") return { ok: false, reason: "closed" };
    const room = tx
      .select()
      .from(breakoutRooms)
      .where(and(eq(breakoutRooms.id, roomId), eq(breakoutRooms.sessionId, sessionId)))
      .get();
    if (!room) return breakoutNotFound;
    const mine = tx
      .select()
      .from(breakoutAssignments)
      .where(and(eq(breakoutAssignments.sessionId, sessionId), eq(breakoutAssignments.userId, actor.id)))
      .get();
    if (state.assignmentMode === "planned" && (mine || state.status === "planning")) {
      // Planned by the facilitator: the choice is a preference, unless the person arrives late with no room.
      if (!room.pillarId) return { ok: false, reason: "invalid", field: "roomId", error: "errors.noPillar" };
      tx.insert(breakoutPreferences)
        .values({ sessionId, userId: actor.id, pillarId: room.pillarId })
        .onConflictDoUpdate({ target: [breakoutPreferences.sessionId, breakoutPreferences.userId], set: { pillarId: room.pillarId } })
        .run();
      recordAudit(tx, { actorId: actor.id, action: "breakout.preference", targetType: "breakout_room", targetId: roomId }, meta);
      return { ok: true, roomId, events: [] };
    }
    if (mine?.roomId === roomId) return { ok: true, roomId, events: [] };
    if (mine && state.status === "open") return { ok: false, reason: "invalid", field: "roomId", error: "errors.askFacilitatorToMove" };
    if (room.capacity !== null) {
      const taken = tx.select({ n: count() }).from(breakoutAssignments).where(eq(breakoutAssignments.roomId, roomId)).get()!.n;
      if (taken >= room.capacity) return { ok: false, reason: "full" };
    }
    tx.insert(breakoutAssignments)
      .values({ sessionId, userId: actor.id, roomId, source: "chosen", updatedAt: new Date() })
      .onConflictDoUpdate({
        target: [breakoutAssignments.sessionId, breakoutAssignments.userId],
        set: { roomId, source: "chosen", updatedAt: new Date() },
      })
      .run();
    recordAudit(tx, { actorId: actor.id, action: "breakout.choose", targetType: "breakout_room", targetId: roomId }, meta);
    const events: DomainEvent[] = [
      { type: "breakout.changed", sessionId },
      { type: "breakout.accessChanged", sessionId },
    ];
    // A late arrival while the rooms run goes straight in.
    if (state.status === "open") events.push({ type: "breakout.opened", sessionId, assignments: [{ userId: actor.id, roomId }] });
    return { ok: true, roomId, events };
  });
}

// Managing the plan ----------------------------------------------------------

type Written<T = object> = ({ ok: true; events: DomainEvent[] } & T) | BreakoutRefusal;

const invalid = (field: string | undefined, error: string): BreakoutRefusal => ({ ok: false, reason: "invalid", field, error });
const onlyWhilePlanning: BreakoutRefusal = { ok: false, reason: "closed", error: "breakouts:errors.onlyWhilePlanning" };
const changedEvents = (sessionId: number, access: boolean): DomainEvent[] => [
  { type: "breakout.changed", sessionId },
  ...(access ? [{ type: "breakout.accessChanged" as const, sessionId }] : []),
];

/** The session, when the actor may see it (`not_found` otherwise) and manage it (`forbidden` otherwise). */
function managedSession(db: DbOrTx, actor: Actor, sessionId: number): { ok: true; session: BreakoutSession } | BreakoutRefusal {
  const session = breakoutSessionOf(db, sessionId);
  if (!session || !mayFollowBreakout(db, actor, session)) return breakoutNotFound;
  if (!mayManageBreakout(db, actor, session)) return breakoutForbidden;
  return { ok: true, session };
}

/** Runs a write in one transaction and announces its events once it committed. */
function written<T extends object = object>(db: Db, run: (tx: DbOrTx) => Written<T>): Written<T> {
  const result = db.transaction(run);
  return result.ok ? { ...result, events: announce(db, result.events) } : result;
}

/** A person as the planning rules see them: who they are and whether they may take part. */
function personRow(db: DbOrTx, userId: number) {
  return db.select().from(users).where(eq(users.id, userId)).get() ?? null;
}

/** Whether a person may be given a place in a room: an active account of someone who takes part (not an observer). */
function mayTakePart(person: PersonFacts | null): boolean {
  return !!person && can(asActor(person), "breakout.choose");
}

type PersonFacts = Pick<typeof users.$inferSelect, "id" | "role" | "status"> & { organisationId?: number | null };
const asActor = (p: PersonFacts): Actor => ({ id: p.id, role: p.role, status: p.status, organisationId: p.organisationId ?? null });

/** Whether a person may be named a room's facilitator: someone who may run a breakout session (a facilitator or the secretariat). */
function mayFacilitate(person: PersonFacts | null): boolean {
  return !!person && can(asActor(person), "breakout.manage", { managerIds: [person.id] });
}

function peopleIn(db: DbOrTx, roomId: number, exceptUserId?: number): number {
  return db
    .select({ n: count() })
    .from(breakoutAssignments)
    .where(
      exceptUserId === undefined
        ? eq(breakoutAssignments.roomId, roomId)
        : and(eq(breakoutAssignments.roomId, roomId), ne(breakoutAssignments.userId, exceptUserId)),
    )
    .get()!.n;
}

function statusOf(db: DbOrTx, sessionId: number) {
  return db.select().from(breakouts).where(eq(breakouts.sessionId, sessionId)).get()!;
}

function touch(db: DbOrTx, sessionId: number, set: Partial<typeof breakouts.$inferInsert> = {}) {
  db.update(breakouts)
    .set({ ...set, updatedAt: new Date() })
    .where(eq(breakouts.sessionId, sessionId))
    .run();
}

/** Gives an older breakout session (saved before sessions got rooms) its breakout state and one room per pillar. */
export function prepareBreakout(db: Db, actor: Actor, sessionId: number, meta: RequestMeta): Written<{ made: boolean }> {
  const agendaSession = db.select().from(agendaSessions).where(eq(agendaSessions.id, sessionId)).get();
  const event = agendaSession && db.select().from(events).where(eq(events.id, agendaSession.eventId)).get();
  if (!agendaSession || !event || agendaSession.kind !== "breakout" || !can(actor, "event.view", event)) return breakoutNotFound;
  const existing = breakoutSessionOf(db, sessionId);
  const managerIds = existing
    ? managerIdsOf(db, existing)
    : managerIdsOf(db, { sessionId, eventId: agendaSession.eventId, pillarId: agendaSession.pillarId });
  if (!can(actor, "breakout.manage", { managerIds })) return breakoutForbidden;
  return written(db, (tx): Written<{ made: boolean }> => {
    const made = ensureBreakout(tx, sessionId);
    if (made) recordAudit(tx, { actorId: actor.id, action: "breakout.prepare", targetType: "agenda_session", targetId: sessionId }, meta);
    return { ok: true, made, events: made ? changedEvents(sessionId, false) : [] };
  });
}

/**
 * Adds a room (`roomId` null) or edits one. Rooms are added only while the session is being planned; names,
 * questions, capacities and the people named to a room may change while it runs too.
 */
export function saveBreakoutRoom(
  db: Db,
  actor: Actor,
  sessionId: number,
  roomId: number | null,
  input: BreakoutRoomInput,
  meta: RequestMeta,
): Written<{ roomId: number }> {
  const managed = managedSession(db, actor, sessionId);
  if (!managed.ok) return managed;
  const { session } = managed;
  return written(db, (tx): Written<{ roomId: number }> => {
    const state = statusOf(tx, sessionId);
    if (state.status === "closed") return { ok: false, reason: "closed", error: "breakouts:errors.sessionClosed" };
    const before = roomId === null ? null : tx.select().from(breakoutRooms).where(eq(breakoutRooms.id, roomId)).get();
    if (roomId !== null && (!before || before.sessionId !== sessionId)) return breakoutNotFound;
    if (roomId === null && state.status !== "planning") return onlyWhilePlanning;
    const clash = tx
      .select({ id: breakoutRooms.id })
      .from(breakoutRooms)
      .where(and(eq(breakoutRooms.sessionId, sessionId), sql`lower(${breakoutRooms.name}) = lower(${input.name})`))
      .get();
    if (clash && clash.id !== roomId) return invalid("name", "breakouts:errors.nameTaken");
    if (input.pillarId !== null && !tx.select({ id: pillars.id }).from(pillars).where(eq(pillars.id, input.pillarId)).get())
      return invalid("pillarId", "errors.invalidChoice");
    if (input.capacity !== null && roomId !== null && peopleIn(tx, roomId) > input.capacity)
      return invalid("capacity", "breakouts:errors.capacityBelowPeople");
    if (input.facilitatorId !== null) {
      const person = personRow(tx, input.facilitatorId);
      if (!mayFacilitate(person)) return invalid("facilitatorId", "breakouts:errors.notAFacilitator");
    }
    if (input.rapporteurId !== null && !mayTakePart(personRow(tx, input.rapporteurId)))
      return invalid("rapporteurId", "breakouts:errors.notARapporteur");
    if (input.venueRoomId !== null) {
      const venue = tx.select().from(rooms).where(eq(rooms.id, input.venueRoomId)).get();
      if (!venue || venue.eventId !== session.eventId) return invalid("venueRoomId", "errors.invalidChoice");
    }
    const values = {
      name: input.name,
      question: input.question,
      pillarId: input.pillarId,
      capacity: input.capacity,
      facilitatorId: input.facilitatorId,
      rapporteurId: input.rapporteurId,
      venueRoomId: input.venueRoomId,
      meetingUrl: input.meetingUrl,
    };
    let savedId: number;
    if (before) {
      tx.update(breakoutRooms).set(values).where(eq(breakoutRooms.id, before.id)).run();
      savedId = before.id;
    } else {
      const position = tx.select({ n: count() }).from(breakoutRooms).where(eq(breakoutRooms.sessionId, sessionId)).get()!.n;
      savedId = tx
        .insert(breakoutRooms)
        .values({ sessionId, ...values, position })
        .returning({ id: breakoutRooms.id })
        .get().id;
    }
    touch(tx, sessionId);
    recordAudit(
      tx,
      {
        actorId: actor.id,
        action: before ? "breakout.room_update" : "breakout.room_create",
        targetType: "breakout_room",
        targetId: savedId,
        detail: { sessionId, name: input.name },
      },
      meta,
    );
    const accessChanged = !before || before.facilitatorId !== input.facilitatorId || before.rapporteurId !== input.rapporteurId;
    return { ok: true, roomId: savedId, events: changedEvents(sessionId, accessChanged) };
  });
}

/** Removes a room while the session is being planned; the people in it become unassigned. */
export function removeBreakoutRoom(db: Db, actor: Actor, sessionId: number, roomId: number, meta: RequestMeta): Written {
  const managed = managedSession(db, actor, sessionId);
  if (!managed.ok) return managed;
  return written(db, (tx): Written => {
    const room = tx.select().from(breakoutRooms).where(eq(breakoutRooms.id, roomId)).get();
    if (!room || room.sessionId !== sessionId) return breakoutNotFound;
    if (statusOf(tx, sessionId).status !== "planning") return onlyWhilePlanning;
    const unassigned = peopleIn(tx, roomId);
    tx.delete(breakoutAssignments).where(eq(breakoutAssignments.roomId, roomId)).run();
    tx.delete(breakoutRooms).where(eq(breakoutRooms.id, roomId)).run();
    touch(tx, sessionId);
    recordAudit(
      tx,
      {
        actorId: actor.id,
        action: "breakout.room_remove",
        targetType: "breakout_room",
        targetId: roomId,
        detail: { sessionId, name: room.name, unassigned },
      },
      meta,
    );
    return { ok: true, events: changedEvents(sessionId, true) };
  });
}

/** How people get their room (they choose, or the facilitator plans), and whether observers may follow the rooms. */
export function setBreakoutOptions(db: Db, actor: Actor, sessionId: number, input: BreakoutOptionsInput, meta: RequestMeta): Written {
  const managed = managedSession(db, actor, sessionId);
  if (!managed.ok) return managed;
  const { session } = managed;
  return written(db, (tx): Written => {
    const state = statusOf(tx, sessionId);
    if (state.status === "closed") return { ok: false, reason: "closed", error: "breakouts:errors.sessionClosed" };
    if (input.assignmentMode !== session.assignmentMode && state.status !== "planning") return onlyWhilePlanning;
    touch(tx, sessionId, { assignmentMode: input.assignmentMode, observersMayWatch: input.observersMayWatch });
    recordAudit(
      tx,
      { actorId: actor.id, action: "breakout.options", targetType: "agenda_session", targetId: sessionId, detail: input },
      meta,
    );
    return { ok: true, events: changedEvents(sessionId, input.observersMayWatch !== session.observersMayWatch) };
  });
}

/** Puts a person in a room by hand (`roomId` null: takes them out of every room), while the session is planned. */
export function assignPerson(db: Db, actor: Actor, sessionId: number, userId: number, roomId: number | null, meta: RequestMeta): Written {
  const managed = managedSession(db, actor, sessionId);
  if (!managed.ok) return managed;
  return written(db, (tx): Written => {
    if (statusOf(tx, sessionId).status !== "planning") return onlyWhilePlanning;
    const person = personRow(tx, userId);
    if (!person) return invalid("userId", "breakouts:errors.unknownPerson");
    if (!mayTakePart(person)) return invalid("userId", "breakouts:errors.mayNotTakePart");
    if (roomId === null) {
      tx.delete(breakoutAssignments)
        .where(and(eq(breakoutAssignments.sessionId, sessionId), eq(breakoutAssignments.userId, userId)))
        .run();
    } else {
      const room = tx.select().from(breakoutRooms).where(eq(breakoutRooms.id, roomId)).get();
      if (!room || room.sessionId !== sessionId) return invalid("roomId", "errors.invalidChoice");
      if (room.capacity !== null && assignedRoomOf(tx, sessionId, userId) !== roomId && peopleIn(tx, roomId, userId) >= room.capacity)
        return { ok: false, reason: "full", field: "roomId", error: "breakouts:errors.roomFull" };
      tx.insert(breakoutAssignments)
        .values({ sessionId, userId, roomId, source: "assigned", updatedAt: new Date() })
        .onConflictDoUpdate({
          target: [breakoutAssignments.sessionId, breakoutAssignments.userId],
          set: { roomId, source: "assigned", updatedAt: new Date() },
        })
        .run();
    }
    touch(tx, sessionId);
    recordAudit(
      tx,
      { actorId: actor.id, action: "breakout.assign", targetType: "user", targetId: userId, detail: { sessionId, roomId } },
      meta,
    );
    return { ok: true, events: changedEvents(sessionId, true) };
  });
}

/** One line of an imported assignment that could not be used, numbered as in the file. */
export interface ImportLineError {
  line: number;
  /** A translation key of the `breakouts` namespace. */
  error: string;
  value: string;
}

export type ImportAssignmentResult =
  { ok: true; imported: number; events: DomainEvent[] } | (BreakoutRefusal & { lines?: ImportLineError[] });

export const MAX_IMPORT_LINES = 5_000;

/**
 * Imports an assignment from CSV lines "email,room" (a header line is optional; the room by its name or its pillar's
 * slug). All or nothing: one line that cannot be used and nothing is stored; the answer lists every such line.
 */
export function importAssignment(db: Db, actor: Actor, sessionId: number, csvText: string, meta: RequestMeta): ImportAssignmentResult {
  const managed = managedSession(db, actor, sessionId);
  if (!managed.ok) return managed;
  let records: { line: number; cells: string[] }[];
  try {
    const parsed = parse(csvText, {
      bom: true,
      relax_quotes: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
    records = parsed.map((r) => ({ line: r.info.lines, cells: r.record }));
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = typeof error.lines === "number" ? error.lines : 1;
    return {
      ok: false,
      reason: "invalid",
      field: "csv",
      error: "breakouts:errors.importUnreadable",
      lines: [{ line, error: "breakouts:import.unreadable", value: "" }],
    };
  }
  if (records[0] && (records[0].cells[0] ?? "").toLowerCase() === "email") records = records.slice(1);
  records = records.filter((r) => r.cells.some((c) => c !== ""));
  if (records.length === 0) return { ok: false, reason: "invalid", field: "csv", error: "breakouts:errors.importEmpty" };
  if (records.length > MAX_IMPORT_LINES) return { ok: false, reason: "invalid", field: "csv", error: "breakouts:errors.importTooLong" };

  const result = db.transaction((tx): ImportAssignmentResult => {
    if (statusOf(tx, sessionId).status !== "planning") return onlyWhilePlanning;
    const roomRows = listBreakoutRooms(tx, sessionId);
    const roomByKey = new Map<string, (typeof roomRows)[number]["room"]>();
    for (const { room, pillarSlug } of roomRows) {
      if (pillarSlug) roomByKey.set(pillarSlug.toLowerCase(), room);
    }
    for (const { room } of roomRows) roomByKey.set(room.name.trim().toLowerCase(), room);
    const lines: ImportLineError[] = [];
    const placed = new Map<number, { roomId: number; line: number }>();
    for (const { line, cells } of records) {
      const [email = "", roomKey = ""] = cells;
      if (cells.length < 2 || !email || !roomKey) {
        lines.push({ line, error: "breakouts:import.twoCells", value: cells.join(",") });
        continue;
      }
      const person = tx
        .select()
        .from(users)
        .where(sql`lower(${users.email}) = ${email.toLowerCase()}`)
        .get();
      const room = roomByKey.get(roomKey.toLowerCase());
      if (!person) lines.push({ line, error: "breakouts:import.unknownEmail", value: email });
      else if (!mayTakePart(person))
        lines.push({ line, error: person.status === "active" ? "breakouts:import.observer" : "breakouts:import.inactive", value: email });
      else if (placed.has(person.id)) lines.push({ line, error: "breakouts:import.twice", value: email });
      if (!room) lines.push({ line, error: "breakouts:import.unknownRoom", value: roomKey });
      if (person && room && mayTakePart(person) && !placed.has(person.id)) placed.set(person.id, { roomId: room.id, line });
    }
    // Capacity: the people already in each room who stay there, and those the file puts in it, in file order.
    const current = tx.select().from(breakoutAssignments).where(eq(breakoutAssignments.sessionId, sessionId)).all();
    const size = new Map<number, number>();
    for (const a of current) if (!placed.has(a.userId)) size.set(a.roomId, (size.get(a.roomId) ?? 0) + 1);
    const byLine = [...placed.entries()].sort((a, b) => a[1].line - b[1].line);
    for (const [, { roomId, line }] of byLine) {
      const room = roomRows.find((r) => r.room.id === roomId)!.room;
      const n = (size.get(roomId) ?? 0) + 1;
      size.set(roomId, n);
      if (room.capacity !== null && n > room.capacity) lines.push({ line, error: "breakouts:import.overCapacity", value: room.name });
    }
    if (lines.length) {
      lines.sort((a, b) => a.line - b.line);
      return { ok: false, reason: "invalid", field: "csv", error: "breakouts:errors.importHasErrors", lines };
    }
    const at = new Date();
    for (const [userId, { roomId }] of placed)
      tx.insert(breakoutAssignments)
        .values({ sessionId, userId, roomId, source: "imported", updatedAt: at })
        .onConflictDoUpdate({
          target: [breakoutAssignments.sessionId, breakoutAssignments.userId],
          set: { roomId, source: "imported", updatedAt: at },
        })
        .run();
    touch(tx, sessionId);
    recordAudit(
      tx,
      { actorId: actor.id, action: "breakout.import", targetType: "agenda_session", targetId: sessionId, detail: { people: placed.size } },
      meta,
    );
    return { ok: true, imported: placed.size, events: changedEvents(sessionId, true) };
  });
  return result.ok ? { ...result, events: announce(db, result.events) } : result;
}

/** People the facilitator placed (by hand, from a file) or who chose: a balanced proposal leaves them where they are. */
const keptSources = new Set(["assigned", "imported", "chosen", "moved"]);

/** Everyone who may be given a room: the event's approved registrants who take part, and anyone already placed or with a preference. */
function candidatesOf(db: DbOrTx, session: BreakoutSession) {
  const rows = db
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      role: users.role,
      status: users.status,
      organisationId: users.organisationId,
      organisation: organisations.name,
      group: organisations.stakeholderGroup,
    })
    .from(users)
    .leftJoin(organisations, eq(organisations.id, users.organisationId))
    .where(
      or(
        inArray(
          users.id,
          db
            .select({ id: eventRegistrations.userId })
            .from(eventRegistrations)
            .where(and(eq(eventRegistrations.eventId, session.eventId), eq(eventRegistrations.status, "approved"))),
        ),
        inArray(
          users.id,
          db
            .select({ id: breakoutAssignments.userId })
            .from(breakoutAssignments)
            .where(eq(breakoutAssignments.sessionId, session.sessionId)),
        ),
        inArray(
          users.id,
          db
            .select({ id: breakoutPreferences.userId })
            .from(breakoutPreferences)
            .where(eq(breakoutPreferences.sessionId, session.sessionId)),
        ),
      ),
    )
    .orderBy(asc(users.name), asc(users.id))
    .all();
  return rows.filter(mayTakePart);
}

function preferencesOf(db: DbOrTx, sessionId: number): Map<number, number> {
  return new Map(
    db
      .select()
      .from(breakoutPreferences)
      .where(eq(breakoutPreferences.sessionId, sessionId))
      .all()
      .map((p) => [p.userId, p.pillarId]),
  );
}

function balanceInputs(db: DbOrTx, session: BreakoutSession) {
  const preferences = preferencesOf(db, session.sessionId);
  const candidates = candidatesOf(db, session);
  const balanceRooms: BalanceRoom[] = listBreakoutRooms(db, session.sessionId).map(({ room }) => ({
    id: room.id,
    capacity: room.capacity,
    pillarId: room.pillarId,
  }));
  const balancePeople: BalancePerson[] = candidates.map((c) => ({
    id: c.id,
    organisationId: c.organisationId,
    group: c.group,
    preferredPillarId: preferences.get(c.id) ?? null,
  }));
  return { candidates, preferences, balanceRooms, balancePeople };
}

/** How many people a new balanced proposal would move from where they are now (a proposal or a copy before it). */
export function proposalWouldReplace(db: DbOrTx, sessionId: number): number {
  return db
    .select({ source: breakoutAssignments.source })
    .from(breakoutAssignments)
    .where(eq(breakoutAssignments.sessionId, sessionId))
    .all()
    .filter((a) => !keptSources.has(a.source)).length;
}

/**
 * Proposes a balanced assignment of every candidate and stores it, unpublished, for the facilitator to adjust: people
 * placed by hand, from a file or by their own choice stay where they are.
 */
export function proposeBalanced(db: Db, actor: Actor, sessionId: number, meta: RequestMeta): Written<{ placed: number; unplaced: number }> {
  const managed = managedSession(db, actor, sessionId);
  if (!managed.ok) return managed;
  const { session } = managed;
  return written(db, (tx): Written<{ placed: number; unplaced: number }> => {
    if (statusOf(tx, sessionId).status !== "planning") return onlyWhilePlanning;
    const { balanceRooms, balancePeople } = balanceInputs(tx, session);
    if (balanceRooms.length === 0) return invalid(undefined, "breakouts:errors.noRooms");
    if (balancePeople.length === 0) return invalid(undefined, "breakouts:errors.noCandidates");
    const current = tx.select().from(breakoutAssignments).where(eq(breakoutAssignments.sessionId, sessionId)).all();
    const candidateIds = new Set(balancePeople.map((p) => p.id));
    // Kept where they are; people who may no longer take part keep their row but are not balanced around.
    const fixed = new Map(current.filter((a) => keptSources.has(a.source) && candidateIds.has(a.userId)).map((a) => [a.userId, a.roomId]));
    const proposal = proposeAssignment(balanceRooms, balancePeople, fixed);
    tx.delete(breakoutAssignments)
      .where(
        and(
          eq(breakoutAssignments.sessionId, sessionId),
          notInArray(breakoutAssignments.source, [...keptSources] as ("assigned" | "imported" | "chosen" | "moved")[]),
        ),
      )
      .run();
    const at = new Date();
    let placed = 0;
    for (const [userId, roomId] of proposal) {
      if (fixed.has(userId)) continue;
      tx.insert(breakoutAssignments).values({ sessionId, userId, roomId, source: "balanced", updatedAt: at }).run();
      placed++;
    }
    touch(tx, sessionId, { published: false });
    recordAudit(
      tx,
      {
        actorId: actor.id,
        action: "breakout.propose",
        targetType: "agenda_session",
        targetId: sessionId,
        detail: { placed, kept: fixed.size },
      },
      meta,
    );
    return { ok: true, placed, unplaced: balancePeople.length - proposal.size, events: changedEvents(sessionId, true) };
  });
}

/** Publishes the planned assignment: every delegate now sees their room. */
export function publishAssignment(db: Db, actor: Actor, sessionId: number, meta: RequestMeta): Written {
  const managed = managedSession(db, actor, sessionId);
  if (!managed.ok) return managed;
  return written(db, (tx): Written => {
    if (statusOf(tx, sessionId).status === "closed") return { ok: false, reason: "closed", error: "breakouts:errors.sessionClosed" };
    touch(tx, sessionId, { published: true });
    recordAudit(tx, { actorId: actor.id, action: "breakout.publish", targetType: "agenda_session", targetId: sessionId }, meta);
    return { ok: true, events: changedEvents(sessionId, true) };
  });
}

/**
 * Breakout sessions whose rooms and assignment the actor may reuse for `session`: at the same event, or at an earlier
 * convening of the same series, and managed by the actor.
 */
export function copySourcesFor(db: DbOrTx, actor: Actor, session: BreakoutSession) {
  const event = db.select().from(events).where(eq(events.id, session.eventId)).get()!;
  const eventIds = event.seriesId
    ? db
        .select({ id: events.id })
        .from(events)
        .where(and(eq(events.seriesId, event.seriesId), sql`${events.startsOn} <= ${event.startsOn}`))
        .all()
        .map((e) => e.id)
    : [event.id];
  if (!eventIds.includes(event.id)) eventIds.push(event.id);
  return db
    .select({ sessionId: agendaSessions.id, title: agendaSessions.title, startsAt: agendaSessions.startsAt, eventTitle: events.title })
    .from(breakouts)
    .innerJoin(agendaSessions, eq(agendaSessions.id, breakouts.sessionId))
    .innerJoin(events, eq(events.id, agendaSessions.eventId))
    .where(and(inArray(agendaSessions.eventId, eventIds), ne(agendaSessions.id, session.sessionId)))
    .orderBy(desc(agendaSessions.startsAt))
    .all()
    .filter((s) => {
      const other = breakoutSessionOf(db, s.sessionId);
      return !!other && mayManageBreakout(db, actor, other);
    })
    .map((s) => ({ ...s, startsAt: s.startsAt.toISOString() }));
}

/**
 * Reuses another session's rooms and assignment for this one (still being planned): its rooms replace this session's,
 * with a venue room of the same name where this event has one, and the people who may take part keep their rooms, as
 * an unpublished assignment.
 */
export function copyAssignment(
  db: Db,
  actor: Actor,
  targetSessionId: number,
  sourceSessionId: number,
  meta: RequestMeta,
): Written<{ rooms: number; people: number }> {
  const managed = managedSession(db, actor, targetSessionId);
  if (!managed.ok) return managed;
  const { session } = managed;
  if (!copySourcesFor(db, actor, session).some((s) => s.sessionId === sourceSessionId))
    return invalid("sourceSessionId", "errors.invalidChoice");
  return written(db, (tx): Written<{ rooms: number; people: number }> => {
    if (statusOf(tx, targetSessionId).status !== "planning") return onlyWhilePlanning;
    const venueByName = new Map(
      tx
        .select()
        .from(rooms)
        .where(eq(rooms.eventId, session.eventId))
        .all()
        .map((r) => [r.name.toLowerCase(), r.id]),
    );
    const sourceRooms = listBreakoutRooms(tx, sourceSessionId).map((r) => r.room);
    const venueNames = new Map(
      tx
        .select()
        .from(rooms)
        .where(
          inArray(
            rooms.id,
            sourceRooms.flatMap((r) => (r.venueRoomId === null ? [] : [r.venueRoomId])),
          ),
        )
        .all()
        .map((r) => [r.id, r.name.toLowerCase()]),
    );
    tx.delete(breakoutAssignments).where(eq(breakoutAssignments.sessionId, targetSessionId)).run();
    tx.delete(breakoutRooms).where(eq(breakoutRooms.sessionId, targetSessionId)).run();
    const roomMap = new Map<number, number>();
    sourceRooms.forEach((r, position) => {
      const venueName = r.venueRoomId === null ? undefined : venueNames.get(r.venueRoomId);
      const id = tx
        .insert(breakoutRooms)
        .values({
          sessionId: targetSessionId,
          name: r.name,
          question: r.question,
          pillarId: r.pillarId,
          capacity: r.capacity,
          facilitatorId: r.facilitatorId,
          rapporteurId: r.rapporteurId,
          meetingUrl: r.meetingUrl,
          venueRoomId: venueName === undefined ? null : (venueByName.get(venueName) ?? null),
          position,
        })
        .returning({ id: breakoutRooms.id })
        .get().id;
      roomMap.set(r.id, id);
    });
    const at = new Date();
    let people = 0;
    const assignments = tx
      .select({ userId: breakoutAssignments.userId, roomId: breakoutAssignments.roomId, role: users.role, status: users.status })
      .from(breakoutAssignments)
      .innerJoin(users, eq(users.id, breakoutAssignments.userId))
      .where(eq(breakoutAssignments.sessionId, sourceSessionId))
      .all();
    for (const a of assignments) {
      const roomId = roomMap.get(a.roomId);
      if (roomId === undefined || !mayTakePart({ id: a.userId, role: a.role, status: a.status })) continue;
      tx.insert(breakoutAssignments)
        .values({ sessionId: targetSessionId, userId: a.userId, roomId, source: "copied", updatedAt: at })
        .run();
      people++;
    }
    touch(tx, targetSessionId, { published: false });
    recordAudit(
      tx,
      {
        actorId: actor.id,
        action: "breakout.copy",
        targetType: "agenda_session",
        targetId: targetSessionId,
        detail: { from: sourceSessionId, rooms: roomMap.size, people },
      },
      meta,
    );
    return { ok: true, rooms: roomMap.size, people, events: changedEvents(targetSessionId, true) };
  });
}

// Reads for the pages -----------------------------------------------------------

export interface PlanPerson {
  id: number;
  name: string;
  organisation: string | null;
  group: string | null;
  preferredPillarSlug: string | null;
  source: string | null;
}

/** Everything the planning page shows: rooms with their people and balance, the unassigned, and the choices of its forms. */
export function planOf(db: DbOrTx, actor: Actor, sessionId: number) {
  const managed = managedSession(db, actor, sessionId);
  if (!managed.ok) return managed;
  const { session } = managed;
  const { candidates, preferences, balanceRooms, balancePeople } = balanceInputs(db, session);
  const pillarRows = db.select().from(pillars).orderBy(asc(pillars.position)).all();
  const slugOf = new Map(pillarRows.map((p) => [p.id, p.slug]));
  const assignmentRows = db.select().from(breakoutAssignments).where(eq(breakoutAssignments.sessionId, sessionId)).all();
  const assignment = new Map(assignmentRows.map((a) => [a.userId, a.roomId]));
  const sourceOf = new Map(assignmentRows.map((a) => [a.userId, a.source]));
  const balance = new Map(balanceOf(balanceRooms, balancePeople, assignment).map((b) => [b.roomId, b]));
  const people: PlanPerson[] = candidates.map((c) => ({
    id: c.id,
    name: c.name,
    organisation: c.organisation,
    group: c.group,
    preferredPillarSlug: slugOf.get(preferences.get(c.id) ?? -1) ?? null,
    source: sourceOf.get(c.id) ?? null,
  }));
  const names = new Map(
    db
      .select({ id: users.id, name: users.name })
      .from(users)
      .where(eq(users.status, "active"))
      .all()
      .map((u) => [u.id, u.name]),
  );
  const roomList = listBreakoutRooms(db, sessionId).map(({ room, pillarSlug }) => ({
    id: room.id,
    name: room.name,
    question: room.question,
    pillarId: room.pillarId,
    pillarSlug,
    capacity: room.capacity,
    facilitatorId: room.facilitatorId,
    facilitatorName: room.facilitatorId === null ? null : (names.get(room.facilitatorId) ?? null),
    rapporteurId: room.rapporteurId,
    rapporteurName: room.rapporteurId === null ? null : (names.get(room.rapporteurId) ?? null),
    venueRoomId: room.venueRoomId,
    meetingUrl: room.meetingUrl,
    people: people.filter((p) => assignment.get(p.id) === room.id),
    balance: balance.get(room.id)!,
  }));
  const staff = db
    .select({ id: users.id, name: users.name, role: users.role, status: users.status })
    .from(users)
    .where(eq(users.status, "active"))
    .orderBy(asc(users.name))
    .all()
    .filter(mayTakePart);
  return {
    ok: true as const,
    session: { ...sessionDates(session) },
    rooms: roomList,
    unassigned: people.filter((p) => !assignment.has(p.id)),
    candidates: people.length,
    pillars: pillarRows.map((p) => ({ id: p.id, slug: p.slug })),
    facilitators: staff.filter(mayFacilitate).map(({ id, name }) => ({ id, name })),
    rapporteurs: staff.map(({ id, name }) => ({ id, name })),
    venueRooms: db
      .select({ id: rooms.id, name: rooms.name })
      .from(rooms)
      .where(eq(rooms.eventId, session.eventId))
      .orderBy(asc(rooms.position), asc(rooms.id))
      .all(),
    copySources: copySourcesFor(db, actor, session),
    wouldReplace: proposalWouldReplace(db, sessionId),
  };
}

function sessionDates(session: BreakoutSession) {
  return {
    ...session,
    startsAt: session.startsAt.toISOString(),
    endsAt: session.endsAt.toISOString(),
    timerEndsAt: session.timerEndsAt?.toISOString() ?? null,
    openedAt: session.openedAt?.toISOString() ?? null,
    closedAt: session.closedAt?.toISOString() ?? null,
  };
}

/**
 * What the session's hub shows the actor: the rooms (with places left), their own room where they may know it (chosen,
 * or a published plan), their preferred pillar, and whether they may manage the session.
 */
export function myBreakout(db: DbOrTx, actor: Actor, sessionId: number) {
  const session = breakoutSessionOf(db, sessionId);
  if (!session || !mayFollowBreakout(db, actor, session)) return breakoutNotFound;
  const state = breakoutState(db, session);
  const mine = db
    .select()
    .from(breakoutAssignments)
    .where(and(eq(breakoutAssignments.sessionId, sessionId), eq(breakoutAssignments.userId, actor.id)))
    .get();
  // One's own choice is one's room at once; a room the facilitators planned is shown once they publish the plan.
  const visible = session.published || mine?.source === "chosen";
  const assigned = mine?.roomId ?? null;
  const preferredPillarId = preferencesOf(db, sessionId).get(actor.id) ?? null;
  const roomDetails = listBreakoutRooms(db, sessionId).map(({ room }) => ({
    id: room.id,
    question: room.question,
    pillarId: room.pillarId,
    meetingUrl: room.meetingUrl,
  }));
  const event = db
    .select({ id: events.id, title: events.title, timeZone: events.timeZone })
    .from(events)
    .where(eq(events.id, session.eventId))
    .get()!;
  return {
    ok: true as const,
    session: sessionDates(session),
    event,
    state,
    rooms: state.rooms.map((r) => ({ ...r, ...roomDetails.find((d) => d.id === r.id)! })),
    myRoomId: visible ? assigned : null,
    preferredPillarId,
    mayChoose: can(actor, "breakout.choose"),
    mayManage: mayManageBreakout(db, actor, session),
  };
}

/**
 * A breakout session saved before sessions got their rooms, when the actor may prepare it: its title, else null
 * (prepared already, not a breakout session, or not the actor's to prepare).
 */
export function unpreparedBreakout(db: DbOrTx, actor: Actor, sessionId: number): { title: string } | null {
  if (breakoutSessionOf(db, sessionId)) return null;
  const agendaSession = db.select().from(agendaSessions).where(eq(agendaSessions.id, sessionId)).get();
  const event = agendaSession && db.select().from(events).where(eq(events.id, agendaSession.eventId)).get();
  if (!agendaSession || !event || agendaSession.kind !== "breakout" || !can(actor, "event.view", event)) return null;
  const managerIds = managerIdsOf(db, { sessionId, eventId: agendaSession.eventId, pillarId: agendaSession.pillarId });
  return can(actor, "breakout.manage", { managerIds }) ? { title: agendaSession.title } : null;
}
