/**
 * Sends generated messages over real Socket.IO connections (socket.io-client with the msgpack parser, as
 * browsers do) and records what became of each: answered (ok or refused), never answered within the time limit,
 * or lost because the connection closed. Shared by the fuzz benchmark and its property-based test.
 */
import parser from "socket.io-msgpack-parser";
import { io, type Socket } from "socket.io-client";
import type { DocSocket } from "../../app/realtime/doc-provider";
import type { FuzzMessage } from "./generators";

export interface Outcome {
  message: FuzzMessage;
  /** "ok" / "refused" (with `error`), "unanswered" (no answer within the limit), "closed" (the connection closed first), "sent" (no ack asked). */
  result: "ok" | "refused" | "unanswered" | "closed" | "sent";
  error?: string;
}

export interface Tally {
  sent: number;
  withAck: number;
  answered: number;
  unanswered: number;
  closed: number;
  /** `mustRefuse` messages the server accepted. */
  wronglyAccepted: number;
  /** Per kind: counts of unanswered and wrongly accepted messages. */
  unansweredByKind: Record<string, number>;
  wronglyAcceptedByKind: Record<string, number>;
  /** Requests counted as unanswered whose answer came after the time limit (the server was stalled, not silent). */
  late: number;
  lateByKind: Record<string, number>;
  /** Answers seen, per error code ("ok" for accepted). */
  answers: Record<string, number>;
}

export function emptyTally(): Tally {
  return {
    sent: 0,
    withAck: 0,
    answered: 0,
    unanswered: 0,
    closed: 0,
    wronglyAccepted: 0,
    unansweredByKind: {},
    wronglyAcceptedByKind: {},
    late: 0,
    lateByKind: {},
    answers: {},
  };
}

export function record(tally: Tally, outcome: Outcome): void {
  const bump = (map: Record<string, number>, key: string) => (map[key] = (map[key] ?? 0) + 1);
  tally.sent++;
  if (outcome.message.ack) tally.withAck++;
  if (outcome.result === "ok" || outcome.result === "refused") {
    tally.answered++;
    bump(tally.answers, outcome.result === "ok" ? "ok" : (outcome.error ?? "refused"));
  }
  if (outcome.result === "unanswered") {
    tally.unanswered++;
    bump(tally.unansweredByKind, outcome.message.kind);
  }
  if (outcome.result === "closed") tally.closed++;
  if (outcome.result === "ok" && outcome.message.mustRefuse) {
    tally.wronglyAccepted++;
    bump(tally.wronglyAcceptedByKind, outcome.message.kind);
  }
}

/** Records that a request already counted as unanswered was answered after all, too late. */
export function recordLate(tally: Tally, message: FuzzMessage): void {
  tally.late++;
  tally.lateByKind[message.kind] = (tally.lateByKind[message.kind] ?? 0) + 1;
}

/** Opens a socket as a page does; resolves once connected (rejects with the refusal). */
export function openSocket(url: string, cookie: string | undefined, origin = url): Promise<Socket> {
  const socket = io(url, {
    parser,
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    extraHeaders: { Origin: origin, ...(cookie ? { Cookie: cookie } : {}) },
  });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (error) => {
      socket.close();
      reject(error);
    });
  });
}

/**
 * A connection that sends messages and awaits their answers, at most `window` at a time. A connection the server
 * closes (a message beyond the transport limit) is opened again for the next message.
 */
export class FuzzConnection {
  private socket: Socket | null = null;
  private pending = new Set<(o: "closed") => void>();
  private onClose = () => {
    for (const resolve of this.pending) resolve("closed");
    this.pending.clear();
  };

  constructor(
    readonly url: string,
    readonly cookie: string,
    /** Sent after every (re)connection, e.g. joining the document under attack. */
    readonly onOpen: (socket: Socket) => Promise<void>,
    readonly timeoutMs: number,
    /** Called when an answer arrives after its request was counted as unanswered. */
    readonly onLate: (message: FuzzMessage) => void = () => {},
  ) {}

  /** Connections opened so far (the first, and each after the server closed one). */
  opened = 0;

  private opening: Promise<Socket> | null = null;

  /** The open connection; concurrent callers share one opening, so no connection is left behind unclosed. */
  ensureOpen(): Promise<Socket> {
    if (this.socket?.connected) return Promise.resolve(this.socket);
    this.opening ??= (async () => {
      this.socket?.close();
      const socket = await openSocket(this.url, this.cookie);
      socket.on("disconnect", this.onClose);
      this.socket = socket;
      this.opened++;
      await this.onOpen(socket);
      return socket;
    })().finally(() => (this.opening = null));
    return this.opening;
  }

  async send(message: FuzzMessage): Promise<Outcome> {
    const socket = await this.ensureOpen();
    if (!message.ack) {
      socket.emit(message.event, ...message.args);
      return { message, result: "sent" };
    }
    return new Promise<Outcome>((resolve) => {
      let done = false;
      const finish = (o: Outcome) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.pending.delete(onClosed);
        resolve(o);
      };
      const onClosed = () => finish({ message, result: "closed" });
      this.pending.add(onClosed);
      const timer = setTimeout(() => finish({ message, result: "unanswered" }), this.timeoutMs);
      socket.emit(message.event, ...message.args, (res: unknown) => {
        if (done) return this.onLate(message);
        const answer = res as { ok?: unknown; error?: unknown } | null;
        if (answer && answer.ok === true) finish({ message, result: "ok" });
        else finish({ message, result: "refused", error: typeof answer?.error === "string" ? answer.error : "malformed answer" });
      });
    });
  }

  /** Sends every message, keeping at most `window` awaiting an answer. */
  async run(messages: FuzzMessage[], window: number, onOutcome: (o: Outcome) => void): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < messages.length) {
        const message = messages[next++]!;
        // A message that closes the connection goes alone, so it does not take others' answers with it.
        if (message.closesConnection) await this.drain();
        onOutcome(await this.send(message));
      }
    };
    await Promise.all(Array.from({ length: window }, worker));
  }

  private async drain() {
    while (this.pending.size > 0) await new Promise((r) => setTimeout(r, 5));
  }

  close() {
    this.socket?.off("disconnect", this.onClose);
    this.socket?.close();
    this.onClose();
  }
}

/**
 * The socket as a `DocProvider` sees it, with every listener the provider registers wrapped so that an update it
 * cannot apply (the server relayed or sent something broken) is recorded in `errors` instead of thrown.
 */
export function guardedSocket(socket: Socket, errors: string[]): DocSocket {
  const wrapped = new Map<(...args: never[]) => void, (...args: unknown[]) => void>();
  return {
    get connected() {
      return socket.connected;
    },
    emit: (event: string, ...args: unknown[]) => socket.emit(event, ...args),
    on(event: string, listener: (...args: never[]) => void) {
      const guard = (...args: unknown[]) => {
        try {
          (listener as (...a: unknown[]) => void)(...args);
        } catch (error) {
          errors.push(`${event}: ${(error as Error).message}`);
        }
      };
      wrapped.set(listener, guard);
      socket.on(event, guard);
    },
    off(event: string, listener: (...args: never[]) => void) {
      socket.off(event, wrapped.get(listener) ?? (listener as (...a: unknown[]) => void));
      wrapped.delete(listener);
    },
  };
}
