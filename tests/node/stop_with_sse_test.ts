/**
 * stop() does not wait on an open /events stream: the stream receives the
 * final address-manager save and ends, and the API closes with it, well
 * inside the stop deadline, under every runtime's HTTP server.
 */
import { describe, expect, test } from "bun:test";
import { createNode, type LogRecord } from "../../mod.ts";
import { runtimeName } from "../runtime_command.ts";
import { tempDirs } from "../support/temp_dir.ts";

const tempDir = tempDirs();

describe(`stop with an open event stream under ${runtimeName}`, () => {
  test("the stream gets the final save and ends; the API closes without hitting the deadline", async () => {
    const datadir = tempDir("btc-edge-sse-stop-");
    const logs: LogRecord[] = [];
    const node = createNode(
      {
        network: "regtest",
        datadir,
        listen: ["127.0.0.1:0"],
        api: "127.0.0.1:0",
        dnsseed: false,
        apiToken: "t".repeat(32),
        logLevel: "debug",
      },
      { logSink: (r) => logs.push(r) },
    );
    await node.start();
    const url = `http://${node.status().api}/events`;
    const res = await fetch(url);
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    await node.stop();
    let text = "";
    for (let i = 0; i < 1000; i++) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text).toContain("event: addrman.saved");
    expect(logs.map((r) => r.message)).not.toContain(
      "the status API did not close before the stop deadline",
    );
    expect(logs.map((r) => r.message)).not.toContain("tasks still running at the stop deadline");
  });
});
