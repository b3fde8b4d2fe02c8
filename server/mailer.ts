import nodemailer from "nodemailer";
import type { Db } from "../db/client";
import { getOutboxMail, markOutboxDelivery } from "../app/models/invitations.server";
import type { Env } from "./env";

/** Sends outbox messages by SMTP when it is configured; without it the outbox is the only delivery. */
export function createMailer(env: Env, db: Db, log: (msg: string) => void) {
  const transport = env.SMTP_URL ? nodemailer.createTransport(env.SMTP_URL, { from: env.MAIL_FROM }) : null;
  // Keep slow mail servers from holding a request for long.
  if (transport) Object.assign(transport.options, { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 15_000 });
  return {
    enabled: transport !== null,
    async deliver(outboxId: number): Promise<void> {
      if (!transport) return;
      const mail = getOutboxMail(db, outboxId);
      if (!mail) return;
      try {
        await transport.sendMail({ to: mail.recipient, subject: mail.subject, text: mail.body });
        markOutboxDelivery(db, outboxId, "sent");
      } catch (error) {
        log(`mail ${outboxId} not sent: ${(error as Error).message}`);
        markOutboxDelivery(db, outboxId, "failed", (error as Error).message);
      }
    },
    close() {
      transport?.close();
    },
  };
}
export type Mailer = ReturnType<typeof createMailer>;
