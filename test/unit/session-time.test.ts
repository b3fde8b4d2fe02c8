import { describe, expect, it } from "vitest";
import { dateIn, noticeTime, sessionTime } from "../../app/utils/session-time";

// A Sydney event: "Sun 4 Apr 2027" 09:30–10:30 there (AEDT ends at 03:00 that morning, so it is AEST, UTC+10).
const start = "2027-04-03T23:30:00.000Z";
const end = "2027-04-04T00:30:00.000Z";
const tabDate = "2027-04-04";

describe("a session's time under the event's day tab", () => {
  it("is the time alone where the viewer's date is the tab's (Sydney)", () => {
    expect(sessionTime(start, end, { locale: "en-GB", timeZone: "Australia/Sydney", tabDate })).toEqual({
      text: "09:30–10:30",
      dated: false,
    });
  });

  it("carries the date for a Los Angeles viewer, for whom it is Saturday afternoon", () => {
    const shown = sessionTime(start, end, { locale: "en-GB", timeZone: "America/Los_Angeles", tabDate });
    expect(shown.dated).toBe(true);
    expect(shown.text).toBe("Sat 3 Apr, 16:30–17:30");
    const us = sessionTime(start, end, { locale: "en-US", timeZone: "America/Los_Angeles", tabDate });
    expect(us.text).toMatch(/^Sat, Apr 3, 4:30\s?–\s?5:30\sPM$/);
  });

  it("is the same day for a Tokyo viewer (an hour earlier), without a date", () => {
    expect(sessionTime(start, end, { locale: "en-GB", timeZone: "Asia/Tokyo", tabDate })).toEqual({ text: "08:30–09:30", dated: false });
  });

  it("shows both dates when the session runs across the viewer's midnight", () => {
    // 23:30–00:30 in Tokyo: 14:30–15:30 UTC.
    const shown = sessionTime("2027-04-04T14:30:00Z", "2027-04-04T15:30:00Z", { locale: "en-GB", timeZone: "Asia/Tokyo", tabDate });
    expect(shown.dated).toBe(true);
    expect(shown.text).toMatch(/^Sun 4 Apr, 23:30\s?–\s?Mon 5 Apr, 00:30$/);
  });

  it("a session ending exactly at midnight stays on its day", () => {
    const shown = sessionTime("2027-04-04T13:00:00Z", "2027-04-04T15:00:00Z", { locale: "en-GB", timeZone: "Asia/Tokyo", tabDate });
    expect(shown).toEqual({ text: "22:00–00:00", dated: false });
  });

  it("reads calendar dates in the zone, not in UTC", () => {
    expect(dateIn(new Date(start), "UTC")).toBe("2027-04-03");
    expect(dateIn(new Date(start), "Australia/Sydney")).toBe("2027-04-04");
    expect(dateIn(new Date(start), "Pacific/Kiritimati")).toBe("2027-04-04");
    expect(dateIn(new Date(start), "Pacific/Pago_Pago")).toBe("2027-04-03");
  });
});

describe("the time in a live notice", () => {
  it("is the time alone when it is today for the viewer, with the date when it is not", () => {
    // A panel moved to 00:00 in Tokyo on 5 Apr (15:00 UTC on the 4th), told at 20:00 Tokyo time on the 4th.
    const moved = "2027-04-04T15:00:00Z";
    const now = new Date("2027-04-04T11:00:00Z");
    expect(noticeTime(moved, { locale: "en-GB", timeZone: "Asia/Tokyo", now })).toBe("Mon 5 Apr, 00:00");
    // For a Los Angeles viewer that is 08:00 on the 4th, the same day as their now (04:00).
    expect(noticeTime(moved, { locale: "en-GB", timeZone: "America/Los_Angeles", now })).toBe("08:00");
  });
});
