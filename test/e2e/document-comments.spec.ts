import type { Page } from "@playwright/test";
import * as Y from "yjs";
import type { Db } from "../../db/client";
import { markdownToState, replaceText } from "../../app/models/document-content.server";
import { appendDocumentUpdates } from "../../app/models/document-store.server";
import { createVersion } from "../../app/models/documents.server";
import { actorOf, expect, expectAccessible, expectNoSidewaysScroll, makeGroupWithDocument, screens, test } from "./fixtures";

const meta = { ipAddress: null, userAgent: "test" };

/**
 * A document of the test's own (led by the NGO delegate, read by the observer) whose text was "before" when the
 * version "First draft" was named and is "after" now. Answers the document and the version.
 */
function documentWithVersion(db: Db, before: string, after: string): { documentId: number; versionId: number } {
  const { documentId } = makeGroupWithDocument(db, {
    lead: "ngo@convene.example",
    members: { "observer@convene.example": "reader" },
    title: "Hash-sharing agreements",
  });
  const doc = new Y.Doc();
  Y.applyUpdate(doc, markdownToState(before));
  appendDocumentUpdates(db, [{ documentId, update: Y.encodeStateAsUpdate(doc), userId: null }]);
  const version = createVersion(db, actorOf(db, "ngo@convene.example"), documentId, "First draft", meta);
  if (!version.ok) throw new Error("naming a version was refused");
  const vector = Y.encodeStateVector(doc);
  replaceText(doc, markdownToState(after));
  appendDocumentUpdates(db, [{ documentId, update: Y.encodeStateAsUpdate(doc, vector), userId: null }]);
  doc.destroy();
  return { documentId, versionId: version.id };
}

/** Opens a document and waits until its first sync is done. */
async function openDocument(page: Page, id: number) {
  await page.goto(`/documents/${id}`);
  await expect(page.getByTestId("document-text")).toHaveAttribute("data-synced", "true");
}

/** Selects `text` in the document, as a reader dragging over it would. */
async function selectInDocument(page: Page, text: string) {
  await page.getByTestId("document-text").evaluate((root, wanted) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.textContent?.indexOf(wanted) ?? -1;
      if (at === -1) continue;
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + wanted.length);
      const selection = window.getSelection()!;
      selection.removeAllRanges();
      selection.addRange(range);
      return;
    }
    throw new Error(`"${wanted}" is not in the document`);
  }, text);
}

for (const screen of ["phone", "desktop"] as const) {
  test.describe(`on a ${screen}`, () => {
    test.use(screens[screen]);

    test("a reader comments on a selected passage; the lead sees it live, replies and resolves it", async ({
      page,
      db,
      signIn,
      context,
      browser,
    }) => {
      const { documentId } = documentWithVersion(db, "Intro.", "## Scope\n\nHotlines share **hashes** daily with partners.");

      await signIn(context, "observer@convene.example");
      await openDocument(page, documentId);
      const leadContext = await browser.newContext(screens[screen]);
      await signIn(leadContext, "ngo@convene.example");
      const lead = await leadContext.newPage();
      await openDocument(lead, documentId);

      // Nothing selected: the button says what to do.
      await page.getByRole("button", { name: "Comment on selection" }).click();
      await expect(page.getByText("Select a passage in the text first")).toBeVisible();

      await selectInDocument(page, "daily with partners");
      await page.getByRole("button", { name: "Comment on selection" }).click();
      const comments = page.getByRole("region", { name: /Comments/ });
      await expect(comments.getByText("daily with partners")).toBeVisible();
      // An empty comment is refused inline, and the form stays.
      await comments.getByRole("button", { name: "Post comment" }).click();
      await expect(comments.getByText("Write your comment before posting it.")).toBeVisible();
      await comments.getByLabel("Your comment on this passage").fill("Which partners? Name them or link the list.");
      await comments.getByRole("button", { name: "Post comment" }).click();
      await expect(comments.getByTestId("comment-thread")).toContainText("Which partners?");
      await expect(page.locator(".comment-highlight")).toHaveText("daily with partners");
      await expectAccessible(page);
      await expectNoSidewaysScroll(page);

      // The lead, with the document open, sees it at once, attributed, and goes to the passage.
      const leadComments = lead.getByRole("region", { name: /Comments/ });
      const thread = leadComments.getByTestId("comment-thread");
      await expect(thread).toContainText("Which partners? Name them or link the list.");
      await expect(thread).toContainText("Lucía Fernández");
      await thread.getByRole("button", { name: /Go to the passage/ }).click();
      await thread.getByRole("button", { name: "Reply" }).click();
      await thread.getByLabel("Your reply").fill("The list is in annex 2.");
      await thread.getByRole("button", { name: "Post reply" }).click();
      await expect(thread.getByTestId("comment-reply")).toContainText("The list is in annex 2.");
      await expect(comments.getByTestId("comment-reply")).toContainText("The list is in annex 2.");
      await expectAccessible(lead);
      await expectNoSidewaysScroll(lead);

      await thread.getByRole("button", { name: "Resolve" }).click();
      await expect(leadComments.getByRole("button", { name: "Show 1 resolved comment" })).toBeVisible();
      await expect(comments.getByRole("button", { name: "Show 1 resolved comment" })).toBeVisible();
      await expect(page.locator(".comment-highlight")).toHaveCount(0);
      await comments.getByRole("button", { name: "Show 1 resolved comment" }).click();
      await expect(comments.getByRole("button", { name: "Reopen" })).toBeVisible();
      await expectAccessible(page);
      await expectNoSidewaysScroll(page);
      await leadContext.close();
    });

    test("the version comparison shows the rendered text with insertions and deletions marked", async ({ page, db, signIn, context }) => {
      const { documentId } = documentWithVersion(
        db,
        "## Scope\n\nHotlines share **hashes** weekly.\n\n- Police\n- NGOs",
        "## Scope\n\nHotlines share **hashes** daily.\n\n- Police\n- NGOs\n- Industry",
      );
      await signIn(context, "observer@convene.example");
      await page.goto(`/documents/${documentId}/versions`);
      await page.getByRole("link", { name: "Compare with current text: First draft" }).click();
      const diff = page.getByTestId("diff");
      await expect(diff.getByRole("heading", { name: "Scope" })).toBeVisible();
      await expect(diff.locator("strong")).toHaveText("hashes");
      await expect(diff.locator("p ins")).toHaveText("inserted: daily.");
      await expect(diff.locator("p del")).toHaveText("deleted: weekly.");
      await expect(diff.locator("li").last()).toContainText("inserted: Industry");
      await expect(diff).not.toContainText("##");
      await expect(diff).not.toContainText("**");
      await expectAccessible(page);
      await expectNoSidewaysScroll(page);
    });
  });
}
