// The meeting page without full reloads. Everything here is an enhancement: each form works as a
// plain post without JavaScript. Loaded as a file (the Content-Security-Policy allows no inline script).
(function () {
  "use strict";
  const root = document.querySelector("article.meeting");
  if (!root) return;
  document.documentElement.classList.add("js");
  const csrf = () => (document.querySelector('input[name="_csrf_token"]') || {}).value || "";

  // A form someone is working in: it holds the focus, or a field differs from what the page gave.
  // (A live note's textarea is always current: it is carried over by itself, below.)
  const live = (el) => el && el.dataset && el.dataset.liveScope;
  function busy(form) {
    const focused = document.activeElement;
    if (form.contains(focused) && /^(INPUT|TEXTAREA|SELECT)$/.test(focused.tagName) && !live(focused)) return true;
    return [...form.elements].filter((el) => !live(el)).some((el) => {
      if (el.type === "checkbox" || el.type === "radio") return el.checked !== el.defaultChecked;
      if (el.tagName === "SELECT") {  // with no option marked selected, the first one is the default
        const marked = [...el.options].findIndex((o) => o.defaultSelected);
        return el.selectedIndex !== (marked === -1 ? 0 : marked);
      }
      return (el.tagName === "TEXTAREA" || el.tagName === "INPUT") && el.type !== "hidden" && el.value !== el.defaultValue;
    });
  }
  const formKey = (form) => [form.getAttribute("action"), form.id, ...[...form.querySelectorAll('input[type="hidden"]')]
    .filter((i) => i.name !== "_csrf_token" && i.name !== "version").map((i) => `${i.name}=${i.value}`)].join("|");

  // Replace the meeting with the page the server answers, keeping focus and scroll where they were.
  // A live refresh (someone else changed the meeting) keeps every form the viewer is working in as
  // it is, with the version it started from: their typing is never overwritten, and a save made
  // from a stale copy is refused by the server and shows the current value.
  async function swap(response, live = false, submitted = null) {
    const html = await response.text();
    const next = new DOMParser().parseFromString(html, "text/html").querySelector("article.meeting");
    if (!next) { if (!live) window.location.reload(); return; }
    const focused = document.activeElement;
    const selection = focused && "selectionStart" in focused ? [focused.selectionStart, focused.selectionEnd] : null;
    const open = [...root.querySelectorAll("details[open]")].map((d) => d.querySelector("form")?.action + d.id);
    const y = window.scrollY;
    const fresh = document.importNode(next, true);
    {  // the form just sent is the one thing that comes back fresh (cleared, or with its errors)
      const kept = new Map([...root.querySelectorAll("form")].filter((f) => f !== submitted && busy(f))
        .map((f) => [formKey(f), f]));
      fresh.querySelectorAll("form").forEach((form) => {
        const mine = kept.get(formKey(form));
        if (mine) { form.replaceWith(mine); kept.delete(formKey(form)); }
      });
      // Live notes keep their textarea (bound to the shared text, with the caret where it was).
      const areas = new Map([...root.querySelectorAll("textarea[data-live-scope]")].map((a) => [a.dataset.liveScope, a]));
      fresh.querySelectorAll("form[data-live-note] textarea").forEach((area) => {
        const mine = areas.get(area.closest("form").dataset.liveNote);
        if (mine && !fresh.contains(mine)) area.replaceWith(mine);
      });
    }
    root.className = next.className;
    root.replaceChildren(...fresh.childNodes);
    root.querySelectorAll("details").forEach((d) => {
      if (open.includes(d.querySelector("form")?.action + d.id)) d.open = true;
    });
    window.scrollTo(0, y);
    const alert = !live && root.querySelector("#error-summary, #conflict");
    if (alert) { alert.setAttribute("tabindex", "-1"); alert.focus(); }
    else if (focused && focused !== document.body && root.contains(focused)) {
      focused.focus();
      if (selection && selection[0] !== null) focused.setSelectionRange(selection[0], selection[1]);
    } else if (focused && focused.id && document.getElementById(focused.id)) document.getElementById(focused.id).focus();
    setup();
    document.dispatchEvent(new CustomEvent("meeting:swapped"));
  }

  // live.js asks for the meeting part again when someone else changed it.
  window.MeetingPage = {
    refresh: async () => swap(await fetch(window.location.pathname, { credentials: "same-origin" }), true),
  };

  async function post(url, body, form = null) {
    const headers = { "X-CSRFToken": csrf() };
    // This page's live connection (live.js) is not told about the change it shows already.
    if (root.dataset.liveConnection) headers["X-Live-Connection"] = root.dataset.liveConnection;
    const response = await fetch(url, { method: "POST", body, credentials: "same-origin", headers });
    await swap(response, false, form);  // fetch follows the 303 to the updated page; errors come back as the page too
  }

  root.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.method.toLowerCase() !== "post") return;
    event.preventDefault();
    const button = event.submitter;
    if (button) button.disabled = true;
    post(form.action, new URLSearchParams(new FormData(form)), form).catch(() => form.submit());
  });

  // Drag and drop between and within sections (SortableJS); the arrow buttons do the same by keyboard.
  function setupSorting() {
    if (!window.Sortable) return;
    root.querySelectorAll("ol.agenda-items").forEach((list) => {
      window.Sortable.create(list, {
        group: "agenda", handle: ".drag-handle", ghostClass: "dragging", animation: 120,
        forceFallback: true,  // pointer events instead of native drag and drop: works for touch and mouse alike
        onEnd: (event) => {
          const item = event.item.dataset.item;
          const body = new URLSearchParams({
            to_index: String(event.newIndex), section_id: event.to.dataset.section || "", _csrf_token: csrf(),
          });
          post(`${window.location.pathname}/items/${item}/move`, body);
        },
      });
    });
  }

  // The current topic's countdown, from the start time the server gave.
  let tick = null;
  function setupTimer() {
    clearInterval(tick);
    const timer = root.querySelector(".timer[data-started]");
    if (!timer || !timer.dataset.boxSeconds) return;
    const value = timer.querySelector(".timer-value");
    const started = Date.parse(timer.dataset.started);
    const box = Number(timer.dataset.boxSeconds);
    const show = () => {
      const left = Math.round(box - (Date.now() - started) / 1000);
      const abs = Math.abs(left);
      value.textContent = `${left < 0 ? "-" : ""}${Math.floor(abs / 60)}:${String(abs % 60).padStart(2, "0")}`;
      value.classList.toggle("over", left < 0);
      value.nextSibling.textContent = left < 0 ? " over the time box" : " left";
    };
    show();
    tick = setInterval(show, 1000);
  }

  function setup() { setupSorting(); setupTimer(); }
  setup();
})();
