import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { recordAudit } from "../models/audit.server";
import { invalidateSession } from "../models/session.server";

export function loader() {
  return redirect("/");
}

export function action({ context }: ActionFunctionArgs) {
  const { auth, services } = context;
  if (auth) {
    services.db.transaction((tx) => {
      invalidateSession(tx, auth.session.id);
      recordAudit(tx, { actorId: auth.user.id, action: "auth.sign_out", targetType: "user", targetId: auth.user.id }, context.requestMeta);
    });
    services.live.endSessions([auth.session.id], "signed_out");
  }
  return redirect("/sign-in", { headers: { "Set-Cookie": context.sessionCookie.clear() } });
}
