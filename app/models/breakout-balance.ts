/**
 * The balanced proposal for a breakout session: who goes to which room. Pure (no database, no server code), so the
 * plan page can also show a proposal's balance.
 *
 * Goals, in order:
 * 1. room sizes within one person of each other, no room over its capacity (people beyond the rooms' total capacity
 *    stay unassigned);
 * 2. every stakeholder group spread as evenly over the rooms as the numbers allow;
 * 3. at most one person of an organisation in a room where possible;
 * 4. preferred pillars honoured where that breaks none of the above.
 *
 * Two small minimum-cost flows decide it, each exact for its part: first how many people of each group go to each
 * room (sizes and group spread as hard-weighted costs, preferences as a light one), then, group by group, which people
 * fill those places (organisation repeats heavily weighted, preferences lightly). Deterministic: the same input gives
 * the same output; ties go to the earlier room and the lower person id.
 */

export interface BalanceRoom {
  id: number;
  capacity: number | null;
  pillarId: number | null;
}

export interface BalancePerson {
  id: number;
  organisationId: number | null;
  group: string | null;
  preferredPillarId: number | null;
}

export interface RoomBalance {
  roomId: number;
  size: number;
  capacity: number | null;
  /** People per stakeholder group (people without one under `NO_GROUP`). */
  groups: Record<string, number>;
  /** People in the room beyond the first of their organisation. */
  organisationsRepeated: number;
  preferencesMet: number;
  /** People in the room who stated a preference. */
  preferencesTotal: number;
}

/** The key under which people without a stakeholder group are counted. */
export const NO_GROUP = "none";

// Cost weights: each level outweighs everything the levels below it can add up to (at most a few thousand people).
const SIZE_WEIGHT = 1e10;
const GROUP_WEIGHT = 1e6;
const ORGANISATION_WEIGHT = 1e4;

// ---------------------------------------------------------------------------------------------
// A minimum-cost flow (successive shortest paths); the graphs here are small.

class Flow {
  private readonly to: number[] = [];
  private readonly cap: number[] = [];
  private readonly cost: number[] = [];
  private readonly head: number[];
  private readonly next: number[] = [];

  constructor(readonly nodes: number) {
    this.head = new Array<number>(nodes).fill(-1);
  }

  /** Adds an arc and answers its index (its flow is read with `flowOn`). */
  arc(from: number, to: number, capacity: number, cost: number): number {
    const index = this.to.length;
    this.to.push(to, from);
    this.cap.push(capacity, 0);
    this.cost.push(cost, -cost);
    this.next.push(this.head[from]!, this.head[to]!);
    this.head[from] = index;
    this.head[to] = index + 1;
    return index;
  }

  flowOn(arc: number): number {
    return this.cap[arc + 1]!;
  }

  /**
   * Sends as much as possible from `source` to `sink` at the least cost; answers the amount sent. Primal-dual: the
   * shortest distances from the source by Bellman-Ford with a queue (costs may be negative; the graphs here have no
   * cycles to begin with, and augmenting along shortest paths never makes a negative one), then as much flow as the
   * shortest paths take at once (blocking flows on the arcs those distances make tight), and again. The costs here take
   * few values, so few rounds are needed. Costs are whole numbers well below 2^53, so every sum is exact.
   */
  run(source: number, sink: number): number {
    const n = this.nodes;
    const dist = new Float64Array(n);
    const queued = new Uint8Array(n);
    const level = new Int32Array(n);
    const current = new Int32Array(n);
    const tight = (a: number, u: number) => this.cap[a]! > 0 && dist[u]! + this.cost[a]! === dist[this.to[a]!];
    const push = (u: number, limit: number): number => {
      if (u === sink) return limit;
      for (let a = current[u]!; a !== -1; a = current[u] = this.next[a]!) {
        const v = this.to[a]!;
        if (level[v] !== level[u]! + 1 || !tight(a, u)) continue;
        const pushed = push(v, Math.min(limit, this.cap[a]!));
        if (pushed > 0) {
          this.cap[a]! -= pushed;
          this.cap[a ^ 1]! += pushed;
          return pushed;
        }
      }
      return 0;
    };
    let sent = 0;
    for (;;) {
      dist.fill(Infinity);
      dist[source] = 0;
      const queue: number[] = [source];
      queued[source] = 1;
      for (let q = 0; q < queue.length; q++) {
        const u = queue[q]!;
        queued[u] = 0;
        for (let a = this.head[u]!; a !== -1; a = this.next[a]!) {
          if (this.cap[a]! <= 0) continue;
          const v = this.to[a]!;
          const d = dist[u]! + this.cost[a]!;
          if (d < dist[v]!) {
            dist[v] = d;
            if (!queued[v]) {
              queued[v] = 1;
              queue.push(v);
            }
          }
        }
      }
      if (dist[sink] === Infinity) return sent;
      for (;;) {
        level.fill(-1);
        level[source] = 0;
        const bfs: number[] = [source];
        for (let q = 0; q < bfs.length && level[sink] === -1; q++) {
          const u = bfs[q]!;
          for (let a = this.head[u]!; a !== -1; a = this.next[a]!) {
            const v = this.to[a]!;
            if (level[v] === -1 && tight(a, u)) {
              level[v] = level[u]! + 1;
              bfs.push(v);
            }
          }
        }
        if (level[sink] === -1) break;
        for (let v = 0; v < n; v++) current[v] = this.head[v]!;
        for (let pushed = push(source, Infinity); pushed > 0; pushed = push(source, Infinity)) sent += pushed;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------

const groupOf = (p: BalancePerson) => p.group ?? NO_GROUP;

/**
 * How many people each room takes: the largest level `L` such that every room holds `L` (less where its capacity is
 * lower, more where fixed people already exceed it), and which rooms may take one more.
 */
function roomSizes(capacities: number[], fixed: number[], total: number) {
  const ceiling = capacities.map((c, r) => Math.max(c, fixed[r]!));
  const at = (level: number) => ceiling.map((c, r) => Math.min(c, Math.max(level, fixed[r]!)));
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  let lo = 0;
  let hi = Math.max(0, ...ceiling.map((c) => (Number.isFinite(c) ? c : total)));
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (sum(at(mid)) <= total) lo = mid;
    else hi = mid - 1;
  }
  const mandatory = at(lo);
  const optional = at(lo + 1).map((n, r) => n - mandatory[r]!);
  return { level: lo, mandatory, optional };
}

/**
 * Proposes who goes to which room (person id → room id). People in `fixed` (person id → room id) stay where they are,
 * even beyond a room's capacity (a fixed place naming no room of `rooms` is ignored); people beyond the rooms' total
 * capacity are left out of the answer.
 */
export function proposeAssignment(
  rooms: BalanceRoom[],
  people: BalancePerson[],
  fixed: ReadonlyMap<number, number> = new Map(),
): Map<number, number> {
  const result = new Map<number, number>();
  if (rooms.length === 0 || people.length === 0) return result;
  const roomIndex = new Map(rooms.map((room, i) => [room.id, i]));
  const R = rooms.length;
  const sorted = [...people].sort((a, b) => a.id - b.id);
  const placed = sorted.filter((p) => fixed.has(p.id) && roomIndex.has(fixed.get(p.id)!));
  const free = sorted.filter((p) => !(fixed.has(p.id) && roomIndex.has(fixed.get(p.id)!)));
  for (const p of placed) result.set(p.id, fixed.get(p.id)!);

  const groups = [...new Set(sorted.map(groupOf))].sort();
  const G = groups.length;
  const gIndex = new Map(groups.map((g, i) => [g, i]));
  const fixedIn = new Array<number>(R).fill(0);
  const fixedCell = groups.map(() => new Array<number>(R).fill(0));
  for (const p of placed) {
    const r = roomIndex.get(fixed.get(p.id)!)!;
    fixedIn[r]!++;
    fixedCell[gIndex.get(groupOf(p))!]![r]!++;
  }

  const capacities = rooms.map((room) => (room.capacity === null ? Infinity : Math.max(0, room.capacity)));
  const totalCapacity = capacities.reduce((a, c, r) => a + Math.max(c, fixedIn[r]!), 0);
  const total = Math.min(sorted.length, totalCapacity);
  const { level, mandatory, optional } = roomSizes(capacities, fixedIn, total);

  // Each group's fair share of each room: an even split when every room is at the common level, else in proportion
  // to the rooms' sizes. Shares scale down when not everyone has a place.
  const groupSize = groups.map((g) => sorted.filter((p) => groupOf(p) === g).length);
  const scale = total / sorted.length;
  const even = mandatory.every((n) => n === level);
  const extra = total - mandatory.reduce((a, b) => a + b, 0);
  const optionalRooms = optional.reduce((a, b) => a + b, 0);
  const expected = mandatory.map((n, r) => n + (optionalRooms ? (optional[r]! * extra) / optionalRooms : 0));
  const share = (g: number, r: number) =>
    even ? (groupSize[g]! * scale) / R : total === 0 ? 0 : (groupSize[g]! * scale * expected[r]!) / total;

  // How many free people of each group prefer each room's pillar.
  const demand = groups.map(() => new Array<number>(R).fill(0));
  for (const p of free) {
    if (p.preferredPillarId === null) continue;
    rooms.forEach((room, r) => {
      if (room.pillarId === p.preferredPillarId) demand[gIndex.get(groupOf(p))!]![r]!++;
    });
  }

  // Part 1: places per group and room. source → group → room → sink.
  const source = 0;
  const sink = 1 + G + R;
  const counts = new Flow(sink + 1);
  groups.forEach((_, g) => {
    const freeOfGroup = groupSize[g]! - fixedCell[g]!.reduce((a, b) => a + b, 0);
    if (freeOfGroup > 0) counts.arc(source, 1 + g, freeOfGroup, 0);
  });
  const cellArcs: { g: number; r: number; arc: number }[] = [];
  for (let g = 0; g < G; g++) {
    const freeOfGroup = groupSize[g]! - fixedCell[g]!.reduce((a, b) => a + b, 0);
    for (let r = 0; r < R; r++) {
      const room = mandatory[r]! + optional[r]! - fixedIn[r]!;
      const limit = Math.min(freeOfGroup, room);
      const f = share(g, r);
      const lo = Math.floor(f + 1e-9);
      const hi = Math.ceil(f - 1e-9);
      // Consecutive places of equal cost share one arc; beyond the fair share each further person costs more (a few
      // steps are enough to keep the cost rising where it matters).
      const costOf = (k: number) => {
        const unit = fixedCell[g]![r]! + k;
        const spread = unit <= lo ? -GROUP_WEIGHT : unit > hi ? GROUP_WEIGHT * Math.min(unit - hi, 4) : 0;
        return spread + (k <= demand[g]![r]! ? -1 : 0);
      };
      for (let k = 1; k <= limit;) {
        const cost = costOf(k);
        let end = k;
        while (end < limit && costOf(end + 1) === cost) end++;
        cellArcs.push({ g, r, arc: counts.arc(1 + g, 1 + G + r, end - k + 1, cost) });
        k = end + 1;
      }
    }
  }
  for (let r = 0; r < R; r++) {
    const must = mandatory[r]! - fixedIn[r]!;
    if (must > 0) counts.arc(1 + G + r, sink, must, -SIZE_WEIGHT);
    if (optional[r]! > 0) counts.arc(1 + G + r, sink, optional[r]!, 0);
  }
  counts.run(source, sink);
  const places = groups.map(() => new Array<number>(R).fill(0));
  for (const { g, r, arc } of cellArcs) places[g]![r]! += counts.flowOn(arc);

  // Part 2: within each group, who takes its places (an organisation's people already placed, fixed or of a group
  // done before, count against it).
  const settled = [...placed];
  groups.forEach((group, g) => {
    const members = free.filter((p) => groupOf(p) === group);
    if (members.length === 0) return;
    assignWithinGroup(rooms, members, settled, result, roomIndex, places[g]!);
    for (const p of members) if (result.has(p.id)) settled.push(p);
  });
  return result;
}

/**
 * Fills one group's places: organisation repeats cost more the more people of one organisation share a room,
 * preferences are a small gain. People of one organisation with the same preference are interchangeable, so they
 * travel together (one node per organisation and preference).
 */
function assignWithinGroup(
  rooms: BalanceRoom[],
  members: BalancePerson[],
  settled: BalancePerson[],
  result: Map<number, number>,
  roomIndex: Map<number, number>,
  places: number[],
) {
  const R = rooms.length;
  const orgCount = new Map<number, number>();
  for (const p of members) if (p.organisationId !== null) orgCount.set(p.organisationId, (orgCount.get(p.organisationId) ?? 0) + 1);
  const fixedOrg = new Map<string, number>();
  for (const p of settled) {
    if (p.organisationId === null) continue;
    const key = `${p.organisationId}:${roomIndex.get(result.get(p.id)!)}`;
    fixedOrg.set(key, (fixedOrg.get(key) ?? 0) + 1);
  }
  const settledOrgIds = new Set(settled.flatMap((p) => (p.organisationId === null ? [] : [p.organisationId])));
  // An organisation needs watching only if it has more than one person here, or someone already placed.
  const watched = (org: number | null): org is number => org !== null && ((orgCount.get(org) ?? 0) > 1 || settledOrgIds.has(org));

  const classes = new Map<string, { org: number | null; pref: number | null; people: BalancePerson[] }>();
  for (const p of members) {
    const org = watched(p.organisationId) ? p.organisationId : null;
    const key = `${org}:${p.preferredPillarId}`;
    let c = classes.get(key);
    if (!c) classes.set(key, (c = { org, pref: p.preferredPillarId, people: [] }));
    c.people.push(p);
  }
  const orgs = [...new Set([...classes.values()].flatMap((c) => (c.org === null ? [] : [c.org])))].sort((a, b) => a - b);
  const orgIndex = new Map(orgs.map((o, i) => [o, i]));
  const classList = [...classes.values()];
  // Nodes: source, classes, organisation-in-room nodes, rooms, sink.
  const C = classList.length;
  const orgRoom = (o: number, r: number) => 1 + C + o * R + r;
  const roomNode = (r: number) => 1 + C + orgs.length * R + r;
  const sink = 1 + C + orgs.length * R + R;
  const flow = new Flow(sink + 1);
  const classArcs: { c: number; r: number; arc: number }[] = [];
  classList.forEach((c, ci) => {
    flow.arc(0, 1 + ci, c.people.length, 0);
    for (let r = 0; r < R; r++) {
      if (places[r]! === 0) continue;
      const gain = c.pref !== null && rooms[r]!.pillarId === c.pref ? -1 : 0;
      const to = c.org === null ? roomNode(r) : orgRoom(orgIndex.get(c.org)!, r);
      classArcs.push({ c: ci, r, arc: flow.arc(1 + ci, to, c.people.length, gain) });
    }
  });
  orgs.forEach((org, o) => {
    for (let r = 0; r < R; r++) {
      if (places[r]! === 0) continue;
      const already = fixedOrg.get(`${org}:${r}`) ?? 0;
      const limit = Math.min(orgCount.get(org) ?? 0, places[r]!);
      for (let k = 1; k <= limit; k++) {
        const unit = already + k;
        flow.arc(orgRoom(o, r), roomNode(r), 1, unit <= 1 ? 0 : ORGANISATION_WEIGHT * (unit - 1));
      }
    }
  });
  for (let r = 0; r < R; r++) if (places[r]! > 0) flow.arc(roomNode(r), sink, places[r]!, 0);
  flow.run(0, sink);
  const next = new Array<number>(C).fill(0);
  for (const { c, r, arc } of classArcs) {
    const people = classList[c]!.people;
    for (let n = flow.flowOn(arc); n > 0; n--) result.set(people[next[c]!++]!.id, rooms[r]!.id);
  }
}

/** The balance of an assignment, room by room (in the rooms' order). */
export function balanceOf(rooms: BalanceRoom[], people: BalancePerson[], assignment: ReadonlyMap<number, number>): RoomBalance[] {
  const byRoom = new Map<number, BalancePerson[]>(rooms.map((room) => [room.id, []]));
  for (const p of people) {
    const roomId = assignment.get(p.id);
    if (roomId !== undefined) byRoom.get(roomId)?.push(p);
  }
  return rooms.map((room) => {
    const inRoom = byRoom.get(room.id)!;
    const groups: Record<string, number> = {};
    const orgs = new Map<number, number>();
    let preferencesMet = 0;
    let preferencesTotal = 0;
    for (const p of inRoom) {
      groups[groupOf(p)] = (groups[groupOf(p)] ?? 0) + 1;
      if (p.organisationId !== null) orgs.set(p.organisationId, (orgs.get(p.organisationId) ?? 0) + 1);
      if (p.preferredPillarId !== null) {
        preferencesTotal++;
        if (p.preferredPillarId === room.pillarId) preferencesMet++;
      }
    }
    const organisationsRepeated = [...orgs.values()].reduce((n, k) => n + k - 1, 0);
    return {
      roomId: room.id,
      size: inRoom.length,
      capacity: room.capacity,
      groups,
      organisationsRepeated,
      preferencesMet,
      preferencesTotal,
    };
  });
}
