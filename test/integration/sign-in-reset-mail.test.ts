import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMailCatcher, type MailCatcher, type ReceivedMail } from "../support/mail";
import { makePerson } from "../support/factories";
import { get, post, signInAs, startServer, type TestServer } from "../support/server";

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

/** The text of the message sent to `email`, once it has arrived. */
async function mailTo(email: string): Promise<string> {
  await expect.poll(() => received.some((m) => m.to.includes(email)), { timeout: 15_000 }).toBe(true);
  // Quoted-printable may wrap long lines; undo soft breaks and encoded equals signs.
  return received
    .find((m) => m.to.includes(email))!
    .raw.replace(/=\r?\n/g, "")
    .replace(/=3D/g, "=");
}

describe("password resets by mail when SMTP is configured", () => {
  it("mails a single-use link to the person, and says so without telling whether the account exists", async () => {
    const person = await makePerson(server.db);
    const res = await post(server, "/password-reset", { email: person.email });
    expect(res.status).toBe(200);
    const answer = await res.text();
    expect(answer).toContain("we have sent a link to set a new password");
    const unknown = await post(server, "/password-reset", { email: `nobody-${person.id}@example.org` });
    expect(await unknown.text()).toContain("we have sent a link to set a new password");

    const mail = await mailTo(person.email);
    const path = mail.match(/https?:\/\/[^\s]+(\/password-reset\/[A-Za-z0-9_-]+)/)?.[1];
    expect(path).toBeDefined();
    await expect
      .poll(
        () =>
          server.db.$client.prepare("SELECT delivery FROM mail_outbox WHERE recipient = ? AND kind = 'password_reset'").get(person.email),
        { timeout: 15_000 },
      )
      .toEqual({ delivery: "sent" });
    // A mailed link is the person's: it is not listed for the secretariat to hand over.
    const secretariat = await signInAs(server, "secretariat@convene.example");
    expect(await (await get(server, "/people", secretariat)).text()).not.toContain(path);

    const done = await post(server, path!, { password: "mailed me a new one", confirmPassword: "mailed me a new one" });
    expect(done.status).toBe(302);
    await signInAs(server, person.email, "mailed me a new one");
    expect(received.some((m) => m.to.includes(`nobody-${person.id}@example.org`))).toBe(false);
  });
});
