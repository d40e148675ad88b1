/**
 * The dashboard (`GET /`): one self-contained HTML page, inline CSS and
 * script, no external assets and no build step. It polls `status`, `peers`,
 * `addresses?limit=0` and `inventory` every few seconds and listens to
 * `events` (EventSource) for live updates. URLs are relative, so the page
 * also works when an embedder mounts the app under a prefix. Data reaches
 * the DOM only through `textContent` and attributes, never as HTML.
 *
 * Stable hooks for browser tests: `#peers tbody tr[data-peer="<id>"]` with
 * `td[data-field]` cells, `#addrman tbody tr[data-network]`,
 * `#blocks tbody tr[data-block="<hash>"]`, `#events li[data-event]`,
 * `[data-count]` peer counts, `#header-height`, `#sync-progress`, `#live`.
 */
import { ADDRESS_NETWORKS, NODE_EVENT_TYPES } from "./schemas.ts";

/** How often the page polls, ms. */
export const DASHBOARD_POLL_MS = 4_000;

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
  <section class="wide">
    <h2>Connected peers</h2>
    <table id="peers">
      <thead><tr><th>peer</th><th>direction</th><th>user agent</th><th class="num">height</th>
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

/*
 * The page script. Plain ES2017, no template literals, so it can live in a
 * TypeScript template string as is. Rows are rebuilt from each poll.
 */
const SCRIPT = `
(function () {
  "use strict";
  var POLL_MS = ${DASHBOARD_POLL_MS};
  var NETWORKS = ${JSON.stringify(ADDRESS_NETWORKS)};
  var EVENT_TYPES = ${JSON.stringify(NODE_EVENT_TYPES)};
  var MAX_EVENTS = 50;
  var pollTimer = null, soonTimer = null, inFlight = false, again = false;

  function byId(id) { return document.getElementById(id); }
  function show(value) { return value === null || value === undefined || value === "" ? "–" : String(value); }
  function setText(id, value) { var e = byId(id); if (e) e.textContent = show(value); }
  function cell(tag, text, field, cls) {
    var e = document.createElement(tag);
    e.textContent = show(text);
    if (field) e.setAttribute("data-field", field);
    if (cls) e.className = cls;
    return e;
  }
  function bytes(n) {
    if (typeof n !== "number") return "–";
    var units = ["B", "KiB", "MiB", "GiB", "TiB"];
    var i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(1)) + " " + units[i];
  }
  function duration(seconds) {
    if (typeof seconds !== "number" || seconds < 0) return "–";
    seconds = Math.floor(seconds);
    var d = Math.floor(seconds / 86400), h = Math.floor(seconds % 86400 / 3600);
    var m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
    if (d) return d + "d " + h + "h";
    if (h) return h + "h " + m + "m";
    if (m) return m + "m " + s + "s";
    return s + "s";
  }
  function clock(ms) { return typeof ms === "number" ? new Date(ms).toLocaleTimeString() : "–"; }
  function shortHash(hash) { return typeof hash === "string" ? hash.slice(0, 16) + "…" + hash.slice(-8) : "–"; }

  function showError(message) {
    var e = byId("error");
    e.textContent = message || "";
    e.hidden = !message;
  }

  function getJson(path) {
    return fetch(path, { headers: { accept: "application/json" }, cache: "no-store" })
      .then(function (r) {
        if (!r.ok) throw new Error(path + " answered HTTP " + r.status);
        return r.json();
      });
  }

  function renderStatus(s) {
    setText("node-network", s.network);
    setText("node-version", "v" + s.version);
    setText("node-runtime", s.runtime);
    setText("node-state", s.state);
    setText("node-uptime", duration(s.uptimeSeconds));
    ["inbound", "outbound", "persistent", "feeler"].forEach(function (k) {
      var e = document.querySelector('[data-count="' + k + '"]');
      if (e) e.textContent = show(s.peers[k]);
    });
    setText("header-height", s.chain.height);
    setText("best-hash", s.chain.bestHash);
    byId("best-hash").title = s.chain.bestHash;
    setText("best-peer-height", s.sync.bestPeerHeight < 0 ? null : s.sync.bestPeerHeight);
    setText("sync-rate", s.sync.headersPerSecond.toFixed(1) + " headers/s" + (s.sync.caughtUp ? " (caught up)" : ""));
    var progress = byId("sync-progress");
    progress.value = s.sync.bestPeerHeight > 0 ? Math.min(1, s.sync.height / s.sync.bestPeerHeight) : 0;
    setText("node-listening", s.listening.join(", "));
    setText("node-api", s.api);
    setText("node-bans", s.bans);
    var mem = [];
    if (typeof s.memory.rss === "number") mem.push("rss " + bytes(s.memory.rss));
    if (typeof s.memory.heapUsed === "number") mem.push("heap " + bytes(s.memory.heapUsed));
    setText("node-memory", mem.join(", "));
  }

  function renderPeers(peers) {
    var tbody = document.querySelector("#peers tbody");
    var rows = peers.map(function (p) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-peer", String(p.id));
      tr.appendChild(cell("td", p.address + " (" + p.direction + ")", "peer", "mono"));
      tr.appendChild(cell("td", p.direction, "direction"));
      tr.appendChild(cell("td", p.userAgent, "userAgent"));
      tr.appendChild(cell("td", p.startHeight, "height", "num"));
      tr.appendChild(cell("td", typeof p.pingMs === "number" ? Math.round(p.pingMs) + " ms" : null, "ping", "num"));
      tr.appendChild(cell("td", bytes(p.sent.bytes), "sent", "num"));
      tr.appendChild(cell("td", bytes(p.received.bytes), "received", "num"));
      tr.appendChild(cell("td", duration((Date.now() - p.connectedAt) / 1000), "connected", "num"));
      return tr;
    });
    tbody.replaceChildren.apply(tbody, rows);
    byId("peers-empty").hidden = rows.length > 0;
  }

  function renderAddresses(page) {
    var tbody = document.querySelector("#addrman tbody");
    var total = { new: 0, tried: 0 };
    var rows = NETWORKS.map(function (net) {
      var c = page.counts[net] || { new: 0, tried: 0 };
      total.new += c.new;
      total.tried += c.tried;
      var tr = document.createElement("tr");
      tr.setAttribute("data-network", net);
      tr.appendChild(cell("th", net));
      var n = cell("td", c.new, null, "num"); n.setAttribute("data-table", "new"); tr.appendChild(n);
      var t = cell("td", c.tried, null, "num"); t.setAttribute("data-table", "tried"); tr.appendChild(t);
      return tr;
    });
    tbody.replaceChildren.apply(tbody, rows);
    var foot = document.querySelector('#addrman tfoot tr[data-network="total"]');
    foot.querySelector('[data-table="new"]').textContent = String(total.new);
    foot.querySelector('[data-table="tried"]').textContent = String(total.tried);
    byId("need-addresses").hidden = !page.needMoreAddresses;
  }

  function renderBlocks(inventory) {
    var tbody = document.querySelector("#blocks tbody");
    var rows = inventory.recentBlocks.map(function (b) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-block", b.hash);
      var h = cell("td", shortHash(b.hash), "hash", "mono");
      h.title = b.hash;
      tr.appendChild(h);
      tr.appendChild(cell("td", clock(b.receivedAt), "receivedAt"));
      tr.appendChild(cell("td", b.from, "from"));
      var r = cell("td", b.relayedTo.length, "relayedTo", "num");
      r.title = b.relayedTo.join("\\n");
      tr.appendChild(r);
      return tr;
    });
    tbody.replaceChildren.apply(tbody, rows);
    byId("blocks-empty").hidden = rows.length > 0;
  }

  function summary(ev) {
    var d = ev.data || {};
    switch (ev.type) {
      case "peer.connected": return d.peer + " " + (d.userAgent || "");
      case "peer.disconnected": return d.peer + ": " + d.reason;
      case "block.accepted": return "height " + d.height + " " + shortHash(d.hash);
      case "block.relayed": return shortHash(d.hash) + " to " + (d.to ? d.to.length : 0) + " peers";
      case "ban": return d.address + " until " + new Date(d.until).toLocaleString() + ": " + d.reason;
      case "addrman.saved": return d.addresses + " addresses saved";
      default: return "";
    }
  }

  function addEvent(ev) {
    var list = byId("events");
    var li = document.createElement("li");
    li.setAttribute("data-event", ev.type);
    var t = document.createElement("time");
    t.textContent = clock(ev.time);
    li.appendChild(t);
    var b = document.createElement("b");
    b.textContent = ev.type + " ";
    li.appendChild(b);
    li.appendChild(document.createTextNode(summary(ev)));
    list.insertBefore(li, list.firstChild);
    byId("events-empty").hidden = true;
    while (list.children.length > MAX_EVENTS) list.removeChild(list.lastChild);
  }

  function poll() {
    if (inFlight) { again = true; return; }
    if (pollTimer !== null) clearTimeout(pollTimer);
    pollTimer = null;
    inFlight = true;
    // Each part renders on its own, so one failing endpoint doesn't blank the others.
    var parts = [["status", renderStatus], ["peers", renderPeers],
      ["addresses?limit=0", renderAddresses], ["inventory", renderBlocks]];
    Promise.all(parts.map(function (part) {
      return getJson(part[0]).then(part[1]).then(
        function () { return null; },
        function (e) { return e.message; });
    }))
      .then(function (failures) {
        var failed = failures.filter(function (m) { return m !== null; });
        if (failed.length === parts.length) showError("Cannot reach the node: " + failed[0]);
        else showError(failed.length ? "Some data is unavailable: " + failed.join("; ") : "");
      })
      .then(function () {
        inFlight = false;
        if (again) { again = false; poll(); } else pollTimer = setTimeout(poll, POLL_MS);
      });
  }

  function pollSoon() {
    if (soonTimer !== null) return;
    soonTimer = setTimeout(function () { soonTimer = null; poll(); }, 300);
  }

  function listen() {
    if (typeof EventSource !== "function") return;
    var live = byId("live");
    var source = new EventSource("events");
    source.onopen = function () { live.setAttribute("data-state", "live"); live.textContent = "live"; };
    source.onerror = function () { live.setAttribute("data-state", "down"); live.textContent = "reconnecting…"; };
    EVENT_TYPES.forEach(function (type) {
      source.addEventListener(type, function (message) {
        var ev;
        try { ev = JSON.parse(message.data); } catch (e) { return; }
        addEvent(ev);
        if (type !== "addrman.saved") pollSoon();
      });
    });
  }

  poll();
  listen();
})();
`;

/** The whole page. */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>btc-edge</title>
<style>${STYLE}</style>
</head>
<body>${BODY}<script>${SCRIPT}</script>
</body>
</html>
`;
