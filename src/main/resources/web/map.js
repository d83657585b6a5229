// egoist live map: draws the overlay from /api/events (a snapshot, then one event per change) and places
// nodes by /api/layout (network coordinates in ms). Plain SVG, no library, works offline.
"use strict";
(function () {
  const SVG = "http://www.w3.org/2000/svg";
  const W = 1000, H = 700, PAD = 60;
  const DEAD_KEEP_MS = 30000; // a removed node stays drawn as dead this long
  const nodes = new Map(); // id -> {id, name, last_seen, last_seen_iso, suspect, dead, links, removedAt}
  let positions = new Map(); // id -> [x, y] in ms (from /api/layout)
  let mode = "tracker", self = null, selected = null, routeFrom = null, routeTo = null;
  let layoutTimer = null, drawPending = false;
  const $ = (id) => document.getElementById(id);

  // ---------------------------------------------------------------- events
  function connect() {
    const es = new EventSource("api/events");
    es.addEventListener("open", () => { $("conn").textContent = "live"; $("conn").className = "conn live"; });
    es.addEventListener("error", () => { $("conn").textContent = "reconnecting…"; $("conn").className = "conn"; });
    es.addEventListener("snapshot", (e) => {
      const s = JSON.parse(e.data);
      mode = s.mode; self = s.self;
      nodes.clear();
      for (const n of s.nodes) nodes.set(n.id, n);
      $("mode").textContent = mode === "node" ? "node " + self : "tracker";
      document.body.classList.toggle("node-mode", mode === "node");
      log("snapshot", s.nodes.length + " nodes");
      relayout(0);
      draw();
    });
    for (const type of ["join", "update", "suspect"]) {
      es.addEventListener(type, (e) => {
        const n = JSON.parse(e.data);
        const known = nodes.has(n.id) && !nodes.get(n.id).removedAt;
        nodes.set(n.id, n);
        if (type !== "update") log(type, label(n.id));
        if (!known) relayout(1000);
        draw();
      });
    }
    es.addEventListener("remove", (e) => {
      const id = JSON.parse(e.data).id, n = nodes.get(id);
      if (!n) return;
      n.dead = true; n.suspect = false; n.links = []; n.removedAt = Date.now();
      log("remove", label(id));
      setTimeout(() => { if (nodes.get(id) === n) { nodes.delete(id); relayout(0); draw(); } }, DEAD_KEEP_MS);
      draw();
    });
    es.addEventListener("rewire", (e) => {
      const r = JSON.parse(e.data);
      log("rewire", r.old.map(label).join(",") + " → " + r.new.map(label).join(","));
    });
  }

  function log(type, text) {
    const li = document.createElement("li");
    li.textContent = new Date().toLocaleTimeString() + " " + type + " " + text;
    const list = $("activity");
    list.insertBefore(li, list.firstChild);
    while (list.children.length > 12) list.removeChild(list.lastChild);
  }

  // ---------------------------------------------------------------- layout
  function relayout(delay) {
    clearTimeout(layoutTimer);
    layoutTimer = setTimeout(async () => {
      try {
        const r = await fetch("api/layout");
        const l = await r.json();
        positions = align(positions, new Map(Object.entries(l.positions)));
        draw();
      } catch (err) { /* next event or timer retries */ }
    }, delay);
  }
  setInterval(() => relayout(0), 15000); // costs drift: refresh the coordinates now and then

  // Rotate or reflect the new coordinates onto the old ones (2-D Procrustes), so the picture does not flip.
  function align(old, next) {
    const common = [...next.keys()].filter((id) => old.has(id));
    if (common.length < 2) return next;
    const c = (m) => { let x = 0, y = 0; for (const id of common) { x += m.get(id)[0]; y += m.get(id)[1]; }
      return [x / common.length, y / common.length]; };
    const co = c(old), cn = c(next);
    let best = null;
    for (const flip of [1, -1]) {
      let a = 0, b = 0;
      for (const id of common) {
        const p = old.get(id), q = next.get(id);
        const px = p[0] - co[0], py = p[1] - co[1], qx = q[0] - cn[0], qy = flip * (q[1] - cn[1]);
        a += qx * px + qy * py; b += qx * py - qy * px;
      }
      const t = Math.atan2(b, a), fit = Math.hypot(a, b);
      if (!best || fit > best.fit) best = { flip, t, fit };
    }
    const cos = Math.cos(best.t), sin = Math.sin(best.t), out = new Map();
    for (const [id, q] of next) {
      const qx = q[0] - cn[0], qy = best.flip * (q[1] - cn[1]);
      out.set(id, [co[0] + qx * cos - qy * sin, co[1] + qx * sin + qy * cos]);
    }
    return out;
  }

  // Where a node without coordinates goes until the next layout: next to a neighbor, else the middle.
  function provisional(n) {
    for (const l of n.links || []) if (positions.has(l.dst)) {
      const p = positions.get(l.dst); return [p[0] + 5, p[1] + 5];
    }
    return [0, 0];
  }

  // ---------------------------------------------------------------- drawing
  function costColor(ms) {
    const t = Math.max(0, Math.min(1, ms / 300));
    return `hsl(${Math.round(130 - 130 * t)},${Math.round(70 + 15 * t)}%,${Math.round(50 + 5 * t)}%)`;
  }

  function label(id) {
    const n = nodes.get(id);
    if (n && n.name) return n.name;
    const ips = new Set([...nodes.keys()].map((k) => k.slice(0, k.lastIndexOf(":"))));
    return ips.size === 1 ? id.slice(id.lastIndexOf(":")) : id;
  }

  function el(name, attrs, parent) {
    const e = document.createElementNS(SVG, name);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }

  function draw() {
    if (drawPending) return;
    drawPending = true;
    requestAnimationFrame(() => { drawPending = false; render(); });
  }

  function render() {
    const ids = [...nodes.keys()];
    const raw = new Map(ids.map((id) => [id, positions.get(id) || provisional(nodes.get(id))]));
    let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    for (const [x, y] of raw.values()) {
      minX = Math.min(minX, x); maxX = Math.max(maxX, x); minY = Math.min(minY, y); maxY = Math.max(maxY, y);
    }
    const span = Math.max(maxX - minX, (maxY - minY) * (W - 2 * PAD) / (H - 2 * PAD), 1e-9);
    const k = ids.length > 1 ? (W - 2 * PAD) / span : 1;
    const ox = (W - k * (maxX - minX)) / 2 - k * minX, oy = (H - k * (maxY - minY)) / 2 - k * minY;
    const xy = new Map([...raw].map(([id, [x, y]]) => [id, [ox + k * x, oy + k * y]]));

    const gl = $("links"), gn = $("nodes");
    gl.replaceChildren(); gn.replaceChildren();
    let linkCount = 0;
    for (const n of nodes.values()) {
      for (const l of n.links || []) {
        if (!xy.has(l.dst)) continue;
        const [x1, y1] = xy.get(n.id), [x2, y2] = xy.get(l.dst);
        // shift each direction a little to its right, so that a pair of opposite links shows as two lines
        const len = Math.hypot(x2 - x1, y2 - y1) || 1, dx = -(y2 - y1) / len * 2.5, dy = (x2 - x1) / len * 2.5;
        const line = el("line", { class: "link", x1: x1 + dx, y1: y1 + dy, x2: x2 + dx, y2: y2 + dy,
          stroke: costColor(l.cost), "data-src": n.id, "data-dst": l.dst }, gl);
        el("title", {}, line).textContent = `${label(n.id)} → ${label(l.dst)}: ${l.cost.toFixed(1)} ms`;
        linkCount++;
      }
    }
    for (const n of nodes.values()) {
      const [x, y] = xy.get(n.id);
      const cls = ["node"];
      if (n.suspect) cls.push("suspect");
      if (n.dead) cls.push("dead");
      if (n.id === self) cls.push("self");
      if (n.id === selected) cls.push("selected");
      if (n.id === routeFrom || n.id === routeTo) cls.push("endpoint");
      const g = el("g", { class: cls.join(" "), "data-id": n.id, transform: `translate(${x},${y})` }, gn);
      el("circle", { r: n.id === self ? 9 : 7 }, g);
      el("text", { x: 10, y: 4 }, g).textContent = label(n.id);
      el("title", {}, g).textContent = n.id;
      g.addEventListener("click", (ev) => pick(n.id, ev.shiftKey));
    }
    drawScale(k);
    drawRoute(xy);
    $("node-count").textContent = [...nodes.values()].filter((n) => !n.removedAt).length;
    $("link-count").textContent = linkCount;
    if (selected) details(selected);
  }

  function drawScale(k) {
    const g = $("scale");
    g.replaceChildren();
    if (!(k > 0) || positions.size < 2) return;
    const steps = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
    const ms = steps.find((s) => s * k >= 80) || steps[steps.length - 1];
    el("line", { x1: 20, y1: H - 20, x2: 20 + ms * k, y2: H - 20 }, g);
    el("text", { x: 20, y: H - 26 }, g).textContent = `${ms} ms of delay`;
  }

  // ---------------------------------------------------------------- selection and routes
  $("map").addEventListener("click", (ev) => {
    if (ev.target.id === "map") { selected = routeFrom = routeTo = null; $("route-info").hidden = true; draw(); }
  });

  function pick(id, asRouteEnd) {
    if ((asRouteEnd || routeFrom) && selected && id !== (routeFrom || selected)) {
      routeFrom = routeFrom || selected; routeTo = id;
    } else {
      routeFrom = routeTo = null;
      $("route-info").hidden = true;
    }
    selected = id;
    draw();
  }

  function shortestPath(from, to) {
    const dist = new Map([[from, 0]]), prev = new Map(), done = new Set();
    while (true) {
      let u = null;
      for (const [id, d] of dist) if (!done.has(id) && (u === null || d < dist.get(u))) u = id;
      if (u === null || u === to) break;
      done.add(u);
      const n = nodes.get(u);
      if (!n || n.dead) continue;
      for (const l of n.links || []) {
        const v = nodes.get(l.dst);
        if (!v || v.dead) continue;
        const d = dist.get(u) + l.cost;
        if (!dist.has(l.dst) || d < dist.get(l.dst)) { dist.set(l.dst, d); prev.set(l.dst, u); }
      }
    }
    if (!dist.has(to)) return null;
    const path = [to];
    while (path[0] !== from) path.unshift(prev.get(path[0]));
    return { path, cost: dist.get(to) };
  }

  function drawRoute(xy) {
    const g = $("route"), info = $("route-info");
    g.replaceChildren();
    if (!routeFrom || !routeTo) return;
    const r = shortestPath(routeFrom, routeTo);
    info.hidden = false;
    if (!r) { info.textContent = `No route from ${label(routeFrom)} to ${label(routeTo)} over the announced links.`; return; }
    el("polyline", { class: "route", points: r.path.map((id) => xy.get(id).join(",")).join(" ") }, g);
    info.replaceChildren();
    const b = document.createElement("b");
    b.textContent = `Route ${label(routeFrom)} → ${label(routeTo)}: ${r.cost.toFixed(1)} ms`;
    const p = document.createElement("div");
    p.className = "route-path";
    p.textContent = `${r.path.map(label).join(" → ")} (${r.path.length - 1} hops, shortest path over the announced link costs)`;
    info.append(b, p);
  }

  function details(id) {
    const n = nodes.get(id), box = $("details");
    if (!n) { box.innerHTML = '<p class="hint">No node selected.</p>'; return; }
    box.replaceChildren();
    const h = document.createElement("h3");
    h.textContent = (n.name ? n.name + " " : "") + n.id + (n.dead ? " (dead)" : n.suspect ? " (suspect)" : "");
    box.appendChild(h);
    const seen = document.createElement("div");
    seen.textContent = n.last_seen ? `last seen ${Math.max(0, Math.round((Date.now() - n.last_seen) / 1000))} s ago (${n.last_seen_iso})` : "";
    box.appendChild(seen);
    box.appendChild(table(["neighbor", "cost ms"], (n.links || []).map((l) => [label(l.dst), l.cost.toFixed(1)])));
    const b = document.createElement("button");
    b.textContent = "route from here";
    b.addEventListener("click", () => { routeFrom = id; routeTo = null; $("route-info").hidden = false;
      $("route-info").textContent = `Pick the destination of a route from ${label(id)}.`; });
    box.appendChild(b);
    if (mode === "node" && id === self) routesOfSelf(box);
  }

  let routesCache = { at: 0, rows: null };
  function routesOfSelf(box) {
    const holder = document.createElement("div");
    holder.className = "routes";
    box.appendChild(holder);
    const title = document.createElement("div");
    title.className = "legend-title";
    title.textContent = "routes from this node";
    const show = (rows) => holder.replaceChildren(title, table(["to", "via", "cost ms"], rows));
    if (routesCache.rows) show(routesCache.rows);
    if (Date.now() - routesCache.at < 2000) return;
    routesCache.at = Date.now();
    fetch("routes").then((r) => r.json()).then((j) => {
      routesCache.rows = j.routes.map((r) => [label(r.destination), label(r.next_hop), r.cost_ms == null ? "-" : r.cost_ms.toFixed(1)]);
      if (holder.isConnected) show(routesCache.rows);
    }).catch(() => {});
  }

  function table(head, rows) {
    const t = document.createElement("table");
    const tr = document.createElement("tr");
    for (const c of head) { const th = document.createElement("th"); th.textContent = c; tr.appendChild(th); }
    t.appendChild(tr);
    for (const r of rows) {
      const row = document.createElement("tr");
      r.forEach((c, i) => { const td = document.createElement("td"); td.textContent = c; if (i > 0) td.className = "num"; row.appendChild(td); });
      t.appendChild(row);
    }
    return t;
  }

  connect();
})();
