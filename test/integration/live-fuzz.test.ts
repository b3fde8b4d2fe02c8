/**
 * The live connection under hostile input: a property-based run of the fuzz benchmark's generator
 * (bench/fuzz/generators.ts). An editor, a read-only member and an outsider of a working group send hundreds of
 * malformed or hostile messages across every event while an honest editor keeps writing; afterwards the server
 * is alive, every request carrying an acknowledgement was answered, nothing that had to be refused was
 * accepted, and the document loads whole in a fresh client, renders with the app's schema and still holds every
 * sentinel paragraph.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkDocument } from "../../bench/fuzz/check";
import { FuzzConnection, emptyTally, record, type Tally } from "../../bench/fuzz/client";
import { buildCorpus, messageArbitrary, type FuzzTarget } from "../../bench/fuzz/generators";
import { HonestEditor } from "../../bench/fuzz/honest";
import { healthy } from "../../bench/fuzz/memory";
import { PEOPLE, prepareForum, type Forum } from "../../bench/fuzz/setup";
import { signInAs, startServer, type TestServer } from "../support/server";

/** Long enough for a loaded machine; a request that waits longer is never answered. */
const ACK_TIMEOUT_MS = 10_000;
const RUNS = 6;
const ROLES = ["editor", "reader", "outsider"] as const;

let server: TestServer;
let forum: Forum;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  server = await startServer();
  forum = prepareForum(server.db, 1, "Live fuzz");
  for (const role of [...ROLES, "honest", "secretariat"] as const) cookies[role] = await signInAs(server, PEOPLE[role].email);
});
afterAll(() => server?.close());

/** A readable list of what went wrong in one batch, so a failure says which messages the server mishandled. */
function findings(tally: Tally): string[] {
  return [
    ...Object.entries(tally.unansweredByKind).map(([kind, n]) => `never answered: ${kind} (×${n})`),
    ...Object.entries(tally.wronglyAcceptedByKind).map(([kind, n]) => `accepted, but must be refused: ${kind} (×${n})`),
  ];
}

describe("the live connection under hostile input", () => {
  it("stays up, answers every request, refuses what it must and keeps documents intact", async () => {
    const documentId = forum.documentIds[0]!;
    const honest = await HonestEditor.open(server.url, cookies.honest!, documentId, PEOPLE.honest.name);
    await honest.write("Sentinel before the run");
    const corpus = buildCorpus(1);
    const target = (role: (typeof ROLES)[number]): FuzzTarget => ({
      role,
      documentId,
      missingDocumentId: forum.missingDocumentId,
      visibleEventIds: forum.visibleEventIds,
      hiddenEventId: forum.hiddenEventId,
      name: PEOPLE[role].name,
      victimClientIds: [honest.clientId],
      victimName: PEOPLE.honest.name,
    });
    const batch = fc.record({
      editor: fc.array(messageArbitrary(corpus, target("editor")), { minLength: 20, maxLength: 60 }),
      reader: fc.array(messageArbitrary(corpus, target("reader")), { minLength: 10, maxLength: 40 }),
      outsider: fc.array(messageArbitrary(corpus, target("outsider")), { minLength: 10, maxLength: 40 }),
    });
    let round = 0;
    let sent = 0;

    await fc.assert(
      fc.asyncProperty(batch, async (messages) => {
        round++;
        const tally = emptyTally();
        const connections = ROLES.map(
          (role) =>
            new FuzzConnection(
              server.url,
              cookies[role]!,
              async (socket) => {
                await socket.timeout(ACK_TIMEOUT_MS).emitWithAck("doc:join", { documentId });
              },
              ACK_TIMEOUT_MS,
            ),
        );
        // The honest editor writes during the run, and comes back once (its presence must be accepted again).
        const writing = (async () => {
          await honest.write(`Sentinel ${round}a`);
          await honest.reconnect();
          await honest.write(`Sentinel ${round}b`);
        })();
        await Promise.all(ROLES.map((role, i) => connections[i]!.run(messages[role], 8, (o) => record(tally, o))));
        await writing;
        for (const c of connections) c.close();
        sent += tally.sent;

        const check = await checkDocument(server.url, cookies.secretariat!, documentId, honest.sentinels);
        const problems = [
          ...((await healthy(server.url)) ? [] : ["the server did not answer a page request"]),
          ...findings(tally),
          ...honest.refusedPresence.map((error) => `the honest editor's own presence was refused: ${error}`),
          ...honest.applyErrors.map((error) => `the honest editor could not apply what the server relayed: ${error}`),
          ...check.problems.map((problem) => `the document ${problem}`),
        ];
        if (problems.length) throw new Error(`batch ${round} (${tally.sent} messages):\n${problems.join("\n")}`);
      }),
      // Each batch talks to a real server; on failure, the findings above list every mishandled message of the batch.
      {
        numRuns: RUNS,
        endOnFailure: true,
        seed: Number(process.env.LIVE_FUZZ_SEED ?? Date.now() % 2 ** 31),
        // The seed and the findings say more than the hundreds of generated messages would.
        reporter: (run) => {
          if (run.failed)
            throw new Error(`Failed with LIVE_FUZZ_SEED=${run.seed}: ${(run.errorInstance as Error | undefined)?.message ?? ""}`);
        },
      },
    );
    honest.close();
    expect(sent).toBeGreaterThan(RUNS * 40);
  });
});
