import { and, desc, eq, gte, like, lt, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { auditLog, users } from "../../db/schema";

export interface RequestMeta {
  ipAddress: string | null;
  userAgent: string | null;
}

export interface AuditEntry {
  actorId: number | null;
  action: string;
  targetType?: string;
  targetId?: string | number;
  detail?: Record<string, unknown>;
}

/** Call inside the same transaction as the change it records. */
export function recordAudit(db: DbOrTx, entry: AuditEntry, meta: RequestMeta, at = new Date()): void {
  db.insert(auditLog)
    .values({
      at,
      actorId: entry.actorId,
      action: entry.action,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId === undefined ? null : String(entry.targetId),
      detail: entry.detail ?? null,
      ipAddress: meta.ipAddress,
      userAgent: meta.userAgent?.slice(0, 300) ?? null,
    })
    .run();
}

export interface AuditFilter {
  actorId?: number;
  action?: string;
  targetType?: string;
  from?: Date;
  to?: Date;
  before?: number;
}

export const AUDIT_PAGE_SIZE = 50;

export function listAudit(db: DbOrTx, filter: AuditFilter) {
  const where: SQL[] = [];
  if (filter.actorId) where.push(eq(auditLog.actorId, filter.actorId));
  if (filter.action) where.push(like(auditLog.action, `${filter.action}%`));
  if (filter.targetType) where.push(eq(auditLog.targetType, filter.targetType));
  if (filter.from) where.push(gte(auditLog.at, filter.from));
  if (filter.to) where.push(lt(auditLog.at, filter.to));
  if (filter.before) where.push(lt(auditLog.id, filter.before));
  const rows = db
    .select({
      id: auditLog.id,
      at: auditLog.at,
      action: auditLog.action,
      targetType: auditLog.targetType,
      targetId: auditLog.targetId,
      detail: auditLog.detail,
      ipAddress: auditLog.ipAddress,
      userAgent: auditLog.userAgent,
      actorId: auditLog.actorId,
      actorName: users.name,
    })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorId))
    .where(and(...where))
    .orderBy(desc(auditLog.id))
    .limit(AUDIT_PAGE_SIZE + 1)
    .all();
  const hasMore = rows.length > AUDIT_PAGE_SIZE;
  return { entries: rows.slice(0, AUDIT_PAGE_SIZE), nextBefore: hasMore ? rows[AUDIT_PAGE_SIZE - 1]!.id : null };
}

export function listAuditActions(db: DbOrTx): string[] {
  return db
    .selectDistinct({ action: auditLog.action })
    .from(auditLog)
    .orderBy(auditLog.action)
    .all()
    .map((r) => r.action);
}
