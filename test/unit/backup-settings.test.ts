import { describe, expect, it } from "vitest";
import { parseEnv } from "../../server/env";

describe("backup settings", () => {
  it("default to a daily backup beside the database, keeping a week", () => {
    expect(parseEnv({})).toMatchObject({ BACKUP_DIR: "data/backups", BACKUP_EVERY_HOURS: 24, BACKUP_KEEP: 7 });
    expect(parseEnv({ DATABASE_PATH: "/srv/convene/convene.db" }).BACKUP_DIR).toBe("/srv/convene/backups");
    expect(parseEnv({ BACKUP_DIR: "/mnt/offsite", BACKUP_EVERY_HOURS: "0.5" })).toMatchObject({
      BACKUP_DIR: "/mnt/offsite",
      BACKUP_EVERY_HOURS: 0.5,
    });
    expect(parseEnv({ BACKUP_EVERY_HOURS: "0" }).BACKUP_EVERY_HOURS).toBe(0);
  });

  it("name what is wrong with a bad value", () => {
    expect(() => parseEnv({ BACKUP_EVERY_HOURS: "daily" })).toThrowError('BACKUP_EVERY_HOURS: must be a number of hours (got "daily")');
    expect(() => parseEnv({ BACKUP_EVERY_HOURS: "-1" })).toThrowError("BACKUP_EVERY_HOURS: must be 0 (off) or more hours");
    expect(() => parseEnv({ BACKUP_EVERY_HOURS: "1000" })).toThrowError("BACKUP_EVERY_HOURS: must be at most 168 hours (a week)");
    expect(() => parseEnv({ BACKUP_KEEP: "0" })).toThrowError("BACKUP_KEEP: must be at least 1");
    expect(() => parseEnv({ BACKUP_KEEP: "2.5" })).toThrowError("BACKUP_KEEP: must be a whole number");
  });
});
