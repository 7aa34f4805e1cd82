// The meeting page, live: who else is here, what they change, and shared notes typed together.
// Bundled with Yjs by esbuild into /static/build/live.js (`make install`); an enhancement only: without
// it (or without a connection) every form still posts as before.
//
// Each shared note is a Y.Doc whose Y.Text "body" is bound to its textarea. Typing becomes the
// smallest edit (one delete, one insert) of the Y.Text; the server merges updates (pycrdt) and sends
// everyone else's. While the connection is down, edits stay in the local Y.Doc; on reconnect the sync
// handshake (state vectors) sends what the server lacks and takes what it missed, so nothing is lost.
import * as Y from "yjs";

const root = document.querySelector("article.meeting[data-live]");
if (root && window.WebSocket) start();

function start() {
  const presence = document.getElementById("presence");
  const notes = new Map(); // scope -> { doc, text, synced, textareas: Set }
  let socket = null;
  let online = false;
  let retries = 0;
  let wasOnline = false;
  let editing = "";
  let known = null; // names on the page, to announce arrivals and departures only

  const b64 = (bytes) => { let s = ""; bytes.forEach((b) => { s += String.fromCharCode(b); }); return btoa(s); };
  const unb64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  const send = (message) => { if (online) socket.send(JSON.stringify(message)); };

  function note(scope) {
    if (notes.has(scope)) return notes.get(scope);
    const doc = new Y.Doc();
    // synced: the server has everything before what we send now (false from a drop until the next
    // sync answer: edits meanwhile wait in the doc and travel together with the offline ones).
    const entry = { doc, text: doc.getText("body"), synced: false, everSynced: false, unsaved: 0, textareas: new Set() };
    notes.set(scope, entry);
    doc.on("update", (update, origin) => {
      // Local edits go out when online; offline they wait in the doc for the next sync.
      if (origin !== "remote" && entry.synced && online) {
        entry.unsaved += 1;
        send({ type: "update", scope, update: b64(update) });
      }
    });
    entry.text.observe((event) => {
      if (event.transaction.origin === "local") return;
      entry.textareas.forEach((area) => showRemote(area, entry.text.toString(), event.delta));
    });
    if (online) sync(scope);
    return entry;
  }

  function sync(scope) {
    send({ type: "sync", scope, sv: b64(Y.encodeStateVector(notes.get(scope).doc)) });
  }

  // A remote edit: new text, with the cursor and selection moved along with the text around them.
  function showRemote(area, value, delta) {
    let [start, end] = [area.selectionStart, area.selectionEnd];
    let pos = 0;
    for (const op of delta) {
      if (op.retain) pos += op.retain;
      else if (op.insert) {
        const n = typeof op.insert === "string" ? op.insert.length : 1;
        if (pos < start) start += n;
        if (pos < end) end += n;
        pos += n;
      } else if (op.delete) {
        if (start > pos) start = Math.max(pos, start - op.delete);
        if (end > pos) end = Math.max(pos, end - op.delete);
      }
    }
    const focused = document.activeElement === area;
    area.value = value;
    if (focused) area.setSelectionRange(start, end);
  }

  // Typing: the smallest change between the Y.Text and the textarea, as one delete and one insert.
  function typed(entry, area) {
    const old = entry.text.toString();
    const now = area.value;
    if (old === now) return;
    let start = 0;
    while (start < old.length && start < now.length && old[start] === now[start]) start += 1;
    let endOld = old.length;
    let endNew = now.length;
    while (endOld > start && endNew > start && old[endOld - 1] === now[endNew - 1]) { endOld -= 1; endNew -= 1; }
    entry.doc.transact(() => {
      if (endOld > start) entry.text.delete(start, endOld - start);
      if (endNew > start) entry.text.insert(start, now.slice(start, endNew));
    }, "local");
  }

  function bind() {
    notes.forEach((entry) => entry.textareas.forEach((a) => { if (!a.isConnected) entry.textareas.delete(a); }));
    root.querySelectorAll("form[data-live-note]").forEach((form) => {
      const area = form.querySelector('textarea[name="body"]');
      if (!area || area.dataset.liveScope) return;
      const scope = form.dataset.liveNote;
      const entry = note(scope);
      area.dataset.liveScope = scope;
      entry.textareas.add(area);
      if (entry.everSynced) area.value = entry.text.toString();
      else area.readOnly = true; // until the first sync: the server's text is the starting point
      area.addEventListener("input", () => typed(entry, area));
      showState();
    });
    // Forms come fresh from the server after a refresh; the status line belongs to each form.
    root.querySelectorAll("form[data-live-note]").forEach((form) => {
      if (form.querySelector(".live-note-status")) return;
      const status = document.createElement("p");
      status.className = "hint live-note-status";
      form.querySelector("button[type=submit]")?.before(status);
    });
    showState();
  }

  // A live note saves as it is typed: its button only waits for the last keystrokes to be stored and
  // shows the note rendered. (Posting the form would apply the text twice: once as a form save,
  // once more when the live edits arrive.)
  root.addEventListener("submit", async (event) => {
    const form = event.target;
    const entry = form.dataset.liveNote && notes.get(form.dataset.liveNote);
    if (!entry || !entry.everSynced) return;
    event.preventDefault();
    event.stopPropagation();
    for (let waited = 0; online && entry.unsaved > 0 && waited < 3000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (online) window.MeetingPage?.refresh();
  }, true);

  function showState() {
    root.dataset.liveState = online ? "online" : "offline";
    root.querySelectorAll(".live-note-status").forEach((status) => {
      status.textContent = online ? "Shared live: saved as you type."
        : "Offline: your changes are kept and merged when the connection is back.";
    });
    const state = presence?.querySelector(".live-state");
    if (state) state.textContent = online ? "" : "(reconnecting…)";
  }

  function fieldName(id) {
    const label = id && document.querySelector(`label[for="${CSS.escape(id)}"]`);
    return label ? label.textContent.trim() : "";
  }

  function showPresence(people) {
    if (!presence) return;
    presence.hidden = false;
    const list = presence.querySelector(".presence-list");
    list.replaceChildren(...people.map((person, i) => {
      const span = document.createElement("span");
      span.className = "presence-person";
      const fields = person.editing.map(fieldName).filter(Boolean);
      span.textContent = person.name + (fields.length ? ` (editing ${fields.join(", ")})` : "")
        + (i < people.length - 1 ? ", " : "");
      return span;
    }));
    const names = people.map((p) => p.name);
    if (known) {
      const news = [...names.filter((n) => !known.includes(n)).map((n) => `${n} joined`),
        ...known.filter((n) => !names.includes(n)).map((n) => `${n} left`)];
      if (news.length) presence.querySelector("#presence-news").textContent = news.join(". ");
    }
    known = names;
  }

  let refreshing = null;
  function changed() {
    // Several changes in a row need one refresh.
    clearTimeout(refreshing);
    refreshing = setTimeout(() => window.MeetingPage?.refresh().catch(() => {}), 120);
  }

  function receive(message) {
    const entry = message.scope && notes.get(message.scope);
    if (message.type === "sync" && entry) {
      Y.applyUpdate(entry.doc, unb64(message.update), "remote");
      const mine = Y.encodeStateAsUpdate(entry.doc, unb64(message.sv));
      entry.synced = true;
      entry.everSynced = true;
      if (mine.length > 2) { entry.unsaved += 1; send({ type: "update", scope: message.scope, update: b64(mine) }); }
      entry.textareas.forEach((area) => {
        area.readOnly = false;
        if (area.value !== entry.text.toString()) area.value = entry.text.toString();
        area.dataset.liveSynced = "1";
      });
    } else if (message.type === "saved" && entry) {
      entry.unsaved = Math.max(0, entry.unsaved - 1);
    } else if (message.type === "update" && entry) {
      Y.applyUpdate(entry.doc, unb64(message.update), "remote");
    } else if (message.type === "resync" && entry) {
      entry.synced = false; // the server missed something: send everything it lacks
      sync(message.scope);
    } else if (message.type === "hello") {
      root.dataset.liveConnection = message.connection;
    } else if (message.type === "presence") {
      showPresence(message.people);
    } else if (message.type === "changed") {
      changed();
    }
  }

  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(`${scheme}//${window.location.host}${root.dataset.live}`);
    socket.addEventListener("open", () => {
      online = true;
      retries = 0;
      showState();
      notes.forEach((_, scope) => sync(scope));
      if (editing) send({ type: "editing", field: editing });
      if (wasOnline) changed(); // whatever happened while we were away
      wasOnline = true;
    });
    socket.addEventListener("message", (event) => {
      try { receive(JSON.parse(event.data)); } catch (error) { console.error("live message", error); }
    });
    socket.addEventListener("close", (event) => {
      online = false;
      notes.forEach((entry) => { entry.synced = false; entry.unsaved = 0; });
      showState();
      if (event.code === 4403) return; // signed out, or the meeting is no longer visible: reload to see why
      retries += 1;
      setTimeout(connect, Math.min(10000, 300 * 2 ** retries));
    });
  }

  // What this person edits: the id of the focused field (others see its label).
  root.addEventListener("focusin", (event) => {
    const id = /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName) ? event.target.id || "" : "";
    if (id !== editing) {
      editing = id;
      send({ type: "editing", field: id });
    }
  });
  root.addEventListener("focusout", () => {
    setTimeout(() => {
      if (!root.contains(document.activeElement) && editing) { editing = ""; send({ type: "editing", field: "" }); }
    }, 200);
  });

  // A broker that reconnects may have dropped an event: a sync now and then fills any gap (the
  // answer is empty when nothing was missed).
  setInterval(() => { if (online) notes.forEach((entry, scope) => { if (entry.synced) sync(scope); }); }, 30000);

  document.addEventListener("meeting:swapped", bind);
  bind();
  connect();
}
