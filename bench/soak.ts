/**
 * Soak: `npm run bench:soak`. A real server (the production build as a child process) under steady, ordinary
 * load for BENCH_SOAK_MINUTES (default 30): agenda changes (a session moved on the timetable every 2 s, pushed to
 * 50 sockets following the event), document typing (5 documents, each with a typist who types and deletes a
 * sentence at 5 keys/s through the app's provider, and 4 readers), and sign-ins (a delegate signs in through
 * POST /sign-in every second, opens a socket, asks `whoami`, closes it). The server's resident memory and its
 * heap after a full garbage collection are sampled every 30 s; drift is the average of the last 5 minutes
 * against the first 5 minutes after a warm-up (goal: under 10 %).
 *
 * BENCH_SOAK_MINUTES (default 30), BENCH_SOAK_SAMPLE_S (default 30). Shorter runs scale the warm-up (a fifth of
 * the run, at most 2 minutes) and the windows (at most 5 minutes, at most a third of what follows the warm-up).
 */
import * as Y from "yjs";
import { DOCUMENT_FIELD } from "../app/editor/extensions";
import { DocProvider } from "../app/realtime/doc-provider";
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from "../db/seed";
import { openSocket } from "./fuzz/client";
import { INSPECT_ARGS, Inspector, type MemorySample } from "./fuzz/memory";
import { PEOPLE, prepareSeededForum } from "./fuzz/setup";
import { deadline, fmt, printTable, reportLoad, saveResults, signIn, sleep, startServer } from "./lib";

const MINUTES = Number(process.env.BENCH_SOAK_MINUTES ?? 30);
const SAMPLE_S = Number(process.env.BENCH_SOAK_SAMPLE_S ?? 30);
const DURATION_MS = MINUTES * 60_000;
const WARMUP_MS = Math.min(2 * 60_000, DURATION_MS / 5);
const WINDOW_MS = Math.min(5 * 60_000, (DURATION_MS - WARMUP_MS) / 3);
const DOCUMENTS = 5;
const READERS_PER_DOCUMENT = 4;
const AGENDA_FOLLOWERS = 50;
const GOAL = 0.1;
deadline(DURATION_MS + 10 * 60_000, "soak");

/** Delegates who sign in over and over (not the secretariat, whose sign-in may ask for a second factor). */
const SIGNING_IN = DEMO_ACCOUNTS.filter((a) => a.role === "delegate").map((a) => a.email);

async function main() {
  const loadAtStart = reportLoad("soak");
  const { databasePath, forum, event, roomId, session } = await prepareSeededForum(DOCUMENTS, "Soak");

  const server = await startServer({ databasePath, nodeArgs: INSPECT_ARGS });
  const inspector = await Inspector.connect(server);
  console.log(`Soak for ${MINUTES} min (warm-up ${WARMUP_MS / 1000} s, windows ${WINDOW_MS / 1000} s), server pid ${server.pid}`);
  const readerCookie = await signIn(server.url, PEOPLE.reader.email, DEMO_PASSWORD);
  const typistCookie = await signIn(server.url, PEOPLE.honest.email, DEMO_PASSWORD);
  const secretariatCookie = await signIn(server.url, PEOPLE.secretariat.email, DEMO_PASSWORD);
  let running = true;
  const counts = { agendaChanges: 0, agendaPushes: 0, keys: 0, signIns: 0, failures: 0 };

  // Agenda followers.
  const followers = await Promise.all(
    Array.from({ length: AGENDA_FOLLOWERS }, async () => {
      const socket = await openSocket(server.url, readerCookie);
      await socket.emitWithAck("event:join", { eventId: event.id });
      socket.on("agenda:changed", () => counts.agendaPushes++);
      return socket;
    }),
  );
  // Readers and typists of each document.
  const open = async (cookie: string, documentId: number) => {
    const socket = await openSocket(server.url, cookie);
    const provider = new DocProvider(socket, documentId, new Y.Doc());
    await new Promise<void>((r) => provider.once("synced", () => r()));
    return { socket, provider };
  };
  const readers = await Promise.all(
    forum.documentIds.flatMap((documentId) => Array.from({ length: READERS_PER_DOCUMENT }, () => open(readerCookie, documentId))),
  );
  const typists = await Promise.all(forum.documentIds.map((documentId) => open(typistCookie, documentId)));

  const typing = typists.map(async ({ provider }) => {
    const fragment = provider.doc.getXmlFragment(DOCUMENT_FIELD);
    const paragraph = new Y.XmlElement("paragraph");
    const text = new Y.XmlText();
    paragraph.insert(0, [text]);
    fragment.insert(fragment.length, [paragraph]);
    const sentence = "The working group agreed on a common outline. ";
    while (running) {
      for (const ch of sentence) {
        if (!running) break;
        text.insert(text.length, ch);
        counts.keys++;
        await sleep(200);
      }
      text.delete(0, text.length);
    }
  });
  const agenda = (async () => {
    for (let n = 0; running; n++) {
      const minute = String(n % 60).padStart(2, "0");
      try {
        const res = await fetch(`${server.url}/events/${event.id}/timetable.data`, {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server.url, Cookie: secretariatCookie },
          body: new URLSearchParams({
            intent: "move",
            sessionId: String(session.id),
            roomId: String(roomId),
            date: event.endsOn,
            startTime: `08:${minute}`,
            endTime: `09:${minute}`,
            acceptConflicts: "1",
          }).toString(),
          redirect: "manual",
        });
        await res.arrayBuffer();
        if (res.status < 400) counts.agendaChanges++;
        else counts.failures++;
      } catch {
        counts.failures++;
      }
      await sleep(2000);
    }
  })();
  const signIns = (async () => {
    for (let n = 0; running; n++) {
      try {
        const cookie = await signIn(server.url, SIGNING_IN[n % SIGNING_IN.length]!, DEMO_PASSWORD);
        const socket = await openSocket(server.url, cookie);
        await socket.emitWithAck("whoami", {});
        socket.close();
        counts.signIns++;
      } catch {
        counts.failures++;
      }
      await sleep(1000);
    }
  })();

  const started = performance.now();
  const samples: (MemorySample & { minute: number })[] = [];
  while (performance.now() - started < DURATION_MS) {
    await sleep(Math.min(SAMPLE_S * 1000, DURATION_MS - (performance.now() - started)));
    const sample = { ...(await inspector.sample(server.pid)), minute: Number(fmt((performance.now() - started) / 60_000, 2)) };
    samples.push(sample);
    console.log(
      `  ${fmt(sample.minute, 1)} min: RSS ${sample.rssMiB} MiB, heap used ${sample.heapUsedMiB} MiB; ${counts.agendaChanges} agenda changes, ${counts.keys} keys, ${counts.signIns} sign-ins, ${counts.failures} failures`,
    );
  }
  running = false;
  await Promise.all([...typing, agenda, signIns]);
  for (const s of followers) s.close();
  for (const r of [...readers, ...typists]) {
    r.provider.destroy();
    r.socket.close();
  }
  inspector.close();
  await server.stop();

  const windowMinutes = WINDOW_MS / 60_000;
  const warmupMinutes = WARMUP_MS / 60_000;
  const total = DURATION_MS / 60_000;
  const firstWindow = samples.filter((s) => s.minute > warmupMinutes && s.minute <= warmupMinutes + windowMinutes + 1e-9);
  const lastWindow = samples.filter((s) => s.minute > total - windowMinutes - 1e-9);
  const avg = (list: MemorySample[], key: "rssMiB" | "heapUsedMiB") => list.reduce((n, s) => n + s[key], 0) / Math.max(1, list.length);
  const drift = {
    rss: avg(lastWindow, "rssMiB") / avg(firstWindow, "rssMiB") - 1,
    heapUsed: avg(lastWindow, "heapUsedMiB") / avg(firstWindow, "heapUsedMiB") - 1,
  };
  printTable(
    ["window", "samples", "RSS (MiB)", "heap used (MiB)"],
    [
      [
        `first after warm-up (${fmt(warmupMinutes, 1)}–${fmt(warmupMinutes + windowMinutes, 1)} min)`,
        firstWindow.length,
        fmt(avg(firstWindow, "rssMiB")),
        fmt(avg(firstWindow, "heapUsedMiB")),
      ],
      [
        `last (${fmt(total - windowMinutes, 1)}–${fmt(total, 1)} min)`,
        lastWindow.length,
        fmt(avg(lastWindow, "rssMiB")),
        fmt(avg(lastWindow, "heapUsedMiB")),
      ],
    ],
  );
  const met = Math.abs(drift.rss) < GOAL && drift.heapUsed < GOAL;
  console.log(
    `Drift: RSS ${fmt(drift.rss * 100)} %, heap used ${fmt(drift.heapUsed * 100)} %; goal under ${GOAL * 100} %: ${met ? "met" : "NOT met"}. Load: ${JSON.stringify(counts)}`,
  );
  const loadAtEnd = reportLoad("soak");
  const file = saveResults(`soak-${MINUTES}min`, {
    minutes: MINUTES,
    warmupMinutes,
    windowMinutes,
    samples,
    drift,
    met,
    counts,
    loadAtStart,
    loadAtEnd,
  });
  console.log(`Saved ${file}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
