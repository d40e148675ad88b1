/**
 * The dashboard's page script (`dashboard.ts` is the page around it). Plain
 * ES2017, no template literals, so it lives in a TypeScript template string
 * as is. It polls the API (sooner after an event), rebuilds the tables' rows
 * from each poll, keeps the charts' history in the page, draws them with
 * uPlot (inlined by the page before this script) and lists the live events;
 * data reaches the DOM only through `textContent` and attributes.
 */
import { ADDRESS_NETWORKS, NODE_EVENT_TYPES } from "./schemas.ts";

/** Polls closer than this to the last point (event-driven ones) add no point, ms. */
const MIN_SAMPLE_MS = 1_000;

/** The page's settings the script is written with. */
export interface DashboardScriptOptions {
  /** How often the script polls, ms (each poll is a chart point). */
  readonly pollMs: number;
  /** How much history the charts keep, ms. */
  readonly historyMs: number;
  /** How peers are grouped: the `/peers` field and its values, in legend order. */
  readonly grouping: { readonly field: string; readonly groups: readonly string[] };
}

/** The page script's text, with `o` written in. */
export function dashboardScript(o: DashboardScriptOptions): string {
  return `
(function () {
  "use strict";
  var POLL_MS = ${o.pollMs};
  var HISTORY_MS = ${o.historyMs};
  var MIN_SAMPLE_MS = ${MIN_SAMPLE_MS};
  var PEER_GROUPING = ${JSON.stringify(o.grouping)};
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

  function renderStore(chain) {
    var b = chain.blocks;
    setText("store-count", b.count);
    setText("store-heights", b.lowestHeight === null ? null : b.lowestHeight + " – " + b.highestHeight);
    setText("store-bytes", bytes(b.bytes));
  }

  function renderPeers(peers) {
    var tbody = document.querySelector("#peers tbody");
    var counts = {};
    PEER_GROUPING.groups.forEach(function (g) { counts[g] = 0; });
    var order = function (p) {
      var i = PEER_GROUPING.groups.indexOf(peerGroup(p));
      return i < 0 ? PEER_GROUPING.groups.length : i;
    };
    var sorted = peers.slice().sort(function (a, b) { return order(a) - order(b) || a.id - b.id; });
    var rows = sorted.map(function (p) {
      var group = peerGroup(p);
      if (group in counts) counts[group]++;
      var tr = document.createElement("tr");
      tr.setAttribute("data-peer", String(p.id));
      tr.setAttribute("data-group", group);
      tr.appendChild(cell("td", p.address + " (" + p.direction + ")", "peer", "mono"));
      tr.appendChild(cell("td", p[PEER_GROUPING.field], PEER_GROUPING.field));
      tr.appendChild(cell("td", p.direction, "direction"));
      var transport = cell("td", p.transport, "transport");
      if (p.sessionId) transport.setAttribute("title", "session " + p.sessionId);
      tr.appendChild(transport);
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
    PEER_GROUPING.groups.forEach(function (g) {
      var e = document.querySelector('#peer-groups [data-group="' + g + '"]');
      if (e) e.textContent = String(counts[g]);
    });
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
      case "peer.evicted": return d.peer + " " + d.connectionType + " (" + d.rule + "): " + d.reason;
      case "tip.stale": return "no new tip for " + duration(d.staleSeconds) + ": trying an extra peer";
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

  // ---- charts of the last hour (uPlot) ----

  var charts = {}, history = [], lastMetrics = null;

  function cssVar(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#888";
  }
  function rate(n) {
    if (typeof n !== "number") return "–";
    var units = ["B/s", "KiB/s", "MiB/s", "GiB/s"], i = 0;
    while (Math.abs(n) >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? Math.round(n) : n.toFixed(1)) + " " + units[i];
  }

  function peerGroup(p) {
    var value = String(p[PEER_GROUPING.field]);
    return PEER_GROUPING.groups.indexOf(value) >= 0 ? value : "other";
  }

  /** Sums the counters the charts need from the Prometheus text of /metrics. */
  function parseMetrics(text) {
    var m = { sent: 0, received: 0, blocks: 0, relayCount: 0, relaySum: 0 };
    text.split("\\n").forEach(function (line) {
      if (line === "" || line[0] === "#") return;
      var space = line.lastIndexOf(" ");
      var name = line.slice(0, space), value = Number(line.slice(space + 1));
      if (!isFinite(value)) return;
      if (name.indexOf("btc_edge_bytes_total{") === 0) {
        if (name.indexOf('direction="sent"') > 0) m.sent += value; else m.received += value;
      } else if (name.indexOf("btc_edge_messages_total{") === 0 &&
        name.indexOf('direction="received"') > 0 && name.indexOf('command="block"') > 0) {
        m.blocks += value;
      } else if (name === "btc_edge_relay_latency_seconds_count") m.relayCount = value;
      else if (name === "btc_edge_relay_latency_seconds_sum") m.relaySum = value;
    });
    return m;
  }

  var PEER_SERIES = PEER_GROUPING.groups.concat(["other"]);
  var COUNT_INCRS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];
  var PALETTE = ["#2f81f7", "#f7931a", "#8957e5", "#1a7f37", "#c62828", "#0aa3a3", "#b08800"];

  /** The four charts: their series and how a sample maps to each series' value. */
  var CHARTS = {
    peers: {
      series: PEER_SERIES.map(function (g, i) {
        return { label: g, stroke: PALETTE[i % PALETTE.length], width: 2, show: g !== "other",
          value: function (s) { return s.peers ? s.peers[g] : null; } };
      }).concat([{ label: "total", stroke: cssVar("--muted"), dash: [4, 4], width: 1,
        value: function (s) { return s.peers ? s.peers.total : null; } }]),
      axes: [{}, { label: "peers", incrs: COUNT_INCRS }],
    },
    traffic: {
      series: [
        { label: "in", stroke: "#2f81f7", width: 2, fill: "rgba(47,129,247,.12)", value: function (s) { return s.inBps; } },
        { label: "out", stroke: "#f7931a", width: 2, value: function (s) { return s.outBps; } },
      ],
      axes: [{}, { values: function (u, ticks) { return ticks.map(rate); }, size: 80 }],
      format: rate,
    },
    blocks: {
      series: [
        { label: "received", stroke: "#2f81f7", fill: "rgba(47,129,247,.6)", bars: -1, value: function (s) { return s.blocks; } },
        { label: "relayed", stroke: "#f7931a", fill: "rgba(247,147,26,.6)", bars: 1, value: function (s) { return s.relayed; } },
        { label: "relay latency (ms)", stroke: "#c62828", width: 0, scale: "ms",
          points: { show: true, size: 7, fill: "#c62828" }, value: function (s) { return s.latencyMs; } },
      ],
      axes: [{}, { label: "blocks", incrs: COUNT_INCRS }, { scale: "ms", side: 1, label: "ms", grid: { show: false } }],
      scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(1, max)]; } }, ms: { auto: true } },
    },
    height: {
      series: [{ label: "height", stroke: "#1a7f37", width: 2, value: function (s) { return s.height; } }],
      axes: [{}, { size: 70 }],
    },
  };

  function chartData(spec) {
    var data = [history.map(function (s) { return s.t / 1000; })];
    spec.series.forEach(function (sr) {
      data.push(history.map(function (s) { var v = sr.value(s); return typeof v === "number" ? v : null; }));
    });
    return data;
  }

  function makeChart(name, figure) {
    var spec = CHARTS[name];
    var axisColor = cssVar("--muted"), gridColor = cssVar("--line");
    var series = [{}].concat(spec.series.map(function (sr) {
      var out = { label: sr.label, stroke: sr.stroke, width: sr.width === undefined ? 1 : sr.width };
      if (sr.fill) out.fill = sr.fill;
      if (sr.dash) out.dash = sr.dash;
      if (sr.show === false) out.show = false;
      if (sr.scale) out.scale = sr.scale;
      if (sr.points) out.points = sr.points;
      // Received and relayed stand side by side at each point.
      if (sr.bars) {
        out.paths = uPlot.paths.bars({ size: [0.4, 8], align: sr.bars });
        out.points = { show: false };
      }
      if (spec.format) out.value = function (u, v) { return v === null ? "–" : spec.format(v); };
      return out;
    }));
    var axes = spec.axes.map(function (a) {
      var out = { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor } };
      Object.keys(a).forEach(function (k) { out[k] = a[k]; });
      if (a.grid) out.grid = { show: a.grid.show, stroke: gridColor };
      return out;
    });
    return new uPlot({
      width: Math.max(280, figure.clientWidth),
      height: 190,
      series: series,
      axes: axes,
      scales: spec.scales || { x: { time: true } },
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
    }, chartData(spec), figure);
  }

  /** Adds one sample (the parts of this poll that answered) and redraws the charts. */
  function sample(status, peers, metrics) {
    var t = Date.now();
    var prev = history.length ? history[history.length - 1] : null;
    if (prev !== null && t - prev.t < MIN_SAMPLE_MS) return;
    var s = { t: t, peers: null, inBps: null, outBps: null, blocks: null, relayed: null, latencyMs: null,
      height: status ? status.chain.height : null };
    if (peers) {
      s.peers = { total: peers.length };
      PEER_SERIES.forEach(function (g) { s.peers[g] = 0; });
      peers.forEach(function (p) { s.peers[peerGroup(p)]++; });
    }
    if (metrics && lastMetrics && metrics.received >= lastMetrics.m.received &&
      metrics.sent >= lastMetrics.m.sent) {
      var dt = (t - lastMetrics.t) / 1000, m = metrics, l = lastMetrics.m;
      s.inBps = (m.received - l.received) / dt;
      s.outBps = (m.sent - l.sent) / dt;
      s.blocks = Math.max(0, m.blocks - l.blocks);
      s.relayed = Math.max(0, m.relayCount - l.relayCount);
      s.latencyMs = s.relayed > 0 ? (m.relaySum - l.relaySum) / s.relayed * 1000 : null;
    }
    if (metrics) lastMetrics = { t: t, m: metrics };
    history.push(s);
    while (history.length && history[0].t < t - HISTORY_MS) history.shift();
    drawCharts();
  }

  function drawCharts() {
    if (typeof uPlot !== "function") return;
    Object.keys(CHARTS).forEach(function (name) {
      var figure = document.querySelector('figure[data-chart="' + name + '"]');
      if (!figure) return;
      if (!charts[name]) charts[name] = makeChart(name, figure);
      else charts[name].setData(chartData(CHARTS[name]));
      // The legend shows the latest values until the cursor points elsewhere.
      charts[name].setLegend({ idx: history.length - 1 });
      figure.setAttribute("data-points", String(history.length));
    });
  }

  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (name) {
      var figure = document.querySelector('figure[data-chart="' + name + '"]');
      charts[name].setSize({ width: Math.max(280, figure.clientWidth), height: 190 });
    });
  });

  function getText(path) {
    return fetch(path, { cache: "no-store" }).then(function (r) {
      if (!r.ok) throw new Error(path + " answered HTTP " + r.status);
      return r.text();
    });
  }

  function poll() {
    if (inFlight) { again = true; return; }
    if (pollTimer !== null) clearTimeout(pollTimer);
    pollTimer = null;
    inFlight = true;
    // Each part renders on its own, so one failing endpoint doesn't blank the others.
    var parts = [["status", getJson, renderStatus], ["peers", getJson, renderPeers],
      ["addresses?limit=0", getJson, renderAddresses], ["inventory", getJson, renderBlocks],
      ["metrics", getText, function () {}], ["chain", getJson, renderStore]];
    Promise.all(parts.map(function (part) {
      return part[1](part[0]).then(function (value) { part[2](value); return { value: value }; })
        .then(null, function (e) { return { error: e.message }; });
    }))
      .then(function (results) {
        var failed = results.filter(function (r) { return r.error !== undefined; })
          .map(function (r) { return r.error; });
        if (failed.length === parts.length) showError("Cannot reach the node: " + failed[0]);
        else showError(failed.length ? "Some data is unavailable: " + failed.join("; ") : "");
        var metrics = null;
        if (results[4].value !== undefined) {
          try { metrics = parseMetrics(results[4].value); } catch (e) { metrics = null; }
        }
        sample(results[0].value, results[1].value, metrics);
      })
      .then(null, function (e) { showError("Dashboard error: " + e.message); })
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
}
