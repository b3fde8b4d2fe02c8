/** PDF printing is a service of the server: one Chromium, started on first use and closed with the server. */
import { expect, it } from "vitest";
import { startServer } from "../support/server";

it("starts Chromium when warmed, prints one of our pages, and closes it with the server for good", async () => {
  const server = await startServer();
  const pdf = server.convene.services.pdf;
  expect(pdf.available()).toBe(true);
  expect(pdf.running()).toBe(false);

  pdf.warm();
  expect(pdf.running()).toBe(true);
  const printed = await pdf.print(server.convene.services.selfUrl!, "/sign-in", null);
  expect(printed.subarray(0, 5).toString()).toBe("%PDF-");

  await server.close();
  expect(pdf.running()).toBe(false);
  // A request still in flight after shutdown cannot start it again.
  pdf.warm();
  expect(pdf.running()).toBe(false);
  expect(pdf.available()).toBe(false);
});
