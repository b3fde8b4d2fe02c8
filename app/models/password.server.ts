import { hash, verify } from "@node-rs/argon2";

/** argon2id (the library default algorithm) with OWASP's minimum memory-hard settings: 19 MiB, 2 passes, 1 lane. */
export const ARGON2_PARAMS = { memoryCost: 19456, timeCost: 2, parallelism: 1, outputLen: 32 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_PARAMS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

// Verified against when no account matches, so a wrong email costs as long as a wrong password.
let dummyHash: Promise<string> | undefined;
export function verifyAgainstDummy(password: string): Promise<boolean> {
  dummyHash ??= hashPassword("convene-dummy-password-never-valid");
  return dummyHash.then((h) => verifyPassword(h, password)).then(() => false);
}
