/**
 * Streams, bitmaps, HyperLogLog, geo and DUMP/RESTORE through real client
 * libraries — ioredis (RESP2 and RESP3), node-redis (RESP2 and RESP3) and
 * redis-py — each scenario run against redis-server and against redeno,
 * results compared step by step. Entry IDs are explicit and time-dependent
 * fields (idle times) are left out, so that both runs must agree exactly.
 */
import { createClient, Redis } from "../support/clients.ts";
import { Results, sameOnRedisAndRedeno, untilBlocked } from "../support/interop_results.ts";
import { samePythonResults } from "../support/python.ts";

/** ioredis: a job-queue style stream with a consumer group, then the other types. */
async function ioredisScenario(port: number, protocol: 2 | 3): Promise<Results> {
  const opts = {
    host: "127.0.0.1",
    port,
    protocol,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    lazyConnect: true,
  };
  const r = new Redis(opts);
  const b = new Redis(opts);
  const out = new Results();
  try {
    await r.connect();
    await b.connect();
    await r.flushall();
    // streams
    await out.add("xadd", r.xadd("jobs", "1-1", "type", "email", "to", "a@b"));
    await out.add("xadd 2", r.xadd("jobs", "1-2", "type", "sms", "to", "+1"));
    await out.add("xadd maxlen", r.xadd("jobs", "MAXLEN", "=", "5", "2-0", "type", "push"));
    await out.add("xadd old id", r.xadd("jobs", "1-0", "x", "y"));
    await out.add("xlen", r.xlen("jobs"));
    await out.add("xrange", r.xrange("jobs", "-", "+"));
    await out.add("xrevrange count", r.xrevrange("jobs", "+", "-", "COUNT", 2));
    await out.add("xrange exclusive", r.xrange("jobs", "(1-1", "+"));
    await out.add("xgroup create", r.xgroup("CREATE", "jobs", "workers", "0"));
    await out.add("xgroup busy", r.xgroup("CREATE", "jobs", "workers", "0"));
    await out.add(
      "xreadgroup",
      r.xreadgroup("GROUP", "workers", "w1", "COUNT", 2, "STREAMS", "jobs", ">"),
    );
    await out.add(
      "xreadgroup rest",
      r.xreadgroup("GROUP", "workers", "w2", "STREAMS", "jobs", ">"),
    );
    await out.add("xpending summary", r.xpending("jobs", "workers"));
    await out.add("xack", r.xack("jobs", "workers", "1-1", "9-9"));
    await out.add("xclaim justid", r.xclaim("jobs", "workers", "w2", 0, "1-2", "JUSTID"));
    await out.add("xautoclaim", r.xautoclaim("jobs", "workers", "w3", 0, "0", "COUNT", 5));
    await out.add(
      "xreadgroup history",
      r.xreadgroup("GROUP", "workers", "w3", "STREAMS", "jobs", "0"),
    );
    await out.add("xinfo groups", r.xinfo("GROUPS", "jobs"));
    // A blocked XREADGROUP served by the next XADD.
    const blocked = b.xreadgroup("GROUP", "workers", "w4", "BLOCK", 0, "STREAMS", "jobs", ">");
    await untilBlocked(() => r.info("clients"), 1);
    await out.add("xadd wakes", r.xadd("jobs", "3-0", "type", "late"));
    await out.add("xreadgroup served", blocked);
    const xread = b.xread("BLOCK", 0, "STREAMS", "jobs", "$");
    await untilBlocked(() => r.info("clients"), 1);
    await r.xadd("jobs", "4-0", "type", "later");
    await out.add("xread served", xread);
    await out.add("xread timeout", b.xread("BLOCK", 10, "STREAMS", "jobs", "$"));
    await out.add("xdel", r.xdel("jobs", "2-0", "7-0"));
    await out.add("xtrim", r.xtrim("jobs", "MAXLEN", 2));
    await out.add("xgroup delconsumer", r.xgroup("DELCONSUMER", "jobs", "workers", "w1"));
    await out.add("xgroup destroy", r.xgroup("DESTROY", "jobs", "workers"));
    await out.add("type", r.type("jobs"));
    await out.add("set string", r.set("s", "x"));
    await out.add("xadd to string", r.xadd("s", "*", "a", "b"));
    // bitmaps
    await out.add("setbit", r.setbit("bits", 7, 1));
    await out.add("setbit again", r.setbit("bits", 100, 1));
    await out.add("getbit", r.getbit("bits", 100));
    await out.add("bitcount", r.bitcount("bits"));
    await out.add("bitcount bit range", r.bitcount("bits", 0, 50, "BIT"));
    await out.add("bitpos", r.bitpos("bits", 1));
    await out.add("bitop", r.bitop("OR", "dest", "bits", "missing"));
    await out.add("bitfield", r.call("BITFIELD", "bf", "SET", "u8", 0, 255, "INCRBY", "u8", 0, 10));
    await out.add(
      "bitfield overflow",
      r.call("BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "i8", 8, 200, "GET", "i8", 8),
    );
    await out.add("bitmap bytes", r.getBuffer("bits"));
    // HyperLogLog
    await out.add("pfadd", r.pfadd("visitors", "a", "b", "c", "a"));
    await out.add("pfadd none new", r.pfadd("visitors", "a"));
    const many = Array.from({ length: 3000 }, (_, i) => `user:${i}`);
    await out.add("pfadd many", r.pfadd("more", ...many));
    await out.add("pfcount", r.pfcount("visitors"));
    await out.add("pfcount union", r.pfcount("visitors", "more"));
    await out.add("pfmerge", r.pfmerge("all", "visitors", "more"));
    await out.add("hll bytes", r.getBuffer("all"));
    await out.add("pfcount not hll", r.pfcount("s"));
    // geo
    await out.add(
      "geoadd",
      r.geoadd("cities", 13.361389, 38.115556, "Palermo", 15.087269, 37.502669, "Catania"),
    );
    await out.add("geodist", r.geodist("cities", "Palermo", "Catania", "KM"));
    await out.add("geohash", r.geohash("cities", "Palermo", "nope"));
    await out.add("geopos", r.geopos("cities", "Catania", "nope"));
    await out.add(
      "geosearch",
      r.geosearch("cities", "FROMLONLAT", 15, 37, "BYRADIUS", 200, "km", "ASC", "WITHDIST"),
    );
    await out.add(
      "georadius",
      r.georadius("cities", 15, 37, 200, "km", "WITHCOORD", "WITHHASH", "COUNT", 1),
    );
    // DUMP / RESTORE
    const dump = await r.dumpBuffer("cities");
    await out.add("dump", dump);
    await out.add("restore", r.restore("copy", 0, dump));
    await out.add("restore busy", r.restore("copy", 0, dump));
    await out.add("restored", r.zrange("copy", 0, "-1", "WITHSCORES"));
    await out.add("dump stream", r.dumpBuffer("jobs"));
  } finally {
    r.disconnect();
    b.disconnect();
  }
  return out;
}

for (const protocol of [2, 3] as const) {
  Deno.test({
    name: `ioredis (RESP${protocol}): streams, bitmaps, HyperLogLog, geo, DUMP as on Redis`,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: () => sameOnRedisAndRedeno((server) => ioredisScenario(server.port, protocol)),
  });
}

/** node-redis: its parsed replies for streams (XINFO, XPENDING, XAUTOCLAIM) and the other types. */
async function nodeRedisScenario(port: number, resp: 2 | 3): Promise<Results> {
  const c = createClient({
    socket: { host: "127.0.0.1", port, reconnectStrategy: false, connectTimeout: 10_000 },
    RESP: resp,
  });
  c.on("error", (e: Error) => console.error(`node-redis error: ${e.message}`));
  const out = new Results();
  await c.connect();
  try {
    await c.flushAll();
    await out.add("xAdd", c.xAdd("events", "5-0", { kind: "created", id: "7" }));
    await out.add("xAdd 2", c.xAdd("events", "6-0", { kind: "updated", id: "7" }));
    await out.add(
      "xAdd trim",
      c.xAdd("events", "7-0", { kind: "deleted" }, {
        TRIM: { strategy: "MAXLEN", threshold: 10 },
      }),
    );
    await out.add("xRange", c.xRange("events", "-", "+"));
    await out.add("xRevRange", c.xRevRange("events", "+", "-", { COUNT: 1 }));
    await out.add("xGroupCreate", c.xGroupCreate("events", "g", "0"));
    await out.add("xGroupCreate mkstream", c.xGroupCreate("new", "g", "$", { MKSTREAM: true }));
    await out.add(
      "xReadGroup",
      c.xReadGroup("g", "alice", { key: "events", id: ">" }, { COUNT: 2 }),
    );
    await out.add("xPending", c.xPending("events", "g"));
    await out.add("xAck", c.xAck("events", "g", "5-0"));
    await out.add("xAutoClaim", c.xAutoClaim("events", "g", "bob", 0, "0-0"));
    await out.add("xClaimJustId", c.xClaimJustId("events", "g", "alice", 0, ["6-0"]));
    const info = await c.xInfoStream("events") as unknown as Record<string, unknown>;
    await out.add("xInfoStream", {
      length: info.length,
      "last-generated-id": info["last-generated-id"],
      "first-entry": info["first-entry"],
      "last-entry": info["last-entry"],
      groups: info.groups,
    });
    await out.add("xInfoGroups", c.xInfoGroups("events"));
    await out.add("xLen", c.xLen("events"));
    await out.add("setBit", c.setBit("b", 3, 1));
    await out.add("bitCount", c.bitCount("b"));
    await out.add("bitPos", c.bitPos("b", 0));
    await out.add("bitField", c.bitField("b", [{ operation: "GET", encoding: "u4", offset: 0 }]));
    await out.add("pfAdd", c.pfAdd("h", ["x", "y", "z"]));
    await out.add("pfCount", c.pfCount("h"));
    await out.add(
      "geoAdd",
      c.geoAdd("g", [
        { longitude: -122.27652, latitude: 37.805186, member: "station:1" },
        { longitude: -122.2674626, latitude: 37.8062344, member: "station:2" },
        { longitude: -122.2469854, latitude: 37.8104049, member: "station:3" },
      ]),
    );
    await out.add(
      "geoSearch",
      c.geoSearch("g", { longitude: -122.27, latitude: 37.8 }, { radius: 5, unit: "km" }),
    );
    await out.add("geoDist", c.geoDist("g", "station:1", "station:3", "mi"));
    await out.add("geoPos", c.geoPos("g", ["station:2"]));
  } finally {
    await c.quit().catch(() => {});
  }
  return out;
}

for (const resp of [2, 3] as const) {
  Deno.test({
    name: `node-redis (RESP${resp}): streams, bitmaps, HyperLogLog, geo as on Redis`,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: () => sameOnRedisAndRedeno((server) => nodeRedisScenario(server.port, resp)),
  });
}

/** redis-py's helpers for the same types. */
const PYTHON = String.raw`
rec("xadd", lambda: r.xadd("s", {"a": "1", "b": b"\x00\xff"}, id="1-0"))
rec("xadd 2", lambda: r.xadd("s", {"a": "2"}, id="1-5"))
rec("xadd maxlen", lambda: r.xadd("s", {"a": "3"}, id="2-0", maxlen=2, approximate=False))
rec("xrange", lambda: r.xrange("s"))
rec("xlen", lambda: r.xlen("s"))
rec("xgroup_create", lambda: r.xgroup_create("s", "g", id="0"))
rec("xreadgroup", lambda: r.xreadgroup("g", "c1", {"s": ">"}, count=1))
rec("xpending", lambda: r.xpending("s", "g"))
rec("xpending_range", lambda: [{k: v for k, v in e.items() if k != "time_since_delivered"}
                               for e in r.xpending_range("s", "g", "-", "+", 10)])
rec("xclaim", lambda: r.xclaim("s", "g", "c2", 0, ["1-5"]))
rec("xautoclaim", lambda: r.xautoclaim("s", "g", "c3", 0, justid=True))
rec("xack", lambda: r.xack("s", "g", "1-5"))
rec("xinfo_groups", lambda: r.xinfo_groups("s"))
rec("xinfo_consumers", lambda: [{k: v for k, v in e.items() if k != "idle"}
                                for e in r.xinfo_consumers("s", "g")])
rec("xinfo_stream", lambda: {k: v for k, v in r.xinfo_stream("s").items()
                             if k not in ("radix-tree-nodes",)})
late = in_thread(lambda conn: conn.xread({"s": "$"}, block=0))
until_blocked(1)
rec("xadd wakes", lambda: r.xadd("s", {"late": "1"}, id="3-0"))
rec("xread served", late)
rec("xtrim", lambda: r.xtrim("s", minid="2-0"))
rec("xdel", lambda: r.xdel("s", "3-0"))
rec("xsetid", lambda: r.execute_command("XSETID", "s", "9-9"))
rec("setbit", lambda: r.setbit("b", 9, 1))
rec("bitcount", lambda: r.bitcount("b", 0, -1))
rec("bitop not", lambda: r.bitop("NOT", "nb", "b"))
rec("nb", lambda: r.get("nb"))
bf = r.bitfield("f")
rec("bitfield", lambda: bf.set("i16", "#1", -300).incrby("u2", 100, 7).get("i16", 16).execute())
rec("pfadd", lambda: r.pfadd("p", *["e%d" % i for i in range(500)]))
rec("pfcount", lambda: r.pfcount("p"))
rec("pfmerge", lambda: r.pfmerge("p2", "p"))
rec("geoadd", lambda: r.geoadd("geo", [2.3522, 48.8566, "paris", -0.1276, 51.5072, "london"]))
rec("geodist", lambda: r.geodist("geo", "paris", "london", "km"))
rec("geosearch", lambda: r.geosearch("geo", member="paris", radius=400, unit="km",
                                     withdist=True, withcoord=True, sort="ASC"))
rec("geosearchstore", lambda: r.geosearchstore("near", "geo", longitude=2, latitude=49,
                                               width=500, height=500, unit="km"))
rec("geohash", lambda: r.geohash("geo", "paris", "london"))
rec("dump restore", lambda: r.restore("geo2", 0, r.dump("geo")))
rec("restored", lambda: r.zrange("geo2", 0, -1, withscores=True))
`;

Deno.test({
  name: "redis-py: streams, bitmaps, HyperLogLog, geo, DUMP as on Redis",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => samePythonResults(PYTHON),
});
