/**
 * The two ways the breakout live side keeps a burst from hurting: pushes of the same kind coalesce (sent at once, then
 * at most once per interval, never losing the last state), and requests are handled in turn, in slices, in order.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { coalesced, workQueue } from "../../server/realtime/breakout-presence";

afterEach(() => {
  vi.useRealTimers();
});

describe("coalesced pushes", () => {
  it("send the first at once and a burst after it as one push at the end of the interval, per key", () => {
    vi.useFakeTimers();
    const state = new Map<number, number>([
      [1, 0],
      [2, 0],
    ]);
    const sent: [number, number][] = [];
    const pushes = coalesced(
      250,
      (key) => sent.push([key, state.get(key)!]),
      () => undefined,
    );
    pushes.request(1);
    expect(sent).toEqual([[1, 0]]);
    for (let i = 1; i <= 100; i++) {
      state.set(1, i);
      pushes.request(1);
    }
    pushes.request(2);
    expect(sent).toEqual([
      [1, 0],
      [2, 0],
    ]);
    vi.advanceTimersByTime(250);
    // The state of the moment it is sent: the last change is never lost.
    expect(sent).toEqual([
      [1, 0],
      [2, 0],
      [1, 100],
    ]);
    vi.advanceTimersByTime(1000);
    expect(sent).toHaveLength(3);
    pushes.request(1);
    expect(sent.at(-1)).toEqual([1, 100]);
    pushes.close();
  });

  it("log a push that fails and go on with the next", () => {
    const logged: string[] = [];
    let fail = true;
    const pushes = coalesced(
      0,
      () => {
        if (fail) throw new Error("database closed");
      },
      (m) => logged.push(m),
    );
    pushes.request(1);
    fail = false;
    pushes.request(1);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/database closed/);
  });
});

describe("requests handled in turn", () => {
  it("answer in arrival order, pass results and errors on, and go back to the event loop between slices", async () => {
    const inTurn = workQueue(5);
    const order: number[] = [];
    let yielded = false;
    const busy = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    const results = Array.from({ length: 10 }, (_, i) =>
      inTurn(() => {
        busy(2);
        order.push(i);
        return i * 2;
      }),
    );
    const failed = inTurn(() => {
      throw new Error("refused");
    });
    // Something else waiting on the event loop gets its turn before all ten (20 ms of work) are done.
    setImmediate(() => {
      yielded = order.length < 10;
    });
    expect(await Promise.all(results)).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    await expect(failed).rejects.toThrow("refused");
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(yielded).toBe(true);
  });
});
