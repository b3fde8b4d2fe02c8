/**
 * A server child's memory, read from outside: resident set size from /proc/<pid>/status, and V8's heap after a
 * full garbage collection through the inspector protocol (the server is started with `--inspect=127.0.0.1:0`,
 * so no debug route is needed in Convene itself).
 */
import WebSocket from "ws";
import { procMemory, sleep, type ServerChild } from "../lib";

export interface MemorySample {
  at: string;
  rssMiB: number;
  heapUsedMiB: number;
  externalMiB: number;
}

/** Node options that make `Inspector.connect` possible. */
export const INSPECT_ARGS = ["--inspect=127.0.0.1:0"];

export class Inspector {
  private nextId = 1;
  private waiting = new Map<number, (result: unknown) => void>();

  private constructor(private socket: WebSocket) {
    socket.on("message", (data) => {
      const message = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: unknown };
      if (message.id !== undefined) {
        this.waiting.get(message.id)?.(message.error ? { error: message.error } : message.result);
        this.waiting.delete(message.id);
      }
    });
  }

  /** Connects to the inspector of a server started with INSPECT_ARGS (its address is on the server's stderr). */
  static async connect(server: ServerChild): Promise<Inspector> {
    let address: string | undefined;
    for (let i = 0; i < 100 && !address; i++) {
      address = /Debugger listening on (ws:\/\/\S+)/.exec(server.diagnostics())?.[1];
      if (!address) await sleep(50);
    }
    if (!address) throw new Error("The server printed no inspector address: start it with INSPECT_ARGS.");
    const socket = new WebSocket(address);
    await new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
    });
    return new Inspector(socket);
  }

  call(method: string, params: object = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Collects garbage twice (what a weak reference frees the first time goes the second), then reads memory. */
  async sample(pid: number): Promise<MemorySample> {
    await this.call("HeapProfiler.collectGarbage");
    await this.call("HeapProfiler.collectGarbage");
    const result = (await this.call("Runtime.evaluate", { expression: "JSON.stringify(process.memoryUsage())", returnByValue: true })) as {
      result?: { value?: string };
    };
    const usage = JSON.parse(result.result?.value ?? "{}") as { heapUsed?: number; external?: number };
    const mib = (bytes: number) => Number((bytes / 1048576).toFixed(1));
    return {
      at: new Date().toISOString(),
      rssMiB: mib(procMemory(pid).rssKiB * 1024),
      heapUsedMiB: mib(usage.heapUsed ?? NaN),
      externalMiB: mib(usage.external ?? NaN),
    };
  }

  close(): void {
    this.socket.close();
  }
}

/** Whether the server answers a page request within `timeoutMs`. */
export async function healthy(url: string, timeoutMs = 5000): Promise<boolean> {
  try {
    const res = await fetch(`${url}/sign-in`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}
