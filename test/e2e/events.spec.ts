import { expect, expectAccessible, makePerson, test } from "./fixtures";

test("the secretariat creates and publishes a convening; a delegate registers and is approved", async ({ browser, db, signIn }) => {
  const newcomer = await makePerson(db, { name: "Amani Otieno", organisation: "Children First Alliance (demo)" });
  const adminContext = await browser.newContext();
  await signIn(adminContext, "secretariat@convene.example");
  const admin = await adminContext.newPage();
  await admin.goto("/events");
  await expectAccessible(admin);
  await admin.goto("/events/new");
  await expectAccessible(admin);
  await admin.getByLabel("Title").fill("Convening on hotline cooperation");
  await admin.getByLabel("First day").fill("2027-03-03");
  await admin.getByLabel("Last day").fill("2027-03-02");
  await admin.getByLabel("Time zone of the event").selectOption("Africa/Nairobi");
  await admin.getByLabel("Rooms").fill("Main room\nSide room");
  await admin.getByRole("checkbox", { name: "Registrations need the secretariat's approval" }).check();
  await admin.getByRole("button", { name: "Create draft event" }).click();
  // A mistake is explained next to its field, and everything typed stays.
  await expect(admin.getByText("The end must come after the start.")).toBeVisible();
  await expect(admin.getByLabel("Title")).toHaveValue("Convening on hotline cooperation");
  await expect(admin.getByLabel("Rooms")).toHaveValue("Main room\nSide room");
  await admin.getByLabel("Last day").fill("2027-03-03");
  await admin.getByRole("button", { name: "Create draft event" }).click();
  await expect(admin.getByText("The event was created as a draft.")).toBeVisible();
  await expectAccessible(admin);
  await admin.getByRole("button", { name: "Publish" }).click();
  await expect(admin.getByText("Published: people can now see the agenda.")).toBeVisible();
  const eventUrl = new URL(admin.url()).pathname.replace(/\/settings$/, "");

  const delegateContext = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
  await signIn(delegateContext, newcomer);
  const delegate = await delegateContext.newPage();
  await delegate.goto(eventUrl);
  await expect(delegate.getByRole("heading", { name: "Convening on hotline cooperation" })).toBeVisible();
  await expect(delegate.getByText("The programme for this day has not been published yet.")).toBeVisible();
  await delegate.getByRole("button", { name: "Register for this event" }).click();
  await expect(delegate.getByText("Registration waiting for approval")).toBeVisible();
  expect(await delegate.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await expectAccessible(delegate);

  await admin.goto(`${eventUrl}/registrations`);
  await expect(admin.getByTestId("counts")).toContainText("NGO / civil society");
  await admin.getByRole("checkbox", { name: "Select Amani Otieno" }).check();
  await admin.getByRole("button", { name: "Approve selected" }).click();
  await expect(admin.getByText("1 registration updated.")).toBeVisible();
  await expectAccessible(admin);

  await delegate.reload();
  await expect(delegate.getByText("You are registered")).toBeVisible();
  await adminContext.close();
  await delegateContext.close();
});

test("the programme prints one day per page", async ({ context, page, signIn }) => {
  await signIn(context, "observer@convene.example");
  await page.goto("/events");
  await page.getByRole("link", { name: /Annual Multi-Stakeholder Forum/ }).click();
  // The exports wait behind one control, so the sessions come first.
  await page.getByText("Export / add to calendar").click();
  await page.getByRole("link", { name: "Print programme" }).click();
  await expect(page.getByRole("heading", { name: /^Day 1:/ })).toBeVisible();
  await expect(page.getByRole("heading", { name: /^Day 3:/ })).toBeVisible();
  await expectAccessible(page);
  await page.emulateMedia({ media: "print" });
  const breaks = await page.locator(".programme-day").evaluateAll((days) => days.map((d) => getComputedStyle(d).breakBefore));
  expect(breaks).toEqual(["auto", "page", "page"]);
  await expect(page.locator(".site-header")).toBeHidden();
});
