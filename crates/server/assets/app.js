// trove workbench: keyboard navigation, review triage and chart brushing.
// Everything works without this file; it only adds shortcuts. Its only
// requests go to the workbench itself (triage posts the status form).
(function () {
  "use strict";
  var hits = function () { return Array.prototype.slice.call(document.querySelectorAll(".hit-list .msg, .thread .msg")); };
  var current = -1;
  function select(i) {
    var list = hits();
    if (!list.length) { return; }
    current = Math.max(0, Math.min(list.length - 1, i));
    list.forEach(function (el) { el.classList.remove("selected"); });
    var el = list[current];
    el.classList.add("selected");
    el.scrollIntoView({ block: "nearest" });
    var link = el.querySelector("a.time");
    if (link) { link.focus({ preventScroll: true }); }
  }
  document.addEventListener("keydown", function (e) {
    var tag = (e.target && e.target.tagName) || "";
    var typing = tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA";
    if (e.key === "/" && !typing) {
      var q = document.getElementById("q");
      if (q) { e.preventDefault(); q.focus(); q.select(); }
    } else if (e.key === "Escape" && typing) {
      e.target.blur();
    } else if ((e.key === "j" || e.key === "k") && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      select(current + (e.key === "j" ? 1 : -1));
    }
  });
  // Review: r, n, v and u set the selected message's status and move on.
  var queue = document.querySelector(".review-queue");
  var triageKeys = { r: "relevant", n: "not-relevant", v: "to-verify", u: "unread" };
  if (queue) {
    var said = document.getElementById("triage-state");
    document.addEventListener("keydown", function (e) {
      var tag = (e.target && e.target.tagName) || "";
      var status = triageKeys[e.key];
      if (!status || tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || e.ctrlKey || e.metaKey || e.altKey) { return; }
      var el = hits()[current];
      if (!el) { return; }
      e.preventDefault();
      var body = new URLSearchParams();
      body.set("csrf", queue.getAttribute("data-csrf"));
      body.set("action", "status");
      body.set("id", el.getAttribute("data-id"));
      body.set("value", status);
      var at = current;
      fetch("/act", { method: "POST", credentials: "same-origin", body: body,
                      headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (done) {
          if (!done.ok) { throw new Error(done.detail); }
          el.setAttribute("data-status", status);
          el.classList.add("triaged");
          said.textContent = el.getAttribute("data-id") + ": " + status;
          if (current === at) { select(at + 1); }
        })
        .catch(function (err) {
          el.classList.add("triage-failed");
          said.textContent = "not saved (" + el.getAttribute("data-id") + "): " + err.message;
        });
    });
    select(0);
  }
  // Start on the message a permalink points at.
  var target = document.querySelector(".msg.target");
  if (target) {
    current = hits().indexOf(target);
    target.scrollIntoView({ block: "center" });
  }

  // Brushing: drag across bars of a chart to search within their periods.
  Array.prototype.forEach.call(document.querySelectorAll(".chart svg"), function (svg) {
    var links = Array.prototype.slice.call(svg.querySelectorAll("a[data-after]"));
    if (!links.length) { return; }
    var start = null, end = null;
    function monthAt(e) {
      var el = document.elementFromPoint(e.clientX, e.clientY);
      var a = el && el.closest ? el.closest("a[data-after]") : null;
      return a ? links.indexOf(a) : null;
    }
    function paint() {
      links.forEach(function (a, i) {
        var on = start !== null && end !== null && i >= Math.min(start, end) && i <= Math.max(start, end);
        a.classList.toggle("brushed", on);
      });
    }
    svg.addEventListener("mousedown", function (e) {
      var i = monthAt(e);
      if (i === null) { return; }
      e.preventDefault();
      start = i; end = i; paint();
    });
    svg.addEventListener("mousemove", function (e) {
      if (start === null) { return; }
      var i = monthAt(e);
      if (i !== null && i !== end) { end = i; paint(); }
    });
    document.addEventListener("mouseup", function (e) {
      if (start === null) { return; }
      var lo = Math.min(start, end), hi = Math.max(start, end);
      start = null;
      if (lo === hi) { end = null; paint(); window.location.href = links[lo].getAttribute("href"); return; }
      var first = links[lo].getAttribute("data-after"), until = links[hi].getAttribute("data-before");
      var url = new URL(window.location.href);
      var q = url.pathname === "/search" ? (url.searchParams.get("q") || "") : (svg.closest(".chart").getAttribute("data-query") || "");
      if (url.pathname !== "/search") { url = new URL("/search", window.location.origin); }
      q = q.replace(/(^|\s)(after|before|on):\S+/g, " ").trim();
      url.searchParams.set("q", (q ? q + " " : "") + "after:" + first + " before:" + until);
      url.searchParams.delete("page");
      // The narrower span chooses its own resolution (a month shows days).
      url.searchParams.delete("g");
      var tz = document.getElementById("tz");
      if (tz) { url.searchParams.set("tz", tz.value); }
      e.preventDefault();
      window.location.href = url.pathname + url.search;
    });
  });
})();
