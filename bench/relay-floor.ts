/**
 * The transport's own share of fan-out latency: a bare relay (receive, send to the room, acknowledge;
 * no Yjs, no database, no checks) over Socket.IO with the msgpack parser, against the same over plain
 * `ws`. One writer at 100 messages/s; 2, 10 and 50 clients; each server in its own process.
 */
import { fork } from "node:child_process";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { deadline, fmt, printTable, reportLoad, saveResults, sleep, summary, wallNow } from "./lib";

const CLIENTS = [2, 10, 50];
const RATE = 100;
const MEASURE_MS = 4000;
const RUNS = 2;

async function serve(kind: "sio" | "ws") {
  const http = createServer();
  if (kind === "sio") {
    const { Server } = await import("socket.io");
    const parser = (await import("socket.io-msgpack-parser")).default;
    const io = new Server(http, { parser, serveClient: false });
    io.on("connection", (s) => {
      void s.join("room");
      s.on("m", (id: number, buf: Buffer, ack?: (x: unknown) => void) => {
        s.to("room").emit("m", id, buf);
        ack?.({ ok: true });
      });
    });
  } else {
    const { WebSocketServer } = await import("ws");
    const wss = new WebSocketServer({ server: http });
    wss.on("connection", (ws) =>
      ws.on("message", (data, isBinary) => {
        for (const c of wss.clients) if (c !== ws) c.send(data, { binary: isBinary });
        ws.send(Buffer.from([1]));
      }),
    );
  }
  http.listen(0, "127.0.0.1", () => process.send!((http.address() as { port: number }).port));
}

async function measure(kind: "sio" | "ws", clients: number) {
  const child = fork(fileURLToPath(import.meta.url), [`serve-${kind}`], { execArgv: ["--import", "tsx"] });
  const port: number = await new Promise((r) => child.once("message", (m) => r(m as number)));
  const latencies: number[] = [];
  const senders: { send: (b: Buffer) => void; close: () => void }[] = [];
  for (let i = 0; i < clients; i++) {
    if (kind === "sio") {
      const { io } = await import("socket.io-client");
      const parser = (await import("socket.io-msgpack-parser")).default;
      const s = io(`http://127.0.0.1:${port}`, { parser, transports: ["websocket"], forceNew: true });
      await new Promise<void>((r) => s.once("connect", () => r()));
      s.on("m", (_id: number, buf: Buffer) => latencies.push(wallNow() - Buffer.from(buf).readDoubleLE(0)));
      senders.push({ send: (b) => s.emit("m", 1, b, () => {}), close: () => s.close() });
    } else {
      const { default: WebSocket } = await import("ws");
      const w = new WebSocket(`ws://127.0.0.1:${port}`);
      await new Promise((r) => w.once("open", r));
      w.on("message", (d: Buffer) => d.length > 1 && latencies.push(wallNow() - d.readDoubleLE(0)));
      senders.push({ send: (b) => w.send(b), close: () => w.close() });
    }
  }
  await sleep(500);
  latencies.length = 0;
  const end = Date.now() + MEASURE_MS;
  while (Date.now() < end) {
    const b = Buffer.alloc(40);
    b.writeDoubleLE(wallNow(), 0);
    senders[0]!.send(b);
    await sleep(1000 / RATE);
  }
  await sleep(300);
  senders.forEach((c) => c.close());
  child.kill();
  return summary(latencies);
}

async function main() {
  deadline(5 * 60_000, "relay-floor");
  const loadAtStart = reportLoad("relay-floor");
  const rows: (string | number)[][] = [];
  const results: Record<string, unknown>[] = [];
  for (const clients of CLIENTS) {
    for (let run = 1; run <= RUNS; run++) {
      for (const kind of ["sio", "ws"] as const) {
        const s = await measure(kind, clients);
        results.push({ kind, clients, run, ...s });
        rows.push([kind === "sio" ? "Socket.IO + msgpack" : "plain ws", clients, run, s.n, fmt(s.p50, 2), fmt(s.p99, 2)]);
      }
    }
  }
  console.log(`Bare relay, one writer at ${RATE} messages/s, ${MEASURE_MS} ms measured per run (ms, send to received)`);
  printTable(["transport", "clients", "run", "n", "p50", "p99"], rows);
  console.log(`\nSaved ${saveResults("relay-floor", { loadAtStart, results })}`);
}

const mode = process.argv[2];
if (mode === "serve-sio" || mode === "serve-ws") await serve(mode === "serve-sio" ? "sio" : "ws");
else {
  await main();
  process.exit(0);
}
