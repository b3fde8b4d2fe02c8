import type { Page } from "@playwright/test";
import type { Db } from "../../db/client";
import { cuttableConnection, expect, expectAccessible, makeGroupWithDocument, test } from "./fixtures";

/** A document of the test's own, in a group led by the NGO delegate where the police delegate edits and the observer reads. */
function sharingDocument(db: Db): number {
  return makeGroupWithDocument(db, {
    lead: "ngo@convene.example",
    members: { "police@convene.example": "editor", "observer@convene.example": "reader" },
    title: "Hash-sharing agreements",
  }).documentId;
}

/** Opens a document and waits until its first sync is done. */
async function openDocument(page: Page, id: number) {
  await page.goto(`/documents/${id}`);
  await expect(page.getByTestId("document-text")).toHaveAttribute("data-synced", "true");
  return page.getByRole("textbox", { name: "Document text" });
}

/** Types at the very end of the document. */
async function typeAtEnd(page: Page, text: string) {
  const editor = page.getByRole("textbox", { name: "Document text" });
  await editor.click();
  await page.keyboard.press("Control+End");
  await page.keyboard.press("Enter");
  await page.keyboard.type(text);
}

test("two members write together and see each other's text and carets; an observer follows but cannot type", async ({
  browser,
  db,
  signIn,
}) => {
  const id = sharingDocument(db);

  const leadContext = await browser.newContext();
  await signIn(leadContext, "ngo@convene.example");
  const lead = await leadContext.newPage();
  const leadEditor = await openDocument(lead, id);
  await expect(lead.getByTestId("doc-connection")).toHaveAttribute("data-state", "saved");
  await expectAccessible(lead);

  const partnerContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
  await signIn(partnerContext, "police@convene.example");
  const partner = await partnerContext.newPage();
  const partnerEditor = await openDocument(partner, id);

  await typeAtEnd(lead, "Both sides name a contact.");
  await expect(partnerEditor).toContainText("Both sides name a contact.");
  await typeAtEnd(partner, "Police confirm receipt within a day.");
  await expect(leadEditor).toContainText("Police confirm receipt within a day.");
  await expect(lead.getByTestId("doc-connection")).toHaveAttribute("data-state", "saved");

  // Each sees the other in the document, with a named caret where they type.
  await expect(lead.getByTestId("presence")).toContainText("Jonas Weber");
  await expect(partner.getByTestId("presence")).toContainText("Wanjiru Kamau");
  await expect(partner.getByTestId("presence")).toContainText("Jonas Weber (you)");
  await expect(lead.locator(".collaboration-carets__label", { hasText: "Jonas Weber" })).toBeVisible();
  await expect(partner.locator(".collaboration-carets__label", { hasText: "Wanjiru Kamau" })).toBeVisible();
  await expectAccessible(partner);

  // An observer reads along live, but the text will not take their typing.
  const observerContext = await browser.newContext();
  await signIn(observerContext, "observer@convene.example");
  const observer = await observerContext.newPage();
  const observerEditor = await openDocument(observer, id);
  await expect(observer.getByTestId("doc-connection")).toContainText("Read only");
  await expect(observerEditor).toHaveAttribute("contenteditable", "false");
  await expect(observer.getByRole("toolbar", { name: "Formatting" })).toHaveCount(0);
  await typeAtEnd(lead, "Reviewed every quarter.");
  await expect(observerEditor).toContainText("Reviewed every quarter.");
  await observerEditor.click();
  await observer.keyboard.type("Observer was here");
  await expect(leadEditor).toContainText("Reviewed every quarter.");
  await expect(observerEditor).not.toContainText("Observer was here");
  await expectAccessible(observer);

  // After a reload the text comes back from the server, all of it.
  await lead.reload();
  await expect(lead.getByTestId("document-text")).toHaveAttribute("data-synced", "true");
  await expect(leadEditor).toContainText("Police confirm receipt within a day.");
  await expect(leadEditor).not.toContainText("Observer was here");

  await Promise.all([leadContext.close(), partnerContext.close(), observerContext.close()]);
});

test("the lead sends a document for review and publishes it: a frozen public page, Markdown, versions and restore", async ({
  browser,
  db,
  signIn,
}) => {
  const id = sharingDocument(db);
  const context = await browser.newContext();
  await signIn(context, "ngo@convene.example");
  const page = await context.newPage();
  const editor = await openDocument(page, id);
  await typeAtEnd(page, "Agreements are renewed every two years.");
  await expect(page.getByTestId("doc-connection")).toHaveAttribute("data-state", "saved");

  await page.getByRole("button", { name: "Send for review" }).click();
  await expect(page.locator(".doc-meta")).toContainText("In review");
  await page.getByLabel("Who may read the published version").selectOption("public");
  await page.getByRole("button", { name: "Publish this text" }).click();

  await expect(page).toHaveURL(new RegExp(`/documents/${id}/v/1$`));
  await expect(page.getByRole("heading", { level: 1, name: "Hash-sharing agreements" })).toBeVisible();
  await expect(page.getByTestId("publication-body")).toContainText("Agreements are renewed every two years.");
  await expect(page.getByText(/version 1\. Published/)).toBeVisible();
  await expectAccessible(page);
  // Printing hides the site's navigation and buttons, leaving the text and its citation.
  await page.emulateMedia({ media: "print" });
  await expect(page.getByRole("button", { name: "Print or save as PDF" })).toBeHidden();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
  await expect(page.getByRole("heading", { name: "How to cite" })).toBeVisible();
  const pdf = await page.pdf({ format: "A4" });
  expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
  await page.emulateMedia({ media: "screen" });
  const markdown = await page.request.get(`/documents/${id}/v/1.md`);
  expect(markdown.headers()["content-disposition"]).toContain("hash-sharing-agreements-v1.md");
  expect(await markdown.text()).toContain("Agreements are renewed every two years.");

  // Editing goes on in the draft; the published page stays as it was.
  await page.getByRole("link", { name: "Open the live draft" }).click();
  await expect(page.getByTestId("document-text")).toHaveAttribute("data-synced", "true");
  await typeAtEnd(page, "A sentence written after publishing.");
  await expect(page.getByTestId("doc-connection")).toHaveAttribute("data-state", "saved");

  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto(`/documents/${id}/v/1`);
  await expect(visitor.getByTestId("publication-body")).toContainText("Agreements are renewed every two years.");
  await expect(visitor.getByTestId("publication-body")).not.toContainText("A sentence written after publishing.");
  await expectAccessible(visitor);

  // Versions: the automatic ones are listed; the comparison shows what changed; restore brings the published text back.
  await page.getByRole("link", { name: "Versions and comparison" }).click();
  await expect(page.getByText("Published as version 1")).toBeVisible();
  await expect(page.getByText("Sent for review", { exact: true }).first()).toBeVisible();
  await page.getByRole("link", { name: "Compare with current text: Published as version 1" }).click();
  await expect(page.getByTestId("diff").locator("ins")).toContainText(["A sentence written after publishing."]);
  await expectAccessible(page);
  page.once("dialog", (d) => void d.accept());
  await page.getByRole("button", { name: "Restore this version: Published as version 1" }).click();
  await expect(page.getByText("“Published as version 1” was restored.")).toBeVisible();
  await expect(page.getByText("Before restoring “Published as version 1”")).toBeVisible();

  await page.goto(`/documents/${id}`);
  await expect(page.getByTestId("document-text")).toHaveAttribute("data-synced", "true");
  await expect(editor).toContainText("Agreements are renewed every two years.");
  await expect(editor).not.toContainText("A sentence written after publishing.");
  await context.close();
});

test("someone who loses the connection keeps typing, is told so, and their words sync when it returns", async ({ browser, db, signIn }) => {
  const id = sharingDocument(db);
  const context = await browser.newContext();
  await signIn(context, "police@convene.example");
  const page = await context.newPage();
  const connection = await cuttableConnection(page);
  const editor = await openDocument(page, id);

  const otherContext = await browser.newContext();
  await signIn(otherContext, "ngo@convene.example");
  const other = await otherContext.newPage();
  const otherEditor = await openDocument(other, id);

  await connection.cut();
  await expect(page.getByTestId("doc-connection")).toHaveAttribute("data-state", "offline");
  await typeAtEnd(page, "Typed while the train was in a tunnel.");
  await expect(page.getByTestId("doc-connection")).toHaveAttribute("data-state", "offlineUnsaved");
  await expect(page.getByTestId("doc-connection")).toContainText("will sync when you reconnect");
  await expectAccessible(page);
  await typeAtEnd(other, "Written online meanwhile.");

  connection.restore();
  await expect(page.getByTestId("doc-connection")).toHaveAttribute("data-state", "saved");
  await expect(otherEditor).toContainText("Typed while the train was in a tunnel.");
  await expect(editor).toContainText("Written online meanwhile.");
  await Promise.all([context.close(), otherContext.close()]);
});
