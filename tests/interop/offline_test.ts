/**
 * `deno task start` needs no network: with an empty Deno cache and the npm
 * registry unreachable, the server starts from the checkout and serves
 * commands. (The npm clients in deno.json and deno.lock are for the tests.)
 */
import { assertEquals } from "@std/assert";
import { fileURLToPath } from "node:url";
import { freePort, terminate } from "../support/servers.ts";
import { RespClient } from "../support/resp_client.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

Deno.test("offline: deno task start serves PING with an empty DENO_DIR and no npm registry", async () => {
  const denoDir = Deno.makeTempDirSync({ prefix: "redeno-empty-deno-dir-" });
  const dataDir = Deno.makeTempDirSync({ prefix: "redeno-offline-" });
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "start", "--port", String(port), "--dir", dataDir],
    cwd: ROOT,
    env: {
      DENO_DIR: denoDir,
      // Nothing listens on port 9 (discard): any download fails at once.
      NPM_CONFIG_REGISTRY: "http://127.0.0.1:9/",
      DENO_NO_UPDATE_CHECK: "1",
    },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  let exited = false;
  child.status.then(() => (exited = true));
  try {
    let client: RespClient | null = null;
    for (let i = 0; i < 600 && client === null && !exited; i++) {
      try {
        client = await RespClient.connect(port);
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    if (client === null) {
      if (!exited) await terminate(child, 5000);
      throw new Error(`the server did not start; its output:\n${await stderr}`);
    }
    try {
      let reply = await client.call("PING");
      // The port answers while the (empty) data set loads.
      for (let i = 0; i < 200 && reply.startsWith("-LOADING"); i++) {
        await new Promise((r) => setTimeout(r, 50));
        reply = await client.call("PING");
      }
      assertEquals(reply, "+PONG\r\n");
      assertEquals(await client.call("SET", "k", "offline"), "+OK\r\n");
      assertEquals(await client.call("GET", "k"), "$7\r\noffline\r\n");
      // The server itself exits: a signal to `deno task` would not reach it.
      await client.send("*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n");
      await child.status;
    } finally {
      client.close();
    }
    // Nothing was fetched into the empty cache: no npm package, no remote module.
    for (const fetched of ["npm", "remote"]) {
      const entries = [...Deno.readDirSync(denoDir)].some((e) => e.name === fetched)
        ? [...Deno.readDirSync(`${denoDir}/${fetched}`)].map((e) => e.name)
        : [];
      assertEquals(entries, [], `fetched into DENO_DIR/${fetched}`);
    }
  } finally {
    if (!exited) await terminate(child, 5000);
    // A server left behind by a failed run would hold the pipe open: do not wait on it.
    await Promise.race([stderr.catch(() => ""), new Promise((r) => setTimeout(r, 1000))]);
    Deno.removeSync(denoDir, { recursive: true });
    Deno.removeSync(dataDir, { recursive: true });
  }
});
