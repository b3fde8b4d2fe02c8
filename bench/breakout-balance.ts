/**
 * The balanced breakout proposal on a forum-sized crowd: 1,000 delegates of realistic organisations (one to twelve
 * people each, a few large ones), seven stakeholder groups of uneven size, 70 % stating a preferred pillar (skewed
 * towards two pillars), in 5 rooms (one per pillar) and in 20 rooms (four per pillar). Runs each case `RUNS` times in
 * this process (no server) and prints the time p50/max and the balance achieved. Goal: well under a second.
 */
import { balanceOf, proposeAssignment, type BalancePerson, type BalanceRoom } from "../app/models/breakout-balance";
import { fmt, printTable, reportLoad, saveResults, summary } from "./lib";

const RUNS = Number(process.env.BENCH_BALANCE_RUNS ?? 20);
const PEOPLE = 1000;

/** Stakeholder groups and their share of delegates (governments and NGOs the largest, as at the forum). */
const GROUPS: [string, number][] = [
  ["government", 0.3],
  ["ngo", 0.22],
  ["law_enforcement", 0.14],
  ["industry", 0.14],
  ["hotline", 0.09],
  ["research", 0.07],
  ["intergovernmental", 0.04],
];
/** How often delegates prefer each of the five pillars. */
const PILLAR_WEIGHTS = [0.32, 0.26, 0.18, 0.14, 0.1];

/** A small seeded generator (mulberry32), so every run and every machine measures the same crowd. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rand: () => number, weighted: [T, number][]): T {
  let r = rand();
  for (const [value, weight] of weighted) if ((r -= weight) < 0) return value;
  return weighted.at(-1)![0];
}

function crowd(seed: number): BalancePerson[] {
  const rand = random(seed);
  const people: BalancePerson[] = [];
  let organisationId = 0;
  while (people.length < PEOPLE) {
    organisationId++;
    const group = pick(rand, GROUPS);
    // Most organisations send one to four people; one in ten sends a delegation of up to twelve.
    const size = rand() < 0.1 ? 5 + Math.floor(rand() * 8) : 1 + Math.floor(rand() * 4);
    for (let i = 0; i < size && people.length < PEOPLE; i++) {
      people.push({
        id: people.length + 1,
        organisationId,
        group,
        preferredPillarId:
          rand() < 0.7
            ? pick(
                rand,
                PILLAR_WEIGHTS.map((w, p): [number, number] => [p + 1, w]),
              )
            : null,
      });
    }
  }
  return people;
}

/** The fewest organisation repeats possible: an organisation of k people can reach at most one room each. */
function unavoidableRepeats(people: BalancePerson[], rooms: number) {
  const sizes = new Map<number, number>();
  for (const p of people) if (p.organisationId !== null) sizes.set(p.organisationId, (sizes.get(p.organisationId) ?? 0) + 1);
  return [...sizes.values()].reduce((n, k) => n + Math.max(0, k - rooms), 0);
}

reportLoad("bench:balance");
const people = crowd(2026);
console.log(
  `${people.length} people of ${new Set(people.map((p) => p.organisationId)).size} organisations, ${people.filter((p) => p.preferredPillarId !== null).length} stating a preferred pillar`,
);
const rows: (string | number)[][] = [];
const results: Record<string, unknown>[] = [];
for (const roomCount of [5, 20]) {
  const rooms: BalanceRoom[] = Array.from({ length: roomCount }, (_, i) => ({ id: i + 1, capacity: null, pillarId: (i % 5) + 1 }));
  const times: number[] = [];
  let assignment = new Map<number, number>();
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    assignment = proposeAssignment(rooms, people);
    times.push(performance.now() - started);
  }
  const balance = balanceOf(rooms, people, assignment);
  const sizes = balance.map((r) => r.size);
  const groupSpread = Math.max(
    ...GROUPS.map(([g]) => {
      const counts = balance.map((r) => r.groups[g] ?? 0);
      return Math.max(...counts) - Math.min(...counts);
    }),
  );
  const repeats = balance.reduce((n, r) => n + r.organisationsRepeated, 0);
  const met = balance.reduce((n, r) => n + r.preferencesMet, 0);
  const stated = balance.reduce((n, r) => n + r.preferencesTotal, 0);
  const time = summary(times);
  rows.push([
    `${PEOPLE} people, ${roomCount} rooms`,
    fmt(time.p50),
    fmt(time.max),
    `${Math.min(...sizes)}–${Math.max(...sizes)}`,
    groupSpread,
    `${repeats} (fewest possible ${unavoidableRepeats(people, roomCount)})`,
    `${met} of ${stated}`,
  ]);
  results.push({
    people: PEOPLE,
    rooms: roomCount,
    runs: RUNS,
    timeMs: time,
    sizes,
    groupSpread,
    repeats,
    preferencesMet: met,
    preferencesStated: stated,
  });
}
printTable(["Case", "p50 ms", "max ms", "Room sizes", "Largest group spread", "Organisation repeats", "Preferences met"], rows);
console.log(`Saved ${saveResults("breakout-balance", { cases: results })}`);
