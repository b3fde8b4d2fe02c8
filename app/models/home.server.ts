/**
 * What the home page shows beyond the person's events and groups: the work waiting for them (counts with
 * where to act on it), and for a visitor without an account, what the coalition makes public.
 */
import { sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { can, type Actor } from "../utils/policy";
import { listPublicationsFor } from "./documents.server";
import { upcomingEventsFor } from "./forum.server";
import { listClosedCycles } from "./report.server";

/** How many commitments with overdue milestones the home page names; the rest are a link away. */
export const OVERDUE_NAMED = 5;

export interface WaitingWork {
  /** Progress updates nobody has checked yet, and how many commitments they are on; null: not theirs to check. */
  progressToCheck: { updates: number; commitments: number } | null;
  /** Events (not over, not archived) with registrations waiting for a decision; null: not theirs to decide. */
  registrations: { eventId: number; title: string; pending: number }[] | null;
  /** Invitations neither accepted, withdrawn nor expired; null: not theirs to follow. */
  invitationsOutstanding: number | null;
  /**
   * Milestones past their due date on open commitments this person may edit, counted and named by commitment
   * (at most OVERDUE_NAMED); null: they may edit none. `all`: the secretariat, who may read them all on the dashboard.
   */
  overdueMilestones: {
    milestones: number;
    commitments: { id: number; reference: string; title: string; milestones: number }[];
    commitmentCount: number;
    all: boolean;
  } | null;
}

/** Whether anything in `work` waits (the kinds this person may act on, each with a count above zero). */
export function somethingWaits(work: WaitingWork): boolean {
  return (
    (work.progressToCheck?.updates ?? 0) > 0 ||
    (work.registrations?.length ?? 0) > 0 ||
    (work.invitationsOutstanding ?? 0) > 0 ||
    (work.overdueMilestones?.milestones ?? 0) > 0
  );
}

/** Whether this person may act on any kind of waiting work (and so should see the list, even empty). */
export function actsOnWaitingWork(work: WaitingWork): boolean {
  return (
    work.progressToCheck !== null || work.registrations !== null || work.invitationsOutstanding !== null || work.overdueMilestones !== null
  );
}

/** The work waiting for this person, each kind counted only when the policy lets them act on it. */
export function waitingFor(db: DbOrTx, actor: Actor, today: string, now = new Date()): WaitingWork {
  return {
    progressToCheck: can(actor, "progress.verify") ? progressToCheck(db) : null,
    registrations: can(actor, "event.manage") ? registrationsToDecide(db, today) : null,
    invitationsOutstanding: can(actor, "invitations.view") ? invitationsOutstanding(db, now) : null,
    overdueMilestones: overdueMilestonesFor(db, actor, today),
  };
}

function progressToCheck(db: DbOrTx) {
  const row = db.get<{ updates: number; commitments: number }>(sql`
    SELECT count(*) AS updates, count(DISTINCT u.commitment_id) AS commitments
    FROM progress_updates u
    LEFT JOIN progress_verifications v ON v.update_id = u.id
    WHERE v.update_id IS NULL`);
  return { updates: row?.updates ?? 0, commitments: row?.commitments ?? 0 };
}

function registrationsToDecide(db: DbOrTx, today: string) {
  return db.all<{ eventId: number; title: string; pending: number }>(sql`
    SELECT e.id AS eventId, e.title AS title, count(*) AS pending
    FROM event_registrations r
    JOIN events e ON e.id = r.event_id
    WHERE r.status = 'pending' AND e.status <> 'archived' AND e.ends_on >= ${today}
    GROUP BY e.id
    ORDER BY e.starts_on, e.id`);
}

function invitationsOutstanding(db: DbOrTx, now: Date) {
  const row = db.get<{ n: number }>(sql`
    SELECT count(*) AS n FROM invitations
    WHERE accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ${now.getTime()}`);
  return row?.n ?? 0;
}

/** Overdue as on the dashboard: not done, due before today, on a commitment still open. */
function overdueMilestonesFor(db: DbOrTx, actor: Actor, today: string): WaitingWork["overdueMilestones"] {
  const all = can(actor, "cycles.manage");
  // Without the whole view, only commitments their organisation leads: those are the ones they may edit.
  if (!all && !can(actor, "commitment.edit", { leadOrganisationId: actor.organisationId })) return null;
  const rows = db
    .all<{ id: number; reference: string; title: string; leadOrganisationId: number | null; milestones: number }>(
      sql`
      SELECT c.id AS id, c.reference AS reference, c.title AS title, count(*) AS milestones,
        (SELECT o.organisation_id FROM commitment_organisations o WHERE o.commitment_id = c.id AND o.role = 'lead') AS leadOrganisationId
      FROM milestones m
      JOIN commitments c ON c.id = m.commitment_id
      WHERE m.done_on IS NULL AND m.due_on < ${today} AND c.status = 'open'
      GROUP BY c.id
      ORDER BY min(m.due_on), c.reference`,
    )
    .filter((c) => can(actor, "commitment.edit", { leadOrganisationId: c.leadOrganisationId }));
  return {
    milestones: rows.reduce((sum, c) => sum + c.milestones, 0),
    commitments: rows.slice(0, OVERDUE_NAMED).map(({ id, reference, title, milestones }) => ({ id, reference, title, milestones })),
    commitmentCount: rows.length,
    all,
  };
}

/**
 * The public front page: published public events not yet over, the latest published version of each public
 * good-practice model, and the public report of every closed cycle. Each is asked of the policy as a visitor
 * without an account, so nothing else can appear here.
 */
export function publicFrontPage(db: DbOrTx, today: string) {
  const visible = upcomingEventsFor(db, null, today).map(({ id, kind, title, startsOn, endsOn, timeZone, venue }) => ({
    id,
    kind,
    title,
    startsOn,
    endsOn,
    timeZone,
    venue,
  }));
  const seen = new Set<number>();
  const models = listPublicationsFor(db, null)
    .filter((p) => (seen.has(p.documentId) ? false : (seen.add(p.documentId), true)))
    .map((p) => ({
      documentId: p.documentId,
      number: p.number!,
      title: p.title,
      summary: p.summary,
      groupName: p.groupName,
      pillarName: p.pillarName,
      publishedAt: p.publishedAt,
    }));
  const reports = listClosedCycles(db).map((c) => ({ year: c.year }));
  return { events: visible, models, reports };
}
