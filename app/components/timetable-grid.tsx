import { Link, useNavigation, useSubmit } from "@remix-run/react";
import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import type { AgendaSessionStatus, SessionKind } from "../domain/vocabulary";

/** The grid's rows, and the step of the editor's time fields. */
export const SLOT_MINUTES = 15;

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const toHhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;

/** A session as the editor's grid places it, in the event's wall-clock time. */
export interface TimetableGridSession {
  id: number;
  title: string;
  kind: SessionKind;
  status: AgendaSessionStatus;
  roomId: number | null;
  start: string;
  end: string;
  editable: boolean;
}

/**
 * Overlaps in one room, flagged on the grid as well as refused on save. Each clashing session gets a
 * lane (0 or 1, alternating by start), so two sessions that overlap sit side by side instead of one
 * covering the other's title and Edit link.
 */
function clashLanes(sessions: readonly TimetableGridSession[]): Map<number, number> {
  const overlaps = (a: TimetableGridSession, b: TimetableGridSession) =>
    a.id !== b.id &&
    a.roomId !== null &&
    a.roomId === b.roomId &&
    a.status === "scheduled" &&
    b.status === "scheduled" &&
    a.start < b.end &&
    b.start < a.end;
  const lanes = new Map<number, number>();
  const byStart = [...sessions].sort((a, b) => a.start.localeCompare(b.start) || a.id - b.id);
  for (const s of byStart) {
    const earlier = byStart.filter((o) => lanes.has(o.id) && overlaps(s, o));
    if (earlier.length === 0 && !byStart.some((o) => overlaps(s, o))) continue;
    lanes.set(s.id, earlier.length === 0 ? 0 : 1 - lanes.get(earlier[earlier.length - 1]!.id)!);
  }
  return lanes;
}

/** Where a drag would put the session now: its room (empty: none) and its start and end, in minutes. */
type Landing = { room: string; start: number; end: number };

/**
 * One day of the timetable, rooms across and times down. Dragging a session moves it; dragging its
 * bottom edge changes its end; while dragging, an outline with its times shows where it will land. A drop
 * posts the editor's `move` intent. Every empty slot is a link that starts a new session there (one tab
 * stop for them all: the arrow keys move between them).
 */
export function TimetableGrid({
  day,
  rooms,
  sessions,
}: {
  day: string;
  rooms: readonly { id: number; name: string }[];
  sessions: readonly TimetableGridSession[];
}) {
  const { t } = useTranslation(["agenda", "common"]);
  const submit = useSubmit();
  const navigation = useNavigation();
  const [dragging, setDragging] = useState<{ id: number; mode: "move" | "resize" } | null>(null);
  const [landing, setLanding] = useState<Landing | null>(null);
  const [activeSlot, setActiveSlot] = useState<string | null>(null);
  const grid = useRef<HTMLDivElement>(null);

  const first = Math.min(8 * 60, ...sessions.map((s) => toMinutes(s.start)));
  const last = Math.max(19 * 60, ...sessions.map((s) => toMinutes(s.end) || 24 * 60));
  const startSlot = Math.floor(first / SLOT_MINUTES) * SLOT_MINUTES;
  const slots: number[] = [];
  for (let m = startSlot; m < last; m += SLOT_MINUTES) slots.push(m);
  const row = (hhmm: string) => Math.round((toMinutes(hhmm) - startSlot) / SLOT_MINUTES) + 2;
  const clashing = clashLanes(sessions);

  /** Where the pointer would put the dragged session, or null outside the grid's slots. */
  const landingAt = (x: number, y: number, drag: { id: number; mode: "move" | "resize" }): Landing | null => {
    const session = sessions.find((s) => s.id === drag.id);
    const target = (document.elementsFromPoint(x, y).find((el) => (el as HTMLElement).dataset.slot) as HTMLElement | undefined)?.dataset;
    if (!session || !target?.slot) return null;
    const slot = Number(target.slot);
    const duration = toMinutes(session.end) - toMinutes(session.start);
    return drag.mode === "move"
      ? { room: target.room ?? "", start: slot, end: Math.min(slot + duration, 24 * 60 - 1) }
      : {
          room: session.roomId ? String(session.roomId) : "",
          start: toMinutes(session.start),
          end: Math.max(slot + SLOT_MINUTES, toMinutes(session.start) + SLOT_MINUTES),
        };
  };

  const onPointerMove = (e: React.PointerEvent) => {
    if (!dragging) return;
    const next = landingAt(e.clientX, e.clientY, dragging);
    if (next?.room !== landing?.room || next?.start !== landing?.start || next?.end !== landing?.end) setLanding(next);
  };

  const onPointerUp = (e: React.PointerEvent) => {
    if (!dragging) return;
    const session = sessions.find((s) => s.id === dragging.id)!;
    const target = landingAt(e.clientX, e.clientY, dragging);
    setDragging(null);
    setLanding(null);
    if (!target) return;
    const move = { roomId: target.room, startTime: toHhmm(target.start), endTime: toHhmm(target.end) };
    if (move.roomId === String(session.roomId ?? "") && move.startTime === session.start && move.endTime === session.end) return;
    submit({ intent: "move", sessionId: String(session.id), date: day, ...move }, { method: "post", preventScrollReset: true });
  };

  // Which slots a session (of any status) covers, room by room: the others are empty and can start one.
  const covered = new Set<string>();
  for (const s of sessions) {
    if (s.roomId === null) continue;
    for (let m = toMinutes(s.start); m < (toMinutes(s.end) || 24 * 60); m += SLOT_MINUTES)
      covered.add(`${s.roomId}-${Math.floor(m / SLOT_MINUTES) * SLOT_MINUTES}`);
  }
  const emptySlot = (roomId: number, m: number) => !covered.has(`${roomId}-${m}`);
  const emptyKeys = rooms.flatMap((r) => slots.filter((m) => emptySlot(r.id, m)).map((m) => `${r.id}-${m}`));
  const focusable = activeSlot && emptyKeys.includes(activeSlot) ? activeSlot : emptyKeys[0];

  /** Arrow keys move between empty slots: up and down in a room, left and right to the nearest in the next room. */
  const onSlotKey = (e: React.KeyboardEvent<HTMLAnchorElement>, roomIndex: number, m: number) => {
    const step = { ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0] }[e.key];
    if (!step) return;
    e.preventDefault();
    const [dr, dm] = step as [number, number];
    let candidates: { room: number; m: number }[] = [];
    if (dm !== 0) {
      const room = rooms[roomIndex]!;
      const inRoom = slots.filter((x) => emptySlot(room.id, x) && (dm > 0 ? x > m : x < m));
      const next = dm > 0 ? inRoom[0] : inRoom.at(-1);
      if (next !== undefined) candidates = [{ room: room.id, m: next }];
    } else {
      for (let ri = roomIndex + dr; ri >= 0 && ri < rooms.length && candidates.length === 0; ri += dr) {
        const room = rooms[ri]!;
        const nearest = slots.filter((x) => emptySlot(room.id, x)).sort((a, b) => Math.abs(a - m) - Math.abs(b - m))[0];
        if (nearest !== undefined) candidates = [{ room: room.id, m: nearest }];
      }
    }
    const to = candidates[0];
    if (!to) return;
    setActiveSlot(`${to.room}-${to.m}`);
    grid.current?.querySelector<HTMLElement>(`[data-slot-key="${to.room}-${to.m}"]`)?.focus();
  };

  const draggedSession = dragging ? sessions.find((s) => s.id === dragging.id) : undefined;
  const landingColumn = landing ? rooms.findIndex((r) => String(r.id) === landing.room) + 2 : 0;

  return (
    <div className="timetable-wrap" role="region" aria-label={t("timetable.gridLabel", { day })} tabIndex={0}>
      <div
        className={`timetable${dragging ? " timetable--dragging" : ""}`}
        style={{
          gridTemplateColumns: `4.5rem repeat(${rooms.length}, minmax(9rem, 1fr))`,
          gridTemplateRows: `auto repeat(${slots.length}, 1.25rem)`,
        }}
        ref={grid}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={() => {
          setDragging(null);
          setLanding(null);
        }}
        aria-busy={navigation.state !== "idle"}
      >
        <div className="timetable__corner" />
        {rooms.map((r, i) => (
          <div key={r.id} className="timetable__room" style={{ gridColumn: i + 2, gridRow: 1 }}>
            {r.name}
          </div>
        ))}
        {slots.map((m, i) => (
          <div key={`t${m}`} className="timetable__time" style={{ gridColumn: 1, gridRow: i + 2 }} aria-hidden={m % 60 !== 0}>
            {m % 60 === 0 ? toHhmm(m) : ""}
          </div>
        ))}
        {rooms.map((r, ri) =>
          slots.map((m, i) =>
            emptySlot(r.id, m) ? (
              <Link
                key={`${r.id}-${m}`}
                to={`?day=${day}&room=${r.id}&start=${toHhmm(m)}#session-form`}
                preventScrollReset
                draggable={false}
                className="timetable__cell timetable__slot"
                data-slot={m}
                data-room={r.id}
                data-slot-key={`${r.id}-${m}`}
                tabIndex={focusable === `${r.id}-${m}` ? 0 : -1}
                aria-label={t("timetable.newInSlot", { room: r.name, time: toHhmm(m) })}
                onFocus={() => setActiveSlot(`${r.id}-${m}`)}
                onKeyDown={(e) => onSlotKey(e, ri, m)}
                style={{ gridColumn: ri + 2, gridRow: i + 2 }}
              />
            ) : (
              <div
                key={`${r.id}-${m}`}
                className="timetable__cell"
                data-slot={m}
                data-room={r.id}
                style={{ gridColumn: ri + 2, gridRow: i + 2 }}
              />
            ),
          ),
        )}
        {landing && draggedSession && landingColumn > 1 ? (
          <div
            className="tt-landing"
            data-testid="tt-landing"
            aria-hidden="true"
            style={{
              gridColumn: landingColumn,
              gridRow: `${row(toHhmm(landing.start))} / ${Math.max(row(toHhmm(landing.end)), row(toHhmm(landing.start)) + 1)}`,
            }}
          >
            {toHhmm(landing.start)}–{toHhmm(landing.end)}
          </div>
        ) : null}
        {sessions
          .filter((s) => s.roomId !== null)
          .map((s) => {
            const col = rooms.findIndex((r) => r.id === s.roomId) + 2;
            return (
              <div
                key={s.id}
                className={`tt-session tt-session--${s.kind}${s.status === "cancelled" ? " tt-session--cancelled" : ""}${clashing.has(s.id) ? ` tt-session--clash tt-session--lane-${clashing.get(s.id)}` : ""}${dragging?.id === s.id ? " tt-session--dragging" : ""}`}
                style={{ gridColumn: col, gridRow: `${row(s.start)} / ${Math.max(row(s.end), row(s.start) + 1)}` }}
                data-testid="tt-session"
                data-session-id={s.id}
                onPointerDown={(e) => {
                  if (!s.editable || (e.target as HTMLElement).closest("a,button")) return;
                  e.preventDefault();
                  setDragging({ id: s.id, mode: "move" });
                }}
              >
                <span className="tt-session__time">
                  {s.start}–{s.end}
                </span>
                <span className="tt-session__title">{s.title}</span>
                {clashing.has(s.id) ? <span className="tt-session__flag">{t("timetable.clashFlag")}</span> : null}
                {s.editable ? (
                  <>
                    <Link
                      to={`?day=${day}&session=${s.id}#session-form`}
                      className="tt-session__edit"
                      aria-label={t("timetable.editSession", { title: s.title })}
                    >
                      {t("timetable.edit")}
                    </Link>
                    <span
                      className="tt-session__resize"
                      aria-hidden="true"
                      onPointerDown={(e) => {
                        e.preventDefault();
                        e.stopPropagation();
                        setDragging({ id: s.id, mode: "resize" });
                      }}
                    />
                  </>
                ) : null}
              </div>
            );
          })}
      </div>
    </div>
  );
}
