/**
 * The AOF file format (lib/persistence/aoffile.ts), with real Redis 7.0 as
 * the oracle: we read the manifest and command log redis-server writes,
 * redis-check-aof judges the manifests and logs we write (and every torn
 * copy of one), and redis-server loads them, truncating where we say.
 */
import { assert, assertEquals, assertMatch, assertThrows } from "@std/assert";
import {
  type AofEnd,
  type AofUnit,
  appendCommand,
  baseName,
  formatManifest,
  incrName,
  type ManifestEntry,
  ManifestError,
  manifestName,
  parseManifest,
  readAofUnits,
  tempManifestName,
} from "../../lib/persistence/aoffile.ts";
import { bytesToStr, strToBytes, utf8ToStr } from "../../lib/resp/bytes.ts";
import { ByteBuffer, concatBytes } from "../../lib/util/bytebuf.ts";
import { RespClient } from "../support/resp_client.ts";
import { redisTool, startRedis } from "../support/servers.ts";
import { aofDir, manifestPath, runChecker, waitFor } from "../support/persistence.ts";

// ------------------------------------------------------------------ helpers

function encode(commands: string[][]): Uint8Array {
  const buf = new ByteBuffer(64);
  for (const c of commands) appendCommand(buf, c);
  return buf.buf.slice(0, buf.pos);
}

function readAll(bytes: Uint8Array, start = 0): { units: AofUnit[]; end: AofEnd } {
  const units: AofUnit[] = [];
  const it = readAofUnits(bytes, start);
  for (;;) {
    const r = it.next();
    if (r.done) return { units, end: r.value };
    units.push(r.value);
  }
}

/** Runs `fn` over `items`, `width` at a time. */
async function inBatches<T>(items: T[], width: number, fn: (t: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += width) {
    await Promise.all(items.slice(i, i + width).map(fn));
  }
}

// Binary data: NUL, CR/LF inside, high bytes, and one argument long enough
// to take bytesToStr's chunked path.
const BIN_KEY = "bin\x00\r\nkey\xff";
const BIN_VAL = "\xff\x00\r\n\x80\r\n*1\r\n$3\r\n";
const BIG_VAL = Array.from({ length: 20000 }, (_, i) => String.fromCharCode((i * 7) & 0xff))
  .join("");

// ------------------------------------------------------------ names

Deno.test("aof names: the ones Redis 7.0 uses", () => {
  assertEquals(baseName("appendonly.aof", 3, true), "appendonly.aof.3.base.rdb");
  assertEquals(baseName("appendonly.aof", 3, false), "appendonly.aof.3.base.aof");
  assertEquals(incrName("appendonly.aof", 12), "appendonly.aof.12.incr.aof");
  assertEquals(manifestName("appendonly.aof"), "appendonly.aof.manifest");
  assertEquals(tempManifestName("appendonly.aof"), "temp-appendonly.aof.manifest");
});

// ------------------------------------------------------- redis-server writes

Deno.test("aof oracle: the manifest and commands redis-server 7.0 writes read back", async () => {
  const server = await startRedis({
    persistence: true,
    args: ["--appendonly", "yes", "--save", ""],
  });
  if (!server) return;
  const c = await RespClient.connect(server.port);
  try {
    let expected: string[][];
    try {
      assertEquals(await c.value("SET", BIN_KEY, BIN_VAL), "OK");
      assertEquals(await c.value("SET", "k2", "v", "EX", "100"), "OK");
      const k2At = String(await c.value("PEXPIRETIME", "k2"));
      assertEquals(await c.value("DEL", "missing"), 0); // changes nothing: not logged
      assertEquals(await c.value("SELECT", "2"), "OK");
      assertEquals(await c.value("MULTI"), "OK");
      assertEquals(await c.value("SET", "a", "1"), "QUEUED");
      assertEquals(await c.value("INCR", "a"), "QUEUED");
      assertEquals(await c.value("HSET", "h", "f", "\x00\xff"), "QUEUED");
      assertEquals(await c.value("EXEC"), ["OK", 2, 1]);
      assertEquals(await c.value("SELECT", "3"), "OK");
      assertEquals(await c.value("SETEX", "x", "10", "y"), "OK");
      const xAt = String(await c.value("PEXPIRETIME", "x"));
      assertEquals(await c.value("SET", "z", "w"), "OK");
      assertEquals(await c.value("EXPIRE", "z", "50"), 1);
      const zAt = String(await c.value("PEXPIRETIME", "z"));
      assertEquals(await c.value("INCRBYFLOAT", "f", "1.5"), "1.5");
      assertEquals(await c.value("HINCRBYFLOAT", "hf", "a", "2"), "2");
      assertEquals(await c.value("SET", "big", BIG_VAL), "OK");
      expected = [
        ["SELECT", "0"],
        ["SET", BIN_KEY, BIN_VAL],
        ["SET", "k2", "v", "PXAT", k2At],
        ["SELECT", "2"], // before the MULTI in 7.0.15
        ["MULTI"],
        ["SET", "a", "1"],
        ["INCR", "a"],
        ["HSET", "h", "f", "\x00\xff"],
        ["EXEC"],
        ["SELECT", "3"],
        ["SET", "x", "y", "PXAT", xAt],
        ["SET", "z", "w"],
        ["PEXPIREAT", "z", zAt],
        ["SET", "f", "1.5", "KEEPTTL"],
        ["HSET", "hf", "a", "2"],
        ["SET", "big", BIG_VAL],
      ];
    } finally {
      c.close();
      await server.stop();
    }
    const dir = aofDir(server.dir);
    const manifestText = bytesToStr(Deno.readFileSync(`${dir}/${manifestName("appendonly.aof")}`));
    const entries = parseManifest(manifestText);
    assertEquals(entries, [
      { file: baseName("appendonly.aof", 1, true), seq: 1, type: "b" },
      { file: incrName("appendonly.aof", 1), seq: 1, type: "i" },
    ]);
    assertEquals(formatManifest(entries), manifestText);
    assertEquals(
      bytesToStr(Deno.readFileSync(`${dir}/${entries[0].file}`).subarray(0, 5)),
      "REDIS",
    );

    const incr = Deno.readFileSync(`${dir}/${entries[1].file}`);
    const { units, end } = readAll(incr);
    assertEquals(end, { kind: "ok", offset: incr.length });
    // The transaction is one unit, without its MULTI and EXEC.
    const txAt = expected.findIndex((cmd) => cmd[0] === "MULTI");
    const txEnd = expected.findIndex((cmd) => cmd[0] === "EXEC");
    assertEquals(units.map((u) => u.commands), [
      ...expected.slice(0, txAt).map((cmd) => [cmd]),
      expected.slice(txAt + 1, txEnd),
      ...expected.slice(txEnd + 1).map((cmd) => [cmd]),
    ]);
    // Units tile the file, and appendCommand writes what Redis wrote, byte for byte.
    let at = 0;
    for (const u of units) {
      assertEquals(u.offset, at);
      at = u.end;
    }
    assertEquals(at, incr.length);
    assertEquals(encode(expected), incr);
  } finally {
    await server.stop(); // again, after a failed assertion
    Deno.removeSync(server.dir, { recursive: true });
  }
});

Deno.test("aof oracle: a quoted file name, a rewrite, and a base in AOF form", async () => {
  // Space, double quote, tab and UTF-8 bytes: each makes Redis quote the name.
  const name = 'my "aof" é\t.aof';
  const server = await startRedis({
    persistence: true,
    args: [
      "--appendonly",
      "yes",
      "--save",
      "",
      "--appendfilename",
      name,
      "--aof-use-rdb-preamble",
      "no",
    ],
  });
  if (!server) return;
  const bname = utf8ToStr(name); // file names are binary strings
  const dir = aofDir(server.dir);
  const manifestFile = `${dir}/${name}.manifest`;
  const c = await RespClient.connect(server.port);
  try {
    try {
      assertEquals(await c.value("SET", "s", BIN_VAL), "OK");
      assertEquals(await c.value("HSET", "h", "a", "1", "b", "2"), 2);
      assertEquals(await c.value("BGREWRITEAOF"), "Background append only file rewriting started");
      // Done once the manifest names base 2 and the history files are gone.
      await waitFor("the rewrite", () => {
        const text = Deno.readTextFileSync(manifestFile);
        return text.includes("seq 2 type b") && !text.includes("type h");
      });
      assertEquals(await c.value("SET", "t", "after"), "OK");
    } finally {
      c.close();
      await server.stop();
    }
    const text = bytesToStr(Deno.readFileSync(manifestFile));
    const entries: ManifestEntry[] = [
      { file: baseName(bname, 2, false), seq: 2, type: "b" },
      { file: incrName(bname, 2), seq: 2, type: "i" },
    ];
    assertEquals(text, formatManifest(entries));
    assertEquals(
      text,
      'file "my \\"aof\\" \\xc3\\xa9\\t.aof.2.base.aof" seq 2 type b\n' +
        'file "my \\"aof\\" \\xc3\\xa9\\t.aof.2.incr.aof" seq 2 type i\n',
    );
    assertEquals(parseManifest(text), entries);

    // The rewritten base: plain commands recreating the data set.
    const base = Deno.readFileSync(`${dir}/${baseName(name, 2, false)}`);
    const b = readAll(base);
    assertEquals(b.end, { kind: "ok", offset: base.length });
    const cmds = b.units.map((u) => u.commands);
    assert(cmds.every((u) => u.length === 1));
    assertEquals(cmds[0][0], ["SELECT", "0"]);
    const rest = cmds.slice(1).map((u) => u[0]).sort();
    assertEquals(rest, [["HMSET", "h", "a", "1", "b", "2"], ["SET", "s", BIN_VAL]]);

    const incr = Deno.readFileSync(`${dir}/${incrName(name, 2)}`);
    assertEquals(readAll(incr).units.map((u) => u.commands), [
      [["SELECT", "0"]],
      [["SET", "t", "after"]],
    ]);
  } finally {
    await server.stop(); // again, after a failed assertion
    Deno.removeSync(server.dir, { recursive: true });
  }
});

// ------------------------------------------------------------- the reader

// A small log: commands, a transaction, an annotation (as Redis writes with
// aof-timestamp-enabled), and binary arguments.
const LOG_COMMANDS: string[][] = [
  ["SELECT", "0"],
  ["SET", BIN_KEY, BIN_VAL],
  ["MULTI"],
  ["SET", "a", "1"],
  ["INCR", "a"],
  ["EXEC"],
  ["DEL", "x"],
];

function sampleLog(annotation: boolean): { bytes: Uint8Array; units: string[][][] } {
  const head = encode(LOG_COMMANDS.slice(0, 6));
  const tail = encode(LOG_COMMANDS.slice(6));
  return {
    bytes: annotation
      ? concatBytes([head, strToBytes("#TS:1700000000\r\n"), tail])
      : concatBytes([head, tail]),
    units: [
      [LOG_COMMANDS[0]],
      [LOG_COMMANDS[1]],
      LOG_COMMANDS.slice(3, 5),
      [LOG_COMMANDS[6]],
    ],
  };
}

Deno.test("aof reader: units, offsets and annotations", () => {
  const { bytes, units } = sampleLog(true);
  const r = readAll(bytes);
  assertEquals(r.end, { kind: "ok", offset: bytes.length });
  assertEquals(r.units.map((u) => u.commands), units);
  // Offsets: each unit starts where the previous ended, the annotation excepted.
  const ends = r.units.map((u) => u.end);
  assertEquals(r.units[1].offset, ends[0]);
  assertEquals(r.units[2].offset, ends[1]);
  assertEquals(bytesToStr(bytes.subarray(ends[2], r.units[3].offset)), "#TS:1700000000\r\n");
  assertEquals(r.units[3].end, bytes.length);
  // Reading from a unit's offset (as after an RDB preamble) reads the rest.
  const from = readAll(bytes, r.units[2].offset);
  assertEquals(from.units.map((u) => u.commands), units.slice(2));
  assertEquals(from.end, { kind: "ok", offset: bytes.length });
  // Empty input, and an empty transaction.
  assertEquals(readAll(new Uint8Array(0)), { units: [], end: { kind: "ok", offset: 0 } });
  const empty = encode([["MULTI"], ["EXEC"]]);
  assertEquals(readAll(empty).units, [{ commands: [], offset: 0, end: empty.length }]);
});

Deno.test("aof reader: every cut point is truncated back to the last complete unit", () => {
  const { bytes, units } = sampleLog(true);
  const full = readAll(bytes).units;
  // Clean places to stop: the start, after each unit, after the annotation line.
  const annotationEnd = full[3].offset;
  const clean = new Set([0, ...full.map((u) => u.end), annotationEnd]);
  for (let k = 0; k <= bytes.length; k++) {
    const r = readAll(bytes.subarray(0, k));
    const done = full.filter((u) => u.end <= k);
    assertEquals(r.units.map((u) => u.commands), units.slice(0, done.length), `cut ${k}`);
    const last = done.length ? done[done.length - 1].end : 0;
    if (clean.has(k)) {
      assertEquals(r.end, { kind: "ok", offset: k }, `cut ${k}`);
    } else {
      assertEquals(r.end.kind, "truncated", `cut ${k}`);
      assertEquals(r.end.offset, last, `cut ${k}`);
    }
  }
});

Deno.test("aof reader: an unfinished MULTI at the end is reverted to before MULTI", () => {
  const set = encode([["SET", "k", "v"]]);
  const bytes = encode([["SET", "k", "v"], ["MULTI"], ["SET", "a", "1"], ["INCR", "a"]]);
  const r = readAll(bytes);
  assertEquals(r.units.map((u) => u.commands), [[["SET", "k", "v"]]]);
  assertEquals(r.end.kind, "truncated");
  assertEquals(r.end.offset, set.length);
  assertMatch((r.end as { reason: string }).reason, /Revert incomplete MULTI\/EXEC transaction/);
});

Deno.test("aof reader: corruption in the middle names the byte", () => {
  const { bytes } = sampleLog(false);
  const full = readAll(bytes).units;
  const text = bytesToStr(bytes);
  const cases: { name: string; data: string; at: number; validUpTo: number; units: number }[] = [];
  const mutate = (name: string, at: number, by: string, validUpTo: number, units: number) => {
    cases.push({
      name,
      data: text.slice(0, at) + by + text.slice(at + by.length),
      at,
      validUpTo,
      units,
    });
  };
  const second = full[1].offset; // SET BIN_KEY BIN_VAL
  // "*3\r\n$3\r\nSET\r\n$9\r\n..."
  mutate("'*' replaced", second, "x", second, 1);
  mutate("argument count not a number", second + 1, "x", second, 1);
  mutate("argument count without CR", second + 2, "x", second, 1);
  mutate("argument count without LF", second + 3, "x", second, 1);
  mutate("'$' replaced", second + 4, "#", second, 1);
  mutate("bulk length not a number", second + 5, "-", second, 1);
  mutate("bulk length too short", second + 5, "2", second, 1);
  mutate("bulk length too long", second + 5, "4", second, 1);
  mutate("data without its CR", second + 11, "\n", second, 1);
  mutate("data without its LF", second + 12, "\r", second, 1);
  mutate("argument count zero", second + 1, "0", second, 1);
  // Inside the transaction: the whole transaction is lost, not half of it.
  const tx = full[2].offset; // MULTI
  const inTx = tx + encode([["MULTI"]]).length;
  mutate("bad '$' inside MULTI", inTx + 4, "x", tx, 2);
  // Zeros where the last command should be (a crash on some file systems).
  mutate(
    "NUL padding",
    full[3].offset,
    "\0".repeat(full[3].end - full[3].offset),
    full[3].offset,
    3,
  );
  for (const c of cases) {
    const r = readAll(strToBytes(c.data));
    assertEquals(r.units.length, c.units, c.name);
    assertEquals(r.end.kind, "corrupt", c.name);
    const end = r.end as Extract<AofEnd, { kind: "corrupt" }>;
    // The first byte that does not fit is named; here that is the mutated one,
    // except for wrong lengths, where the CRLF is missing at the new end.
    const at = c.name === "bulk length too short"
      ? second + 10
      : c.name === "bulk length too long"
      ? second + 12
      : c.name === "argument count zero"
      ? second + 1
      : c.at;
    assertEquals(end.offset, at, `${c.name}: ${end.reason}`);
    assertEquals(end.validUpTo, c.validUpTo, c.name);
  }
  // Structure and framing: [name, what follows one good command, where the
  // first bad byte is, counted from the end of that command].
  const one = encode([["SET", "k", "v"]]);
  const nested = encode([["MULTI"], ["SET", "a", "1"]]).length;
  for (
    const [name, tail, at] of [
      ["EXEC without MULTI", encode([["EXEC"]]), 0],
      ["MULTI inside MULTI", encode([["MULTI"], ["SET", "a", "1"], ["MULTI"]]), nested],
      ["a line of text", strToBytes("hello\r\n"), 0],
      ["an empty line", strToBytes("\r\n"), 0],
      ["an empty argument count", strToBytes("*\r\n$1\r\nx\r\n"), 1],
      ["a signed argument count", strToBytes("*+1\r\n$1\r\nx\r\n"), 1],
      ["an empty bulk length", strToBytes("*1\r\n$\r\n\r\n"), 5],
      ["an argument count of 11 digits", strToBytes("*10000000001\r\n"), 1],
      ["a bulk length of 16 digits", strToBytes("*1\r\n$1000000000000000\r\n"), 5],
      ["LF without CR", strToBytes("*1\n$1\r\nx\r\n"), 2],
    ] as const
  ) {
    const r = readAll(concatBytes([one, tail, one]));
    assertEquals(r.units.length, 1, name);
    assertEquals(r.end.kind, "corrupt", name);
    const end = r.end as Extract<AofEnd, { kind: "corrupt" }>;
    assertEquals(end.offset, one.length + at, `${name}: ${end.reason}`);
    assertEquals(end.validUpTo, one.length, name);
  }
});

Deno.test("aof oracle: redis-check-aof agrees on every cut point and on corruption", async () => {
  const bin = redisTool("redis-check-aof");
  if (!bin) return;
  const dir = Deno.makeTempDirSync({ prefix: "redeno-aof-" });
  try {
    // Without the annotation: redis-check-aof counts a torn line after one
    // as the place to cut, where we cut before the annotation.
    const { bytes } = sampleLog(false);
    const files: { path: string; data: Uint8Array }[] = [];
    for (let k = 1; k <= bytes.length; k++) {
      files.push({ path: `${dir}/cut-${k}.aof`, data: bytes.subarray(0, k) });
    }
    const text = bytesToStr(bytes);
    const second = readAll(bytes).units[1].offset;
    for (
      const [at, by] of [[second, "x"], [second + 4, "#"], [second + 5, "4"], [
        second + 11,
        "\n",
      ]] as const
    ) {
      const data = strToBytes(text.slice(0, at) + by + text.slice(at + by.length));
      files.push({ path: `${dir}/bad-${at}.aof`, data });
    }
    for (const f of files) Deno.writeFileSync(f.path, f.data);
    await inBatches(files, 16, async (f) => {
      const ours = readAll(f.data).end;
      const theirs = await runChecker(bin, f.path);
      const okUpTo = Number(/ok_up_to=(\d+)/.exec(theirs.out)?.[1]);
      assertEquals(theirs.code === 0, ours.kind === "ok", `${f.path}: ${theirs.out}`);
      const cut = ours.kind === "corrupt" ? ours.validUpTo : ours.offset;
      assertEquals(cut, okUpTo, `${f.path}: ${theirs.out}`);
    });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("aof oracle: redis-server truncates a torn log where we say", async () => {
  const dirs = [0, 1].map(() => Deno.makeTempDirSync({ prefix: "redeno-aof-" }));
  const before = encode([["SELECT", "0"], ["SET", "a", "1"]]);
  const logs = [
    // A torn command.
    concatBytes([before, encode([["SET", "b", BIN_VAL]]).subarray(0, 9)]),
    // A transaction that never saw its EXEC.
    concatBytes([before, encode([["MULTI"], ["SET", "b", "2"], ["SET", "c", "3"]])]),
  ];
  const servers = await Promise.all(logs.map((log, i) => {
    const dir = dirs[i];
    Deno.mkdirSync(aofDir(dir));
    const manifest = formatManifest([{ file: incrName("appendonly.aof", 1), seq: 1, type: "i" }]);
    Deno.writeFileSync(manifestPath(dir), strToBytes(manifest));
    Deno.writeFileSync(`${aofDir(dir)}/${incrName("appendonly.aof", 1)}`, log);
    return startRedis({
      persistence: true,
      dir,
      args: ["--appendonly", "yes", "--save", "", "--aof-load-truncated", "yes"],
    });
  }));
  try {
    for (const [i, server] of servers.entries()) {
      if (!server) return;
      const ours = readAll(logs[i]);
      assertEquals(ours.end.kind, "truncated");
      assertEquals(ours.end.offset, before.length);
      const c = await RespClient.connect(server.port);
      try {
        assertEquals(await c.value("GET", "a"), "1");
        assertEquals(await c.value("EXISTS", "b", "c"), 0);
      } finally {
        c.close();
      }
      await server.stop();
      // Redis cut the file where we would have: appends start after SET a 1.
      const after = Deno.readFileSync(`${aofDir(dirs[i])}/${incrName("appendonly.aof", 1)}`);
      assertEquals(after, before);
    }
  } finally {
    for (const s of servers) await s?.stop();
    for (const d of dirs) Deno.removeSync(d, { recursive: true });
  }
});

// --------------------------------------------------------------- manifest

Deno.test("aof manifest: formatManifest round-trips, in Redis's order", () => {
  const entries: ManifestEntry[] = [
    { file: "appendonly.aof.3.incr.aof", seq: 3, type: "i" },
    { file: "appendonly.aof.1.incr.aof", seq: 1, type: "h" },
    { file: "appendonly.aof.2.base.rdb", seq: 2, type: "b" },
    { file: "appendonly.aof.4.incr.aof", seq: 4, type: "i" },
  ];
  const text = formatManifest(entries);
  assertEquals(
    text,
    "file appendonly.aof.2.base.rdb seq 2 type b\n" +
      "file appendonly.aof.1.incr.aof seq 1 type h\n" +
      "file appendonly.aof.3.incr.aof seq 3 type i\n" +
      "file appendonly.aof.4.incr.aof seq 4 type i\n",
  );
  const back = parseManifest(text);
  assertEquals(back, [entries[2], entries[1], entries[0], entries[3]]);
  assertEquals(formatManifest(back), text);
  // Names that need quoting, and bytes that are not printable.
  const odd: ManifestEntry[] = [
    { file: "my aof.1.base.rdb", seq: 1, type: "b" },
    { file: 'it "x"\r\n\t\x07\x08\x7f\xff.incr.aof', seq: 7, type: "i" },
  ];
  const oddText = formatManifest(odd);
  assertEquals(
    oddText,
    'file "my aof.1.base.rdb" seq 1 type b\n' +
      'file "it \\"x\\"\\r\\n\\t\\a\\b\\x7f\\xff.incr.aof" seq 7 type i\n',
  );
  assertEquals(parseManifest(oddText), odd);
  // Names Redis would write but could not read back are refused: a NUL ends
  // a C string, a lone single quote opens a quoted argument, an empty name
  // leaves a field out, and a name with / or \ is a path.
  for (const file of ["a\x00b", "it's", "", "a/b", "a\\b"]) {
    assertThrows(() => formatManifest([{ file, seq: 1, type: "i" }]), file);
  }
  // So are manifests Redis would not load.
  const b = (seq: number): ManifestEntry => ({ file: `b${seq}`, seq, type: "b" });
  const i = (seq: number): ManifestEntry => ({ file: `i${seq}`, seq, type: "i" });
  assertThrows(() => formatManifest([]), "empty");
  assertThrows(() => formatManifest([b(1), b(2)]), "two bases");
  assertThrows(() => formatManifest([b(1), i(2), i(2)]), "incr going back");
  assertThrows(() => formatManifest([b(0)]), "sequence 0");
  assertThrows(() => formatManifest([{ file: "x", seq: 1, type: "x" as "b" }]), "bad type");
});

Deno.test("aof oracle: redis-check-aof accepts the manifest and logs we write", async () => {
  const bin = redisTool("redis-check-aof");
  if (!bin) return;
  const dir = Deno.makeTempDirSync({ prefix: "redeno-aof-" });
  try {
    const app = "my aof";
    const entries: ManifestEntry[] = [
      { file: baseName(app, 3, false), seq: 3, type: "b" },
      { file: incrName(app, 2), seq: 2, type: "h" },
      { file: incrName(app, 3), seq: 3, type: "i" },
      { file: incrName(app, 4), seq: 4, type: "i" },
    ];
    const manifest = formatManifest(entries);
    assert(manifest.startsWith('file "my aof.3.base.aof" seq 3 type b\n'), manifest);
    Deno.writeFileSync(`${dir}/${manifestName(app)}`, strToBytes(manifest));
    Deno.writeFileSync(
      `${dir}/${entries[0].file}`,
      encode([["SELECT", "0"], ["SET", BIN_KEY, BIG_VAL]]),
    );
    Deno.writeFileSync(`${dir}/${entries[2].file}`, sampleLog(true).bytes);
    Deno.writeFileSync(`${dir}/${entries[3].file}`, encode(LOG_COMMANDS));
    const r = await runChecker(bin, `${dir}/${manifestName(app)}`);
    assertEquals(r.code, 0, r.out);
    assertMatch(r.out, /Start checking Multi Part AOF/);
    assertMatch(r.out, /BASE AOF my aof\.3\.base\.aof is valid/);
    assertMatch(r.out, /INCR AOF my aof\.4\.incr\.aof is valid/);
    assertMatch(r.out, /All AOF files and manifest are valid/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("aof oracle: parseManifest accepts and refuses what Redis does", async () => {
  const bin = redisTool("redis-check-aof");
  const B = "file a.base.aof seq 1 type b\n";
  const long = "x".repeat(1030);
  const cases: [string, string][] = [
    ["plain", B + "file a.incr.aof seq 1 type i\n"],
    ["keys in any order and case, extra keys", B + "file a.incr.aof TYPE i Seq 2 future yes\n"],
    ["comments anywhere", "# hello\n" + B + "#\n#no newline"],
    ["quoted names", B + "file \"a b\" seq 1 type i\nfile 'c d' seq 2 type i\n"],
    ["trailing blanks and CRLF", B + "file a.incr.aof seq 1 type i \t\r\n"],
    ["history files only", "file a.incr.aof seq 1 type h\n"],
    ["negative sequence for a base", "file a.base.aof seq -3 type b\n"],
    ["a comment longer than a read", B + "#" + long + "\n"],
    ["a type given in full", B + "file a.incr.aof seq 1 type incr\n"],
    ["no newline at the end", B + "file a.incr.aof seq 1 type i"],
    ["an empty line", B + "\nfile a.incr.aof seq 1 type i\n"],
    ["a blank line", B + "  \t\n"],
    ["too few fields", B + "file a.incr.aof seq 1\n"],
    ["an odd number of fields", B + "file a.incr.aof seq 1 type i x\n"],
    ["no file", B + "name a.incr.aof seq 1 type i\n"],
    ["sequence zero", B + "file a.incr.aof seq 0 type i\n"],
    ["sequence not a number", B + "file a.incr.aof seq x type i\n"],
    ["an empty type", B + 'file a.incr.aof seq 1 type ""\n'],
    ["an unknown type", B + "file a.incr.aof seq 1 type x\n"],
    ["two bases", B + "file b.base.aof seq 2 type b\n"],
    [
      "incr sequence going back",
      B + "file a.incr.aof seq 2 type i\nfile b.incr.aof seq 2 type i\n",
    ],
    ["a path", B + "file ../a.incr.aof seq 1 type i\n"],
    ["a Windows path", B + "file a\\\\b seq 1 type i\n"],
    ["unbalanced quotes", B + 'file "a seq 1 type i\n'],
    ["a closing quote not followed by a space", B + 'file "a"b seq 1 type i\n'],
    ["a long line", B + `file ${long} seq 1 type i\n`],
    ["a line after a long comment", B + "#" + long + "file a.incr.aof seq 1 type i\n"],
  ];
  const dir = Deno.makeTempDirSync({ prefix: "redeno-aof-" });
  try {
    await inBatches(cases.map((c, i) => [i, ...c] as const), 16, async ([i, name, text]) => {
      let ours: ManifestEntry[] | ManifestError;
      try {
        ours = parseManifest(text);
      } catch (e) {
        assert(e instanceof ManifestError, String(e));
        ours = e;
      }
      if (!bin) return;
      // Each case in its own directory, with every file it names present.
      const d = `${dir}/${i}`;
      Deno.mkdirSync(d);
      if (!(ours instanceof ManifestError)) {
        for (const e of ours) Deno.writeFileSync(`${d}/${e.file}`, encode([["PING"]]));
      }
      Deno.writeFileSync(`${d}/m.manifest`, strToBytes(text));
      const r = await runChecker(bin, `${d}/m.manifest`);
      if (ours instanceof ManifestError) {
        assertEquals(r.code, 1, `${name}: ${r.out}`);
        assert(r.out.includes(ours.reason), `${name}: we said ${ours.message}; Redis: ${r.out}`);
        const line = /at line (\d+)/.exec(r.out);
        if (line) assertEquals(ours.line, Number(line[1]), name);
      } else {
        assertEquals(r.code, 0, `${name}: ${r.out}`);
        assertMatch(r.out, /All AOF files and manifest are valid/, name);
      }
    });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
  assertEquals(parseManifest(B + "file a.incr.aof TYPE i Seq 2 future yes\n")[1], {
    file: "a.incr.aof",
    seq: 2,
    type: "i",
  });
  let empty: unknown;
  try {
    parseManifest("");
  } catch (e) {
    empty = e;
  }
  assert(empty instanceof ManifestError && empty.reason === "Found an empty AOF manifest");
});
