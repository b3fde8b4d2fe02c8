import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NO_GROUP, balanceOf, proposeAssignment, type BalancePerson, type BalanceRoom } from "../../app/models/breakout-balance";

const GROUPS = ["government", "ngo", "industry", "research"] as const;

/** Rooms with distinct ids, pillars 1–5 (or none) and an optional capacity. */
const roomsArb = (options: { capacities: boolean; minRooms?: number; maxRooms?: number }) =>
  fc
    .array(
      fc.record({
        capacity: options.capacities ? fc.option(fc.integer({ min: 0, max: 12 }), { nil: null }) : fc.constant(null),
        pillarId: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
      }),
      { minLength: options.minRooms ?? 1, maxLength: options.maxRooms ?? 8 },
    )
    .map((rooms): BalanceRoom[] => rooms.map((room, i) => ({ id: 100 + i, ...room })));

/**
 * People of organisations; an organisation has one stakeholder group (as in Convene, where the group is the
 * organisation's), and some people have no organisation.
 */
const peopleArb = (maxPeople = 60) =>
  fc
    .record({
      organisationGroups: fc.array(fc.option(fc.constantFrom(...GROUPS), { nil: null }), { minLength: 1, maxLength: 15 }),
      people: fc.array(
        fc.record({
          organisation: fc.nat(),
          noOrganisation: fc.boolean(),
          preferredPillarId: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
        }),
        { maxLength: maxPeople },
      ),
    })
    .map(({ organisationGroups, people }): BalancePerson[] =>
      people.map((p, i) => {
        const org = p.organisation % organisationGroups.length;
        return {
          id: 1 + i * 3,
          organisationId: p.noOrganisation ? null : 1000 + org,
          group: p.noOrganisation ? "ngo" : organisationGroups[org]!,
          preferredPillarId: p.preferredPillarId,
        };
      }),
    );

const groupOf = (p: BalancePerson) => p.group ?? NO_GROUP;

function sizesOf(rooms: BalanceRoom[], assignment: ReadonlyMap<number, number>) {
  return rooms.map((room) => [...assignment.values()].filter((id) => id === room.id).length);
}

function groupCounts(rooms: BalanceRoom[], people: BalancePerson[], assignment: ReadonlyMap<number, number>) {
  const groups = [...new Set(people.map(groupOf))];
  return groups.map((g) => rooms.map((room) => people.filter((p) => groupOf(p) === g && assignment.get(p.id) === room.id).length));
}

const totalRepeats = (rooms: BalanceRoom[], people: BalancePerson[], assignment: ReadonlyMap<number, number>) =>
  balanceOf(rooms, people, assignment).reduce((n, r) => n + r.organisationsRepeated, 0);

const organisationSizes = (people: BalancePerson[]) => {
  const sizes = new Map<number, number>();
  for (const p of people) if (p.organisationId !== null) sizes.set(p.organisationId, (sizes.get(p.organisationId) ?? 0) + 1);
  return sizes;
};

describe("the balanced proposal (properties)", () => {
  it("places everyone it can, in existing rooms, never over a capacity; a room more than one smaller than the largest is full", () => {
    fc.assert(
      fc.property(roomsArb({ capacities: true }), peopleArb(), (rooms, people) => {
        const assignment = proposeAssignment(rooms, people);
        const capacity = rooms.reduce((n, r) => n + (r.capacity ?? Infinity), 0);
        expect(assignment.size).toBe(Math.min(people.length, capacity));
        const ids = new Set(rooms.map((r) => r.id));
        for (const [personId, roomId] of assignment) {
          expect(ids.has(roomId)).toBe(true);
          expect(people.some((p) => p.id === personId)).toBe(true);
        }
        const sizes = sizesOf(rooms, assignment);
        const largest = Math.max(...sizes);
        rooms.forEach((room, r) => {
          if (room.capacity !== null) expect(sizes[r]).toBeLessThanOrEqual(room.capacity);
          if (sizes[r]! < largest - 1) expect(sizes[r]).toBe(room.capacity);
        });
      }),
      { numRuns: 300 },
    );
  });

  it("without capacities: room sizes within one, and every stakeholder group's counts across rooms within one", () => {
    fc.assert(
      fc.property(roomsArb({ capacities: false }), peopleArb(), (rooms, people) => {
        const assignment = proposeAssignment(rooms, people);
        expect(assignment.size).toBe(people.length);
        const sizes = sizesOf(rooms, assignment);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        for (const counts of groupCounts(rooms, people, assignment)) {
          expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("without capacities: organisations repeat in a room only when unavoidable (the fewest repeats possible)", () => {
    // An organisation of k people in a group of n, over R rooms, can reach at most min(R, n) rooms, so it repeats at
    // least k − min(R, n) times; an even spread of the group reaches exactly that for every organisation at once.
    fc.assert(
      fc.property(roomsArb({ capacities: false }), peopleArb(), (rooms, people) => {
        const assignment = proposeAssignment(rooms, people);
        const groupSize = new Map<string, number>();
        for (const p of people) groupSize.set(groupOf(p), (groupSize.get(groupOf(p)) ?? 0) + 1);
        let unavoidable = 0;
        for (const [org, k] of organisationSizes(people)) {
          const group = groupOf(people.find((p) => p.organisationId === org)!);
          unavoidable += Math.max(0, k - Math.min(rooms.length, groupSize.get(group)!));
        }
        expect(totalRepeats(rooms, people, assignment)).toBe(unavoidable);
      }),
      { numRuns: 300 },
    );
  });

  it("meets every preference when an assignment exists that meets them all without unbalancing anything", () => {
    // A planted answer: people in order of group and organisation dealt round the rooms (sizes within one, every group
    // within one, organisations spread as far as they can be), in a random order of rooms; everyone prefers the
    // pillar of the room they were dealt to. Every room has its own pillar.
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 5 })
          .chain((R) => fc.tuple(fc.constant(R), fc.shuffledSubarray([1, 2, 3, 4, 5], { minLength: R, maxLength: R }))),
        peopleArb(),
        ([R, pillars], people) => {
          const rooms: BalanceRoom[] = pillars.map((pillarId, i) => ({ id: 500 + i, capacity: null, pillarId }));
          const dealt = [...people].sort(
            (a, b) => groupOf(a).localeCompare(groupOf(b)) || (a.organisationId ?? 0) - (b.organisationId ?? 0) || a.id - b.id,
          );
          const planted = dealt.map((p, i) => ({ ...p, preferredPillarId: rooms[i % R]!.pillarId }));
          const assignment = proposeAssignment(rooms, planted);
          const balance = balanceOf(rooms, planted, assignment);
          expect(balance.reduce((n, r) => n + r.preferencesMet, 0)).toBe(planted.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("keeps fixed people where they are, and never puts anyone else in a room already over its capacity", () => {
    fc.assert(
      fc.property(
        roomsArb({ capacities: true }),
        peopleArb(40),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 10 }),
        (rooms, people, picks) => {
          const fixed = new Map<number, number>();
          for (const [p, r] of picks) if (people.length) fixed.set(people[p % people.length]!.id, rooms[r % rooms.length]!.id);
          const assignment = proposeAssignment(rooms, people, fixed);
          for (const [personId, roomId] of fixed) expect(assignment.get(personId)).toBe(roomId);
          const sizes = sizesOf(rooms, assignment);
          rooms.forEach((room, r) => {
            const fixedHere = [...fixed.values()].filter((id) => id === room.id).length;
            if (room.capacity !== null) expect(sizes[r]).toBeLessThanOrEqual(Math.max(room.capacity, fixedHere));
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it("is deterministic: the same input in any order gives the same proposal", () => {
    fc.assert(
      fc.property(roomsArb({ capacities: true }), peopleArb(), fc.integer(), (rooms, people, salt) => {
        const shuffled = [...people].sort((a, b) => ((a.id * 7919 + salt) % 101) - ((b.id * 7919 + salt) % 101));
        expect([...proposeAssignment(rooms, shuffled)].sort()).toEqual([...proposeAssignment(rooms, people)].sort());
      }),
      { numRuns: 100 },
    );
  });
});

const person = (
  id: number,
  group: string | null,
  organisationId: number | null,
  preferredPillarId: number | null = null,
): BalancePerson => ({
  id,
  group,
  organisationId,
  preferredPillarId,
});

describe("the balanced proposal (worked examples)", () => {
  it("splits six from government and four NGOs over two rooms as 3 + 2 each", () => {
    const rooms: BalanceRoom[] = [
      { id: 1, capacity: null, pillarId: 1 },
      { id: 2, capacity: null, pillarId: 2 },
    ];
    const people = [
      ...[1, 2, 3, 4, 5, 6].map((id) => person(id, "government", 100 + id)),
      ...[7, 8, 9, 10].map((id) => person(id, "ngo", 100 + id)),
    ];
    const balance = balanceOf(rooms, people, proposeAssignment(rooms, people));
    expect(balance.map((r) => [r.size, r.groups])).toEqual([
      [5, { government: 3, ngo: 2 }],
      [5, { government: 3, ngo: 2 }],
    ]);
  });

  it("fills a small room to its capacity and shares the rest evenly; beyond every capacity people stay unassigned", () => {
    const rooms: BalanceRoom[] = [
      { id: 1, capacity: 2, pillarId: null },
      { id: 2, capacity: null, pillarId: null },
      { id: 3, capacity: null, pillarId: null },
    ];
    const nine = Array.from({ length: 9 }, (_, i) => person(i + 1, "ngo", null));
    expect(sizesOf(rooms, proposeAssignment(rooms, nine)).sort()).toEqual([2, 3, 4]);

    const small: BalanceRoom[] = [
      { id: 1, capacity: 2, pillarId: null },
      { id: 2, capacity: 2, pillarId: null },
    ];
    const five = Array.from({ length: 5 }, (_, i) => person(i + 1, "ngo", null));
    const assignment = proposeAssignment(small, five);
    expect(assignment.size).toBe(4);
    expect(sizesOf(small, assignment)).toEqual([2, 2]);
  });

  it("puts three people of one organisation in three different rooms, and prefers the preferred pillar when it costs nothing", () => {
    const rooms: BalanceRoom[] = [
      { id: 1, capacity: null, pillarId: 1 },
      { id: 2, capacity: null, pillarId: 2 },
      { id: 3, capacity: null, pillarId: 3 },
    ];
    // Both colleagues prefer pillar 1: only one of them can have it without sharing the room.
    const people = [person(1, "industry", 7, 1), person(2, "industry", 7, 1), person(3, "industry", 7, 3)];
    const assignment = proposeAssignment(rooms, people);
    expect(new Set(assignment.values()).size).toBe(3);
    expect(assignment.get(3)).toBe(3);
    expect([assignment.get(1), assignment.get(2)]).toContain(1);
    const balance = balanceOf(rooms, people, assignment);
    expect(balance.reduce((n, r) => n + r.preferencesMet, 0)).toBe(2);
    expect(balance.reduce((n, r) => n + r.preferencesTotal, 0)).toBe(3);
  });

  it("gives a preference its room where the balance allows, and not where it would unbalance the rooms", () => {
    const rooms: BalanceRoom[] = [
      { id: 1, capacity: null, pillarId: 1 },
      { id: 2, capacity: null, pillarId: 2 },
    ];
    // Everyone wants pillar 1: only half can have it.
    const people = [1, 2, 3, 4].map((id) => person(id, null, null, 1));
    const balance = balanceOf(rooms, people, proposeAssignment(rooms, people));
    expect(balance.map((r) => r.size)).toEqual([2, 2]);
    expect(balance.map((r) => [r.preferencesMet, r.preferencesTotal])).toEqual([
      [2, 2],
      [0, 2],
    ]);
    expect(balance[0]!.groups).toEqual({ [NO_GROUP]: 2 });
  });

  it("proposes nothing without rooms or people", () => {
    expect(proposeAssignment([], [person(1, "ngo", null)]).size).toBe(0);
    expect(proposeAssignment([{ id: 1, capacity: null, pillarId: null }], []).size).toBe(0);
  });

  it("balances 1,000 people in 20 rooms: 50 each, no organisation twice in a room", () => {
    const rooms: BalanceRoom[] = Array.from({ length: 20 }, (_, i) => ({ id: i + 1, capacity: null, pillarId: (i % 5) + 1 }));
    const people = Array.from({ length: 1000 }, (_, i) => person(i + 1, GROUPS[i % 4]!, 1 + Math.floor(i / 6), ((i * 7) % 5) + 1));
    const assignment = proposeAssignment(rooms, people);
    const sizes = sizesOf(rooms, assignment);
    expect(sizes.every((n) => n === 50)).toBe(true);
    expect(totalRepeats(rooms, people, assignment)).toBe(0);
  });
});
