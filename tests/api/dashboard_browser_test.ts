/**
 * The dashboard in a real browser: two regtest nodes on 127.0.0.1, the
 * second connected to the first; headless Chromium loads the first node's
 * `GET /` and its dumped DOM must list the connected peer in
 * `#peers tbody tr[data-peer]` with the peer's string form, and the charts
 * must render with data: four uPlot canvases, the peers chart with two or
 * more points and its inbound line drawn in the series colour. A screenshot is
 * kept as `.tmp/artifacts/dashboard.png` for a person to look at.
 *
 * Runs under Node only (one runtime keeps `npm test` fast) and only where
 * Debian's `chromium` is installed (`.ci/run` installs it); otherwise the
 * test is skipped (a real skip, which `npm test` lists) with a message.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNode, type NodeHandle } from "../../mod.ts";
import { platform } from "#platform";
import { ROOT, runtimeName } from "../runtime_command.ts";

const CHROMIUM = "/usr/bin/chromium";
/** The one runtime the browser part runs under. */
const BROWSER_RUNTIME: string = "node";
/** Longest wait for the peer to connect, and for the Chromium run. */
const PEER_WAIT_MS = 15_000;
const CHROMIUM_TIMEOUT_MS = 45_000;
/** Longest wait for the browser to answer one DevTools command. */
const CDP_COMMAND_TIMEOUT_MS = 10_000;
/** The browser window (CSS pixels) of the screenshot. */
const WINDOW = { width: 1280, height: 900 };
const ARTIFACTS = join(ROOT, ".tmp", "artifacts");

const skipReason = runtimeName !== BROWSER_RUNTIME
  ? `runs under ${BROWSER_RUNTIME} only`
  : !existsSync(CHROMIUM)
  ? `${CHROMIUM} is missing (apt-get install -y chromium)`
  : undefined;

const nodes: NodeHandle[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const node of nodes.splice(0).reverse()) await node.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

async function startNode(connect: string[]): Promise<NodeHandle> {
  const node = createNode({
    network: "regtest",
    datadir: tempDir("btc-edge-dash-"),
    listen: ["127.0.0.1:0"],
    api: "127.0.0.1:0",
    dnsseed: false,
    connect,
    logLevel: "warn",
  }, { platform });
  nodes.push(node);
  await node.start();
  return node;
}

interface PeerJson {
  id: number;
  address: string;
  direction: string;
  transport: string;
  sessionId: string;
}

/** A minimal Chrome DevTools Protocol client over the browser's WebSocket. */
class Cdp {
  readonly #ws: WebSocket;
  readonly #pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();
  #next = 1;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.onmessage = (event) => {
      const message = JSON.parse(String(event.data));
      const waiter = this.#pending.get(message.id);
      if (waiter === undefined) return; // an event: none is subscribed to
      this.#pending.delete(message.id);
      if (message.error) waiter.reject(new Error(`CDP: ${message.error.message}`));
      else waiter.resolve(message.result);
    };
    ws.onclose = () => {
      for (const waiter of this.#pending.values()) waiter.reject(new Error("CDP socket closed"));
      this.#pending.clear();
    };
  }

  /** Connects to a DevTools WebSocket URL. */
  static connect(url: string): Promise<Cdp> {
    const ws = new WebSocket(url);
    return new Promise((resolve, reject) => {
      ws.onopen = () => resolve(new Cdp(ws));
      ws.onerror = () => reject(new Error(`cannot connect to ${url}`));
    });
  }

  /** Sends one command (to a session when given) and resolves with its result. */
  send<T>(method: string, params: object = {}, sessionId?: string): Promise<T> {
    const id = this.#next++;
    this.#ws.send(JSON.stringify({ id, method, params, sessionId }));
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`CDP: no answer to ${method} in ${CDP_COMMAND_TIMEOUT_MS} ms`));
      }, CDP_COMMAND_TIMEOUT_MS);
      this.#pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  }

  close(): void {
    this.#ws.close();
  }
}

/**
 * Opens `url` in headless Chromium (driven over the DevTools protocol: the
 * page holds an EventSource open, so `--dump-dom` with a virtual-time budget
 * would wait forever), waits until `ready` (a JS expression) is true, and
 * returns the page's HTML, the value of `probe` (a JS expression) and a PNG
 * screenshot.
 */
async function browse(
  url: string,
  ready: string,
  probe: string,
): Promise<{ dom: string; probed: unknown; png: Uint8Array }> {
  const child = spawn(CHROMIUM, [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    `--user-data-dir=${tempDir("btc-edge-chromium-")}`,
    `--window-size=${WINDOW.width},${WINDOW.height}`,
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
    "about:blank",
  ], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr!.on("data", (d) => (err += d));
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const deadline = Date.now() + CHROMIUM_TIMEOUT_MS;
  const timedOut = (what: string) =>
    new Error(`chromium: timed out waiting for ${what}; stderr:\n${err.slice(-4000)}`);
  let cdp: Cdp | undefined;
  try {
    let endpoint: string | undefined;
    while ((endpoint = /DevTools listening on (ws:\/\/\S+)/.exec(err)?.[1]) === undefined) {
      if (child.exitCode !== null || Date.now() > deadline) throw timedOut("DevTools");
      await sleep(25);
    }
    cdp = await Cdp.connect(endpoint);
    const { targetId } = await cdp.send<{ targetId: string }>("Target.createTarget", {
      url: "about:blank",
    });
    const { sessionId } = await cdp.send<{ sessionId: string }>("Target.attachToTarget", {
      targetId,
      flatten: true,
    });
    await cdp.send("Emulation.setDeviceMetricsOverride", {
      ...WINDOW,
      deviceScaleFactor: 1,
      mobile: false,
    }, sessionId);
    await cdp.send("Page.navigate", { url }, sessionId);
    const evaluate = async (expression: string) =>
      (await cdp!.send<{ result: { value: unknown } }>("Runtime.evaluate", {
        expression,
        returnByValue: true,
      }, sessionId)).result.value;
    while (await evaluate(ready) !== true) {
      if (Date.now() > deadline) {
        throw timedOut(`${ready} in ${await evaluate("document.body?.outerHTML")}`);
      }
      await sleep(50);
    }
    const dom = String(await evaluate("document.documentElement.outerHTML"));
    const probed = await evaluate(probe);
    const { data } = await cdp.send<{ data: string }>("Page.captureScreenshot", {
      format: "png",
    }, sessionId);
    return { dom, probed, png: Uint8Array.from(atob(data), (c) => c.charCodeAt(0)) };
  } finally {
    cdp?.close();
    child.kill("SIGKILL");
    await exited;
  }
}

/**
 * In the page: how many charts have a canvas, and on the peers chart's canvas
 * the points drawn and the pixels in the inbound series colour (#2f81f7).
 */
const CHART_PROBE = `(() => {
  const figure = document.querySelector('figure[data-chart="peers"]');
  const canvas = figure.querySelector("canvas");
  const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
  let inbound = 0;
  for (let i = 0; i < data.length; i += 4) {
    const near = (v, want) => Math.abs(v - want) < 24;
    if (near(data[i], 47) && near(data[i + 1], 129) && near(data[i + 2], 247) && data[i + 3] > 200) {
      inbound++;
    }
  }
  return {
    charts: document.querySelectorAll("figure[data-chart] canvas").length,
    points: Number(figure.dataset.points),
    canvas: canvas.width + "x" + canvas.height,
    inbound,
  };
})()`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The `td[data-field]` texts of the `<tr data-peer="id">` in `dom`'s peers table, or undefined. */
function peerRow(dom: string, id: number): Map<string, string> | undefined {
  const tbody = /<table id="peers">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(dom)?.[1];
  const row = tbody === undefined
    ? undefined
    : new RegExp(`<tr data-peer="${id}"[^>]*>([\\s\\S]*?)</tr>`).exec(tbody)?.[1];
  if (row === undefined) return undefined;
  const cells = new Map<string, string>();
  for (const m of row.matchAll(/<td data-field="([^"]+)"[^>]*>([^<]*)<\/td>/g)) {
    cells.set(m[1], unescapeHtml(m[2]));
  }
  return cells;
}

/** `&amp;` and friends back to characters (serialized HTML escapes text). */
function unescapeHtml(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'").replace(/&amp;/g, "&");
}

if (skipReason !== undefined) console.log(`dashboard_browser_test: skipped, ${skipReason}`);
/** `test` where the browser part can run, a skip (listed by `npm test`) elsewhere. */
const inBrowser = test.skipIf(skipReason !== undefined);

describe("dashboard in headless Chromium", () => {
  inBrowser("lists the connected peer in the peers table, and a screenshot is kept", async () => {
    const first = await startNode([]);
    const port = first.status().listening[0].split(":")[1];
    await startNode([`127.0.0.1:${port}`]);
    const api = `http://${first.status().api}/`;

    let peers: PeerJson[] = [];
    for (let waited = 0; peers.length === 0; waited += 50) {
      if (waited > PEER_WAIT_MS) throw new Error("the second node never connected to the first");
      await sleep(50);
      peers = await (await fetch(`${api}peers`)).json() as PeerJson[];
    }
    expect(peers.length).toBe(1);
    const peer = peers[0];
    expect(peer.direction).toBe("inbound");

    // Ready once a poll has rendered the peers row, the event stream is open and
    // the peers chart has two points (a line).
    const { dom, probed, png } = await browse(
      api,
      `document.querySelector('#peers tbody tr[data-peer="${peer.id}"]') !== null && ` +
        `document.getElementById("live").dataset.state === "live" && ` +
        `Number(document.querySelector('figure[data-chart="peers"]').dataset.points) >= 2`,
      CHART_PROBE,
    );
    const cells = peerRow(dom, peer.id);
    if (cells === undefined) throw new Error(`no row for peer ${peer.id} in the DOM:\n${dom}`);
    expect(cells.get("peer")).toBe(`${peer.address} (${peer.direction})`);
    expect(cells.get("direction")).toBe("inbound");
    expect(cells.get("connectionType")).toBe("inbound");
    expect(dom).toMatch(/<dd data-group="inbound">1<\/dd>/);
    expect(peer.transport).toBe("v2");
    expect(cells.get("transport")).toBe("v2");
    expect(dom).toMatch(/<p id="peers-empty" class="empty" hidden="">/);
    expect(dom).toContain('<span id="node-network">regtest</span>');
    expect(dom).toMatch(/<div id="error" role="alert" hidden="">/);

    // Every chart drew on a canvas; the peers chart's inbound line (the one
    // inbound peer, a point a poll) is on its canvas in the series colour.
    const chart = probed as { charts: number; points: number; canvas: string; inbound: number };
    expect(chart.charts).toBe(4);
    expect(chart.points).toBeGreaterThanOrEqual(2);
    expect(chart.canvas).not.toBe("0x0");
    expect(chart.inbound).toBeGreaterThan(20);
    expect(dom).toContain("<figcaption>Peers by connectionType</figcaption>");

    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, "dashboard.png"), png);
    expect([...png.subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]); // "PNG"
  }, CHROMIUM_TIMEOUT_MS + PEER_WAIT_MS + 10_000);
});
