import { asc, count, eq, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "../../db/client";
import { organisations, users, type StakeholderGroup } from "../../db/schema";
import type { DomainEvent } from "../domain/events";
import { can, type Actor } from "../utils/policy";
import { recordAudit, type RequestMeta } from "./audit.server";
import { announce } from "./domain-events.server";

export interface OrganisationInput {
  name: string;
  stakeholderGroup: StakeholderGroup;
  country: string;
}

export function listOrganisations(db: DbOrTx) {
  return db
    .select({
      id: organisations.id,
      name: organisations.name,
      stakeholderGroup: organisations.stakeholderGroup,
      country: organisations.country,
      people: count(users.id),
    })
    .from(organisations)
    .leftJoin(users, eq(users.organisationId, organisations.id))
    .groupBy(organisations.id)
    .orderBy(asc(organisations.name))
    .all();
}

export function getOrganisation(db: DbOrTx, id: number) {
  return db.select().from(organisations).where(eq(organisations.id, id)).get() ?? null;
}

function nameTaken(db: DbOrTx, name: string, exceptId?: number): boolean {
  const row = db
    .select({ id: organisations.id })
    .from(organisations)
    .where(sql`lower(${organisations.name}) = lower(${name})`)
    .get();
  return !!row && row.id !== exceptId;
}

/** The people of an organisation, whose access follows its stakeholder group. */
export function organisationMemberIds(db: DbOrTx, organisationId: number): number[] {
  return db
    .select({ id: users.id })
    .from(users)
    .where(eq(users.organisationId, organisationId))
    .all()
    .map((r) => r.id);
}

export type SaveResult =
  | { ok: true; id: number; events: DomainEvent[] }
  | { ok: false; field: "name"; error: "errors.organisationExists" }
  | { ok: false; error: "errors.notFound" | "errors.forbidden" };

const forbidden = { ok: false as const, error: "errors.forbidden" as const };

export function createOrganisation(db: Db, actor: Actor, input: OrganisationInput, meta: RequestMeta): SaveResult {
  if (!can(actor, "organisation.manage")) return forbidden;
  const actorId = actor.id;
  return db.transaction((tx) => {
    if (nameTaken(tx, input.name)) return { ok: false as const, field: "name" as const, error: "errors.organisationExists" as const };
    const org = tx.insert(organisations).values(input).returning().get();
    recordAudit(tx, { actorId, action: "organisation.create", targetType: "organisation", targetId: org.id, detail: { ...input } }, meta);
    return { ok: true as const, id: org.id, events: [] };
  });
}

/** Updates an organisation; a new stakeholder group changes what its people may see, open pages included. */
export function updateOrganisation(db: Db, actor: Actor, id: number, input: OrganisationInput, meta: RequestMeta): SaveResult {
  if (!can(actor, "organisation.manage")) return forbidden;
  const actorId = actor.id;
  const result = db.transaction((tx) => {
    const before = getOrganisation(tx, id);
    if (!before) return { ok: false as const, error: "errors.notFound" as const };
    if (nameTaken(tx, input.name, id)) return { ok: false as const, field: "name" as const, error: "errors.organisationExists" as const };
    tx.update(organisations).set(input).where(eq(organisations.id, id)).run();
    recordAudit(
      tx,
      {
        actorId,
        action: "organisation.update",
        targetType: "organisation",
        targetId: id,
        detail: { before: { name: before.name, stakeholderGroup: before.stakeholderGroup, country: before.country }, after: { ...input } },
      },
      meta,
    );
    return { ok: true as const, id, groupChanged: before.stakeholderGroup !== input.stakeholderGroup };
  });
  if (!result.ok) return result;
  const events: DomainEvent[] = result.groupChanged ? [{ type: "organisation.accessChanged", organisationId: id }] : [];
  return { ok: true, id, events: announce(db, events) };
}
