import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "../../server/env";

describe("environment validation", () => {
  it("gives working defaults for a quick start", () => {
    const env = parseEnv({});
    expect(env.PORT).toBe(3000);
    expect(env.DATABASE_PATH).toBe("data/convene.db");
    expect(env.DEMO_MODE).toBe(true);
    expect(env.APP_URL).toBe("http://localhost:3000");
  });

  it("names each bad setting with what was given", () => {
    expect(() => parseEnv({ PORT: "eighty", DEMO_MODE: "maybe", APP_URL: "not a url" })).toThrowError(EnvError);
    const attempt = () => parseEnv({ PORT: "70000", DEMO_MODE: "maybe" });
    expect(attempt).toThrowError('PORT: must be between 0 and 65535 (got "70000")');
    expect(attempt).toThrowError('DEMO_MODE: use true or false (got "maybe")');
  });

  it("seeds demo accounts only when asked, once served over HTTPS", () => {
    expect(parseEnv({ APP_URL: "https://convene.example.org" }).DEMO_MODE).toBe(false);
    expect(parseEnv({ APP_URL: "https://convene.example.org", DEMO_MODE: "true" }).DEMO_MODE).toBe(true);
  });

  it("treats empty values as unset", () => {
    expect(parseEnv({ PORT: "", SMTP_URL: "" }).PORT).toBe(3000);
  });
});
