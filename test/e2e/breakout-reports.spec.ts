import { makeBreakout, placeInRoom } from "../support/breakouts";
import { expect, expectAccessible, makeEvent, makePerson, test } from "./fixtures";

test("a rapporteur submits a report-back; a delegate of another organisation makes an action their draft commitment and confirms it", async ({
  browser,
  context,
  page,
  db,
  signIn,
}) => {
  // A breakout session whose rooms have closed, under Chatham House.
  const event = makeEvent(db);
  const title = `Breakouts ${Date.now()}`;
  const breakout = makeBreakout(db, event, { title, attribution: "chatham_house" });
  const roomId = breakout.rooms[0]!.id;
  const roomName = breakout.rooms[0]!.name;
  const rapporteur = await makePerson(db, { organisation: "Children First Alliance (demo)" });
  const delegate = await makePerson(db, { organisation: "Streamwave Platforms (demo)" });
  placeInRoom(db, breakout, roomId, rapporteur.id);
  placeInRoom(db, breakout, breakout.rooms[1]!.id, delegate.id);
  db.$client.prepare("UPDATE breakout_rooms SET rapporteur_id = ? WHERE id = ?").run(rapporteur.id, roomId);
  db.$client.prepare("UPDATE breakouts SET status = 'closed', closed_at = unixepoch() * 1000 WHERE session_id = ?").run(breakout.sessionId);

  // The rapporteur writes the report-back; a mistake keeps what was typed.
  await signIn(context, rapporteur);
  await page.goto(`/breakouts/${breakout.sessionId}/rooms/${roomId}/report`);
  await expect(page.getByRole("heading", { level: 1, name: `Report-back: ${roomName}` })).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("Key points").fill("Hash sharing works when the law allows it.");
  const first = "Publish a shared glossary of hash formats";
  const second = "Fund two hotline analysts for small platforms";
  await page.getByLabel("Proposed actions").fill(`${first}\n${"x".repeat(501)}`);
  await page.getByRole("button", { name: "Submit to the plenary" }).click();
  await expect(page.getByText("Each action can be at most 500 characters: split a longer one in two.")).toBeVisible();
  await expect(page.getByLabel("Key points")).toHaveValue("Hash sharing works when the law allows it.");
  await expectAccessible(page);
  await page.getByLabel("Proposed actions").fill(`${first}\n${second}`);
  await page.getByRole("button", { name: "Submit to the plenary" }).click();
  await expect(page.getByText("Submitted: the report-back is on the plenary page.")).toBeVisible();
  await expect(page.getByTestId("report-status")).toHaveText("Submitted to the plenary");
  await expectAccessible(page);

  // A delegate of another organisation reads the plenary page: the report-back, and nobody's name.
  const other = await browser.newContext();
  await signIn(other, delegate);
  const plenary = await other.newPage();
  await plenary.goto(`/breakouts/${breakout.sessionId}/reports`);
  await expect(plenary.getByRole("heading", { level: 1, name: title })).toBeVisible();
  const report = plenary.getByTestId(`report-back-${roomId}`);
  await expect(report.getByRole("heading", { name: roomName })).toBeVisible();
  await expect(report.getByText(first)).toBeVisible();
  await expect(report.getByText(second)).toBeVisible();
  await expect(plenary.getByText(rapporteur.name)).toHaveCount(0);
  await expectAccessible(plenary);

  // One action becomes a draft commitment of the delegate's organisation.
  await report
    .getByRole("listitem")
    .filter({ hasText: second })
    .getByRole("button", { name: "Make this a commitment for Streamwave Platforms (demo)" })
    .click();
  await expect(plenary.getByRole("heading", { level: 1, name: second })).toBeVisible();
  await expect(plenary.getByTestId("made-at-breakout")).toContainText(`${title}, ${roomName}`);
  await expect(plenary.getByTestId("draft-banner")).toContainText(
    "Draft: proposed at a breakout; Streamwave Platforms (demo) has not confirmed it yet.",
  );
  await expectAccessible(plenary);
  // Confirming asks for what the breakout could not say; a missing expected result is explained at its field.
  await plenary.getByRole("textbox", { name: "Expected result" }).fill("");
  await plenary.getByRole("button", { name: "Confirm this commitment" }).click();
  await expect(plenary.getByText("This field is required.")).toBeVisible();
  await expect(plenary.getByRole("textbox", { name: "Problem it addresses" })).toHaveValue("Hash sharing works when the law allows it.");
  await expectAccessible(plenary);
  await plenary.getByRole("textbox", { name: "Expected result" }).fill("Two analysts in post, serving ten small platforms.");
  await plenary.getByRole("button", { name: "Confirm this commitment" }).click();
  await expect(plenary.getByText("The commitment is confirmed: it is now open and counts in the registry and the reports.")).toBeVisible();
  await expect(plenary.getByTestId("draft-banner")).toHaveCount(0);
  await expectAccessible(plenary);

  // Back on the plenary page the action links to the commitment it became.
  await plenary.getByTestId("made-at-breakout").getByRole("link").click();
  await expect(plenary.getByRole("link", { name: /^Commitment [A-Z]+-\d{4}-\d+$/ })).toBeVisible();
  await expect(
    plenary
      .getByRole("listitem")
      .filter({ hasText: first })
      .getByRole("button", { name: /Make this a commitment/ }),
  ).toBeVisible();
  await expectAccessible(plenary);
  await other.close();
});
