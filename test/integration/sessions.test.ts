import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession, hashSecret, validateSessionToken } from "../../app/models/session.server";
import { openDatabase, type Db } from "../../db/client";
import { seedDemoForum } from "../../db/seed";

const HOUR = 3_600_000;
const IDLE = 24 * HOUR;
let dir: string;
let db: Db;
let userId: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "convene-sessions-"));
  db = openDatabase(join(dir, "convene.db"));
  await seedDemoForum(db);
  userId = (db.$client.prepare("SELECT id FROM users LIMIT 1").get() as { id: number }).id;
});
afterAll(() => {
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("sessions the Lucia way", () => {
  it("stores only a SHA-256 of the secret", () => {
    const { token, session } = createSession(db, userId, {});
    const secret = token.split(".")[1]!;
    const row = db.$client.prepare("SELECT * FROM sessions WHERE id = ?").get(session.id) as Record<string, unknown>;
    expect(Object.values(row)).not.toContain(secret);
    expect(row.secret_hash).toBe(hashSecret(secret));
  });

  it("accepts the token and rejects a wrong secret or a malformed token", () => {
    const { token } = createSession(db, userId, {});
    expect(validateSessionToken(db, token, IDLE)?.user.id).toBe(userId);
    const [id] = token.split(".");
    expect(validateSessionToken(db, `${id}.wrong`, IDLE)).toBeNull();
    expect(validateSessionToken(db, "no-dot", IDLE)).toBeNull();
    expect(validateSessionToken(db, `${token}.extra`, IDLE)).toBeNull();
  });

  it("slides: an hour after the last refresh, use moves the inactivity clock", () => {
    const start = new Date("2026-01-01T00:00:00Z");
    const { token, session } = createSession(db, userId, {}, start);
    const soon = validateSessionToken(db, token, IDLE, new Date(start.getTime() + 10 * 60_000));
    expect(soon?.refreshed).toBe(false);
    const later = new Date(start.getTime() + 2 * HOUR);
    const refreshed = validateSessionToken(db, token, IDLE, later);
    expect(refreshed?.refreshed).toBe(true);
    expect(refreshed?.session.lastVerifiedAt.getTime()).toBe(later.getTime());
    // Still valid 23 hours after the refresh, though 25 hours after sign-in.
    expect(validateSessionToken(db, token, IDLE, new Date(later.getTime() + 23 * HOUR))).not.toBeNull();
    expect(session.id).toBeTruthy();
  });

  it("expires after the inactivity period and deletes the row", () => {
    const start = new Date("2026-02-01T00:00:00Z");
    const { token, session } = createSession(db, userId, {}, start);
    expect(validateSessionToken(db, token, IDLE, new Date(start.getTime() + IDLE))).toBeNull();
    expect(db.$client.prepare("SELECT count(*) AS n FROM sessions WHERE id = ?").get(session.id)).toEqual({ n: 0 });
  });
});
