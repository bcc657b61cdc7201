/**
 * redis-py (Debian's python3-redis) scenarios for the interop tests: a
 * Python script run as `python3 - <port>` that prints one JSON array of
 * [label, result], compared between redis-server and redeno.
 */
import { Results, sameOnRedisAndRedeno } from "./interop_results.ts";
import { oracleRequired, type TestServer } from "./servers.ts";

/**
 * The script's common head: `r` connected to the port, `rec(label, fn)`
 * recording fn's result (or its error) as JSON-friendly values, `norm`,
 * `until_blocked(n)` and `in_thread(fn)` for blocking commands.
 */
export const PYTHON_PRELUDE = String.raw`
import json, sys, threading, time
import redis

port = int(sys.argv[1])
r = redis.Redis(host="127.0.0.1", port=port)
out = []

def norm(v):
    if isinstance(v, bytes):
        return v.decode("latin-1")
    if isinstance(v, (list, tuple)):
        return [norm(x) for x in v]
    if isinstance(v, set):
        return sorted(norm(x) for x in v)
    if isinstance(v, dict):
        return sorted([norm(k), norm(x)] for k, x in v.items())
    if isinstance(v, float) and v != v:
        return "nan"
    if isinstance(v, float) and v in (float("inf"), float("-inf")):
        return repr(v)
    return v

def rec(label, fn):
    try:
        v = fn()
    except redis.ResponseError as e:
        v = "error: " + str(e)
    out.append([label, norm(v)])

def until_blocked(n):
    for _ in range(4000):
        if r.info("clients")["blocked_clients"] == n:
            return
        time.sleep(0.005)
    raise Exception("never saw %d blocked clients" % n)

def in_thread(fn):
    """Runs fn on a connection of its own in a thread; returns a function giving its result."""
    box = {}
    def run():
        conn = redis.Redis(host="127.0.0.1", port=port)
        try:
            box["v"] = fn(conn)
        except redis.ResponseError as e:
            box["v"] = "error: " + str(e)
        finally:
            conn.close()
    t = threading.Thread(target=run)
    t.start()
    def result():
        t.join(60)
        return box.get("v", "<no result>")
    return result

r.flushall()
`;

/** A Python 3 that can import `module` (Debian's python3-redis), or null. */
export async function pythonWithRedis(module = "redis"): Promise<string | null> {
  for (const python of ["python3", "/usr/bin/python3"]) {
    try {
      const { success } = await new Deno.Command(python, {
        args: ["-c", `import ${module}`],
        stdout: "null",
        stderr: "null",
      }).output();
      if (success) return python;
    } catch {
      // not installed here
    }
  }
  return null;
}

/** Runs `body` (after PYTHON_PRELUDE) against `server`; its results. */
async function runScript(python: string, body: string, server: TestServer): Promise<Results> {
  const child = new Deno.Command(python, {
    args: ["-", String(server.port)],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(
    new TextEncoder().encode(`${PYTHON_PRELUDE}\n${body}\nprint(json.dumps(out))\n`),
  );
  await writer.close();
  // A hung script (a waiter never served) must not hold the suite.
  const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
  const { code, stdout, stderr } = await child.output();
  clearTimeout(timer);
  const err = new TextDecoder().decode(stderr);
  if (code !== 0) {
    throw new Error(`redis-py script against ${server.kind} failed (${code}):\n${err}`);
  }
  const results = new Results();
  results.items.push(...JSON.parse(new TextDecoder().decode(stdout)));
  return results;
}

/**
 * Runs the scenario `body` with redis-py against redis-server and redeno and
 * asserts the same results. Skips with a message when python3-redis is
 * missing outside CI; in CI that fails.
 */
export async function samePythonResults(body: string): Promise<void> {
  const python = await pythonWithRedis();
  if (!python) {
    if (oracleRequired()) {
      throw new Error("python3-redis is not installed, and CI requires the redis-py interop tests");
    }
    console.warn("SKIPPED: python3-redis is not installed (apt-get install python3-redis)");
    return;
  }
  await sameOnRedisAndRedeno((server) => runScript(python, body, server));
}
