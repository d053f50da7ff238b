// Guichet's only script: live queues in the agent console (Server-Sent Events) and keyboard
// navigation of its rows. Pages work without it; it only saves reloading.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  var live = document.getElementById("live");
  var rows = document.getElementById("queue-rows");
  if (live && rows) { followQueue(live, rows); }
  if (rows) { navigateRows(rows); }
  var errors = document.getElementById("errors") || document.getElementById("conflict");
  if (errors) { errors.focus(); }
});

function followQueue(live, rows) {
  var words = { connected: live.getAttribute("data-connected") || "", lost: live.getAttribute("data-lost") || "" };
  var pending = false;
  function refresh() {
    if (pending) { return; }
    pending = true;
    fetch("/console/rows" + window.location.search, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null) { rows.innerHTML = html; } })
      .finally(function () { pending = false; });
  }
  var source = new EventSource("/console/events");
  source.addEventListener("open", function () {
    live.setAttribute("data-state", "connected");
    live.textContent = words.connected;
    refresh();
  });
  source.addEventListener("change", refresh);
  source.addEventListener("error", function () {
    live.setAttribute("data-state", "reconnecting");
    live.textContent = words.lost;
  });
  // a change missed while reconnecting shows up within a minute anyway
  window.setInterval(refresh, 60000);
}

// j / k move between tickets, Enter opens the focused one.
function navigateRows(rows) {
  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.altKey || event.ctrlKey || event.metaKey) { return; }
    var links = Array.prototype.slice.call(rows.querySelectorAll("tr[data-ref] a"));
    if (links.length === 0) { return; }
    var index = links.indexOf(document.activeElement);
    if (event.key === "j") {
      links[Math.min(index + 1, links.length - 1)].focus();
      event.preventDefault();
    } else if (event.key === "k") {
      links[Math.max(index - 1, 0)].focus();
      event.preventDefault();
    }
  });
}
