/**
 * Evidence files on progress updates: received from a multipart form as they stream in (size-limited,
 * hashed, kept in a temporary file), checked by declared type, name and content, then stored once per
 * content under `<database folder>/evidence/<sha256[0..2]>/<sha256>`. Also the queries the commitment
 * page and the evidence download need beyond `commitments.server.ts`.
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import {
  createReadableStreamFromReadable,
  unstable_composeUploadHandlers,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
  type UploadHandler,
} from "@remix-run/node";
import { eq, inArray } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { agendaSessions, commitmentOrganisations, commitments, events, evidence, progressUpdates } from "../../db/schema";
import type { CommitmentVisibility } from "../domain/vocabulary";
import { evidenceTypes, extensionOf, type EvidenceType } from "../utils/progress-validation";

// ---------------------------------------------------------------------------------------------
// Where files live

/** The evidence folder: beside the database file, so a backup of that folder has both. */
export function evidenceDir(databasePath: string): string {
  return join(dirname(resolve(databasePath)), "evidence");
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The stored file for a content hash; null for anything that is not a hash (never a path of someone's choosing). */
export function evidencePath(dir: string, sha256: string): string | null {
  return SHA256_HEX.test(sha256) ? join(dir, sha256.slice(0, 2), sha256) : null;
}

// ---------------------------------------------------------------------------------------------
// Receiving an upload

/** How much of each file is kept in memory to recognise its type. */
const HEAD_BYTES = 8192;
/** All text fields of the form together. */
const MAX_TEXT_BYTES = 256 * 1024;

export type FileProblem = "tooLarge" | "tooMany" | "empty" | "badType";

/** A file received into a temporary file, not yet stored. */
export interface StagedFile {
  fileName: string;
  /** The MIME type the browser declared, without parameters. */
  declaredType: string;
  size: number;
  sha256: string;
  head: Buffer;
  /** The temporary file, until it is stored or discarded (null once discarded or when nothing was kept). */
  tempPath: string | null;
  problem: FileProblem | null;
  /** The canonical type it was recognised as. */
  type: EvidenceType | null;
}

export interface ReceivedUpload {
  /** The text fields of the form (files are not in it). */
  form: FormData;
  files: StagedFile[];
  /** Removes every temporary file of this upload. */
  discard(): Promise<void>;
}

export class UploadRefused extends Error {
  constructor(readonly reason: "malformed" | "textTooLarge" | "badFileName") {
    super(`upload refused: ${reason}`);
  }
}

/** A file name safe to keep and show: no folders, control or direction-changing characters, not too long. */
export function safeFileName(raw: string): string {
  const base = raw.split(/[/\\]/).pop() ?? "";
  let name = base
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is taken out
    .replace(/[\u0000-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069"<>|:*?]/g, "")
    .trim()
    .replace(/^\.+/, "");
  if (name.length > 150) {
    const ext = extensionOf(name).slice(0, 10);
    name = name.slice(0, 150 - ext.length) + ext;
  }
  return name || "evidence";
}

/**
 * Reads a multipart form, streaming each file into a temporary file under `dir/tmp` while hashing and
 * counting it. Files over `maxBytes`, files after the first `maxFiles` and empty ones are read to the end
 * and dropped, so every text field still arrives and the form can be given back as it was typed.
 */
export async function receiveEvidenceUpload(
  request: Request,
  dir: string,
  limits: { maxBytes: number; maxFiles: number },
): Promise<ReceivedUpload> {
  const files: StagedFile[] = [];
  const tmp = join(dir, "tmp");
  const discard = async () => {
    await Promise.all(
      files.map(async (f) => {
        if (f.tempPath) await rm(f.tempPath, { force: true });
        f.tempPath = null;
      }),
    );
  };
  let textBytes = 0;

  const fileHandler: UploadHandler = async ({ filename, contentType, data }) => {
    // A file input left empty still sends a part, without a name or content.
    if (filename === undefined) return undefined;
    if (filename === "") {
      for await (const _ of data) void _;
      return null;
    }
    const file: StagedFile = {
      fileName: safeFileName(filename),
      declaredType: (contentType.split(";")[0] ?? "").trim().toLowerCase(),
      size: 0,
      sha256: "",
      head: Buffer.alloc(0),
      tempPath: null,
      problem: files.length >= limits.maxFiles ? "tooMany" : null,
      type: null,
    };
    files.push(file);
    const hash = createHash("sha256");
    const heads: Buffer[] = [];
    let headLength = 0;
    let handle: Awaited<ReturnType<typeof open>> | null = null;
    try {
      if (!file.problem) {
        await mkdir(tmp, { recursive: true });
        file.tempPath = join(tmp, `${Date.now()}-${randomBytes(12).toString("hex")}.part`);
        handle = await open(file.tempPath, "wx", 0o600);
      }
      for await (const chunk of data) {
        file.size += chunk.byteLength;
        if (file.problem) continue;
        if (file.size > limits.maxBytes) {
          file.problem = "tooLarge";
          await handle?.close();
          handle = null;
          if (file.tempPath) await rm(file.tempPath, { force: true });
          file.tempPath = null;
          continue;
        }
        hash.update(chunk);
        if (headLength < HEAD_BYTES) {
          const take = Buffer.from(chunk.buffer, chunk.byteOffset, Math.min(chunk.byteLength, HEAD_BYTES - headLength));
          heads.push(Buffer.from(take));
          headLength += take.byteLength;
        }
        for (let written = 0; written < chunk.byteLength;) written += (await handle!.write(chunk, written)).bytesWritten;
      }
      if (handle) {
        await handle.sync();
        await handle.close();
        handle = null;
      }
    } catch (error) {
      await handle?.close().catch(() => {});
      throw error;
    }
    if (!file.problem && file.size === 0) file.problem = "empty";
    file.sha256 = hash.digest("hex");
    file.head = Buffer.concat(heads);
    if (!file.problem) {
      file.type = recogniseEvidenceType(file);
      if (!file.type) file.problem = "badType";
    }
    if (file.problem && file.tempPath) {
      await rm(file.tempPath, { force: true });
      file.tempPath = null;
    }
    return null;
  };

  const textHandler: UploadHandler = async (part) => {
    if (part.filename !== undefined) return undefined;
    const value = await unstable_createMemoryUploadHandler({ maxPartSize: MAX_TEXT_BYTES })(part);
    textBytes += typeof value === "string" ? Buffer.byteLength(value) : 0;
    if (textBytes > MAX_TEXT_BYTES) throw new UploadRefused("textTooLarge");
    return value;
  };

  try {
    const form = await unstable_parseMultipartFormData(request, unstable_composeUploadHandlers(textHandler, fileHandler));
    return { form, files, discard };
  } catch (error) {
    await discard();
    if (error instanceof UploadRefused) throw error;
    if (error instanceof Error && error.name === "MaxPartSizeExceededError") throw new UploadRefused("textTooLarge");
    // Remix's multipart parser cannot read a file name with ";" or "=" in it.
    if (error instanceof Error && /content-disposition/i.test(error.message)) throw new UploadRefused("badFileName");
    throw new UploadRefused("malformed");
  }
}

// ---------------------------------------------------------------------------------------------
// Recognising a file

const startsWith = (head: Buffer, bytes: number[]) => head.length >= bytes.length && bytes.every((b, i) => head[i] === b);
const PDF = [0x25, 0x50, 0x44, 0x46, 0x2d]; // %PDF-
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];
const ZIP = [0x50, 0x4b, 0x03, 0x04]; // DOCX and XLSX are ZIP packages
const BINARY = [PDF, PNG, JPEG, ZIP, [0x7f, 0x45, 0x4c, 0x46] /* ELF */, [0x4d, 0x5a] /* MZ (Windows programs) */];

/** Text: UTF-8 (with or without a byte-order mark), no NUL bytes, and not a known binary format. */
function looksLikeText(head: Buffer): boolean {
  if (head.includes(0)) return false;
  if (BINARY.some((magic) => startsWith(head, magic))) return false;
  try {
    // `stream` tolerates a character cut in two at the end of the head.
    new TextDecoder("utf-8", { fatal: true }).decode(head, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** Types some browsers declare for the accepted kinds. */
const DECLARED_ALIASES: Record<string, EvidenceType> = {
  "image/jpg": "image/jpeg",
  "image/pjpeg": "image/jpeg",
  "application/csv": "text/csv",
  "text/comma-separated-values": "text/csv",
  // Windows browsers with Excel installed declare CSV files this way.
  "application/vnd.ms-excel": "text/csv",
};

/**
 * The accepted type a file is, or null: the declared MIME type must be one of the accepted ones, the
 * file name must end as that type's files do, and the content must start as that type's files do
 * (plain text and CSV have no signature: they must read as UTF-8 text).
 */
export function recogniseEvidenceType(file: Pick<StagedFile, "fileName" | "declaredType" | "head">): EvidenceType | null {
  const declared: EvidenceType | undefined =
    file.declaredType in evidenceTypes ? (file.declaredType as EvidenceType) : DECLARED_ALIASES[file.declaredType];
  if (!declared) return null;
  if (!(evidenceTypes[declared] as readonly string[]).includes(extensionOf(file.fileName))) return null;
  const head = file.head;
  switch (declared) {
    case "application/pdf":
      return startsWith(head, PDF) ? declared : null;
    case "image/png":
      return startsWith(head, PNG) ? declared : null;
    case "image/jpeg":
      return startsWith(head, JPEG) ? declared : null;
    case "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
    case "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
      return startsWith(head, ZIP) ? declared : null;
    case "text/plain":
    case "text/csv":
      return looksLikeText(head) ? declared : null;
  }
}

// ---------------------------------------------------------------------------------------------
// Storing

/**
 * Moves an accepted file to its place by content hash; the same content is stored once. A file
 * stored for an update whose database row then fails stays harmlessly: it is only reachable through a row.
 */
export async function storeStagedFile(
  dir: string,
  file: StagedFile,
): Promise<{ fileName: string; mimeType: string; size: number; sha256: string }> {
  const target = evidencePath(dir, file.sha256);
  if (!file.tempPath || !file.type || !target) throw new Error("only an accepted, received file can be stored");
  await mkdir(dirname(target), { recursive: true });
  const existing = await stat(target).catch(() => null);
  if (existing?.isFile() && existing.size === file.size) await rm(file.tempPath, { force: true });
  else await rename(file.tempPath, target);
  file.tempPath = null;
  return { fileName: file.fileName, mimeType: file.type, size: file.size, sha256: file.sha256 };
}

/** A stored file as a stream, or null when it is missing from the disk. */
export async function readStoredFile(dir: string, sha256: string): Promise<{ body: ReadableStream<Uint8Array>; size: number } | null> {
  const path = evidencePath(dir, sha256);
  if (!path) return null;
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) return null;
  return { body: createReadableStreamFromReadable(createReadStream(path)), size: info.size };
}

/** `Content-Disposition: attachment` with an ASCII fallback name and the exact name in UTF-8. */
export function attachmentDisposition(fileName: string): string {
  const safe = safeFileName(fileName);
  const ascii = safe.replace(/[^\x20-\x7e]/g, "_").replace(/["\\;]/g, "_") || "evidence";
  const encoded = encodeURIComponent(safe).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

// ---------------------------------------------------------------------------------------------
// Queries for the commitment page and the download

/** Who may see a commitment: what `commitment.view` needs to know. */
export function commitmentAccess(db: DbOrTx, commitmentId: number): { visibility: CommitmentVisibility; organisationIds: number[] } | null {
  const row = db.select({ visibility: commitments.visibility }).from(commitments).where(eq(commitments.id, commitmentId)).get();
  if (!row) return null;
  const organisationIds = db
    .select({ id: commitmentOrganisations.organisationId })
    .from(commitmentOrganisations)
    .where(eq(commitmentOrganisations.commitmentId, commitmentId))
    .all()
    .map((r) => r.id);
  return { visibility: row.visibility, organisationIds };
}

/** Who may see each of several commitments, by id. */
export function commitmentsAccess(db: DbOrTx, ids: number[]): Map<number, { visibility: CommitmentVisibility; organisationIds: number[] }> {
  const out = new Map<number, { visibility: CommitmentVisibility; organisationIds: number[] }>();
  if (!ids.length) return out;
  for (const row of db
    .select({ id: commitments.id, visibility: commitments.visibility })
    .from(commitments)
    .where(inArray(commitments.id, ids))
    .all()) {
    out.set(row.id, { visibility: row.visibility, organisationIds: [] });
  }
  for (const row of db.select().from(commitmentOrganisations).where(inArray(commitmentOrganisations.commitmentId, ids)).all()) {
    out.get(row.commitmentId)?.organisationIds.push(row.organisationId);
  }
  return out;
}

/** Titles of commitments, by id (for the other side of a carry-over link). */
export function commitmentTitles(db: DbOrTx, ids: number[]): Map<number, string> {
  if (!ids.length) return new Map();
  return new Map(
    db
      .select({ id: commitments.id, title: commitments.title })
      .from(commitments)
      .where(inArray(commitments.id, ids))
      .all()
      .map((r) => [r.id, r.title]),
  );
}

/** An evidence row with the commitment its update belongs to. */
export function getEvidence(db: DbOrTx, id: number) {
  return (
    db
      .select({ evidence, commitmentId: progressUpdates.commitmentId })
      .from(evidence)
      .innerJoin(progressUpdates, eq(progressUpdates.id, evidence.updateId))
      .where(eq(evidence.id, id))
      .get() ?? null
  );
}

/** The session (and its event) where a commitment was made. */
export function sessionWhereMade(db: DbOrTx, sessionId: number) {
  return (
    db
      .select({ id: agendaSessions.id, title: agendaSessions.title, eventId: events.id, eventTitle: events.title })
      .from(agendaSessions)
      .innerJoin(events, eq(events.id, agendaSessions.eventId))
      .where(eq(agendaSessions.id, sessionId))
      .get() ?? null
  );
}
