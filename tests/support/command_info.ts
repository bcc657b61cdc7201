/**
 * Raw COMMAND INFO / COMMAND DOCS replies made comparable: Redis lists a
 * container's subcommands in the order of its hash table, whose seed is
 * random per process, so they are sorted by name before comparing bytes.
 */
import { replyEnd } from "./resp_client.ts";

/** The raw elements of the aggregate reply at `i` (header skipped; maps give keys and values). */
export function rawElements(raw: string, i = 0): string[] {
  const lineEnd = raw.indexOf("\r\n", i);
  let n = Number(raw.slice(i + 1, lineEnd));
  if (raw[i] === "%") n *= 2;
  const out: string[] = [];
  let at = lineEnd + 2;
  for (let k = 0; k < n; k++) {
    const end = replyEnd(raw, at);
    out.push(raw.slice(at, end));
    at = end;
  }
  return out;
}

function header(raw: string): string {
  return raw.slice(0, raw.indexOf("\r\n") + 2);
}

/** One COMMAND INFO entry with its subcommand entries (10th element) sorted, recursively. */
export function normalizeInfoEntry(entry: string): string {
  if (entry[0] !== "*") return entry; // a null for an unknown name
  const parts = rawElements(entry);
  const subs = rawElements(parts[9]).map(normalizeInfoEntry).sort();
  return header(entry) + parts.slice(0, 9).join("") + header(parts[9]) + subs.join("");
}

/** A COMMAND INFO reply (an array of entries) with every container's subcommands sorted. */
export function normalizeInfo(raw: string): string {
  return header(raw) + rawElements(raw).map(normalizeInfoEntry).join("");
}

/**
 * A COMMAND DOCS reply (a map name -> doc) with the pairs sorted by name and
 * each doc's "subcommands" map sorted the same way, recursively; `keep`
 * drops the subcommands it refuses (those only one server has).
 */
export function normalizeDocs(raw: string, keep: (name: string) => boolean = () => true): string {
  const parts = rawElements(raw);
  const pairs: string[] = [];
  for (let k = 0; k < parts.length; k += 2) {
    const name = decodeBulk(parts[k]);
    if (name !== null && !keep(name)) continue;
    pairs.push(parts[k] + normalizeDoc(parts[k + 1], keep));
  }
  return aggregateHeader(raw, pairs.length) + pairs.sort().join("");
}

function normalizeDoc(doc: string, keep: (name: string) => boolean): string {
  const parts = rawElements(doc);
  for (let k = 0; k < parts.length; k += 2) {
    if (parts[k] === "$11\r\nsubcommands\r\n") parts[k + 1] = normalizeDocs(parts[k + 1], keep);
  }
  return header(doc) + parts.join("");
}

/** The text of a raw bulk string reply, or null for another type. */
function decodeBulk(raw: string): string | null {
  if (raw[0] !== "$") return null;
  return raw.slice(raw.indexOf("\r\n") + 2, -2);
}

/** The header of the aggregate `raw` with `pairs` pairs (a map) or 2 × pairs elements (RESP2). */
function aggregateHeader(raw: string, pairs: number): string {
  return raw[0] === "%" ? `%${pairs}\r\n` : `${raw[0]}${pairs * 2}\r\n`;
}
