/**
 * What bounds redeno on one benchmark: a V8 CPU profile of the server while
 * redis-benchmark runs against it (top functions by self time, and by file),
 * and optionally what its heap holds after loading one of `deno task bench`'s
 * data sets (RSS and V8 heap before and after a full GC, and the heap
 * snapshot's self sizes by object kind).
 *
 *   deno run -A scripts/profile.ts [--load list|intset|strset|zset|lists|sets|zsets|stream|types]
 *       [--members N] [--small N] [--heap] [--top N] [--interval us] [--out file.cpuprofile]
 *       [-- <redis-benchmark arguments>]
 *
 * e.g. the zset1m ZRANK test:
 *   deno run -A scripts/profile.ts --load zset -- -c 50 -n 200000 -P 16 -r 1000000 \
 *       ZRANK zset member:__rand_int__
 * or what a 1M-element list costs in memory:
 *   deno run -A scripts/profile.ts --load list --heap
 *
 * The server runs as in `deno task bench` (the start task's V8 flags,
 * persistence off) plus `--inspect` on a free loopback port.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { bigStream, collectionDatasets, typesDataset, writeRespFile } from "./bench_data.ts";
import {
  freePort,
  info,
  mb,
  PERSISTENCE_OFF,
  pipeLoad,
  requireTools,
  runRedisBenchmark,
  secs,
  type Server,
  serverRss,
  spawnServer,
  stopServer,
  waitForPong,
} from "./support.ts";

const USAGE =
  "deno run -A scripts/profile.ts [--load list|intset|strset|zset|lists|sets|zsets|stream|types]\n" +
  "    [--members N] [--small N] [--heap] [--top N] [--interval us] [--out file.cpuprofile]\n" +
  "    [-- <redis-benchmark arguments>]";

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    load: { type: "string" },
    members: { type: "string", default: "1000000" },
    small: { type: "string", default: "100000" },
    heap: { type: "boolean", default: false },
    top: { type: "string", default: "30" },
    interval: { type: "string", default: "200" },
    out: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help || (!positionals.length && !values.load)) {
  console.log(USAGE);
  Deno.exit(values.help ? 0 : 2);
}
const top = Number(values.top);
const datasets = [
  ...collectionDatasets(Number(values.members), Number(values.small)),
  bigStream(Number(values.members)),
  // The bench's datatypes section data (stream with IDs 1-0.., 1 MB string, HLLs, geo set).
  typesDataset(100_000, 100_000),
];
const dataset = values.load === undefined ? undefined : datasets.find((d) => d.id === values.load);
if (values.load !== undefined && !dataset) {
  console.error(`--load takes one of ${datasets.map((d) => d.id).join(", ")}`);
  Deno.exit(2);
}
requireTools("profile", ["redis-cli", ...(positionals.length ? ["redis-benchmark"] : [])]);

// ---------------------------------------------------------------- Chrome DevTools Protocol

/** A minimal CDP session over the inspector's WebSocket. */
class Cdp {
  #id = 0;
  readonly #pending = new Map<number, { ok: (v: unknown) => void; fail: (e: Error) => void }>();
  readonly #events = new Map<string, (params: Record<string, unknown>) => void>();

  private constructor(readonly ws: WebSocket) {
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data as string);
      if (m.id !== undefined) {
        const p = this.#pending.get(m.id);
        this.#pending.delete(m.id);
        if (m.error) p?.fail(new Error(`${m.error.message} (${m.error.code})`));
        else p?.ok(m.result);
      } else this.#events.get(m.method)?.(m.params);
    };
  }

  /** Connects to the first target the inspector on `port` lists. */
  static async connect(port: number): Promise<Cdp> {
    for (let i = 0;; i++) {
      try {
        const list = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
        const ws = new WebSocket(list[0].webSocketDebuggerUrl);
        await new Promise((ok, fail) => {
          ws.onopen = ok;
          ws.onerror = () => fail(new Error("inspector WebSocket failed"));
        });
        return new Cdp(ws);
      } catch (e) {
        if (i > 100) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  // deno-lint-ignore no-explicit-any
  send(method: string, params: Record<string, unknown> = {}): Promise<any> {
    const id = ++this.#id;
    this.ws.send(JSON.stringify({ id, method, params }));
    return new Promise((ok, fail) => this.#pending.set(id, { ok, fail }));
  }

  on(method: string, f: (params: Record<string, unknown>) => void): void {
    this.#events.set(method, f);
  }

  close(): void {
    this.ws.close();
  }
}

// ---------------------------------------------------------------- CPU profile summary

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Self samples by function and by file, as Markdown tables of the `top` largest. */
function cpuSummary(profile: { nodes: ProfileNode[] }): string[] {
  const byFn = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0;
    if (!hits) continue;
    total += hits;
    const { functionName, url, lineNumber } = n.callFrame;
    const file = url ? url.replace(/^file:\/\/.*?\/(lib|main\.ts)/, "$1") : "";
    const fn = `${functionName || "(anonymous)"}${file ? ` ${file}:${lineNumber + 1}` : ""}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + hits);
    const where = file || functionName; // (idle), (program), (garbage collector)
    byFile.set(where, (byFile.get(where) ?? 0) + hits);
  }
  const table = (title: string, m: Map<string, number>) => [
    "",
    `| ${title} | self | share |`,
    "|---|---:|---:|",
    ...[...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) =>
      `| ${k.replace(/\|/g, "\\|")} | ${v} | ${(100 * v / total).toFixed(1)}% |`
    ),
  ];
  return [
    `${total} samples`,
    ...table("Function", byFn),
    ...table("File", byFile),
  ];
}

// ---------------------------------------------------------------- heap

/** Self size by (node type, name) of a V8 heap snapshot, the `top` largest. */
function heapSummary(json: string): string[] {
  const snap = JSON.parse(json);
  const fields: string[] = snap.snapshot.meta.node_fields;
  const types: string[] = snap.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ["type", "name", "self_size"].map((f) => fields.indexOf(f));
  const nodes: number[] = snap.nodes;
  const strings: string[] = snap.strings;
  const groups = new Map<string, { size: number; count: number }>();
  let total = 0;
  for (let i = 0; i < nodes.length; i += fields.length) {
    const type = types[nodes[i + typeAt]];
    // Strings and code are grouped by kind: their names are their contents.
    const name = type === "object" || type === "closure" || type === "native"
      ? strings[nodes[i + nameAt]].slice(0, 60)
      : "";
    const key = name ? `${type} ${name}` : type;
    const g = groups.get(key) ?? { size: 0, count: 0 };
    g.size += nodes[i + sizeAt];
    g.count++;
    groups.set(key, g);
    total += nodes[i + sizeAt];
  }
  return [
    `heap snapshot: ${mb(total)} in ${(nodes.length / fields.length).toLocaleString("en-US")} ` +
    "objects",
    "",
    "| Kind | count | self size | share |",
    "|---|---:|---:|---:|",
    ...[...groups].sort((a, b) => b[1].size - a[1].size).slice(0, top).map(([k, g]) =>
      `| ${k.replace(/\|/g, "\\|")} | ${g.count.toLocaleString("en-US")} | ${mb(g.size)} | ${
        (100 * g.size / total).toFixed(1)
      }% |`
    ),
  ];
}

async function memoryLine(s: Server, cdp: Cdp, what: string): Promise<string> {
  const heap = await cdp.send("Runtime.getHeapUsage");
  const used = (await info(s.port, "memory")).get("used_memory");
  return `- ${what}: RSS ${mb(serverRss(s))}, V8 heap used ${mb(heap.usedSize)} of ` +
    `${mb(heap.totalSize)}, used_memory ${mb(Number(used))}`;
}

// ---------------------------------------------------------------- main

const dir = Deno.makeTempDirSync({ prefix: "profile-" });
const inspectPort = freePort();
const s = spawnServer("redeno", dir, [...PERSISTENCE_OFF], [`--inspect=127.0.0.1:${inspectPort}`]);
let cdp: Cdp | undefined;
const out: string[] = [];
Deno.addSignalListener("SIGINT", () => {
  stopServer(s).finally(() => {
    Deno.removeSync(dir, { recursive: true });
    Deno.exit(130);
  });
});
try {
  await waitForPong(s);
  cdp = await Cdp.connect(inspectPort);
  out.push(await memoryLine(s, cdp, "idle"));
  if (dataset) {
    const file = join(dir, `${dataset.id}.resp`);
    writeRespFile(file, dataset.commands, dataset.command);
    const ms = await pipeLoad(s, file, dataset.commands);
    await dataset.verify(s);
    Deno.removeSync(file);
    await new Promise((r) => setTimeout(r, 1000));
    out.push(`Loaded ${dataset.title} (${dataset.how}) in ${secs(ms)}`);
    out.push(await memoryLine(s, cdp, "1 s after loading"));
    if (values.heap) {
      await cdp.send("HeapProfiler.enable");
      await cdp.send("HeapProfiler.collectGarbage");
      out.push(await memoryLine(s, cdp, "after a full GC"));
      const chunks: string[] = [];
      cdp.on("HeapProfiler.addHeapSnapshotChunk", (p) => chunks.push(p.chunk as string));
      await cdp.send("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
      out.push("", ...heapSummary(chunks.join("")));
    }
  }
  if (positionals.length) {
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: Number(values.interval) });
    await cdp.send("Profiler.start");
    const { rows, stderr } = await runRedisBenchmark(s, ["--csv", ...positionals], 600_000);
    const { profile } = await cdp.send("Profiler.stop");
    out.push("", `redis-benchmark ${positionals.join(" ")}`);
    for (const [name, r] of rows) {
      out.push(`- ${name}: ${Math.round(r.rps).toLocaleString("en-US")} req/s, p50 ${r.p50} ms`);
    }
    if (!rows.size) out.push(`- no result: ${stderr.trim().split("\n").slice(-1)[0]}`);
    if (values.out) {
      Deno.writeTextFileSync(values.out, JSON.stringify(profile));
      out.push(`- profile written to ${values.out} (open in Chrome DevTools)`);
    }
    out.push("", ...cpuSummary(profile));
  }
} finally {
  cdp?.close();
  await stopServer(s);
  Deno.removeSync(dir, { recursive: true });
}
console.log(out.join("\n"));
