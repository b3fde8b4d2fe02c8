/**
 * The request events for comments on documents: list, add, reply, resolve or reopen, delete. Each validates its
 * payload (the protocol's schemas), asks the comments model (which asks the policy) and answers through the
 * acknowledgement; the model's domain event tells every open reader of the document (decision 038).
 */
import {
  addComment,
  deleteComment,
  listComments,
  replyToComment,
  setCommentResolved,
  type CommentRefusal,
} from "../../app/models/document-comments.server";
import type { RequestMeta } from "../../app/models/audit.server";
import type { Ack } from "../../app/realtime/protocol";
import type { AppSocket, Services } from "../context";
import type { handle as handleRequest } from "./sockets";

interface CommentSocketContext {
  services: Services;
  handle: typeof handleRequest;
  currentAuth: (socket: AppSocket) => { user: import("../../app/models/session.server").SessionUser } | null;
  log: (m: string) => void;
}

/** Comments are committed writes: one connection may not flood a document (or the disk). */
const WRITE_RATE = { perSecond: 2, burst: 10 } as const;

const refusal = (r: CommentRefusal): Ack =>
  r.reason === "forbidden"
    ? { ok: false, error: "forbidden", message: "You cannot do this with this comment." }
    : { ok: false, error: "not_found", message: "There is no such comment or document." };

export function attachDocumentComments(socket: AppSocket, { services, handle, currentAuth, log }: CommentSocketContext) {
  const { db } = services;
  const metaOf = (s: AppSocket): RequestMeta => ({
    ipAddress: s.handshake.address || null,
    userAgent: s.handshake.headers["user-agent"] ?? null,
  });
  const ended: Ack = { ok: false, error: "forbidden", message: "Your session has ended." };
  const personOf = (s: AppSocket) => {
    const user = currentAuth(s)?.user ?? null;
    if (!user) s.disconnect(true);
    return user;
  };
  let tokens: number = WRITE_RATE.burst;
  let refilledAt = Date.now();
  const limited = (): Ack | null => {
    const now = Date.now();
    tokens = Math.min(WRITE_RATE.burst, tokens + ((now - refilledAt) / 1000) * WRITE_RATE.perSecond);
    refilledAt = now;
    if (tokens < 1) return { ok: false, error: "rate_limited", message: "Too many comments at once; try again in a moment." };
    tokens--;
    return null;
  };

  handle(
    socket,
    "comments:list",
    ({ documentId }, s) => {
      const user = personOf(s);
      if (!user) return ended;
      const list = listComments(db, user, documentId);
      return list ? { ok: true, ...list } : refusal({ ok: false, reason: "not_found" });
    },
    log,
  );
  handle(
    socket,
    "comments:add",
    (input, s) => {
      const user = personOf(s);
      if (!user) return ended;
      const refused = limited();
      if (refused) return refused;
      const added = addComment(db, user, input, metaOf(s));
      return added.ok ? { ok: true, commentId: added.commentId } : refusal(added);
    },
    log,
  );
  handle(
    socket,
    "comments:reply",
    (input, s) => {
      const user = personOf(s);
      if (!user) return ended;
      const refused = limited();
      if (refused) return refused;
      const added = replyToComment(db, user, input, metaOf(s));
      return added.ok ? { ok: true, commentId: added.commentId } : refusal(added);
    },
    log,
  );
  handle(
    socket,
    "comments:resolve",
    (input, s) => {
      const user = personOf(s);
      if (!user) return ended;
      const refused = limited();
      if (refused) return refused;
      const done = setCommentResolved(db, user, input, metaOf(s));
      return done.ok ? { ok: true } : refusal(done);
    },
    log,
  );
  handle(
    socket,
    "comments:delete",
    (input, s) => {
      const user = personOf(s);
      if (!user) return ended;
      const refused = limited();
      if (refused) return refused;
      const done = deleteComment(db, user, input, metaOf(s));
      return done.ok ? { ok: true } : refusal(done);
    },
    log,
  );
}
