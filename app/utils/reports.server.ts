import type { AppLoadContext } from "@remix-run/node";
import { buildReport, type Audience } from "../models/report.server";
import { notFound, requirePermission } from "./auth.server";

/** A closed cycle's report for an audience: the full one needs `cycles.manage`; the public one is for anyone. */
export function requireReport(context: AppLoadContext, request: Request, yearParam: string | undefined, audience: Audience) {
  const user = audience === "full" ? requirePermission(context, request, "cycles.manage") : (context.auth?.user ?? null);
  const year = Number(yearParam);
  if (!Number.isInteger(year) || year < 2000 || year > 2999) notFound();
  const report = buildReport(context.services.db, year, audience) ?? notFound();
  return { user, report };
}
