import { describe, expect, it } from "vitest";
import { EnvError, isLoopbackHost, parseEnv } from "../../server/env";

describe("environment validation", () => {
  it("gives working defaults for a quick start", () => {
    const env = parseEnv({});
    expect(env.PORT).toBe(3000);
    expect(env.DATABASE_PATH).toBe("data/convene.db");
    expect(env.APP_URL).toBe("http://localhost:3000");
  });

  it("names each bad setting with what was given", () => {
    expect(() => parseEnv({ PORT: "eighty", DEMO_MODE: "maybe", APP_URL: "not a url" })).toThrowError(EnvError);
    const attempt = () => parseEnv({ PORT: "70000", DEMO_MODE: "maybe" });
    expect(attempt).toThrowError('PORT: must be between 0 and 65535 (got "70000")');
    expect(attempt).toThrowError('DEMO_MODE: use true or false (got "maybe")');
  });

  it("treats empty values as unset", () => {
    expect(parseEnv({ PORT: "", SMTP_URL: "" }).PORT).toBe(3000);
  });
});

describe("demo mode", () => {
  it("is off for any public address, over HTTP as well as HTTPS", () => {
    for (const APP_URL of [
      "https://convene.example.org",
      "http://convene.example.org",
      "http://10.0.0.5:3000",
      "http://[2001:db8::1]:3000",
    ]) {
      const env = parseEnv({ APP_URL });
      expect(env.DEMO_MODE, APP_URL).toBe(false);
      expect(env.DEMO_MODE_REASON).toContain("not a loopback address");
    }
  });

  it("is on for a loopback address", () => {
    for (const APP_URL of [
      "http://localhost:3000",
      "http://127.0.0.1:3000",
      "http://127.8.9.10",
      "http://[::1]:3000",
      "http://LOCALHOST",
    ]) {
      const env = parseEnv({ APP_URL });
      expect(env.DEMO_MODE, APP_URL).toBe(true);
      expect(env.DEMO_MODE_REASON).toContain("is a loopback address");
    }
  });

  it("is off when APP_URL was forgotten on a server that listens on every interface", () => {
    const env = parseEnv({ NODE_ENV: "production" });
    expect(env.DEMO_MODE).toBe(false);
    expect(env.DEMO_MODE_REASON).toMatch(/APP_URL is not set and Convene listens on 0\.0\.0\.0/);
    expect(parseEnv({ HOST: "::" }).DEMO_MODE).toBe(false);
  });

  it("is on when APP_URL is unset but the server listens on loopback only", () => {
    expect(parseEnv({ HOST: "127.0.0.1" }).DEMO_MODE).toBe(true);
    expect(parseEnv({ HOST: "localhost" }).DEMO_MODE).toBe(true);
  });

  it("follows DEMO_MODE when it is set, whatever the address", () => {
    expect(parseEnv({ APP_URL: "https://convene.example.org", DEMO_MODE: "true" })).toMatchObject({
      DEMO_MODE: true,
      DEMO_MODE_REASON: "DEMO_MODE=true",
    });
    expect(parseEnv({ APP_URL: "http://localhost:3000", DEMO_MODE: "false" })).toMatchObject({
      DEMO_MODE: false,
      DEMO_MODE_REASON: "DEMO_MODE=false",
    });
  });

  it("recognises loopback host names and nothing else", () => {
    expect(["localhost", "app.localhost", "127.0.0.1", "127.255.255.254", "[::1]", "::1"].every(isLoopbackHost)).toBe(true);
    expect(
      ["0.0.0.0", "::", "128.0.0.1", "127.0.0.1.evil.example", "localhost.evil.example", "10.0.0.1", "127.0.0.256"].some(isLoopbackHost),
    ).toBe(false);
  });
});

describe("the coalition's language and time zone for printed reports", () => {
  it("defaults to British English in UTC", () => {
    expect(parseEnv({})).toMatchObject({ COALITION_LOCALE: "en-GB", COALITION_TIME_ZONE: "UTC" });
  });

  it("accepts a real language tag and a real zone, keeping a zone by its current name when given an older one", () => {
    expect(parseEnv({ COALITION_LOCALE: "fr-BE", COALITION_TIME_ZONE: "Europe/Brussels" })).toMatchObject({
      COALITION_LOCALE: "fr-BE",
      COALITION_TIME_ZONE: "Europe/Brussels",
    });
    expect(parseEnv({ COALITION_TIME_ZONE: "Asia/Calcutta" }).COALITION_TIME_ZONE).toBe("Asia/Kolkata");
    expect(parseEnv({ COALITION_TIME_ZONE: "Europe/Kiev" }).COALITION_TIME_ZONE).toBe("Europe/Kyiv");
  });

  it("refuses to start with a made-up language or zone, naming the setting", () => {
    expect(() => parseEnv({ COALITION_LOCALE: "en_GB" })).toThrow(/COALITION_LOCALE: must be a language tag/);
    expect(() => parseEnv({ COALITION_LOCALE: "xx-YY" })).toThrow(/COALITION_LOCALE/);
    expect(() => parseEnv({ COALITION_TIME_ZONE: "Mars/Olympus_Mons" })).toThrow(/COALITION_TIME_ZONE: must be a time zone/);
  });
});
