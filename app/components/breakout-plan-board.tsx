import {
  DndContext,
  KeyboardSensor,
  PointerSensor,
  useDraggable,
  useDroppable,
  useSensor,
  useSensors,
  type Announcements,
  type DragEndEvent,
} from "@dnd-kit/core";
import { useFetcher } from "@remix-run/react";
import { useId } from "react";
import { useTranslation } from "react-i18next";
import { NO_GROUP } from "../models/breakout-balance";
import type { PlanPerson } from "../models/breakout-plan.server";
import type { PlanActionResult } from "../routes/breakouts.$sessionId.plan";
import { EmptyState, FormAlert } from "./form";
import type { PlanData } from "./breakout-plan-tools";

const UNASSIGNED = "unassigned";

/**
 * The assignment board: a column per room and one for the unassigned, people as cards. A card is dragged to another
 * column (pointer or keyboard), or moved with its own "Move to…" select and button, which works without script too.
 */
export function BreakoutPlanBoard({ plan, result }: { plan: PlanData; result: PlanActionResult | null }) {
  const { t } = useTranslation(["breakouts", "common"]);
  const fetcher = useFetcher<PlanActionResult>();
  const planning = plan.session.status === "planning";
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 6 } }), useSensor(KeyboardSensor));
  const columns = [
    ...plan.rooms.map((r) => ({ id: String(r.id), name: r.name, room: r, people: r.people })),
    { id: UNASSIGNED, name: t("board.unassigned"), room: null, people: plan.unassigned },
  ];
  const nameOf = (id: string | number | undefined) => columns.find((c) => c.id === String(id))?.name ?? "";
  const personOf = (id: string | number) =>
    [...plan.unassigned, ...plan.rooms.flatMap((r) => r.people)].find((p) => `person-${p.id}` === id);
  const announcements: Announcements = {
    onDragStart: ({ active }) => t("board.dragStart", { name: personOf(active.id)?.name ?? "" }),
    onDragOver: ({ active, over }) =>
      over ? t("board.dragOver", { name: personOf(active.id)?.name ?? "", room: nameOf(over.id) }) : t("board.dragNowhere"),
    onDragEnd: ({ active, over }) =>
      over ? t("board.dragEnd", { name: personOf(active.id)?.name ?? "", room: nameOf(over.id) }) : t("board.dragCancel"),
    onDragCancel: () => t("board.dragCancel"),
  };
  const onDragEnd = ({ active, over }: DragEndEvent) => {
    if (!over) return;
    const userId = String(active.id).replace("person-", "");
    const from = active.data.current?.columnId as string | undefined;
    if (from === over.id) return;
    fetcher.submit({ intent: "assign", userId, roomId: over.id === UNASSIGNED ? "" : String(over.id) }, { method: "post" });
  };
  const moveError = fetcher.data && !fetcher.data.ok ? fetcher.data : result?.intent === "assign" && !result.ok ? result : null;
  const moveMessage = moveError
    ? t((moveError.errors?.roomId ?? moveError.errors?.userId ?? moveError.message ?? "errors.invalidValue") as "board.title")
    : null;

  return (
    <section className="panel stack" aria-labelledby="board-title">
      <h2 id="board-title">{t("board.title")}</h2>
      <p className="muted">
        {planning ? t("board.lead") : t("board.leadRunning")} {t("board.candidates", { count: plan.candidates })}
      </p>
      <div aria-live="assertive">
        <FormAlert message={moveMessage} />
      </div>
      {plan.rooms.length === 0 ? <EmptyState title={t("board.noRooms")} /> : null}
      {plan.candidates === 0 ? <EmptyState title={t("board.noCandidates")}>{t("board.noCandidatesHint")}</EmptyState> : null}
      <DndContext
        sensors={sensors}
        onDragEnd={onDragEnd}
        accessibility={{ announcements, screenReaderInstructions: { draggable: t("board.dragInstructions") } }}
      >
        <div className="breakout-board" data-testid="breakout-board">
          {columns.map((column) => (
            <BoardColumn key={column.id} column={column} columns={columns} planning={planning} />
          ))}
        </div>
      </DndContext>
    </section>
  );
}

type Column = { id: string; name: string; room: PlanData["rooms"][number] | null; people: PlanPerson[] };

function BoardColumn({ column, columns, planning }: { column: Column; columns: Column[]; planning: boolean }) {
  const { t } = useTranslation(["breakouts", "common"]);
  const { setNodeRef, isOver } = useDroppable({ id: column.id, disabled: !planning });
  const headingId = useId();
  const { room } = column;
  const groups = room ? Object.entries(room.balance.groups).sort((a, b) => b[1] - a[1]) : [];
  return (
    <section
      ref={setNodeRef}
      className={`breakout-board__column${isOver ? " breakout-board__column--over" : ""}`}
      aria-labelledby={headingId}
      data-testid="board-column"
      data-column={column.id}
    >
      <h3 id={headingId} className="breakout-board__title">
        {column.name}{" "}
        <span className="muted" data-testid="column-size">
          {room
            ? room.capacity === null
              ? t("board.size", { count: column.people.length })
              : t("board.sizeOf", { count: column.people.length, capacity: room.capacity })
            : t("board.size", { count: column.people.length })}
        </span>
      </h3>
      {room ? (
        <ul className="breakout-board__balance" aria-label={t("board.balanceOf", { room: column.name })}>
          <li>
            {groups.length
              ? groups
                  .map(
                    ([g, n]) =>
                      `${g === NO_GROUP ? t("board.noGroup") : t(`common:stakeholderGroups.${g}` as "common:stakeholderGroups.government")} ${n}`,
                  )
                  .join(" · ")
              : t("board.noGroups")}
          </li>
          <li>{t("board.orgsRepeated", { count: room.balance.organisationsRepeated })}</li>
          <li>{t("board.preferencesMet", { met: room.balance.preferencesMet, total: room.balance.preferencesTotal })}</li>
        </ul>
      ) : null}
      {column.people.length === 0 ? (
        <p className="muted">{t("board.emptyColumn")}</p>
      ) : (
        <ul className="breakout-board__people">
          {column.people.map((person) => (
            <PersonCard key={person.id} person={person} columnId={column.id} columns={columns} planning={planning} />
          ))}
        </ul>
      )}
    </section>
  );
}

function PersonCard({
  person,
  columnId,
  columns,
  planning,
}: {
  person: PlanPerson;
  columnId: string;
  columns: Column[];
  planning: boolean;
}) {
  const { t } = useTranslation(["breakouts", "common"]);
  const fetcher = useFetcher<PlanActionResult>();
  const { attributes, listeners, setNodeRef, transform, isDragging } = useDraggable({
    id: `person-${person.id}`,
    data: { columnId },
    disabled: !planning,
  });
  const selectId = useId();
  const style = transform ? { transform: `translate3d(${transform.x}px, ${transform.y}px, 0)` } : undefined;
  return (
    <li className={`breakout-person${isDragging ? " breakout-person--dragging" : ""}`} data-testid="person-card" data-person-id={person.id}>
      <div
        ref={setNodeRef}
        className="breakout-person__handle"
        // The drag handle's position follows the pointer while dragging: a computed transform, nothing else.
        style={style}
        {...listeners}
        {...attributes}
        aria-label={t("board.dragHandle", { name: person.name })}
      >
        <strong>{person.name}</strong>
        <span className="breakout-person__meta">
          {person.organisation ?? t("board.noOrganisation")}
          {person.group ? (
            <span className="badge">{t(`common:stakeholderGroups.${person.group}` as "common:stakeholderGroups.government")}</span>
          ) : null}
          {person.preferredPillarSlug ? (
            <span className="badge badge--rule">
              {t("board.prefers", { pillar: t(`common:pillars.${person.preferredPillarSlug}` as "common:pillars.tech-innovation") })}
            </span>
          ) : null}
        </span>
      </div>
      {planning ? (
        <fetcher.Form method="post" className="inline-form breakout-person__move">
          <input type="hidden" name="intent" value="assign" />
          <input type="hidden" name="userId" value={person.id} />
          <label htmlFor={selectId} className="visually-hidden">
            {t("board.moveLabel", { name: person.name })}
          </label>
          {/* The other rooms, then (for someone in a room) taking them out of every room; the first is chosen to begin with. */}
          <select id={selectId} name="roomId">
            {columns
              .filter((c) => c.id !== UNASSIGNED && c.id !== columnId)
              .map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            {columnId !== UNASSIGNED ? <option value="">{t("board.unassign")}</option> : null}
          </select>
          <button type="submit" className="button button--small button--quiet" aria-disabled={fetcher.state !== "idle" || undefined}>
            {t("board.move")}
            <span className="visually-hidden"> {person.name}</span>
          </button>
        </fetcher.Form>
      ) : null}
    </li>
  );
}
