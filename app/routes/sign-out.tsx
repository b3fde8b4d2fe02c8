import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { signOut } from "../models/session.server";

export function loader() {
  return redirect("/");
}

export function action({ context }: ActionFunctionArgs) {
  const { auth, services } = context;
  if (auth) signOut(services.db, auth.user.id, auth.session.id, context.requestMeta);
  return redirect("/sign-in", { headers: { "Set-Cookie": context.sessionCookie.clear() } });
}
