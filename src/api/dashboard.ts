/**
 * The dashboard (`GET /`): one self-contained HTML page, inline CSS and
 * script (`dashboard_script.ts`), no external assets and no build step.
 * Its markup and style are here. It polls `status`, `peers`,
 * `addresses?limit=0`, `inventory`, `metrics` and `chain` (the block store
 * on disk) every few seconds and
 * listens to `events` (EventSource) for live updates. Each poll adds a point
 * to four charts of the last hour, drawn with uPlot (vendored in
 * `vendor_uplot.ts`, inlined: about 52 KB of the page): peers by connection
 * type, bytes in/out per second, blocks received and relayed per interval
 * with the mean relay latency, and the header height. The history lives in
 * the page: it starts when the page is opened. URLs are relative, so the page
 * also works when an embedder mounts the app under a prefix. Data reaches
 * the DOM only through `textContent` and attributes, never as HTML.
 *
 * Peers are grouped by connection type (`PEER_GROUPING`): the peers chart's
 * series, the order of the peers table and a count per type.
 *
 * Stable hooks for browser tests: `#peers tbody tr[data-peer="<id>"]` (with
 * `data-group`) with `td[data-field]` cells, `#addrman tbody tr[data-network]`,
 * `#blocks tbody tr[data-block="<hash>"]`, `#events li[data-event]`,
 * `[data-count]` peer counts, `#peer-groups [data-group]` counts per
 * connection type, `#header-height`, `#sync-progress`, `#live`,
 * `#store-count`, `#store-heights`, `#store-bytes`,
 * `figure[data-chart="peers|traffic|blocks|height"]` with `data-points` (the
 * points drawn) and a uPlot canvas.
 */
import { dashboardScript } from "./dashboard_script.ts";
import { CONNECTION_TYPES } from "./schemas.ts";
import { UPLOT_CSS, UPLOT_JS, UPLOT_NOTICE } from "./vendor_uplot.ts";

/** How often the page polls, ms (each poll is a chart point: 900 an hour). */
export const DASHBOARD_POLL_MS = 4_000;

/** How much history the charts keep, ms. */
export const DASHBOARD_HISTORY_MS = 60 * 60 * 1000;

/**
 * How the page groups peers (the chart's series, the peers table's order
 * and the per-group counts): the `/peers` field and its values, in legend
 * order (any other value counts as "other"). The one place to change.
 */
export const PEER_GROUPING: { readonly field: string; readonly groups: readonly string[] } = {
  field: "connectionType",
  groups: ["inbound", ...CONNECTION_TYPES.filter((t) => t !== "inbound")],
};

/**
 * The page's Content-Security-Policy: its own inline style and script, and
 * requests to its own origin only.
 */
export const DASHBOARD_CSP = "default-src 'none'; script-src 'unsafe-inline'; " +
  "style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; " +
  "form-action 'none'; frame-ancestors 'none'";

const STYLE = `
:root { color-scheme: light dark; --fg: #1b1f24; --bg: #f6f7f9; --card: #fff; --muted: #667;
  --line: #dde1e6; --accent: #f7931a; --ok: #1a7f37; --bad: #c62828; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e8eb; --bg: #111418; --card: #1a1e24;
  --muted: #9aa3ad; --line: #2c323a; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; flex-wrap: wrap; gap: .4rem 1rem; align-items: baseline; padding: .8rem 1.2rem;
  border-bottom: 3px solid var(--accent); background: var(--card); }
header h1 { font-size: 1.2rem; margin: 0 .5rem 0 0; }
header span { color: var(--muted); }
#live[data-state="live"] { color: var(--ok); }
#live[data-state="down"] { color: var(--bad); }
#error { margin: .8rem 1.2rem 0; padding: .5rem .8rem; border-left: 4px solid var(--bad);
  background: var(--card); }
main { padding: 1rem 1.2rem; display: grid; gap: 1rem; }
#summary { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); }
.card, section.wide { background: var(--card); border: 1px solid var(--line); border-radius: 6px;
  padding: .8rem 1rem; overflow-x: auto; }
h2 { font-size: .8rem; text-transform: uppercase; letter-spacing: .06em; color: var(--muted);
  margin: 0 0 .5rem; }
dl { display: grid; grid-template-columns: auto 1fr; gap: .15rem .8rem; margin: 0; }
dt { color: var(--muted); white-space: nowrap; }
dd { margin: 0; min-width: 0; font-variant-numeric: tabular-nums; }
#best-hash { display: block; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid var(--line);
  white-space: nowrap; }
th { color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; }
code, .mono { font-family: ui-monospace, monospace; font-size: .85em; }
progress { width: 100%; height: .6rem; }
#events { list-style: none; margin: 0; padding: 0; max-height: 18rem; overflow-y: auto; }
#events li { padding: .15rem 0; border-bottom: 1px solid var(--line); }
#events time { color: var(--muted); margin-right: .5rem; }
.empty { color: var(--muted); }
#charts .grid { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fit, minmax(26rem, 1fr)); }
figure.chart { margin: 0; min-width: 0; }
figure.chart figcaption { font-weight: 600; margin-bottom: .3rem; }
.uplot { font-family: inherit; }
.u-legend { font-size: .8rem; }
`;

const BODY = `
<header>
  <h1>btc-edge</h1>
  <span id="node-network">–</span>
  <span id="node-version">–</span>
  <span id="node-runtime">–</span>
  <span id="node-state">–</span>
  <span>up <span id="node-uptime">–</span></span>
  <span id="live" data-state="connecting">connecting…</span>
</header>
<div id="error" role="alert" hidden></div>
<main>
  <div id="summary">
    <section class="card" id="peer-counts">
      <h2>Peers</h2>
      <dl>
        <dt>inbound</dt><dd data-count="inbound">–</dd>
        <dt>outbound</dt><dd data-count="outbound">–</dd>
        <dt>persistent</dt><dd data-count="persistent">–</dd>
        <dt>feeler</dt><dd data-count="feeler">–</dd>
      </dl>
      <dl id="peer-groups">${
  PEER_GROUPING.groups.map((g) => `<dt>${g}</dt><dd data-group="${g}">–</dd>`).join("")
}</dl>
    </section>
    <section class="card" id="sync">
      <h2>Headers</h2>
      <dl>
        <dt>height</dt><dd id="header-height">–</dd>
        <dt>best peer</dt><dd id="best-peer-height">–</dd>
        <dt>rate</dt><dd id="sync-rate">–</dd>
        <dt>tip</dt><dd><code id="best-hash">–</code></dd>
      </dl>
      <progress id="sync-progress" max="1" value="0"></progress>
    </section>
    <section class="card" id="block-store">
      <h2>Blocks on disk</h2>
      <dl>
        <dt>blocks</dt><dd id="store-count">–</dd>
        <dt>heights</dt><dd id="store-heights">–</dd>
        <dt>size</dt><dd id="store-bytes">–</dd>
      </dl>
    </section>
    <section class="card">
      <h2>Addresses</h2>
      <table id="addrman">
        <thead><tr><th>network</th><th class="num">new</th><th class="num">tried</th></tr></thead>
        <tbody></tbody>
        <tfoot><tr data-network="total"><th>total</th><td class="num" data-table="new">–</td>
          <td class="num" data-table="tried">–</td></tr></tfoot>
      </table>
      <p id="need-addresses" class="empty" hidden>Asking peers for more addresses.</p>
    </section>
    <section class="card">
      <h2>Node</h2>
      <dl>
        <dt>listening</dt><dd id="node-listening">–</dd>
        <dt>api</dt><dd id="node-api">–</dd>
        <dt>bans</dt><dd id="node-bans">–</dd>
        <dt>memory</dt><dd id="node-memory">–</dd>
      </dl>
    </section>
  </div>
  <section class="wide" id="charts">
    <h2>Last hour</h2>
    <div class="grid">
      <figure class="chart" data-chart="peers" data-points="0">
        <figcaption>Peers by ${PEER_GROUPING.field}</figcaption></figure>
      <figure class="chart" data-chart="traffic" data-points="0">
        <figcaption>Traffic, bytes per second</figcaption></figure>
      <figure class="chart" data-chart="blocks" data-points="0">
        <figcaption>Blocks received and relayed; relay latency</figcaption></figure>
      <figure class="chart" data-chart="height" data-points="0">
        <figcaption>Header height</figcaption></figure>
    </div>
    <p class="empty">Collected while this page is open: a point every ${
  DASHBOARD_POLL_MS / 1000
} s, the last hour kept.</p>
  </section>
  <section class="wide">
    <h2>Connected peers</h2>
    <table id="peers">
      <thead><tr><th>peer</th><th>${PEER_GROUPING.field}</th><th>direction</th>
        <th>transport</th><th>user agent</th><th class="num">height</th>
        <th class="num">ping</th><th class="num">sent</th><th class="num">received</th>
        <th class="num">connected</th></tr></thead>
      <tbody></tbody>
    </table>
    <p id="peers-empty" class="empty">No peers connected.</p>
  </section>
  <section class="wide">
    <h2>Recent blocks</h2>
    <table id="blocks">
      <thead><tr><th>hash</th><th>received</th><th>from</th><th class="num">relayed to</th></tr></thead>
      <tbody></tbody>
    </table>
    <p id="blocks-empty" class="empty">No blocks yet.</p>
  </section>
  <section class="wide">
    <h2>Events</h2>
    <ol id="events"></ol>
    <p id="events-empty" class="empty">No events yet.</p>
  </section>
</main>
`;

/** The whole page. */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>btc-edge</title>
<style>${UPLOT_CSS}
${STYLE}</style>
</head>
<body>${BODY}<script>/* ${UPLOT_NOTICE} */
${UPLOT_JS}</script>
<script>${
  dashboardScript({
    pollMs: DASHBOARD_POLL_MS,
    historyMs: DASHBOARD_HISTORY_MS,
    grouping: PEER_GROUPING,
  })
}</script>
</body>
</html>
`;
