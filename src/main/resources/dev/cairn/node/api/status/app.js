// Cairn status page: polls the node's read-only /api/v1 JSON and draws it. No libraries, no CDN.
// Everything a peer controls (agent, protocols, addresses) goes into the page as text, never HTML.
"use strict";

const API = "/api/v1/";
const POLL_MS = 1000;
const state = { headHash: null, history: [], blocks: [], selectedBlock: null, knownHeights: new Set() };

const $ = (id) => document.getElementById(id);

async function getJson(path) {
  const r = await fetch(API + path, { headers: { Accept: "application/json" } });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) {
    const e = new Error(body.error || ("HTTP " + r.status));
    e.status = r.status;
    throw e;
  }
  return body;
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "onclick") e.addEventListener("click", v);
    else if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function setText(id, text) { $(id).textContent = text; }

function short(s, n = 10) { return s && s.length > 2 * n ? s.slice(0, n) + "…" + s.slice(-6) : s || ""; }

function duration(seconds) {
  if (seconds == null || seconds < 0 || !isFinite(seconds)) return "unknown";
  seconds = Math.round(seconds);
  if (seconds < 60) return seconds + " s";
  if (seconds < 3600) return Math.floor(seconds / 60) + " min " + (seconds % 60) + " s";
  if (seconds < 86400) return Math.floor(seconds / 3600) + " h " + Math.floor((seconds % 3600) / 60) + " min";
  return Math.floor(seconds / 86400) + " d " + Math.floor((seconds % 86400) / 3600) + " h";
}

function age(ms) { return duration((Date.now() - ms) / 1000) + " ago"; }

function hashRate(h) {
  const units = ["H/s", "kH/s", "MH/s", "GH/s", "TH/s"];
  let i = 0;
  while (h >= 1000 && i < units.length - 1) { h /= 1000; i++; }
  return h.toFixed(i === 0 ? 0 : 2) + " " + units[i];
}

function coins(units) { return (units / 1e8).toLocaleString(undefined, { maximumFractionDigits: 8 }) + " coins"; }

function fillTable(id, rows) {
  const body = $(id).querySelector("tbody");
  body.replaceChildren(...rows);
}

// ---- the polled parts ----

async function pollStatus() {
  const [status, head, peers, mining] = await Promise.all([
    getJson("status"), getJson("head"), getJson("peers"), getJson("mining")]);
  setText("network", status.network);
  setText("peer-id", status.peerId);
  setText("head-height", head.height);
  $("head-height").dataset.height = head.height;
  setText("head-hash", head.hash);
  setText("head-age", age(head.timestamp));
  setText("head-work", head.cumulativeWork);
  const s = status.sync || {};
  setText("sync-state", s.state === "SYNCING" ? "syncing" : "in sync (idle)");
  setText("sync-target", s.targetHeight != null ? s.targetHeight : "—");
  setText("sync-rate", s.blocksPerSecond != null ? s.blocksPerSecond.toFixed(1) + " blocks/s" : "—");
  setText("sync-eta", s.state === "SYNCING" ? duration(s.etaSeconds) : "—");
  setText("mining-state", mining.mining ? "on (" + mining.threads + " threads)" : "off");
  setText("mining-rate", mining.mining ? hashRate(mining.hashRate) : "—");
  setText("mining-found", mining.blocksFound);
  setText("mining-address", mining.address || "—");
  setText("peer-count", status.peerCount);
  fillTable("peers-table", peers.map((p) => el("tr", { "data-peer": p.peerId },
    el("td", { title: p.peerId }, el("code", {}, short(p.peerId, 8))),
    el("td", {}, p.address),
    el("td", {}, p.direction),
    el("td", {}, p.agent || "—"),
    el("td", { class: "muted" }, (p.protocols || []).join(", ")),
    el("td", {}, p.standing + (p.penalties ? " (" + p.penalties + " penalties)" : "")),
    el("td", {}, p.connectedSince ? duration((Date.now() - p.connectedSince) / 1000) : "—"))));
  addLivePoint(head.height, status.peerCount);
  if (head.hash !== state.headHash) {
    await pollBlocks(); // if this fails, the next poll tries again: the table never stays stale
    state.headHash = head.hash;
  } else {
    renderBlockAges();
  }
}

async function pollBlocks() {
  state.blocks = await getJson("blocks?limit=50");
  const firstLoad = state.knownHeights.size === 0;
  fillTable("blocks-table", state.blocks.slice(0, 20).map((b) => {
    const row = el("tr", { "data-hash": b.hash, "data-height": b.height, onclick: () => showBlock(b.hash) },
      el("td", {}, b.height),
      el("td", {}, el("code", {}, short(b.hash, 12))),
      el("td", { class: "age", "data-time": b.timestamp }, age(b.timestamp)),
      el("td", {}, el("code", {}, short(b.miner, 10))));
    if (!firstLoad && !state.knownHeights.has(b.hash)) row.classList.add("fresh");
    if (b.hash === state.selectedBlock) row.classList.add("selected");
    return row;
  }));
  state.blocks.forEach((b) => state.knownHeights.add(b.hash));
  drawIntervals();
}

function renderBlockAges() {
  document.querySelectorAll("#blocks-table td.age").forEach((td) => { td.textContent = age(Number(td.dataset.time)); });
}

async function pollMempool() {
  const m = await getJson("mempool/top?limit=8");
  setText("mempool-size", m.size);
  fillTable("mempool-table", m.transactions.length === 0
    ? [el("tr", {}, el("td", { colspan: 3, class: "muted" }, "empty"))]
    : m.transactions.map((t) => el("tr", {},
      el("td", {}, el("a", { onclick: () => search(t.id) }, short(t.id, 8))),
      el("td", {}, t.fee), el("td", {}, t.amount))));
}

async function pollHistory() {
  const h = await getJson("history");
  state.history = h.samples;
  drawHistory();
}

function addLivePoint(height, peers) {
  const last = state.history[state.history.length - 1];
  const now = Date.now();
  if (!last || now - last.time >= 1000) {
    state.history.push({ time: now, height: height, peers: peers });
    const cutoff = now - 3600 * 1000;
    while (state.history.length && state.history[0].time < cutoff) state.history.shift();
    drawHistory();
  }
}

// ---- charts (plain SVG) ----

const SVG = "http://www.w3.org/2000/svg";
function svgEl(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text != null) e.textContent = text;
  return e;
}

function frame(svg) {
  const w = Math.max(200, Math.round(svg.clientWidth || 600)), h = 160;
  svg.setAttribute("viewBox", "0 0 " + w + " " + h);
  svg.replaceChildren();
  return { w: w, h: h, left: 44, right: 8, top: 10, bottom: 20 };
}

function axes(svg, f, min, max, xLabelLeft, xLabelRight) {
  for (const v of [min, (min + max) / 2, max]) {
    const y = f.top + (f.h - f.top - f.bottom) * (1 - (v - min) / (max - min || 1));
    svg.append(svgEl("line", { class: "grid", x1: f.left, x2: f.w - f.right, y1: y, y2: y }));
    svg.append(svgEl("text", { class: "axis", x: f.left - 4, y: y + 3, "text-anchor": "end" },
      Number.isInteger(v) ? v : v.toFixed(1)));
  }
  svg.append(svgEl("text", { class: "axis", x: f.left, y: f.h - 5 }, xLabelLeft));
  svg.append(svgEl("text", { class: "axis", x: f.w - f.right, y: f.h - 5, "text-anchor": "end" }, xLabelRight));
}

function lineChart(svg, points, key) {
  const f = frame(svg);
  if (points.length === 0) return;
  const now = Date.now(), t0 = now - 3600 * 1000;
  let min = Math.min(...points.map((p) => p[key])), max = Math.max(...points.map((p) => p[key]));
  if (min === max) { min = Math.max(0, min - 1); max = max + 1; }
  axes(svg, f, min, max, "−60 min", "now");
  const x = (t) => f.left + (f.w - f.left - f.right) * Math.max(0, (t - t0)) / (now - t0);
  const y = (v) => f.top + (f.h - f.top - f.bottom) * (1 - (v - min) / (max - min));
  // a step line: the value holds until the next sample
  let d = "M" + x(points[0].time).toFixed(1) + " " + y(points[0][key]).toFixed(1);
  for (const p of points.slice(1)) d += " H" + x(p.time).toFixed(1) + " V" + y(p[key]).toFixed(1);
  d += " H" + x(now).toFixed(1);
  svg.append(svgEl("path", { class: "line", d: d }));
}

function drawHistory() {
  lineChart($("chart-height"), state.history, "height");
  lineChart($("chart-peers"), state.history, "peers");
}

function drawIntervals() {
  const svg = $("chart-intervals");
  const f = frame(svg);
  const blocks = state.blocks.slice().reverse(); // oldest first
  const gaps = [];
  for (let i = 1; i < blocks.length; i++) gaps.push({ height: blocks[i].height, s: (blocks[i].timestamp - blocks[i - 1].timestamp) / 1000 });
  if (gaps.length === 0) return;
  const max = Math.max(1, ...gaps.map((g) => g.s));
  axes(svg, f, 0, max, "#" + gaps[0].height, "#" + gaps[gaps.length - 1].height);
  const bw = (f.w - f.left - f.right) / gaps.length;
  gaps.forEach((g, i) => {
    const hgt = (f.h - f.top - f.bottom) * Math.max(0, g.s) / max;
    const bar = svgEl("rect", { class: "bar", x: f.left + i * bw + 1, y: f.h - f.bottom - hgt, width: Math.max(1, bw - 2), height: hgt });
    bar.append(svgEl("title", {}, "block " + g.height + ": " + g.s.toFixed(1) + " s"));
    svg.append(bar);
  });
}

// ---- blocks, transactions, search ----

async function showBlock(id) {
  const box = $("block-detail");
  try {
    const b = await getJson("blocks/" + encodeURIComponent(id));
    state.selectedBlock = b.hash;
    document.querySelectorAll("#blocks-table tr").forEach((r) => r.classList.toggle("selected", r.dataset.hash === b.hash));
    box.replaceChildren(blockView(b));
  } catch (e) {
    box.replaceChildren(el("span", { class: "error" }, e.message));
  }
  box.classList.remove("hidden");
}

function blockView(b) {
  const txs = b.transactions.length === 0
    ? el("p", { class: "muted" }, "No transactions.")
    : el("ul", { class: "txs" }, ...b.transactions.map((id) => el("li", {}, el("a", { onclick: () => search(id) }, id))));
  return el("div", { class: "block", "data-hash": b.hash },
    el("h3", {}, "Block " + b.height + (b.canonical ? "" : " (side chain)")),
    el("dl", {},
      el("dt", {}, "Hash"), el("dd", {}, el("code", {}, b.hash)),
      el("dt", {}, "Parent"), el("dd", {}, el("a", { onclick: () => search(b.parent) }, b.parent)),
      el("dt", {}, "Time"), el("dd", {}, new Date(b.timestamp).toISOString() + " (" + age(b.timestamp) + ")"),
      el("dt", {}, "Miner"), el("dd", {}, el("a", { onclick: () => search(b.miner) }, b.miner)),
      el("dt", {}, "Confirmations"), el("dd", {}, b.confirmations),
      el("dt", {}, "Size"), el("dd", {}, b.size + " bytes"),
      el("dt", {}, "Transactions"), el("dd", {}, b.transactions.length)),
    txs);
}

function txView(t) {
  return el("div", { class: "tx", "data-id": t.id },
    el("h3", {}, "Transaction"),
    el("dl", {},
      el("dt", {}, "Id"), el("dd", {}, el("code", {}, t.id)),
      el("dt", {}, "Status"), el("dd", {}, t.status + (t.status === "confirmed" ? ", " + t.confirmations + " confirmations" : "")),
      el("dt", {}, "From"), el("dd", {}, el("a", { onclick: () => search(t.from) }, t.from)),
      el("dt", {}, "To"), el("dd", {}, el("a", { onclick: () => search(t.to) }, t.to)),
      el("dt", {}, "Amount"), el("dd", {}, t.amount + " units (" + coins(t.amount) + ")"),
      el("dt", {}, "Fee"), el("dd", {}, t.fee + " units"),
      el("dt", {}, "Nonce"), el("dd", {}, t.nonce),
      ...(t.block ? [el("dt", {}, "Block"), el("dd", {}, el("a", { onclick: () => search(t.block) }, t.height + " " + t.block))] : [])));
}

function accountView(a) {
  return el("div", { class: "account", "data-address": a.address },
    el("h3", {}, "Account"),
    el("dl", {},
      el("dt", {}, "Address"), el("dd", {}, el("code", {}, a.address)),
      el("dt", {}, "Balance"), el("dd", {}, a.balance + " units (" + coins(a.balance) + ")"),
      el("dt", {}, "Nonce"), el("dd", {}, a.nonce),
      el("dt", {}, "Pending transactions"), el("dd", {}, a.pendingTransactions),
      el("dt", {}, "At height"), el("dd", {}, a.height)));
}

async function search(text) {
  const q = text.trim();
  const box = $("search-result");
  $("search-input").value = q;
  box.classList.remove("hidden");
  if (q === "") { box.classList.add("hidden"); return; }
  box.replaceChildren(el("span", { class: "muted" }, "Searching…"));
  try {
    let view;
    if (/^[0-9]{1,19}$/.test(q)) {
      view = blockView(await getJson("blocks/" + q));
    } else if (/^[0-9a-fA-F]{64}$/.test(q)) {
      // a 64-hex string is a block hash or a transaction id: try the block first
      try {
        view = blockView(await getJson("blocks/" + q.toLowerCase()));
      } catch (e) {
        if (e.status !== 404) throw e;
        view = txView(await getJson("txs/" + q.toLowerCase()));
      }
    } else if (/^cairn1/i.test(q)) {
      view = accountView(await getJson("accounts/" + encodeURIComponent(q)));
    } else {
      throw new Error("Type a block height, a 64-hex-digit block hash or transaction id, or an address (cairn1…).");
    }
    box.replaceChildren(view);
  } catch (e) {
    box.replaceChildren(el("span", { class: "error" }, e.status === 404 ? "Nothing found for " + q : e.message));
  }
}

$("search-form").addEventListener("submit", (ev) => { ev.preventDefault(); search($("search-input").value); });

// ---- the loop ----

function every(ms, fn) {
  const run = async () => {
    try {
      await fn();
      $("conn-state").textContent = "live · " + new Date().toLocaleTimeString();
      $("conn-state").className = "conn ok";
    } catch (e) {
      $("conn-state").textContent = "node unreachable: " + e.message;
      $("conn-state").className = "conn down";
    }
    setTimeout(run, ms);
  };
  run();
}

every(10000, pollHistory);
every(POLL_MS, pollStatus);
every(2000, pollMempool);
window.addEventListener("resize", () => { drawHistory(); drawIntervals(); });
