import { Link, useNavigation, useSubmit } from "@remix-run/react";
import { useState } from "react";
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

/**
 * One day of the timetable, rooms across and times down. Dragging a session moves it; dragging its
 * bottom edge changes its end. A drop posts the editor's `move` intent.
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

  const first = Math.min(8 * 60, ...sessions.map((s) => toMinutes(s.start)));
  const last = Math.max(19 * 60, ...sessions.map((s) => toMinutes(s.end) || 24 * 60));
  const startSlot = Math.floor(first / SLOT_MINUTES) * SLOT_MINUTES;
  const slots: number[] = [];
  for (let m = startSlot; m < last; m += SLOT_MINUTES) slots.push(m);
  const row = (hhmm: string) => Math.round((toMinutes(hhmm) - startSlot) / SLOT_MINUTES) + 2;
  const clashing = clashLanes(sessions);

  const onPointerUp = (e: React.PointerEvent) => {
    if (!dragging) return;
    const session = sessions.find((s) => s.id === dragging.id)!;
    setDragging(null);
    const target = (
      document.elementsFromPoint(e.clientX, e.clientY).find((el) => (el as HTMLElement).dataset.slot) as HTMLElement | undefined
    )?.dataset;
    if (!target?.slot) return;
    const slot = Number(target.slot);
    const duration = toMinutes(session.end) - toMinutes(session.start);
    const move =
      dragging.mode === "move"
        ? { roomId: target.room ?? "", startTime: toHhmm(slot), endTime: toHhmm(Math.min(slot + duration, 24 * 60 - 1)) }
        : {
            roomId: session.roomId ? String(session.roomId) : "",
            startTime: session.start,
            endTime: toHhmm(Math.max(slot + SLOT_MINUTES, toMinutes(session.start) + SLOT_MINUTES)),
          };
    if (move.roomId === String(session.roomId ?? "") && move.startTime === session.start && move.endTime === session.end) return;
    submit({ intent: "move", sessionId: String(session.id), date: day, ...move }, { method: "post", preventScrollReset: true });
  };

  return (
    <div className="timetable-wrap" role="region" aria-label={t("timetable.gridLabel", { day })} tabIndex={0}>
      <div
        className={`timetable${dragging ? " timetable--dragging" : ""}`}
        style={{
          gridTemplateColumns: `4.5rem repeat(${rooms.length}, minmax(9rem, 1fr))`,
          gridTemplateRows: `auto repeat(${slots.length}, 1.25rem)`,
        }}
        onPointerUp={onPointerUp}
        onPointerCancel={() => setDragging(null)}
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
          slots.map((m, i) => (
            <div
              key={`${r.id}-${m}`}
              className="timetable__cell"
              data-slot={m}
              data-room={r.id}
              style={{ gridColumn: ri + 2, gridRow: i + 2 }}
            />
          )),
        )}
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
