/**
 * The BigBlueButton API calls Convene makes: whether a room's meeting exists, creating it, and the join address a
 * person is sent to. Every call is signed the way BigBlueButton checks it by default: `checksum` is the SHA-1 (hex) of
 * the call's name, its query string and the shared secret (decision 030).
 */
import { createHash } from "node:crypto";

export interface BigBlueButtonConfig {
  /** The API address, e.g. `https://bbb.example.org/bigbluebutton/` (with or without `api/` and the final slash). */
  url: string;
  secret: string;
  /** How long one API call may take. */
  timeoutMs?: number;
}

/** A BigBlueButton call failed: the server could not be reached, answered an error, or said FAILED. */
export class BigBlueButtonError extends Error {
  constructor(
    message: string,
    readonly messageKey: string | null = null,
  ) {
    super(message);
    this.name = "BigBlueButtonError";
  }
}

/** Query string in the form BigBlueButton signs and reads (percent-encoding, `%20` for spaces), in the given order. */
export function queryString(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join("&");
}

export function checksum(callName: string, query: string, secret: string): string {
  return createHash("sha1")
    .update(callName + query + secret)
    .digest("hex");
}

function apiBase(url: string): string {
  const base = url.endsWith("/") ? url : `${url}/`;
  return base.endsWith("/api/") ? base : `${base}api/`;
}

/** The signed address of one API call. */
export function signedUrl(config: BigBlueButtonConfig, callName: string, params: Record<string, string>): string {
  const query = queryString(params);
  const sum = checksum(callName, query, config.secret);
  return `${apiBase(config.url)}${callName}?${query ? `${query}&` : ""}checksum=${sum}`;
}

/** The few fields of a BigBlueButton XML answer Convene reads. */
export interface BigBlueButtonAnswer {
  returncode: "SUCCESS" | "FAILED";
  messageKey: string | null;
  message: string | null;
}

function element(xml: string, name: string): string | null {
  const match = new RegExp(`<${name}>\\s*(?:<!\\[CDATA\\[)?([\\s\\S]*?)(?:\\]\\]>)?\\s*</${name}>`).exec(xml);
  return match ? match[1]!.trim() : null;
}

/** Reads `returncode`, `messageKey` and `message` from an answer; anything else is not an answer. */
export function parseAnswer(xml: string): BigBlueButtonAnswer {
  const returncode = element(xml, "returncode");
  if (returncode !== "SUCCESS" && returncode !== "FAILED") throw new BigBlueButtonError("BigBlueButton's answer has no return code.");
  return { returncode, messageKey: element(xml, "messageKey"), message: element(xml, "message") };
}

async function call(config: BigBlueButtonConfig, callName: string, params: Record<string, string>): Promise<BigBlueButtonAnswer> {
  let response: Response;
  try {
    response = await fetch(signedUrl(config, callName, params), {
      signal: AbortSignal.timeout(config.timeoutMs ?? 5_000),
      headers: { Accept: "application/xml, text/xml" },
    });
  } catch (error) {
    const reason = (error as Error).name === "TimeoutError" ? "did not answer in time" : "could not be reached";
    throw new BigBlueButtonError(`BigBlueButton ${reason} (${callName}).`);
  }
  if (!response.ok) throw new BigBlueButtonError(`BigBlueButton answered ${response.status} (${callName}).`);
  return parseAnswer(await response.text());
}

/** Passwords for servers older than 2.4, which need one on join; derived from the secret, so stable per meeting. */
function passwordFor(config: BigBlueButtonConfig, meetingId: string, role: "moderator" | "attendee"): string {
  return createHash("sha256").update(`${config.secret}:${meetingId}:${role}`).digest("hex").slice(0, 16);
}

export interface MeetingSpec {
  meetingId: string;
  name: string;
  /** Where people go when they leave the meeting (the room's page). */
  logoutUrl?: string;
}

/**
 * Makes sure the meeting runs: asks whether it exists, and creates it when it does not. Creating is idempotent in
 * BigBlueButton for the same meeting and parameters; `idNotUnique` (made meanwhile with other parameters) counts as
 * made. Answers whether this call created it.
 */
export async function ensureMeeting(config: BigBlueButtonConfig, meeting: MeetingSpec): Promise<{ created: boolean }> {
  const info = await call(config, "getMeetingInfo", { meetingID: meeting.meetingId });
  if (info.returncode === "SUCCESS") return { created: false };
  if (info.messageKey !== "notFound")
    throw new BigBlueButtonError(info.message ?? "BigBlueButton refused getMeetingInfo.", info.messageKey);
  const params: Record<string, string> = {
    name: meeting.name,
    meetingID: meeting.meetingId,
    attendeePW: passwordFor(config, meeting.meetingId, "attendee"),
    moderatorPW: passwordFor(config, meeting.meetingId, "moderator"),
    record: "false",
    autoStartRecording: "false",
    allowStartStopRecording: "false",
  };
  if (meeting.logoutUrl) params.logoutURL = meeting.logoutUrl;
  const created = await call(config, "create", params);
  if (created.returncode === "SUCCESS" || created.messageKey === "idNotUnique") return { created: true };
  throw new BigBlueButtonError(created.message ?? "BigBlueButton refused to create the meeting.", created.messageKey);
}

/** The signed address that takes one person into the meeting (BigBlueButton redirects to its client). */
export function joinUrl(config: BigBlueButtonConfig, join: { meetingId: string; fullName: string; moderator: boolean }): string {
  return signedUrl(config, "join", {
    fullName: join.fullName,
    meetingID: join.meetingId,
    role: join.moderator ? "MODERATOR" : "VIEWER",
    password: passwordFor(config, join.meetingId, join.moderator ? "moderator" : "attendee"),
    redirect: "true",
  });
}
