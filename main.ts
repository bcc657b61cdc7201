/**
 * redeno: `main.ts [config-file] [--option value ...]`, like redis-server.
 * Flags and configuration in, Server.start() out; nothing else lives here.
 */
import { ConfigError, loadConfig, REDENO_VERSION, REDIS_COMPAT_VERSION } from "./lib/config.ts";
import { Server } from "./lib/server/server.ts";

const USAGE = `Usage: redeno [/path/to/redis.conf] [options] [-]
       redeno - (read config from stdin)
       redeno -v or --version
       redeno -h or --help

Examples:
       redeno (run the server with default config)
       redeno /etc/redis/6379.conf
       redeno --port 7777
       redeno /etc/myredis.conf --loglevel verbose
       redeno --port 7777 --appendonly no --save ""

Every redis.conf option redeno knows can be given as --name value.`;

function main(argv: string[]): number | Promise<number> {
  if (argv[0] === "-v" || argv[0] === "--version") {
    console.log(
      `redeno v=${REDENO_VERSION} redis_compat=${REDIS_COMPAT_VERSION} deno=${Deno.version.deno} bits=64`,
    );
    return 0;
  }
  if (argv[0] === "-h" || argv[0] === "--help") {
    console.log(USAGE);
    return 0;
  }
  let server: Server;
  try {
    server = new Server({ config: loadConfig(argv) });
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      return 1;
    }
    throw e;
  }
  try {
    server.start();
  } catch (e) {
    server.log.warning((e as Error).message);
    return 1;
  }
  server.log.notice(server.banner());
  server.log.notice("Ready to accept connections");
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => {
      server.log.warning(`Received ${signal} scheduling shutdown...`);
      server.shutdown();
    });
  }
  return server.finished.then(() => 0);
}

if (import.meta.main) {
  const code = await main(Deno.args);
  Deno.exit(code);
}
