/**
 * The npm client libraries the interop tests drive, at the versions
 * deno.lock pins. They are imported here, not through deno.json's import
 * map, and deno.json turns lock-file discovery off (the test and check
 * tasks name deno.lock): `deno task` installs every npm package of the
 * import map and of a discovered lock file before it runs any task, and
 * `deno task start` must not need the network (tests/interop/offline_test.ts).
 */
export { Redis } from "npm:ioredis@^6";
export { createClient, defineScript, RESP_TYPES } from "npm:redis@^6";
