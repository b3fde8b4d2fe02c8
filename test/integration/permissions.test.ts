import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_ACCOUNTS } from "../../db/seed";
import { get, post, signInAs, startServer, type TestServer } from "../support/server";

let server: TestServer;
const cookies = new Map<string, string>();
beforeAll(async () => {
  server = await startServer();
  for (const account of DEMO_ACCOUNTS) cookies.set(account.email, await signInAs(server, account.email));
});
afterAll(() => server.close());

const secretariatPages = ["/people", "/organisations", "/organisations/1", "/invitations", "/invitations/new", "/audit"];
const everyonePages = ["/", "/account"];

describe("who reaches which page", () => {
  for (const account of DEMO_ACCOUNTS) {
    it(`${account.role} (${account.email})`, async () => {
      const cookie = cookies.get(account.email)!;
      for (const path of secretariatPages) {
        const res = await get(server, path, cookie);
        expect(res.status, path).toBe(account.role === "secretariat" ? 200 : 403);
      }
      for (const path of everyonePages) expect((await get(server, path, cookie)).status, path).toBe(200);
    });
  }

  it("sends anonymous visitors to sign in, then back", async () => {
    const res = await get(server, "/audit");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/sign-in?redirectTo=%2Faudit");
  });

  it("refuses secretariat actions to other roles, and changes nothing", async () => {
    const observer = cookies.get("observer@convene.example")!;
    const before = server.db.$client.prepare("SELECT count(*) AS n FROM organisations").get();
    const res = await post(server, "/organisations", { name: "Sneaky", stakeholderGroup: "industry", country: "US" }, observer);
    expect(res.status).toBe(403);
    expect(server.db.$client.prepare("SELECT count(*) AS n FROM organisations").get()).toEqual(before);
    const invite = await post(
      server,
      "/invitations/new",
      { email: "x@example.org", role: "secretariat" },
      cookies.get("industry@convene.example")!,
    );
    expect(invite.status).toBe(403);
  });
});
