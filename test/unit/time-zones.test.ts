import i18next from "i18next";
import * as ical from "node-ical";
import { describe, expect, it } from "vitest";
import { i18nConfig } from "../../app/i18n";
import { readMessage } from "../../app/utils/messages";
import { canonicalTimeZone, offeredTimeZones, offsetAt, TIME_ZONE_ALIASES, transitionsBetween } from "../../app/utils/time-zones";
import { AccountSchema, skippedTimeError } from "../../app/utils/validation";
import { spanOf, vtimezone } from "../../app/utils/vtimezone";
import { resolveLocalTime, utcToZoned, zonedToUtc } from "../../app/utils/zoned-time";

const HOUR = 3_600_000;

/** A small reader of a VTIMEZONE block, independent of the code that wrote it: the offset it gives at an instant. */
function readVtimezone(block: string): (instant: number) => number {
  const offset = (v: string) => {
    const m = /^([+-])(\d{2})(\d{2})(\d{2})?$/.exec(v)!;
    return (m[1] === "-" ? -1 : 1) * (Number(m[2]) * HOUR + Number(m[3]) * 60_000 + Number(m[4] ?? 0) * 1000);
  };
  const local = (v: string) => {
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})$/.exec(v)!;
    return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  };
  const onsets: { at: number; from: number; to: number }[] = [];
  let current: { starts: string[]; from?: number; to?: number } | null = null;
  for (const line of block.replace(/\r\n[ \t]/g, "").split("\r\n")) {
    const [name, value = ""] = line.split(":");
    if (name === "BEGIN" && (value === "STANDARD" || value === "DAYLIGHT")) current = { starts: [] };
    else if (name === "END" && (value === "STANDARD" || value === "DAYLIGHT")) {
      for (const s of current!.starts) onsets.push({ at: local(s) - current!.from!, from: current!.from!, to: current!.to! });
      current = null;
    } else if (current && (name === "DTSTART" || name === "RDATE")) current.starts.push(...value.split(","));
    else if (current && name === "TZOFFSETFROM") current.from = offset(value);
    else if (current && name === "TZOFFSETTO") current.to = offset(value);
  }
  onsets.sort((a, b) => a.at - b.at);
  return (instant) => {
    let result = onsets[0]!.from;
    for (const o of onsets) if (o.at <= instant) result = o.to;
    return result;
  };
}

describe("the zones people choose from", () => {
  it("offers current IANA names, never the old spellings, and every zone the engine knows", () => {
    const offered = offeredTimeZones();
    expect(offered).toEqual([...new Set(offered)].sort());
    for (const current of ["Asia/Kolkata", "Asia/Kathmandu", "Europe/Kyiv", "Asia/Ho_Chi_Minh", "Asia/Yangon", "Pacific/Kanton", "UTC"])
      expect(offered).toContain(current);
    for (const old of Object.keys(TIME_ZONE_ALIASES)) expect(offered).not.toContain(old);
    for (const zone of Intl.supportedValuesOf("timeZone")) expect(offered).toContain(canonicalTimeZone(zone));
  });

  it("reads old names, links and any letter case as the current name, with the same rules", () => {
    for (const [old, current] of Object.entries(TIME_ZONE_ALIASES)) {
      expect(canonicalTimeZone(old)).toBe(current);
      expect(canonicalTimeZone(current)).toBe(current);
      for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2029, 0, 1); t += 30 * 24 * HOUR) expect(offsetAt(t, current)).toBe(offsetAt(t, old));
    }
    expect(canonicalTimeZone("US/Eastern")).toBe("America/New_York");
    expect(canonicalTimeZone("asia/calcutta")).toBe("Asia/Kolkata");
    expect(canonicalTimeZone("Mars/Olympus_Mons")).toBeNull();
  });

  it("stores an account's zone by its current name", () => {
    expect(AccountSchema.parse({ name: "Priya", timeZone: "Asia/Calcutta" }).timeZone).toBe("Asia/Kolkata");
    expect(AccountSchema.parse({ name: "Priya", timeZone: "" }).timeZone).toBeNull();
    expect(AccountSchema.safeParse({ name: "Priya", timeZone: "Nowhere/Town" }).error?.issues[0]?.message).toBe("errors.timeZoneInvalid");
  });
});

describe("VTIMEZONE blocks", () => {
  const now = Date.now();
  const span = spanOf([], new Date(now));
  const threeYears = now + 3 * 365 * 24 * HOUR;

  it("give the offsets Intl gives in every offered zone over the next three years", () => {
    const wrong: string[] = [];
    const check = (zone: string, read: (t: number) => number, t: number) => {
      if (read(t) !== offsetAt(t, zone)) wrong.push(`${zone} at ${new Date(t).toISOString()}: ${read(t)} instead of ${offsetAt(t, zone)}`);
    };
    for (const zone of offeredTimeZones()) {
      const block = vtimezone(zone, span);
      const parsed = Object.values(ical.sync.parseICS(`BEGIN:VCALENDAR\r\nVERSION:2.0\r\n${block}END:VCALENDAR\r\n`));
      if (!parsed.some((c) => c.type === "VTIMEZONE")) wrong.push(`${zone}: no VTIMEZONE read`);
      const read = readVtimezone(block);
      for (const change of transitionsBetween(zone, now, threeYears))
        for (const t of [change.at - HOUR, change.at - 1000, change.at, change.at + HOUR]) check(zone, read, t);
      for (let t = now; t < threeYears; t += 6 * HOUR) check(zone, read, t);
    }
    expect(wrong).toEqual([]);
  });

  it("follows current rules: São Paulo keeps -03:00 all year, Berlin changes twice a year", () => {
    const sp = vtimezone("America/Sao_Paulo", spanOf([new Date("2027-07-15T13:00:00Z")]));
    expect(sp).not.toContain("BEGIN:DAYLIGHT");
    expect(readVtimezone(sp)(Date.parse("2028-01-15T12:00:00Z"))).toBe(-3 * HOUR);
    const berlin = vtimezone("Europe/Berlin", spanOf([new Date("2027-07-15T13:00:00Z")]));
    expect(berlin).toContain("RDATE:20270328T020000\r\n");
    expect(berlin).toMatch(/TZOFFSETFROM:\+0100\r\nTZOFFSETTO:\+0200\r\nTZNAME:CEST/);
  });

  it("describe a zone without changes with one STANDARD", () => {
    const block = vtimezone("Asia/Kolkata", spanOf([new Date("2027-07-15T13:00:00Z")]));
    expect(block.match(/BEGIN:(STANDARD|DAYLIGHT)/g)).toEqual(["BEGIN:STANDARD"]);
    expect(block).toContain("TZOFFSETTO:+0530");
  });
});

describe("wall-clock times", () => {
  const cases = [
    // zone, a skipped time and the jump, a repeated time and its first occurrence
    {
      zone: "Europe/Berlin",
      skipped: ["2026-03-29", "02:30", "02:00", "03:00"],
      repeated: ["2026-10-25", "02:30", "2026-10-25T00:30:00.000Z"],
    },
    {
      zone: "America/New_York",
      skipped: ["2026-03-08", "02:15", "02:00", "03:00"],
      repeated: ["2026-11-01", "01:30", "2026-11-01T05:30:00.000Z"],
    },
    {
      zone: "Australia/Sydney",
      skipped: ["2026-10-04", "02:45", "02:00", "03:00"],
      repeated: ["2026-04-05", "02:30", "2026-04-04T15:30:00.000Z"],
    },
    // São Paulo still had daylight saving in 2018–2019, changing at midnight.
    {
      zone: "America/Sao_Paulo",
      skipped: ["2018-11-04", "00:30", "00:00", "01:00"],
      repeated: ["2019-02-16", "23:30", "2019-02-17T01:30:00.000Z"],
    },
  ] as const;

  it.each(cases)("in $zone, a time the clocks skip is refused with the jump", ({ zone, skipped: [date, time, from, to] }) => {
    expect(resolveLocalTime(date, time, zone)).toEqual({ ok: false, skipped: { from, to } });
    const error = skippedTimeError(date, time, zone)!;
    expect(readMessage(error)).toEqual({ key: "calendar:errors.localTimeSkipped", values: { time, date, zone, from, to } });
    // Code that must have an instant (a day's bounds) reads it as calendars do: moved forward by the jump.
    expect(utcToZoned(zonedToUtc(date, time, zone), zone).time).not.toBe(time);
  });

  it.each(cases)("in $zone, a time that happens twice means its first occurrence", ({ zone, repeated: [date, time, instant] }) => {
    expect(resolveLocalTime(date, time, zone)).toEqual({ ok: true, instant: new Date(instant), repeated: true });
    expect(zonedToUtc(date, time, zone).toISOString()).toBe(instant);
    expect(utcToZoned(new Date(instant), zone)).toEqual({ date, time });
    expect(skippedTimeError(date, time, zone)).toBeNull();
  });

  it("reads an ordinary time once, and round-trips it", () => {
    expect(resolveLocalTime("2026-07-01", "14:00", "Europe/Berlin")).toEqual({
      ok: true,
      instant: new Date("2026-07-01T12:00:00Z"),
      repeated: false,
    });
    expect(resolveLocalTime("2026-07-01", "14:00", "Asia/Kolkata")).toEqual({
      ok: true,
      instant: new Date("2026-07-01T08:30:00Z"),
      repeated: false,
    });
    expect(zonedToUtc("2026-03-29", "02:30", "Europe/Berlin").toISOString()).toBe("2026-03-29T01:30:00.000Z");
  });

  it("explains a skipped time in words, with the date in the reader's language", async () => {
    const instance = i18next.createInstance();
    await instance.init({ ...i18nConfig, lng: "en" });
    const { key, values } = readMessage(skippedTimeError("2026-03-29", "02:30", "Europe/Berlin")!, (d) =>
      new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeZone: "UTC" }).format(new Date(`${d}T00:00:00Z`)),
    );
    const t = instance.t as unknown as (key: string, values: Record<string, string>) => string;
    expect(t(key, values)).toBe(
      "02:30 does not exist on 29 March 2026 in Europe/Berlin: the clocks go forward from 02:00 to 03:00. Choose another time.",
    );
  });
});
