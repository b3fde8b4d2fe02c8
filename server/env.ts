import { dirname, join } from "node:path";
import { z } from "zod";
import { canonicalTimeZone } from "../app/utils/time-zones";

const booleanish = z
  .enum(["true", "false", "1", "0", "yes", "no"], {
    errorMap: () => ({ message: "use true or false" }),
  })
  .transform((v) => v === "true" || v === "1" || v === "yes");

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    PORT: z.coerce
      .number({ invalid_type_error: "must be a number" })
      .int("must be a whole number")
      .min(0, "must be between 0 and 65535")
      .max(65535, "must be between 0 and 65535")
      .default(3000),
    HOST: z.string().min(1).default("0.0.0.0"),
    DATABASE_PATH: z.string().min(1, "must not be empty").default("data/convene.db"),
    APP_URL: z.string().url("must be a full URL such as https://convene.example.org").optional(),
    DEMO_MODE: booleanish.optional(),
    SESSION_IDLE_DAYS: z.coerce.number().positive("must be a positive number of days").default(7),
    SMTP_URL: z.string().url("must look like smtp://user:pass@host:587").optional(),
    MAIL_FROM: z.string().min(3).default("Convene <no-reply@convene.local>"),
    TRUST_PROXY: booleanish.default("false"),
    LOG_LEVEL: z.enum(["silent", "info", "debug"]).default("info"),
    /** How long an open document stays in memory after its last reader leaves. */
    DOC_UNLOAD_MS: z.coerce.number().int().min(0, "must be 0 or more milliseconds").default(60_000),
    /** After this many stored updates, a document's updates are folded into one snapshot. */
    DOC_COMPACT_UPDATES: z.coerce.number().int().min(1, "must be at least 1").default(500),
    /** The largest evidence file accepted on a progress update, in bytes (each file; at most five per update). */
    EVIDENCE_MAX_BYTES: z.coerce
      .number({ invalid_type_error: "must be a number of bytes" })
      .int("must be a whole number of bytes")
      .min(1024, "must be at least 1024 bytes")
      .max(100 * 1024 * 1024, "must be at most 104857600 bytes (100 MiB)")
      .default(10 * 1024 * 1024),
    /** Chromium for printing reports to PDF; without it, the PDF download asks people to print from their browser. */
    CHROMIUM_PATH: z.string().min(1).default("/usr/bin/chromium"),
    /**
     * The fonts the report's list of commitments is written in (decision 048): by default Debian's DejaVu Sans,
     * the font Chromium prints the rest of the report in. Without them, or for text they cannot show, Chromium
     * prints the whole report.
     */
    PDF_FONT: z.string().min(1).default("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    PDF_FONT_BOLD: z.string().min(1).default("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    /** A PDF printer nobody used for this long closes its browser, to give the memory back. */
    PDF_IDLE_CLOSE_MS: z.coerce
      .number()
      .int()
      .min(1000, "must be at least 1000 milliseconds")
      .default(5 * 60_000),
    /** Where backups go (scheduled ones and `npm run backup`); by default a `backups` folder beside the database. */
    BACKUP_DIR: z.string().min(1, "must not be empty").optional(),
    /** Hours between scheduled backups (fractions allowed); 0 turns the schedule off. */
    BACKUP_EVERY_HOURS: z.coerce
      .number({ invalid_type_error: "must be a number of hours" })
      .min(0, "must be 0 (off) or more hours")
      .max(168, "must be at most 168 hours (a week)")
      .default(24),
    /** How many scheduled backups to keep; older ones are deleted after each new one. Backups made by hand are never deleted. */
    BACKUP_KEEP: z.coerce
      .number({ invalid_type_error: "must be a number" })
      .int("must be a whole number")
      .min(1, "must be at least 1")
      .default(7),
    /** BigBlueButton's API address (ending in `/bigbluebutton/`): with `BBB_SECRET`, Convene makes one meeting per breakout room. */
    BBB_URL: z.string().url("must be a full URL such as https://bbb.example.org/bigbluebutton/").optional(),
    /** The shared secret of that BigBlueButton server (`bbb-conf --secret`). */
    BBB_SECRET: z.string().min(8, "must be at least 8 characters").optional(),
    /** How often the server checks that a live connection is still there; a vanished one is dropped within interval + timeout. */
    LIVE_PING_INTERVAL_MS: z.coerce.number().int().min(100, "must be at least 100 milliseconds").default(5_000),
    LIVE_PING_TIMEOUT_MS: z.coerce.number().int().min(100, "must be at least 100 milliseconds").default(5_000),
    /** The coalition's own language and region: printed reports (PDF) show dates and numbers this way. */
    COALITION_LOCALE: z.string().refine(isLocale, "must be a language tag such as en-GB or fr-FR").default("en-GB"),
    /** The coalition's time zone: printed reports (PDF) show dates in it. Old names (Asia/Calcutta) are accepted. */
    COALITION_TIME_ZONE: z
      .string()
      .default("UTC")
      .transform(
        (zone, ctx) =>
          canonicalTimeZone(zone) ??
          (ctx.addIssue({ code: "custom", message: "must be a time zone such as Europe/Brussels or UTC" }), z.NEVER),
      ),
  })
  .refine((env) => (env.BBB_URL === undefined) === (env.BBB_SECRET === undefined), {
    message: "BBB_URL and BBB_SECRET go together: set both or neither",
    path: ["BBB_SECRET"],
  })
  .transform((env) => {
    const APP_URL = env.APP_URL ?? `http://localhost:${env.PORT === 0 ? 3000 : env.PORT}`;
    const BACKUP_DIR = env.BACKUP_DIR ?? join(dirname(env.DATABASE_PATH), "backups");
    const demo = demoModeFor(env.DEMO_MODE, env.APP_URL, env.HOST);
    return { ...env, APP_URL, BACKUP_DIR, DEMO_MODE: demo.on, DEMO_MODE_REASON: demo.reason };
  });

/** A language tag this server's Intl knows (a print in an unknown one would silently fall back to another). */
function isLocale(tag: string): boolean {
  try {
    return Intl.DateTimeFormat.supportedLocalesOf(tag).length > 0;
  } catch {
    return false;
  }
}

/** True for `localhost` (and `*.localhost`), 127.0.0.0/8 and ::1: addresses only this machine can reach. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "");
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (host === "::1" || host === "0:0:0:0:0:0:0:1") return true;
  if (/^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return v4 !== null && v4.slice(1).every((n) => Number(n) <= 255) && v4[1] === "127";
}

/**
 * Demo accounts share a published password, so they are seeded only where nobody else can reach them:
 * when `DEMO_MODE=true` says so, or (unless `DEMO_MODE=false`) when the public address is a loopback one.
 * A missing `APP_URL` counts as loopback only when the server also listens on a loopback address:
 * a forgotten setting on a server open to the network seeds nothing.
 */
export function demoModeFor(explicit: boolean | undefined, appUrl: string | undefined, host: string): { on: boolean; reason: string } {
  if (explicit === true) return { on: true, reason: "DEMO_MODE=true" };
  if (explicit === false) return { on: false, reason: "DEMO_MODE=false" };
  if (appUrl !== undefined) {
    const hostname = new URL(appUrl).hostname;
    return isLoopbackHost(hostname)
      ? { on: true, reason: `APP_URL ${appUrl} is a loopback address` }
      : { on: false, reason: `APP_URL ${appUrl} is not a loopback address (set DEMO_MODE=true to seed the demo anyway)` };
  }
  return isLoopbackHost(host)
    ? { on: true, reason: `APP_URL is not set and Convene listens on the loopback address ${host}` }
    : {
        on: false,
        reason: `APP_URL is not set and Convene listens on ${host}, which others can reach (set DEMO_MODE=true to seed the demo)`,
      };
}

export type Env = z.infer<typeof EnvSchema>;

export class EnvError extends Error {}

/** Validates the environment once at start; every other module receives the parsed result. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = EnvSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message} (got ${JSON.stringify(cleaned[String(i.path[0])])})`);
    throw new EnvError(`Convene cannot start: the environment has invalid settings.\n${lines.join("\n")}`);
  }
  return result.data;
}
