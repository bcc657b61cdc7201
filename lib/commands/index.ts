/** Every command group, in the order COMMAND lists them. */
import type { CommandSpec } from "./table.ts";
import { connectionCommands } from "./connection.ts";
import { stringCommands } from "./strings.ts";
import { hashCommands } from "./hashes.ts";
import { listCommands } from "./lists.ts";
import { setCommands } from "./sets.ts";
import { sortedSetCommands } from "./zsets.ts";
import { sortedSetAlgebraCommands } from "./zsetops.ts";
import { blockingListCommands, blockingSortedSetCommands } from "./blocking.ts";
import { keyCommands } from "./keys.ts";
import { sortCommands } from "./sort.ts";
import { serverCommands } from "./server.ts";
import { moduleCommands } from "./module.ts";
import { memoryCommands } from "./memory.ts";
import { persistenceCommands } from "./persistence.ts";
import { streamCommands } from "./streams.ts";
import { streamGroupCommands } from "./stream_groups.ts";
import { bitmapCommands } from "./bitmaps.ts";
import { hyperLogLogCommands } from "./hyperloglog.ts";
import { geoCommands } from "./geo.ts";
import { dumpCommands } from "./dump.ts";
import { latencyCommands } from "./latency.ts";
import { multiCommands } from "./multi.ts";
import { scriptingCommands } from "./scripting.ts";
import { functionCommands } from "./functions.ts";
import { pubsubCommands } from "./pubsub.ts";
import { aclCommands } from "./acl.ts";
import { replicationCommands } from "./replication.ts";
import { replicaofCommands } from "./replicaof.ts";
import { waitCommands } from "./wait.ts";

export const ALL_COMMANDS: CommandSpec[] = [
  ...connectionCommands,
  ...stringCommands,
  ...hashCommands,
  ...listCommands,
  ...blockingListCommands,
  ...setCommands,
  ...sortedSetCommands,
  ...blockingSortedSetCommands,
  ...sortedSetAlgebraCommands,
  ...keyCommands,
  ...sortCommands,
  ...serverCommands,
  ...moduleCommands,
  ...memoryCommands,
  ...persistenceCommands,
  ...streamCommands,
  ...streamGroupCommands,
  ...bitmapCommands,
  ...hyperLogLogCommands,
  ...geoCommands,
  ...dumpCommands,
  ...latencyCommands,
  ...multiCommands,
  ...scriptingCommands,
  ...functionCommands,
  ...pubsubCommands,
  ...aclCommands,
  ...replicationCommands,
  ...replicaofCommands,
  ...waitCommands,
];
