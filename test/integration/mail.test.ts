import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMailCatcher, type MailCatcher, type ReceivedMail } from "../support/mail";
import { post, signInAs, startServer, type TestServer } from "../support/server";

let smtp: MailCatcher;
let received: ReceivedMail[];
let server: TestServer;

beforeAll(async () => {
  smtp = await startMailCatcher();
  received = smtp.received;
  server = await startServer({ SMTP_URL: smtp.url, MAIL_FROM: "Convene <forum@example.org>" });
});
afterAll(async () => {
  await server.close();
  await smtp.close();
});

describe("invitations by mail when SMTP is configured", () => {
  it("sends the invitation and marks it sent in the outbox", async () => {
    const secretariat = await signInAs(server, "secretariat@convene.example");
    const res = await post(server, "/invitations/new", { email: "mailed@example.org", role: "observer", organisationId: "" }, secretariat);
    expect(res.status).toBe(302);
    expect(received).toHaveLength(1);
    expect(received[0]!.to).toEqual(["mailed@example.org"]);
    const row = server.db.$client.prepare("SELECT delivery, link FROM mail_outbox WHERE recipient = 'mailed@example.org'").get() as {
      delivery: string;
      link: string;
    };
    expect(row.delivery).toBe("sent");
    const token = row.link.split("/").pop()!;
    // Quoted-printable may wrap long lines; undo soft breaks before looking for the link.
    expect(received[0]!.raw.replace(/=\r?\n/g, "")).toContain(token);
  });
});

describe("a mail server that is down", () => {
  it("keeps the invitation and its link in the outbox, marked failed", async () => {
    const probe = new SMTPServer({ authOptional: true, disabledCommands: ["STARTTLS"] });
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const { port } = probe.server.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(resolve));
    const down = await startServer({ SMTP_URL: `smtp://127.0.0.1:${port}` });
    try {
      const secretariat = await signInAs(down, "secretariat@convene.example");
      const res = await post(down, "/invitations/new", { email: "unlucky@example.org", role: "delegate", organisationId: "" }, secretariat);
      expect(res.status).toBe(302);
      const row = down.db.$client
        .prepare("SELECT delivery, delivery_error AS error, link FROM mail_outbox WHERE recipient = 'unlucky@example.org'")
        .get() as { delivery: string; error: string; link: string };
      expect(row.delivery).toBe("failed");
      expect(row.error).toMatch(/ECONNREFUSED/);
      expect(row.link).toMatch(/\/invitations\//);
    } finally {
      await down.close();
    }
  });
});
