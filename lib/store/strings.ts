/**
 * String values. A plain binary string is the compact form (Redis's "int"
 * or "embstr"/"raw" depending on content and length); strings grown in
 * place by APPEND/SETRANGE use a growable byte buffer (RawString).
 */
import { parseInt64 } from "../commands/args.ts";
import type { Value } from "./keyspace.ts";

/** Redis keeps strings of at most 44 bytes in one allocation (embstr). */
export const EMBSTR_MAX = 44;

/** OBJECT ENCODING of a plain (immutable) string value. */
export function stringEncoding(s: string): "int" | "embstr" | "raw" {
  if (s.length <= 20 && parseInt64(s) !== null) return "int";
  return s.length <= EMBSTR_MAX ? "embstr" : "raw";
}

/** The bytes of a string value as a binary string, or undefined for other types. */
export function stringOf(v: Value): string | undefined {
  return typeof v === "string" ? v : undefined;
}
