import { expect, expectAccessible, makePerson, test } from "./fixtures";

test("the secretariat sets up a working group; a new member finds it at home and starts a document", async ({ browser, db, signIn }) => {
  const newcomer = await makePerson(db, { name: "Malia Fonoti", organisation: "Ministry of Digital Affairs (demo)" });
  const adminContext = await browser.newContext();
  await signIn(adminContext, "secretariat@convene.example");
  const admin = await adminContext.newPage();
  await admin.goto("/groups");
  await expectAccessible(admin);

  // A name that is too short is refused, and what was typed stays.
  await admin.getByLabel("Name").fill("X");
  await admin.getByLabel("Description").fill("Measuring what prevention programmes achieve.");
  await admin.getByRole("button", { name: "Create working group" }).click();
  await expect(admin.getByText("This is too short.")).toBeVisible();
  await expect(admin.getByLabel("Description")).toHaveValue("Measuring what prevention programmes achieve.");

  await admin.getByLabel("Name").fill("Prevention research");
  await admin.getByLabel("Pillar").selectOption({ label: "Independent Research" });
  await admin.getByLabel("Lead", { exact: true }).selectOption({ label: "Ana Ribeiro (Institute for Online Safety Research (demo))" });
  await admin.getByRole("button", { name: "Create working group" }).click();
  await expect(admin.getByRole("heading", { level: 1, name: "Prevention research" })).toBeVisible();

  await admin.getByLabel("Person").selectOption({ label: "Malia Fonoti (Ministry of Digital Affairs (demo))" });
  await admin.getByLabel("Membership", { exact: true }).selectOption("editor");
  await admin.getByRole("button", { name: "Add member" }).click();
  await expect(admin.getByText("Malia Fonoti was added as an editor.")).toBeVisible();
  await expectAccessible(admin);

  const memberContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
  await signIn(memberContext, newcomer);
  const member = await memberContext.newPage();
  await member.goto("/");
  await expect(member.getByRole("listitem").filter({ hasText: "Prevention research" })).toContainText("You are: Editor");
  await member.getByRole("link", { name: "Prevention research" }).click();
  await expect(member.getByRole("heading", { level: 1, name: "Prevention research" })).toBeVisible();
  await expect(member.locator(".page-header")).toContainText("You are: Editor");
  await expectAccessible(member);
  await member.getByLabel("Title").fill("Evaluating prevention programmes");
  await member.getByRole("button", { name: "Create document" }).click();

  await expect(member.getByRole("heading", { level: 1, name: "Evaluating prevention programmes" })).toBeVisible();
  await expect(member.getByTestId("document-text")).toHaveAttribute("data-synced", "true");
  const editor = member.getByRole("textbox", { name: "Document text" });
  await editor.click();
  await member.keyboard.type("Start with what children and families say helped.");
  await expect(member.getByTestId("doc-connection")).toHaveAttribute("data-state", "saved");
  await expectAccessible(member);
  await Promise.all([adminContext.close(), memberContext.close()]);
});
