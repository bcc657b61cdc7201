/**
 * ReplyWriter: the exact bytes of every reply shape in RESP2 and RESP3,
 * integers beyond 2^53, error sanitizing and buffer growth.
 */
import { assert, assertEquals } from "@std/assert";
import { constReply, type Protocol, ReplyWriter } from "../../lib/resp/encoder.ts";
import { bytesToStr } from "../../lib/resp/bytes.ts";

/** Runs `fn` on a fresh writer for the protocol and returns the bytes as a string. */
function out(resp: Protocol, fn: (w: ReplyWriter) => void, initial?: number): string {
  const w = new ReplyWriter(initial);
  w.resp = resp;
  fn(w);
  return bytesToStr(w.take());
}

function both(fn: (w: ReplyWriter) => void): [string, string] {
  return [out(2, fn), out(3, fn)];
}

Deno.test("encoder: shapes that differ between RESP2 and RESP3", () => {
  assertEquals(both((w) => w.nullBulk()), ["$-1\r\n", "_\r\n"]);
  assertEquals(both((w) => w.nullArray()), ["*-1\r\n", "_\r\n"]);
  assertEquals(both((w) => w.bulkOrNull(null)), ["$-1\r\n", "_\r\n"]);
  assertEquals(both((w) => w.bulkOrNull(undefined)), ["$-1\r\n", "_\r\n"]);
  assertEquals(both((w) => w.bulkOrNull("")), ["$0\r\n\r\n", "$0\r\n\r\n"]);
  assertEquals(
    both((w) => {
      w.map(2);
      w.bulk("a");
      w.int(1);
      w.bulk("b");
      w.nullBulk();
    }),
    ["*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n$-1\r\n", "%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n_\r\n"],
  );
  assertEquals(both((w) => w.map(0)), ["*0\r\n", "%0\r\n"]);
  assertEquals(both((w) => w.map(40)), ["*80\r\n", "%40\r\n"]);
  assertEquals(both((w) => w.set(3)), ["*3\r\n", "~3\r\n"]);
  assertEquals(both((w) => w.push(2)), ["*2\r\n", ">2\r\n"]);
  assertEquals(both((w) => w.bool(true)), [":1\r\n", "#t\r\n"]);
  assertEquals(both((w) => w.bool(false)), [":0\r\n", "#f\r\n"]);
  assertEquals(both((w) => w.verbatim("hello")), ["$5\r\nhello\r\n", "=9\r\ntxt:hello\r\n"]);
  assertEquals(
    both((w) => w.verbatim("a\r\nb", "mkd")),
    ["$4\r\na\r\nb\r\n", "=8\r\nmkd:a\r\nb\r\n"],
  );
});

Deno.test("encoder: doubles are %.17g, bulk in RESP2 and ',' in RESP3", () => {
  assertEquals(both((w) => w.double(1.5)), ["$3\r\n1.5\r\n", ",1.5\r\n"]);
  assertEquals(both((w) => w.double(3)), ["$1\r\n3\r\n", ",3\r\n"]);
  assertEquals(
    both((w) => w.double(0.1)),
    ["$19\r\n0.10000000000000001\r\n", ",0.10000000000000001\r\n"],
  );
  assertEquals(both((w) => w.double(Infinity)), ["$3\r\ninf\r\n", ",inf\r\n"]);
  assertEquals(both((w) => w.double(-Infinity)), ["$4\r\n-inf\r\n", ",-inf\r\n"]);
  assertEquals(both((w) => w.double(1e22)), ["$5\r\n1e+22\r\n", ",1e+22\r\n"]);
  assertEquals(
    both((w) => w.double(1e300)),
    ["$23\r\n1.0000000000000001e+300\r\n", ",1.0000000000000001e+300\r\n"],
  );
});

Deno.test("encoder: shapes common to both protocols", () => {
  for (const resp of [2, 3] as const) {
    assertEquals(out(resp, (w) => w.ok()), "+OK\r\n");
    assertEquals(out(resp, (w) => w.simple("PONG")), "+PONG\r\n");
    assertEquals(out(resp, (w) => w.array(0)), "*0\r\n");
    assertEquals(out(resp, (w) => w.array(63)), "*63\r\n");
    assertEquals(out(resp, (w) => w.array(64)), "*64\r\n");
    assertEquals(out(resp, (w) => w.array(100000)), "*100000\r\n");
    assertEquals(out(resp, (w) => w.bulk("")), "$0\r\n\r\n");
    assertEquals(out(resp, (w) => w.bulk("123456789")), "$9\r\n123456789\r\n");
    assertEquals(out(resp, (w) => w.bulk("1234567890")), "$10\r\n1234567890\r\n");
    assertEquals(out(resp, (w) => w.bulk("\x00\xff\r\n")), "$4\r\n\x00\xff\r\n\r\n");
    assertEquals(
      out(resp, (w) => w.bulkBytes(new Uint8Array([0, 255, 13, 10, 65]))),
      "$5\r\n\x00\xff\r\nA\r\n",
    );
    assertEquals(out(resp, (w) => w.str("raw\x00")), "raw\x00");
    assertEquals(out(resp, (w) => w.raw(constReply("+X\r\n"))), "+X\r\n");
  }
});

Deno.test("encoder: integers, cached and not, and beyond 2^53", () => {
  assertEquals(out(2, (w) => w.int(0)), ":0\r\n");
  assertEquals(out(2, (w) => w.int(1023)), ":1023\r\n");
  assertEquals(out(2, (w) => w.int(1024)), ":1024\r\n");
  assertEquals(out(2, (w) => w.int(-1)), ":-1\r\n");
  assertEquals(out(2, (w) => w.int(-2)), ":-2\r\n");
  assertEquals(out(3, (w) => w.int(2 ** 53 - 1)), ":9007199254740991\r\n");
  assertEquals(out(2, (w) => w.int(9223372036854775807n)), ":9223372036854775807\r\n");
  assertEquals(out(3, (w) => w.int(-9223372036854775808n)), ":-9223372036854775808\r\n");
  assertEquals(out(2, (w) => w.int(5n)), ":5\r\n");
});

Deno.test("encoder: errors are one line; codes and counts are reported", () => {
  const codes: string[] = [];
  const w = new ReplyWriter();
  w.onError = (code) => codes.push(code);
  w.error("ERR unknown command 'a\r\nb'");
  w.error("WRONGTYPE Operation against a key holding the wrong kind of value");
  w.error("NOSPACE");
  w.error("ERR bad\nline");
  assertEquals(
    bytesToStr(w.take()),
    "-ERR unknown command 'a  b'\r\n" +
      "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n" +
      "-NOSPACE\r\n" +
      "-ERR bad line\r\n",
  );
  assertEquals(codes, ["ERR", "WRONGTYPE", "NOSPACE", "ERR"]);
  assertEquals(w.errors, 4);
  // Errors are the same in RESP3.
  assertEquals(out(3, (x) => x.error("ERR x")), "-ERR x\r\n");
});

Deno.test("encoder: the buffer grows for large replies and shrinks after take", () => {
  const w = new ReplyWriter(16);
  const big = Array.from({ length: 3 * 1024 * 1024 }, (_, i) => String.fromCharCode(i & 0xff))
    .join("");
  w.array(3);
  w.bulk("x".repeat(20));
  w.bulk(big);
  w.int(7);
  assert(w.buf.length >= w.length);
  const s = bytesToStr(w.take());
  assertEquals(s, "*3\r\n$20\r\n" + "x".repeat(20) + `\r\n$${big.length}\r\n${big}\r\n:7\r\n`);
  assertEquals(w.length, 0);
  assert(w.buf.length <= 1024 * 1024, "a huge buffer is given back after take()");
  // Many small writes from a tiny initial buffer.
  const v = new ReplyWriter(1);
  let expect = "";
  for (let i = 0; i < 5000; i++) {
    v.int(i);
    expect += `:${i}\r\n`;
  }
  assertEquals(bytesToStr(v.take()), expect);
});

Deno.test("encoder: take empties, truncate drops back to a mark", () => {
  const w = new ReplyWriter();
  w.ok();
  const mark = w.length;
  w.array(2);
  w.bulk("a");
  w.truncate(mark);
  w.simple("QUEUED");
  assertEquals(bytesToStr(w.take()), "+OK\r\n+QUEUED\r\n");
  assertEquals(bytesToStr(w.take()), "");
  // take() returns a copy: later writes don't change it.
  w.bulk("abc");
  const first = w.take();
  w.bulk("xyz");
  assertEquals(bytesToStr(first), "$3\r\nabc\r\n");
});

Deno.test("encoder: switching protocol on one writer changes later replies only", () => {
  const w = new ReplyWriter();
  w.nullBulk();
  w.resp = 3;
  w.nullBulk();
  w.map(1);
  w.resp = 2;
  w.map(1);
  assertEquals(bytesToStr(w.take()), "$-1\r\n_\r\n%1\r\n*2\r\n");
});
