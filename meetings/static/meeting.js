// The meeting page without full reloads. Everything here is an enhancement: each form works as a
// plain post without JavaScript. Loaded as a file (the Content-Security-Policy allows no inline script).
(function () {
  "use strict";
  const root = document.querySelector("article.meeting");
  if (!root) return;
  document.documentElement.classList.add("js");
  const csrf = () => (document.querySelector('input[name="_csrf_token"]') || {}).value || "";

  // Replace the meeting with the page the server answers, keeping focus and scroll where they were.
  async function swap(response) {
    const html = await response.text();
    const next = new DOMParser().parseFromString(html, "text/html").querySelector("article.meeting");
    if (!next) { window.location.reload(); return; }
    const focusedId = document.activeElement && document.activeElement.id;
    const open = [...root.querySelectorAll("details[open]")].map((d) => d.querySelector("form")?.action + d.id);
    const y = window.scrollY;
    root.className = next.className;
    root.innerHTML = next.innerHTML;
    root.querySelectorAll("details").forEach((d) => {
      if (open.includes(d.querySelector("form")?.action + d.id)) d.open = true;
    });
    window.scrollTo(0, y);
    const alert = root.querySelector("#error-summary, #conflict");
    if (alert) { alert.setAttribute("tabindex", "-1"); alert.focus(); }
    else if (focusedId && document.getElementById(focusedId)) document.getElementById(focusedId).focus();
    setup();
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST", body, credentials: "same-origin", headers: { "X-CSRFToken": csrf() },
    });
    await swap(response);  // fetch follows the 303 to the updated page; errors come back as the page too
  }

  root.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.method.toLowerCase() !== "post") return;
    event.preventDefault();
    const button = event.submitter;
    if (button) button.disabled = true;
    post(form.action, new URLSearchParams(new FormData(form))).catch(() => form.submit());
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
