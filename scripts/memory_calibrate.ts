/**
 * Calibrates the memory model (lib/store/size.ts, documented in
 * lib/server/memory.ts) against V8's real heap: for each value type, loads
 * keys of a typical shape into a fresh redeno started with --expose-gc, and
 * compares the growth of used_memory (the accounted figure) with the growth
 * of V8's live heap after a full collection (MEMORY PURGE runs gc() there;
 * INFO allocator_allocated is heapUsed + external).
 *
 *   deno run -A scripts/memory_calibrate.ts [--only name,name] [--scale 1]
 */
import { parseInfo, RespClient } from "../tests/support/resp_client.ts";
import { freePort } from "../tests/support/servers.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

interface Shape {
  name: string;
  /** The commands that load the data set (any order). */
  load(scale: number): Generator<string[]>;
}

const pad = (i: number) => String(i).padStart(8, "0");
const str = (n: number, seed: number) => {
  let s = "";
  for (let i = 0; s.length < n; i++) s += String.fromCharCode(97 + ((seed * 7 + i * 13) % 26));
  return s;
};

const SHAPES: Shape[] = [
  {
    name: "string 10B x100k",
    *load(k) {
      for (let i = 0; i < 100000 * k; i++) yield ["SET", `key:${pad(i)}`, str(10, i)];
    },
  },
  {
    name: "string int x100k",
    *load(k) {
      for (let i = 0; i < 100000 * k; i++) yield ["SET", `key:${pad(i)}`, String(i * 37)];
    },
  },
  {
    name: "string 100B x50k",
    *load(k) {
      for (let i = 0; i < 50000 * k; i++) yield ["SET", `key:${pad(i)}`, str(100, i)];
    },
  },
  {
    name: "string 1000B x10k",
    *load(k) {
      for (let i = 0; i < 10000 * k; i++) yield ["SET", `key:${pad(i)}`, str(1000, i)];
    },
  },
  {
    name: "string 10B+EX x100k",
    *load(k) {
      for (let i = 0; i < 100000 * k; i++) {
        yield ["SET", `key:${pad(i)}`, str(10, i), "EX", "100000"];
      }
    },
  },
  {
    name: "append 5x20B x20k",
    *load(k) {
      for (let j = 0; j < 5; j++) {
        for (let i = 0; i < 20000 * k; i++) yield ["APPEND", `key:${pad(i)}`, str(20, i + j)];
      }
    },
  },
  {
    name: "hash lp 10f x10k",
    *load(k) {
      for (let i = 0; i < 10000 * k; i++) {
        const args = ["HSET", `key:${pad(i)}`];
        for (let f = 0; f < 10; f++) args.push(`field:${f}`, str(10, i + f));
        yield args;
      }
    },
  },
  {
    name: "hash ht 10kf x20",
    *load(k) {
      for (let i = 0; i < 20 * k; i++) {
        for (let f = 0; f < 10000; f += 100) {
          const args = ["HSET", `key:${pad(i)}`];
          for (let g = f; g < f + 100; g++) args.push(`field:${pad(g)}`, str(10, i + g));
          yield args;
        }
      }
    },
  },
  {
    name: "list 10e x10k",
    *load(k) {
      for (let i = 0; i < 10000 * k; i++) {
        const args = ["RPUSH", `key:${pad(i)}`];
        for (let e = 0; e < 10; e++) args.push(str(10, i + e));
        yield args;
      }
    },
  },
  {
    name: "list 100ke x10 (RPUSH 1)",
    *load(k) {
      for (let e = 0; e < 100000; e++) {
        for (let i = 0; i < 10 * k; i++) yield ["RPUSH", `key:${pad(i)}`, str(10, i + e)];
      }
    },
  },
  {
    name: "set intset 10 x10k",
    *load(k) {
      for (let i = 0; i < 10000 * k; i++) {
        const args = ["SADD", `key:${pad(i)}`];
        for (let e = 0; e < 10; e++) args.push(String(e * 1000 + i));
        yield args;
      }
    },
  },
  {
    name: "set ht 10k x20",
    *load(k) {
      for (let i = 0; i < 20 * k; i++) {
        for (let f = 0; f < 10000; f += 100) {
          const args = ["SADD", `key:${pad(i)}`];
          for (let g = f; g < f + 100; g++) args.push(`member:${pad(g)}`);
          yield args;
        }
      }
    },
  },
  {
    name: "zset lp 10 x10k",
    *load(k) {
      for (let i = 0; i < 10000 * k; i++) {
        const args = ["ZADD", `key:${pad(i)}`];
        for (let e = 0; e < 10; e++) args.push(String(e * 1.5), `member:${e}`);
        yield args;
      }
    },
  },
  {
    name: "zset skiplist 10k x20",
    *load(k) {
      for (let i = 0; i < 20 * k; i++) {
        for (let f = 0; f < 10000; f += 100) {
          const args = ["ZADD", `key:${pad(i)}`];
          for (let g = f; g < f + 100; g++) args.push(String(g * 1.25), `member:${pad(g)}`);
          yield args;
        }
      }
    },
  },
  {
    name: "stream 100 x1k",
    *load(k) {
      for (let e = 0; e < 100; e++) {
        for (let i = 0; i < 1000 * k; i++) {
          yield ["XADD", `key:${pad(i)}`, "*", "name", str(10, e), "value", String(e * 3)];
        }
      }
    },
  },
  {
    name: "stream 200k x1",
    *load(k) {
      for (let e = 0; e < 200000 * k; e++) {
        yield ["XADD", "key:stream", "*", "name", str(10, e), "value", String(e * 3)];
      }
    },
  },
  {
    name: "stream PEL 100k x1",
    *load(k) {
      for (let e = 0; e < 100000 * k; e++) {
        yield ["XADD", "key:stream", "*", "name", str(10, e), "value", String(e * 3)];
      }
      yield ["XGROUP", "CREATE", "key:stream", "group", "0"];
      for (let e = 0; e < 1000 * k; e++) {
        yield [
          "XREADGROUP",
          "GROUP",
          "group",
          `consumer-${e % 10}`,
          "COUNT",
          "100",
          "STREAMS",
          "key:stream",
          ">",
        ];
      }
    },
  },
];

async function figures(c: RespClient): Promise<{ used: number; heap: number }> {
  // Two full collections: the second reclaims what the first's finalizers freed.
  await c.call("MEMORY", "PURGE");
  await c.call("MEMORY", "PURGE");
  const info = parseInfo(await c.call("INFO", "memory"));
  return { used: Number(info.get("used_memory")), heap: Number(info.get("allocator_allocated")) };
}

async function main(): Promise<void> {
  const only = Deno.args.includes("--only")
    ? Deno.args[Deno.args.indexOf("--only") + 1].split(",")
    : null;
  const scale = Deno.args.includes("--scale")
    ? Number(Deno.args[Deno.args.indexOf("--scale") + 1])
    : 1;
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--v8-flags=--expose-gc",
      MAIN,
      ...[
        "--port",
        String(port),
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        Deno.makeTempDirSync(),
      ],
    ],
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  let c: RespClient | null = null;
  for (let i = 0; i < 100 && c === null; i++) {
    try {
      c = await RespClient.connect(port);
      // Only our own server: another process may have taken the "free" port.
      const pid = /process_id:(\d+)/.exec(await c.call("INFO", "server"))?.[1];
      if (Number(pid) !== child.pid) {
        c.close();
        child.kill("SIGKILL");
        throw new Error(`port ${port} answered for another process; run again`);
      }
    } catch (e) {
      if (e instanceof Error && e.message.includes("another process")) throw e;
      c = null;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  if (c === null) throw new Error("redeno did not start");
  console.log("shape                      keys    accounted   V8 heap   ratio");
  for (const shape of SHAPES) {
    if (only !== null && !only.some((o) => shape.name.startsWith(o))) continue;
    await c.call("FLUSHALL");
    const before = await figures(c);
    let batch: string[][] = [];
    for (const cmd of shape.load(scale)) {
      batch.push(cmd);
      if (batch.length === 1000) {
        await c.pipeline(batch);
        batch = [];
      }
    }
    if (batch.length) await c.pipeline(batch);
    // Let the client cron account this client's buffers as they are now.
    await new Promise((r) => setTimeout(r, 1500));
    const after = await figures(c);
    const keys = Number(/keys=(\d+)/.exec(await c.call("INFO", "keyspace"))?.[1] ?? 0);
    const acc = after.used - before.used;
    const real = after.heap - before.heap;
    console.log(
      `${shape.name.padEnd(26)} ${String(keys).padStart(6)} ${
        (acc / 1048576).toFixed(2).padStart(9)
      }M ${(real / 1048576).toFixed(2).padStart(8)}M ${(acc / real).toFixed(2).padStart(7)}`,
    );
  }
  c.close();
  child.kill("SIGTERM");
  await child.status;
}

if (import.meta.main) await main();
