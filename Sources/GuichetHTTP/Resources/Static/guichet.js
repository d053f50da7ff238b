// Guichet's only script: live queues in the agent console and the live status board (Server-Sent Events), keyboard
// navigation of its rows, and the request form's list of equipment. Pages work without it: the
// queues by reloading, the equipment as words typed in the request.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  var live = document.getElementById("live");
  var rows = document.getElementById("queue-rows");
  var target = live && document.getElementById(live.getAttribute("data-target"));
  if (live && target) { follow(live, target); }
  if (rows) { navigateRows(rows); }
  Array.prototype.forEach.call(document.querySelectorAll(".equipment-picker"), pickEquipment);
  var errors = document.getElementById("errors") || document.getElementById("conflict");
  if (errors) { errors.focus(); }
});

// Swaps in `target`'s content again from the `data-refresh` address whenever the
// `data-events` stream says something changed.
function follow(live, target) {
  var words = { connected: live.getAttribute("data-connected") || "", lost: live.getAttribute("data-lost") || "" };
  var pending = false;
  function refresh() {
    if (pending) { return; }
    pending = true;
    fetch(live.getAttribute("data-refresh") + window.location.search, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null) { target.innerHTML = html; } })
      .finally(function () { pending = false; });
  }
  var source = new EventSource(live.getAttribute("data-events"));
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

// Typing in a list of equipment ("which equipment?" of the request form, "link equipment" of
// the ticket page) asks the server for the matching equipment of the reader's perimeter 200 ms
// after the last key; choosing one puts its id in the form.
function pickEquipment(picker) {
  var field = picker.querySelector(".picker-field");
  var chosenID = picker.querySelector(".picker-ci");
  var chosen = picker.querySelector(".picker-chosen");
  var choices = picker.querySelector(".choices");
  var unknown = picker.querySelector(".picker-unknown");
  var asked = field.value.trim();
  var timer = null;
  function forget() {
    chosenID.value = "";
    chosen.textContent = "";
  }
  function ask() {
    var words = field.value.trim();
    if (words === asked) { return; }
    asked = words;
    if (words.length < 2) { choices.innerHTML = ""; return; }
    fetch(picker.getAttribute("data-choices") + "?q=" + encodeURIComponent(words), { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null && asked === words) { choices.innerHTML = html; } });
  }
  field.addEventListener("input", function () {
    forget();
    if (unknown) { unknown.checked = false; }
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 200);
  });
  choices.addEventListener("click", function (event) {
    var choice = event.target.closest("button[data-ci]");
    if (!choice) { return; }
    chosenID.value = choice.getAttribute("data-ci");
    field.value = choice.getAttribute("data-label");
    asked = field.value.trim();
    chosen.textContent = picker.getAttribute("data-chosen") + " " + choice.textContent;
    choices.innerHTML = "";
    field.focus();
  });
  if (unknown) {
    unknown.addEventListener("change", function () {
      if (!unknown.checked) { return; }
      forget();
      field.value = "";
      asked = "";
      choices.innerHTML = "";
    });
  }
}
