import { oracleTest } from "../support/oracle.ts";

oracleTest("oracle: ping, echo, unknown command, arity", async (o) => {
  await o.sameAll([
    ["PING"],
    ["PING", "hello"],
    ["ping", "a", "b"],
    ["ECHO", "x\x00y\xff"],
    ["ECHO"],
    ["NOSUCH", "a", "b\x00c"],
    ["NOSUCH", "x".repeat(200)],
    ["SELECT", "99"],
    ["SELECT", "abc"],
    ["SELECT", "1"],
  ]);
});

oracleTest("oracle: protocol errors and inline commands", async (o) => {
  for (
    const input of [
      'PING\r\nECHO "a b"\r\n',
      'ECHO "unbalanced\r\n',
      "ECHO 'x'y\r\n",
      "*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$-5\r\n",
      "*abc\r\n",
      "*3000000000\r\n",
      "*1\r\n:4\r\n",
      "*1\r\n$600000000\r\n",
      "\r\n\r\nPING\r\n",
      "*0\r\n*-1\r\nPING\r\n",
      'ECHO "\\x41\\x4\\n"\r\n',
    ]
  ) {
    await o.sameRaw(input);
  }
});
