/**
 * Backups that restore (decision 025): `npm run backup` taken from a real server while it writes
 * commitments, progress updates with evidence files and document changes; `npm run restore` into a new
 * place; a server started on the restored database has every row and file acknowledged before the backup
 * began. Also what a restore refuses, and the schedule with its pruning to BACKUP_KEEP.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as encoding from "lib0/encoding";
import type { Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import { loadDocumentState } from "../../app/models/document-store.server";
import type { Ack } from "../../app/realtime/protocol";
import { createConvene, type Convene } from "../../server/app";
import { parseEnv } from "../../server/env";
import { listBackups, verifyBackup, type BackupManifest } from "../../server/services/backups";
import { makeCommitment, makeGroupWithDocument, unique } from "../support/factories";
import { connectSocket, onceConnected, signInAs, startServer, type TestServer } from "../support/server";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "convene-backup-"));
  dirs.push(dir);
  return dir;
}

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ BACKUP_EVERY_HOURS: "0" });
});
afterAll(async () => {
  await server.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Runs one of the bundled commands (`npm run backup` / `npm run restore` run exactly these files). */
function command(
  name: "backup" | "restore",
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [`build/runtime/${name}.js`, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
}

function backupPathIn(stdout: string): string {
  const match = /Backup written to (.+) in \d+ ms/.exec(stdout);
  if (!match) throw new Error(`no backup path in: ${stdout}`);
  return match[1]!;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** A PNG-looking file with random content, so each one is stored as a file of its own. */
function randomPng(size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  bytes.set(randomBytes(size));
  bytes.set(PNG_SIGNATURE);
  return bytes;
}

/** A progress update with one evidence file, posted as the commitment page's form does. */
function postProgress(target: TestServer, commitmentId: number, cookie: string, narrative: string, file: Uint8Array<ArrayBuffer>) {
  const form = new FormData();
  for (const [k, v] of Object.entries({ intent: "progress", completion: "limited", percent: "40", narrative })) form.append(k, v);
  form.append("files", new Blob([file], { type: "image/png" }), "evidence.png");
  return fetch(`${target.url}/commitments/${commitmentId}`, {
    method: "POST",
    redirect: "manual",
    headers: { Origin: target.url, "Sec-Fetch-Site": "same-origin", Cookie: cookie },
    body: form,
  });
}

const policeOrganisation = () =>
  (
    server.db.$client
      .prepare("SELECT o.name FROM organisations o JOIN users u ON u.organisation_id = o.id WHERE u.email = 'police@convene.example'")
      .get() as { name: string }
  ).name;

/** A Yjs change setting one key, as a sync update message. */
function markerMessage(doc: Y.Doc, key: string): Buffer {
  let update: Uint8Array | null = null;
  const capture = (u: Uint8Array) => (update = u);
  doc.on("update", capture);
  doc.getMap<number>("markers").set(key, 1);
  doc.off("update", capture);
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  syncProtocol.writeUpdate(encoder, update!);
  return Buffer.from(encoding.toUint8Array(encoder));
}

const emitAck = (socket: Socket, ...args: unknown[]) =>
  new Promise<Ack>((resolve) => socket.emit(args[0] as string, ...args.slice(1), resolve));
const tick = () => new Promise((r) => setImmediate(r));

describe("a backup taken while Convene writes", () => {
  it("restores, in a new place, every row and evidence file acknowledged before the backup began", async () => {
    const commitment = makeCommitment(server.db, { organisation: policeOrganisation(), visibility: "members" });
    const police = await signInAs(server, "police@convene.example");
    const { documentId } = makeGroupWithDocument(server.db, {
      lead: "secretariat@convene.example",
      members: { "ngo@convene.example": "editor" },
    });
    const editor = connectSocket(server, await signInAs(server, "ngo@convene.example"));
    await onceConnected(editor);
    expect(await emitAck(editor, "doc:join", { documentId })).toMatchObject({ ok: true, readOnly: false });

    // Three writers, each recording what the server acknowledged.
    const acked = {
      commitments: [] as number[],
      updates: [] as { narrative: string; file: Uint8Array }[],
      markers: [] as string[],
    };
    let stop = false;
    const writers = [
      (async () => {
        while (!stop) {
          acked.commitments.push(makeCommitment(server.db, { organisation: policeOrganisation() }).id);
          await tick();
        }
      })(),
      (async () => {
        while (!stop) {
          const narrative = `Progress ${unique()}`;
          const file = randomPng(2048 + Math.floor(Math.random() * 4096));
          const res = await postProgress(server, commitment.id, police, narrative, file);
          if (res.status !== 200) throw new Error(`posting progress answered ${res.status}`);
          acked.updates.push({ narrative, file });
        }
      })(),
      (async () => {
        const local = new Y.Doc();
        for (let i = 0; !stop; i++) {
          const key = `m${i}`;
          const res = await emitAck(editor, "doc:message", documentId, markerMessage(local, key));
          if (!res.ok) throw new Error(`a document change was refused: ${JSON.stringify(res)}`);
          acked.markers.push(key);
        }
      })(),
    ];
    await vi.waitFor(
      () => expect(Math.min(acked.commitments.length, acked.updates.length, acked.markers.length)).toBeGreaterThanOrEqual(3),
      {
        timeout: 30_000,
      },
    );

    // What was acknowledged before the backup began must all be in it.
    const before = { commitments: [...acked.commitments], updates: [...acked.updates], markers: [...acked.markers] };
    const backupDir = tempDir();
    const backup = await command("backup", [], { DATABASE_PATH: server.convene.services.env.DATABASE_PATH, BACKUP_DIR: backupDir });
    expect(backup.stderr).toBe("");
    expect(backup.code).toBe(0);
    // The writers went on while the backup was taken.
    expect(acked.commitments.length).toBeGreaterThan(before.commitments.length);
    stop = true;
    await Promise.all(writers);
    editor.close();

    const backupPath = backupPathIn(backup.stdout);
    expect(dirname(backupPath)).toBe(backupDir);
    const manifest = JSON.parse(readFileSync(join(backupPath, "manifest.json"), "utf8")) as BackupManifest;
    expect(manifest).toMatchObject({ format: "convene-backup", trigger: "manual", evidence: { missing: [] } });
    expect(manifest.migrations.applied).toBeGreaterThan(0);
    expect(manifest.evidence.files.length).toBeGreaterThanOrEqual(before.updates.length);

    // Restored into a place of its own, and a server started on it.
    const restoredPath = join(tempDir(), "data", "convene.db");
    const restore = await command("restore", [backupPath], { DATABASE_PATH: restoredPath });
    expect(restore.stderr).toBe("");
    expect(restore.code).toBe(0);
    const restored: Convene = await createConvene(
      parseEnv({
        NODE_ENV: "production",
        PORT: "0",
        HOST: "127.0.0.1",
        DATABASE_PATH: restoredPath,
        LOG_LEVEL: "silent",
        BACKUP_EVERY_HOURS: "0",
      }),
      () => {},
    );
    try {
      const { port } = await restored.listen();
      const url = `http://127.0.0.1:${port}`;
      const db = restored.services.db;

      const ids = new Set((db.$client.prepare("SELECT id FROM commitments").all() as { id: number }[]).map((r) => r.id));
      expect(before.commitments.filter((id) => !ids.has(id))).toEqual([]);

      const markers = loadDocumentState(db, documentId).doc.getMap<number>("markers");
      expect(before.markers.filter((key) => !markers.has(key))).toEqual([]);

      // Every evidence file, downloaded from the restored server by the person who posted it (their session was backed up too).
      for (const { narrative, file } of before.updates) {
        const row = db.$client
          .prepare("SELECT e.id FROM evidence e JOIN progress_updates u ON u.id = e.update_id WHERE u.narrative = ? AND e.kind = 'file'")
          .get(narrative) as { id: number } | undefined;
        expect(row, narrative).toBeDefined();
        const res = await fetch(`${url}/evidence/${row!.id}`, { headers: { Cookie: police } });
        expect(res.status).toBe(200);
        expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(file))).toBe(true);
      }
    } finally {
      await restored.close();
    }
  });
});

describe("what a restore refuses", () => {
  let backupPath: string;
  beforeAll(async () => {
    const commitment = makeCommitment(server.db, { organisation: policeOrganisation() });
    const res = await postProgress(
      server,
      commitment.id,
      await signInAs(server, "police@convene.example"),
      `Refusals ${unique()}`,
      randomPng(3000),
    );
    expect(res.status).toBe(200);
    const backup = await command("backup", [], { DATABASE_PATH: server.convene.services.env.DATABASE_PATH, BACKUP_DIR: tempDir() });
    expect(backup.code).toBe(0);
    backupPath = backupPathIn(backup.stdout);
  });

  it("refuses while a server has the database open, and changes nothing", async () => {
    const databasePath = server.convene.services.env.DATABASE_PATH;
    const result = await command("restore", [backupPath], { DATABASE_PATH: databasePath });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Stop Convene first");
    expect(readdirSync(dirname(databasePath)).filter((name) => name.startsWith("replaced-") || name.startsWith(".restoring-"))).toEqual([]);
    // The server goes on as before.
    expect(server.db.$client.prepare("SELECT count(*) AS n FROM commitments").get()).toMatchObject({ n: expect.any(Number) });
  });

  it("refuses a backup whose database or evidence file was changed, leaving the current database in place", async () => {
    const target = join(tempDir(), "convene.db");
    writeFileSync(target, "");
    for (const damage of ["database", "evidence"] as const) {
      const copy = join(tempDir(), "damaged");
      cpSync(backupPath, copy, { recursive: true });
      const manifest = JSON.parse(readFileSync(join(copy, "manifest.json"), "utf8")) as BackupManifest;
      const file =
        damage === "database"
          ? join(copy, "convene.db")
          : join(copy, "evidence", manifest.evidence.files[0]!.sha256.slice(0, 2), manifest.evidence.files[0]!.sha256);
      const bytes = readFileSync(file);
      bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0xff;
      writeFileSync(file, bytes);
      await expect(verifyBackup(copy)).rejects.toThrow(damage === "database" ? /checksum/ : /damaged/);
      const result = await command("restore", [copy], { DATABASE_PATH: target });
      expect(result.code, damage).toBe(1);
      expect(readdirSync(dirname(target))).toEqual(["convene.db"]);
    }
    // The untouched backup passes the same check.
    expect((await command("restore", ["--check", backupPath], {})).code).toBe(0);
  });
});

describe("scheduled backups", () => {
  it("are taken every BACKUP_EVERY_HOURS, share unchanged evidence files, and only BACKUP_KEEP are kept besides those made by hand", async () => {
    const backupDir = tempDir();
    // One made by hand first: the schedule never deletes it.
    const manual = await command("backup", [backupDir], { DATABASE_PATH: server.convene.services.env.DATABASE_PATH });
    expect(manual.code).toBe(0);
    // Every 0.72 seconds, keeping two.
    const scheduled = await startServer({ BACKUP_DIR: backupDir, BACKUP_EVERY_HOURS: "0.0002", BACKUP_KEEP: "2" });
    try {
      const commitment = makeCommitment(scheduled.db, { organisation: policeOrganisation() });
      const police = await signInAs(scheduled, "police@convene.example");
      expect((await postProgress(scheduled, commitment.id, police, `Scheduled ${unique()}`, randomPng(5000))).status).toBe(200);
      const backups = scheduled.convene.services.backups;
      await vi.waitFor(
        async () => {
          expect(backups.stats().made).toBeGreaterThanOrEqual(3);
          // A backup after one that already held the new file: its evidence is linked from there, not copied again.
          const last = backups.stats().last!;
          expect(last.manifest.evidence.files.length).toBeGreaterThan(0);
          expect(last.linked).toBe(last.manifest.evidence.files.length);
          const kept = await listBackups(backupDir);
          expect(kept.filter((b) => b.manifest.trigger === "scheduled")).toHaveLength(2);
        },
        { timeout: 60_000, interval: 100 },
      );
      const kept = await listBackups(backupDir);
      expect(kept.map((b) => b.path)).toContain(backupPathIn(manual.stdout));
      for (const backup of kept) await verifyBackup(backup.path);
      expect(readdirSync(backupDir).filter((name) => !name.startsWith("convene-") && !name.startsWith(".partial-"))).toEqual([]);
    } finally {
      await scheduled.close();
    }
    expect(scheduled.convene.services.backups.stats()).toMatchObject({ running: false, scheduled: false });
  });
});
