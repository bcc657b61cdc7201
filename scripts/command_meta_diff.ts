/**
 * Lists where redeno's command table differs from Redis 7.0's: COMMAND INFO
 * (raw RESP2 bytes) of every command and subcommand redeno has, and with
 * --docs COMMAND DOCS too. Commands Redis lacks are listed apart.
 *
 *   deno run -A scripts/command_meta_diff.ts [--docs] [--json out.json]
 *
 * --json writes Redis's raw COMMAND INFO replies of those commands (for study).
 */
import { startRedeno, startRedis } from "../tests/support/servers.ts";
import { decode, RespClient } from "../tests/support/resp_client.ts";
import { normalizeDocs, normalizeInfo } from "../tests/support/command_info.ts";

const docs = Deno.args.includes("--docs");
const jsonAt = Deno.args.indexOf("--json");
const redeno = await startRedeno();
const redis = (await startRedis())!;
const a = await RespClient.connect(redeno.port);
const b = await RespClient.connect(redis.port);
try {
  const names = decode(await a.call("COMMAND", "LIST")) as string[];
  const redisNames = new Set(decode(await b.call("COMMAND", "LIST")) as string[]);
  const missing = names.filter((n) => !redisNames.has(n));
  const both = names.filter((n) => redisNames.has(n));
  let differ = 0;
  const dump: Record<string, unknown> = {};
  for (const n of both) {
    // Subcommands sorted: Redis lists them in its randomly seeded hash order.
    const mine = normalizeInfo(await a.call("COMMAND", "INFO", n));
    const ref = normalizeInfo(await b.call("COMMAND", "INFO", n));
    if (mine !== ref) {
      differ++;
      console.log(`INFO ${n}\n  redeno ${JSON.stringify(mine)}\n  redis  ${JSON.stringify(ref)}`);
    }
    if (jsonAt >= 0) dump[n] = ref;
    if (docs) {
      const md = normalizeDocs(await a.call("COMMAND", "DOCS", n));
      const rd = normalizeDocs(await b.call("COMMAND", "DOCS", n));
      if (md !== rd) {
        console.log(`DOCS ${n}\n  redeno ${JSON.stringify(md)}\n  redis  ${JSON.stringify(rd)}`);
      }
    }
  }
  console.log(`${both.length} compared, ${differ} differ; not in Redis: ${missing.join(" ")}`);
  console.log(`in Redis only: ${[...redisNames].filter((n) => !names.includes(n)).join(" ")}`);
  if (jsonAt >= 0) Deno.writeTextFileSync(Deno.args[jsonAt + 1], JSON.stringify(dump));
} finally {
  a.close();
  b.close();
  await redeno.stop();
  await redis.stop();
}
