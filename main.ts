/**
 * redeno: `main.ts [config-file] [--name value ...] [-]`, like redis-server.
 * Flags and configuration in, Server.start() out; nothing else lives here.
 */
import {
  type Config,
  ConfigError,
  loadConfig,
  REDENO_VERSION,
  REDIS_COMPAT_VERSION,
} from "./lib/config.ts";
import { Logger, type LogLevel, logTimestamp } from "./lib/log.ts";
import { Server } from "./lib/server/server.ts";
import { followMaster } from "./lib/server/replica.ts";

const USAGE = `Usage: redeno [/path/to/redis.conf] [options] [-]
       redeno - (read config from stdin)
       redeno -v or --version
       redeno -h or --help

Examples:
       redeno (run the server with default conf)
       echo 'maxmemory 128mb' | redeno -
       redeno /etc/redis/6379.conf
       redeno --port 7777
       redeno /etc/myredis.conf --loglevel verbose -
       redeno --port 7777 --appendonly no --save ""

Any redis.conf option redeno knows can be given as --name value.`;

/** A log line written before the logger is configured (Redis's "C" role lines). */
function earlyLog(msg: string): void {
  console.log(`${Deno.pid}:C ${logTimestamp()} # ${msg}`);
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === "-v" || argv[0] === "--version") {
    console.log(
      `redeno server v=${REDENO_VERSION} redis=${REDIS_COMPAT_VERSION} ` +
        `deno=${Deno.version.deno} bits=64`,
    );
    return 0;
  }
  if (argv[0] === "-h" || argv[0] === "--help") {
    console.log(USAGE);
    return 0;
  }
  let config: Config;
  try {
    config = loadConfig(argv, { log: earlyLog });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    if (e.asLog) earlyLog(e.message);
    else console.error(e.message);
    return 1;
  }
  const log = new Logger();
  log.role = "C";
  log.setLevel(config.str("loglevel") as LogLevel);
  try {
    log.setFile(config.str("logfile"));
  } catch (e) {
    console.error(`Can't open the log file: ${(e as Error).message.replace(/ \(os error.*$/, "")}`);
    return 1;
  }
  // Like Redis, run inside `dir` (validated while loading the configuration).
  try {
    Deno.chdir(config.str("dir"));
  } catch (e) {
    console.error(`Can't chdir to '${config.str("dir")}': ${(e as Error).message}`);
    return 1;
  }
  log.warning("oO0OoO0OoO0Oo redeno is starting oO0OoO0OoO0Oo");
  log.warning(
    `redeno version=${REDENO_VERSION}, redis_compat=${REDIS_COMPAT_VERSION}, bits=64, ` +
      `deno=${Deno.version.deno}, pid=${Deno.pid}, just started`,
  );
  log.warning("Configuration loaded");
  log.role = "M";
  const server = new Server({ config, log });
  try {
    server.start();
  } catch (e) {
    log.warning((e as Error).message);
    return 1;
  }
  server.logStartup();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => {
      if (server.shuttingDown) {
        if (signal === "SIGINT") {
          log.signal("You insist... exiting now.");
          Deno.exit(1);
        }
        return;
      }
      log.signal(`Received ${signal} scheduling shutdown...`);
      server.shutdownWithSave(null);
    });
  }
  // The port answers from here on (-LOADING until the data set is in).
  try {
    // A shutdown while loading ends the wait (nothing is saved then).
    await Promise.race([server.persistence.load(), server.finished]);
  } catch (e) {
    log.warning((e as Error).message);
    return 1;
  }
  log.notice("Ready to accept connections");
  const master = config.str("replicaof");
  if (master !== "") {
    const [host, port] = master.split(" ");
    followMaster(server, host, Number(port), true);
  }
  await server.finished;
  return 0;
}

if (import.meta.main) {
  const code = await main(Deno.args);
  Deno.exit(code);
}
