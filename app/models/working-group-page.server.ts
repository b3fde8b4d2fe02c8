/**
 * The working group page's server side: what its loader shows and what each of its forms does.
 * Each form is parsed here and handed to one model write, which holds the rules; this module only
 * turns the answer into what the page shows.
 */
import type { Db } from "../../db/client";
import { can, type Actor } from "../utils/policy";
import { keptValues, parseForm } from "../utils/forms.server";
import { DocumentSchema, GroupMemberSchema, WorkingGroupSchema } from "../utils/validation";
import type { RequestMeta } from "./audit.server";
import { createDocument, listGroupDocuments } from "./documents.server";
import { listPillars } from "./forum.server";
import {
  addMember,
  changeMembership,
  getWorkingGroup,
  listAddablePeople,
  listLeadCandidates,
  listMembers,
  membershipOf,
  removeMember,
  updateWorkingGroup,
  type Refusal,
} from "./working-groups.server";

/** A group the person may see, and their place in it. */
interface ViewedGroup {
  group: NonNullable<ReturnType<typeof getWorkingGroup>>;
  membership: ReturnType<typeof membershipOf>;
}

/** The group and the person's place in it, when they may see it. */
export function viewableGroup(
  db: Db,
  user: Actor,
  groupId: number,
): ({ ok: true } & ViewedGroup) | { ok: false; reason: "not_found" | "forbidden" } {
  const group = getWorkingGroup(db, groupId);
  if (!group) return { ok: false, reason: "not_found" };
  const membership = membershipOf(db, group.id, user.id);
  if (!can(user, "workingGroup.view", { membership })) return { ok: false, reason: "forbidden" };
  return { ok: true, group, membership };
}

export function groupPageData(db: Db, user: Actor, { group, membership }: ViewedGroup) {
  const manage = can(user, "workingGroups.manage");
  const pillars = listPillars(db).map((p) => ({ id: p.id, slug: p.slug }));
  return {
    group: {
      id: group.id,
      name: group.name,
      description: group.description,
      pillarId: group.pillarId,
      pillarSlug: pillars.find((p) => p.id === group.pillarId)?.slug ?? "",
      leadId: group.leadId,
      leadName: group.leadName,
    },
    membership,
    manage,
    canCreateDocument: can(user, "document.create", { membership }),
    members: listMembers(db, group.id).map((m) => ({
      userId: m.userId,
      name: m.name,
      organisation: m.organisation,
      membership: m.membership,
    })),
    documents: listGroupDocuments(db, group.id)
      .filter((d) => can(user, "document.view", { visibility: d.visibility, membership }))
      .map((d) => ({ id: d.id, title: d.title, summary: d.summary, status: d.status, visibility: d.visibility, updatedAt: d.updatedAt })),
    pillars: manage ? pillars : [],
    leads: manage ? withCurrentLead(listLeadCandidates(db), group) : [],
    addable: manage ? listAddablePeople(db, group.id).map((p) => ({ id: p.id, name: p.name, organisation: p.organisation })) : [],
  };
}

/** The current lead stays choosable in the edit form even if they could no longer be picked anew. */
function withCurrentLead(
  leads: { id: number; name: string; organisation: string | null }[],
  group: { leadId: number | null; leadName: string | null },
) {
  if (group.leadId === null || leads.some((l) => l.id === group.leadId)) return leads;
  return [{ id: group.leadId, name: group.leadName ?? String(group.leadId), organisation: null }, ...leads];
}

export type GroupIntent = "update" | "addMember" | "setMembership" | "removeMember" | "createDocument";

export interface GroupActionResult {
  ok: boolean;
  intent: GroupIntent | null;
  /** A key in the `groups` namespace (or `common:` prefixed) for the page-level message. */
  message: string | null;
  /** The person a member change was about, for the message. */
  name?: string;
  errors: Record<string, string>;
  values: Record<string, string>;
}

/** What the page answers: go elsewhere, refuse (403), or show the result with this status. */
export type GroupPageOutcome = { redirect: string } | { forbidden: true } | { status: number; result: GroupActionResult };

function done(intent: GroupIntent, message: string, name?: string): GroupPageOutcome {
  return { status: 200, result: { ok: true, intent, message, name, errors: {}, values: {} } };
}

function failed(
  intent: GroupIntent | null,
  form: FormData,
  errors: Record<string, string>,
  message: string | null = null,
  status = 400,
): GroupPageOutcome {
  return { status, result: { ok: false, intent, message, errors, values: keptValues(form) } };
}

const statusOf = { not_found: 404, conflict: 409, invalid: 400 } as const;

function refusedAs(intent: GroupIntent, form: FormData, refusal: Refusal): GroupPageOutcome {
  if (refusal.reason === "forbidden") return { forbidden: true };
  return failed(intent, form, refusal.errors, refusal.message, statusOf[refusal.reason]);
}

const manageIntents: readonly GroupIntent[] = ["update", "addMember", "setMembership", "removeMember"];

/** Runs one of the page's forms for someone who may see the group. */
export function groupPageAction(
  db: Db,
  user: Actor,
  { group, membership }: ViewedGroup,
  form: FormData,
  meta: RequestMeta,
): GroupPageOutcome {
  const intent = form.get("intent");

  // Someone who may not use a form is refused before being told what was wrong with what they sent.
  if (intent === "createDocument") {
    if (!can(user, "document.create", { membership })) return { forbidden: true };
    const parsed = parseForm(form, DocumentSchema);
    if (!parsed.ok) return failed(intent, form, parsed.errors);
    const created = createDocument(db, user, group.id, parsed.data, meta);
    return created.ok ? { redirect: `/documents/${created.id}` } : { forbidden: true };
  }

  const managed = manageIntents.find((i) => i === intent);
  if (!managed) return failed(null, form, {}, "common:errors.invalidValue");
  if (!can(user, "workingGroups.manage")) return { forbidden: true };

  if (managed === "update") {
    const parsed = parseForm(form, WorkingGroupSchema);
    if (!parsed.ok) return failed(managed, form, parsed.errors);
    const result = updateWorkingGroup(db, user, group.id, parsed.data, meta);
    return result.ok ? done(managed, "done.updated") : refusedAs(managed, form, result);
  }

  if (managed === "removeMember") {
    const userId = Number(form.get("userId"));
    if (!Number.isInteger(userId) || userId <= 0) return failed(managed, form, {}, "errors.notMember", 404);
    const result = removeMember(db, user, group.id, userId, meta);
    return result.ok ? done(managed, "done.removed", result.person.name) : refusedAs(managed, form, result);
  }

  const parsed = parseForm(form, GroupMemberSchema);
  if (!parsed.ok) return failed(managed, form, parsed.errors);
  const { userId, membership: wanted } = parsed.data;
  const result =
    managed === "addMember"
      ? addMember(db, user, group.id, userId, wanted, meta)
      : changeMembership(db, user, group.id, userId, wanted, meta);
  if (!result.ok) return refusedAs(managed, form, result);
  const verb = managed === "addMember" ? "added" : "changed";
  return done(managed, `done.${verb}${wanted === "editor" ? "Editor" : "Reader"}`, result.person.name);
}
