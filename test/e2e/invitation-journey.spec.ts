import { INVITATION_TTL_MS, createInvitation } from "../../app/models/invitations.server";
import { actorOf, expect, expectAccessible, test } from "./fixtures";

const PASSWORD = "correct horse battery staple";

test("the secretariat invites a person, who accepts, signs out and signs in again", async ({ browser, signIn }) => {
  const secretariat = await browser.newContext();
  await signIn(secretariat, "secretariat@convene.example");
  const admin = await secretariat.newPage();

  await admin.goto("/invitations");
  await expectAccessible(admin);
  await admin.getByRole("link", { name: "Invite a person" }).first().click();
  await expect(admin.getByRole("heading", { name: "Invite a person" })).toBeVisible();
  await expectAccessible(admin);

  // A typo first: the form keeps what was typed and says what is wrong.
  await admin.getByLabel("Email address").fill("amara.osei@example");
  await admin.getByLabel("Role").selectOption("delegate");
  await admin.getByLabel("Organisation").selectOption({ label: "Safe Line Hotline Network (demo)" });
  await admin.getByRole("button", { name: "Create invitation" }).click();
  await expect(admin.getByText("Enter an email address like name@example.org.")).toBeVisible();
  await expect(admin.getByLabel("Email address")).toHaveValue("amara.osei@example");
  await expect(admin.getByLabel("Organisation")).toHaveValue(/\d+/);
  await expectAccessible(admin);

  await admin.getByLabel("Email address").fill("amara.osei@example.org");
  await admin.getByRole("button", { name: "Create invitation" }).click();
  await expect(admin.getByText("Invitation created for amara.osei@example.org")).toBeVisible();
  const link = await admin.getByLabel("Invitation link for amara.osei@example.org").inputValue();
  expect(link).toMatch(/\/invitations\/[\w-]{40,}$/);
  await expectAccessible(admin);

  const invitee = await browser.newContext();
  const page = await invitee.newPage();
  await page.goto(new URL(link).pathname);
  await expect(page.getByRole("heading", { name: "Join Convene" })).toBeVisible();
  await expect(page.getByText("Safe Line Hotline Network (demo)")).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("Your full name").fill("Amara Osei");
  await page.getByLabel("New password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Repeat the new password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create my account" }).click();

  await expect(page.getByRole("heading", { name: "Welcome, Amara Osei" })).toBeVisible();
  await expect(page.getByTestId("live-status")).toHaveAttribute("data-status", "live");
  await expect(page.getByText("You are not in any working group yet.")).toBeVisible();
  await expectAccessible(page);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Sign in to Convene" })).toBeVisible();
  await page.getByLabel("Email address").fill("amara.osei@example.org");
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Welcome, Amara Osei" })).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Sign in to Convene" })).toBeVisible();

  // The link worked once; opening it again says so.
  await page.goto(new URL(link).pathname);
  await expect(page.getByRole("heading", { name: "This invitation has already been used" })).toBeVisible();
  await expectAccessible(page);

  // The outbox now shows the invitation as accepted and no longer shows its link.
  await admin.goto("/invitations");
  const item = admin.getByTestId("outbox-item").filter({ hasText: "amara.osei@example.org" });
  await expect(item.getByText("Accepted")).toBeVisible();
  await expect(item.getByRole("textbox")).toHaveCount(0);
  await secretariat.close();
  await invitee.close();
});

test("an expired invitation explains what to do", async ({ page, db, server }) => {
  const created = createInvitation(
    db,
    actorOf(db, "secretariat@convene.example"),
    { email: "too.late@example.org", role: "observer", organisationId: null },
    {
      baseUrl: server.url,
      compose: (link) => ({ subject: "Invitation", body: link }),
      now: new Date(Date.now() - INVITATION_TTL_MS - 60_000),
    },
    { ipAddress: null, userAgent: "e2e" },
  );
  if (!created.ok) throw new Error("could not create the invitation");
  await page.goto(new URL(created.link).pathname);
  await expect(page.getByRole("heading", { name: "This invitation has expired" })).toBeVisible();
  await expect(page.getByText("Ask the secretariat to send you a new one.")).toBeVisible();
  await expect(page.getByLabel("New password", { exact: true })).toHaveCount(0);
  await expectAccessible(page);
});
