// levelhead in the browser: every page talks to the JSON API under /api/v1/. No framework, no build step.
// User text is only ever put in the page with textContent, never as HTML.
"use strict";

const CSRF = document.querySelector('meta[name="csrf-token"]')?.content || "";
const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key in node && typeof value !== "string") node[key] = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function api(method, path, body, { signal } = {}) {
  const headers = { "X-CSRF-Token": CSRF, Accept: "application/json" };
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch("/api/v1" + path, { method, headers, body: payload, signal, credentials: "same-origin" });
  } catch (err) {
    if (err.name === "AbortError") throw err;
    return { ok: false, status: 0, data: { error: "levelhead is not running any more. Start it again with `levelhead serve`." } };
  }
  let data = null;
  try {
    data = await response.json();
  } catch (err) {
    if (signal?.aborted) throw err;  // a newer request took over while this answer was being read
    data = { error: "unexpected answer from levelhead" };
  }
  return { ok: response.ok, status: response.status, data };
}

function say(target, text) {
  const node = typeof target === "string" ? $(target) : target;
  if (node) node.textContent = text;
}

function errorText(result) {
  if (result.status === 409) return (result.data?.error || "This needs your levelhead store.") + " (Settings page)";
  return result.data?.error || "Something went wrong.";
}

const when = (iso) => {
  const d = new Date(iso);
  return d.toLocaleString(undefined, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
};
const day = (iso) => new Date(iso + (iso.length === 10 ? "T00:00:00" : "")).toLocaleDateString(undefined,
  { weekday: "long", day: "numeric", month: "long", year: "numeric" });

// --- quick exit: leave for a neutral page and replace this one in the history ---------------------------------------

function quickExit() {
  for (const box of $$("textarea, input[type=text]")) box.value = "";
  window.location.replace("/neutral");
}
let lastEscape = 0;
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const now = Date.now();
  if (now - lastEscape < 800) quickExit();
  lastEscape = now;
});

// --- verdicts and safety -------------------------------------------------------------------------------------------

const VERDICTS = {
  send: ["Nothing stands out.", "It is your call."],
  revise: ["Worth another look before you send it.", "The notes beside it say what and why."],
  wait: ["Better to wait.", ""],
  "dont-send": ["Better not to send this.", "It goes against something agreed or something you told levelhead."],
  safety: ["Your safety comes first.", "Here are people you can talk to."],
};

function showVerdict(node, report) {
  const [head, sub] = VERDICTS[report.verdict] || ["", ""];
  node.dataset.verdict = report.verdict;
  const extra = report.verdict === "wait" && report.until ? `Look again after ${when(report.until)}.` : sub;
  node.replaceChildren(el("span", { text: head }), el("small", { text: extra }));
}

function showSafety(node, resources, intro) {
  if (!resources || resources.length === 0) { node.hidden = true; node.replaceChildren(); return; }
  node.hidden = false;
  node.replaceChildren(
    el("p", { text: intro }),
    el("ul", {}, resources.map((r) => el("li", {}, el("strong", { text: r.name }), ": " + r.contact))),
    el("p", {}, el("a", { href: "/help", text: "More help" })),
  );
}

// Offsets from the engine count Unicode code points; JavaScript strings count UTF-16 units.
function utf16Offsets(text) {
  const map = [0];
  let unit = 0;
  for (const ch of text) { unit += ch.length; map.push(unit); }
  return map;
}

// --- Compose -------------------------------------------------------------------------------------------------------

const PAUSE_MS = 40;  // a pause in typing this long asks for findings

function initCompose() {
  const draft = $("#draft");
  const highlights = $("#highlights");
  const findings = $("#findings");
  const verdict = $("#verdict");
  const intent = { goal: null, mood: null };
  const undo = [];
  let controller = null;
  let timer = null;
  let last = null;

  $("#intent-form").addEventListener("submit", (event) => {
    event.preventDefault();
    intent.goal = $("#goal").value || null;
    intent.mood = $("#mood").value || null;
    const coolOff = $("#cool-off");  // the cool-off of the settings, the longer one when angry
    coolOff.value = intent.mood === "angry" ? coolOff.dataset.angry : coolOff.dataset.calm;
    const goalText = $("#goal").selectedOptions[0]?.textContent || "";
    const moodText = $("#mood").selectedOptions[0]?.textContent || "";
    $("#intent-form").hidden = true;
    const summary = $("#intent-summary");
    summary.replaceChildren(
      `For: ${intent.goal ? goalText : "not said"}. Feeling: ${intent.mood ? moodText.toLowerCase() : "not said"}. `,
      el("button", { type: "button", class: "secondary", text: "Change", onclick: () => {
        $("#intent-form").hidden = false; summary.hidden = true; $("#goal").focus();
      } }),
    );
    summary.hidden = false;
    $("#composer").hidden = false;
    draft.focus();
    schedule(0);
  });

  fetchSituation().then((s) => {
    if (s?.goal) $("#goal").value = s.goal;
    if (s?.mood) $("#mood").value = s.mood;
  });

  const params = new URLSearchParams(location.search);
  if (params.get("draft")) {
    api("GET", "/drafts").then((r) => {
      const found = r.ok && r.data.find((d) => String(d.id) === params.get("draft"));
      if (found) { draft.value = found.text; paint([]); }
    });
  }

  draft.addEventListener("input", () => schedule(PAUSE_MS));
  draft.addEventListener("scroll", () => { highlights.parentElement.scrollTop = draft.scrollTop; });

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(run, delay);
  }

  async function run() {
    const text = draft.value;
    say("#counter", `${(text.match(/\S+/g) || []).length} words`);
    if (controller) controller.abort();
    if (!text.trim()) {
      findings.replaceChildren();
      paint([]);
      verdict.dataset.verdict = "";
      verdict.replaceChildren(el("span", { text: "Write your message; levelhead reads along." }));
      $("#safety").hidden = true;
      return;
    }
    const mine = new AbortController();
    controller = mine;
    // Marks for scripts/bench_web.py: the pause is over (asked), the answer is in (answered), the page shows it.
    performance.mark("levelhead:asked");
    let result;
    try {
      result = await api("POST", "/compose", { text, goal: intent.goal, mood: intent.mood }, { signal: mine.signal });
    } catch { return; }  // a newer keystroke took over
    if (draft.value !== text || mine.signal.aborted) return;
    performance.mark("levelhead:answered");
    if (!result.ok) { say(verdict, errorText(result)); return; }
    last = { text, map: utf16Offsets(text), ...result.data };
    render();
    performance.mark("levelhead:shown");
  }

  function render() {
    const { report, edits } = last;
    showVerdict(verdict, report);
    showSafety($("#safety"), report.resources,
      "Some of what you wrote sounds like you may be going through a lot. You do not have to handle it alone:");
    paint(report.diagnostics, last.map);
    say("#compose-warning", last.warning || "");
    $("#compose-warning").hidden = !last.warning;
    findings.replaceChildren(...report.diagnostics.map((d, i) => finding(d, edits[i] || [])));
    if (report.diagnostics.length === 0) findings.append(el("li", { text: "Nothing to point out in this draft." }));
    lastMessage(last.last_message, last.mirror);
  }

  function paint(diagnostics, map = utf16Offsets(draft.value)) {
    const text = draft.value;
    const spans = diagnostics.filter((d) => d.span && d.span.end > d.span.start)
      .map((d) => ({ start: map[d.span.start] ?? text.length, end: map[d.span.end] ?? text.length, d }))
      .sort((a, b) => a.start - b.start);
    const parts = [];
    let at = 0;
    for (const s of spans) {
      if (s.start < at) continue;  // overlapping findings: the first one is marked
      parts.push(text.slice(at, s.start));
      parts.push(el("mark", { "data-severity": s.d.severity, "data-code": s.d.code, text: text.slice(s.start, s.end) }));
      at = s.end;
    }
    parts.push(text.slice(at) + "\n");
    highlights.replaceChildren(...parts);
  }

  function finding(d, spans) {
    const map = last.map;
    const quote = d.span ? last.text.slice(map[d.span.start], map[d.span.end]) : "";
    return el("li", { "data-severity": d.severity, "data-code": d.code },
      el("span", { class: "code", text: `${d.code} ${d.name}` }),
      el("p", { text: d.message }),
      quote ? el("p", {}, "Words: ", el("span", { class: "quote", text: quote })) : null,
      d.note ? el("p", { class: "note", text: d.note }) : null,
      d.suggestions.map((g, j) => suggestion(g, spans[j] ?? null)),
    );
  }

  function suggestion(g, span) {
    const applicable = g.applicability !== "display-only";
    return el("div", { class: "suggestion" },
      el("strong", { text: g.title }),
      el("span", { class: "replacement", text: g.replacement }),
      applicable ? el("button", { type: "button", class: "apply", text: "Use this", onclick: () => apply(g, span) }) : null,
    );
  }

  function apply(g, span) {
    const text = last.text;
    if (draft.value !== text) return;  // the draft changed since this suggestion was made
    undo.push(text);
    $("#undo").disabled = false;
    if (span) {
      const map = utf16Offsets(text);
      draft.value = text.slice(0, map[span.start]) + g.replacement + text.slice(map[span.end]);
    } else {
      draft.value = g.replacement;
    }
    say("#action-status", `Changed: ${g.title}. Undo puts it back.`);
    draft.focus();
    schedule(0);
  }

  $("#undo").addEventListener("click", () => {
    if (!undo.length) return;
    draft.value = undo.pop();
    $("#undo").disabled = undo.length === 0;
    say("#action-status", "Put back.");
    schedule(0);
  });

  $("#copy").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(draft.value);
    } catch {
      draft.select();
      document.execCommand("copy");
    }
    say("#action-status", "Copied. Nothing was sent.");
  });

  $("#park").addEventListener("click", async () => {
    if (!draft.value.trim()) return say("#action-status", "Write something first.");
    const hours = Number($("#cool-off").value);
    const r = await api("POST", "/drafts", { text: draft.value, hours });
    say("#action-status", r.ok ? `Parked for ${$("#cool-off").selectedOptions[0].textContent}. It will be on the Drafts page.` : errorText(r));
  });

  $("#log-sent").addEventListener("click", async () => {
    if (!draft.value.trim()) return say("#action-status", "Write something first.");
    const r = await api("POST", "/messages", { text: draft.value, direction: "me" });
    say("#action-status", r.ok ? "Logged as sent, in your record." : errorText(r));
  });

  function lastMessage(message, mirror) {
    const box = $("#last-message");
    if (!message) { box.hidden = true; return; }
    const lines = [];
    if (mirror.their_median_words) lines.push(`They usually write about ${Math.round(mirror.their_median_words)} words.`);
    if (mirror.earliest_reply) lines.push(`Mirroring their pace: not before ${when(mirror.earliest_reply)}.`);
    box.replaceChildren(
      el("strong", { text: `Their last message, ${when(message.at)}` }),
      el("blockquote", { text: message.text }),
      lines.length ? el("p", { class: "note", text: lines.join(" ") }) : null,
    );
    box.hidden = false;
  }
}

async function fetchSituation() {
  const r = await api("GET", "/situation");
  return r.ok ? r.data : null;
}

// --- Should I reach out? --------------------------------------------------------------------------------------------

function initReady() {
  const form = $("#ready-form");
  fetchSituation().then((s) => {
    if (!s) return;
    if (s.goal) $("#r-goal").value = s.goal;
    if (s.mood) $("#r-mood").value = s.mood;
    if (s.broke_up) $("#r-broke_up").value = s.broke_up;
    if (s.ended_by) { const radio = $(`input[name=ended_by][value="${s.ended_by}"]`); if (radio) radio.checked = true; }
    $("#r-children").value = s.children || 0;
    for (const key of ["asked_for_space", "new_partner", "abuse_history"]) $(`input[name=${key}]`).checked = !!s[key];
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = {
      goal: $("#r-goal").value || null,
      mood: $("#r-mood").value || null,
      broke_up: $("#r-broke_up").value || null,
      ended_by: $("input[name=ended_by]:checked")?.value || null,
      children: Number($("#r-children").value || 0),
      asked_for_space: $("input[name=asked_for_space]").checked,
      new_partner: $("input[name=new_partner]").checked,
      abuse_history: $("input[name=abuse_history]").checked,
    };
    const r = await api("POST", "/ready", fields);
    const section = $("#ready-result");
    section.hidden = false;
    if (!r.ok) { say("#ready-verdict", errorText(r)); return; }
    showVerdict($("#ready-verdict"), r.data);
    showSafety($("#ready-safety"), r.data.resources, "You do not have to work this out alone:");
    $("#ready-reasons").replaceChildren(...r.data.diagnostics.map((d) =>
      el("li", {}, el("strong", { text: d.message }), d.note ? el("p", { class: "note", text: d.note }) : null)));
    if (!r.data.diagnostics.length) $("#ready-reasons").append(el("li", { text: "Nothing in your answers says wait. It is your call." }));
    if ($("#r-remember").checked) {
      const saved = await api("PUT", "/situation", fields);
      if (!saved.ok) $("#ready-reasons").append(el("li", { text: "Not remembered: " + errorText(saved) }));
    }
    section.focus?.();
  });
}

// --- Their message -------------------------------------------------------------------------------------------------

function initIncoming() {
  $("#incoming-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const r = await api("POST", "/triage", { text: $("#incoming-text").value });
    $("#incoming-result").hidden = false;
    if (!r.ok) { say("#incoming-flags", errorText(r)); $("#incoming-triage").replaceChildren(); return; }
    const t = r.data;
    showSafety($("#incoming-safety"), t.safety.length ? t.resources : [],
      "Parts of this message can be read as a threat or as pressure. You do not have to answer them. Keep a copy. If you feel in danger:");
    $("#incoming-flags").replaceChildren(t.safety.length
      ? el("ul", { class: "reasons" }, t.safety.map((f) => el("li", { "data-code": f.code }, el("strong", { text: `"${f.text}"` }), " ", f.message)))
      : el("p", { class: "note", text: "Nothing in this message matched levelhead's safety phrases. Phrase lists miss things: if it feels threatening, trust that feeling; Get help is at the top of every page." }));
    const parts = [];
    parts.push(el("h2", { text: "What needs an answer" }));
    parts.push(t.asks.length
      ? el("ul", { class: "reasons asks" }, t.asks.map((a) => el("li", {}, el("strong", { text: a.summary }), el("p", { class: "note", text: `"${a.text}"` }))))
      : el("p", { text: "Nothing practical to answer." }));
    if (t.bait.length) {
      parts.push(el("h2", { text: "What needs no answer" }));
      parts.push(el("ul", { class: "reasons bait" }, t.bait.map((b) => el("li", { text: b.message }))));
    }
    if (t.reply.needed) {
      parts.push(el("h2", { text: "A reply to start from" }));
      if (t.reply.not_before) parts.push(el("p", { text: `Not before ${when(t.reply.not_before)}.` }));
      const box = el("textarea", { id: "reply-skeleton", rows: 4, "aria-label": "Reply skeleton" });
      box.value = t.reply.skeleton;
      parts.push(box, el("p", {}, el("a", { href: "/", text: "Check a reply on the Write page" })));
    } else {
      parts.push(el("p", { text: "This message does not need a reply." }));
    }
    $("#incoming-triage").replaceChildren(...parts);
  });
}

// --- Agreements -----------------------------------------------------------------------------------------------------

function initAgreements() {
  const kind = $("#a-kind");
  const showFields = () => {
    for (const row of $$("[data-kinds]")) row.hidden = !row.dataset.kinds.split(" ").includes(kind.value);
  };
  kind.addEventListener("change", showFields);
  showFields();
  load();

  async function load() {
    const r = await api("GET", "/agreements");
    if (!r.ok) { $(".needs-store").hidden = r.status !== 409; say("#agreement-status", r.status === 409 ? "" : errorText(r)); return; }
    const { agreements, no_contact_until, no_contact_days_left, next_window } = r.data;
    say("#countdown", no_contact_until
      ? (no_contact_days_left === 0 ? `No contact: the agreed period ends today (${day(no_contact_until)}).`
        : `No contact for ${no_contact_days_left} more day${no_contact_days_left === 1 ? "" : "s"}, until ${day(no_contact_until)}.`)
      : "No no-contact period recorded.");
    say("#next-window", next_window
      ? (next_window.open_now ? `A contact window is open now: ${next_window.description}.`
        : `Next contact window: ${next_window.description}, opens ${when(next_window.opens_at)}.`)
      : "No contact windows recorded.");
    $("#agreement-list").replaceChildren(...agreements.map((a) => el("li", { class: a.active ? "" : "ended" },
      el("strong", { text: a.description }),
      el("div", { class: "meta", text: a.active ? `Agreed ${when(a.created_at)}` : `Ended ${when(a.ended_at)}${a.end_reason ? ": " + a.end_reason : ""}` }),
      a.active ? el("div", { class: "buttons" }, el("button", { type: "button", class: "secondary", text: "End this agreement",
        onclick: async () => {
          const done = await api("POST", `/agreements/${a.id}/end`, { reason: "" });
          say("#agreement-status", done.ok ? "Ended. It stays in your record." : errorText(done));
          load();
        } })) : null)));
    if (!agreements.length) $("#agreement-list").append(el("li", { text: "Nothing recorded yet." }));
  }

  $("#agreement-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const k = kind.value;
    const details = {};
    if (k === "no-contact" || k === "social-block") details.until = $("#a-until").value;
    if (k === "window") {
      Object.assign(details, { days: $("#a-days").value, from: $("#a-from").value, to: $("#a-to").value });
      if ($("#a-purpose").value.trim()) details.purpose = $("#a-purpose").value.trim();
    }
    if (k === "off-limits") details.topics = $("#a-topics").value.split(",").map((t) => t.trim()).filter(Boolean);
    if (k === "channels") details.channels = $$("input[name=a-channel]:checked").map((c) => c.value);
    if (k === "friendship") details.friendship = $("input[name=a-friendship]:checked").value === "yes";
    const r = await api("POST", "/agreements", { kind: k, details });
    say("#agreement-status", r.ok ? "Added. levelhead checks drafts against it from now on." : errorText(r));
    if (r.ok) load();
  });
}

// --- Drafts ---------------------------------------------------------------------------------------------------------

function initDrafts() {
  load();
  async function load() {
    const r = await api("GET", "/drafts");
    if (!r.ok) { $(".needs-store").hidden = r.status !== 409; say("#drafts-status", r.status === 409 ? "" : errorText(r)); return; }
    $("#drafts-empty").hidden = r.data.length > 0;
    $("#draft-list").replaceChildren(...r.data.map(item));
  }
  function item(d) {
    const result = el("div", { class: "recheck", "aria-live": "polite" });
    return el("li", { class: d.due ? "due" : "", "data-draft": d.id },
      el("div", { class: "meta", text: d.due ? "Its cool-off is over: read it again." : `Cooling off until ${when(d.due_at)}.` }),
      el("p", { class: "text", text: d.text }),
      el("div", { class: "buttons" },
        el("button", { type: "button", text: "Check it again", onclick: async () => {
          const r = await api("POST", `/drafts/${d.id}/recheck`);
          if (!r.ok) { say(result, errorText(r)); return; }
          const v = el("div", { class: "verdict" });
          showVerdict(v, r.data.report);
          result.replaceChildren(v, el("ul", { class: "reasons" }, r.data.report.diagnostics.map((x) => el("li", { text: x.message }))));
        } }),
        el("a", { href: `/?draft=${d.id}`, text: "Open it to edit" }),
        el("button", { type: "button", class: "secondary", text: "I sent it", onclick: async () => {
          const logged = await api("POST", "/messages", { text: d.text, direction: "me" });
          const r = logged.ok ? await api("POST", `/drafts/${d.id}/status`, { status: "sent" }) : logged;
          say("#drafts-status", r.ok ? "Logged as sent." : errorText(r));
          load();
        } }),
        el("button", { type: "button", class: "secondary", text: "Let it go", onclick: async () => {
          const r = await api("POST", `/drafts/${d.id}/status`, { status: "discarded" });
          say("#drafts-status", r.ok ? "Deleted." : errorText(r));
          load();
        } }),
      ),
      result);
  }
}

// --- History --------------------------------------------------------------------------------------------------------

function initHistory() {
  const hasStore = document.body.dataset.store === "yes";
  $(".needs-store").hidden = hasStore;
  const upload = async (me) => {
    const data = new FormData();
    data.append("file", $("#i-file").files[0]);
    if (me) data.append("me", me);
    say("#import-status", "Importing…");
    const r = await api("POST", "/history/import", data);
    if (!r.ok && r.data?.choices) {
      $("#import-status").replaceChildren(el("span", { text: "Which of these is you? " }),
        ...r.data.choices.map((name) => el("button", { type: "button", class: "secondary choice", text: name,
          onclick: () => { $("#i-me").value = name; upload(name); } })));
      return;
    }
    if (!r.ok) { say("#import-status", errorText(r)); return; }
    const d = r.data;
    say("#import-status", d.already
      ? "This file was imported before; nothing changed."
      : `Imported ${d.stored} messages from a ${d.kind} export${d.duplicates ? ` (${d.duplicates} were already stored)` : ""}. ` +
        `The record keeps the file's SHA-256 (${d.sha256.slice(0, 16)}…): it can show later that it matches the file imported today.`);
    stats(); record();
  };
  $("#import-form").addEventListener("submit", (event) => {
    event.preventDefault();
    upload($("#i-me").value.trim() || null);
  });
  if (hasStore) { stats(); record(); } else say("#record-status", "No record yet.");

  const dur = (s) => (s === null || s === undefined ? "—" : s < 5400 ? `${Math.round(s / 60)} min` : s < 172800 ? `${Math.round(s / 3600)} h` : `${Math.round(s / 86400)} days`);
  const words = (w) => (w === null || w === undefined ? "—" : `${Math.round(w)} words`);

  async function stats() {
    const r = await api("GET", "/history/stats");
    if (!r.ok) return;
    const s = r.data;
    const m = s.messages;
    const rows = [["Messages", `${m.total} (you ${m.me}, them ${m.them})`]];
    if (s.length) rows.push(["Typical length", `you ${words(s.length.me.all_time.median_words)}, them ${words(s.length.them.all_time.median_words)}`]);
    if (s.reply_delay) rows.push(["Typical reply time", `you ${dur(s.reply_delay.me.all_time.median_s)}, them ${dur(s.reply_delay.them.all_time.median_s)}`]);
    if (s.initiations) rows.push(["Who starts", `you ${s.initiations.all_time.me}, them ${s.initiations.all_time.them}`]);
    if (s.streaks) rows.push(["Longest run unanswered", `you ${s.streaks.me.longest}, them ${s.streaks.them.longest}`]);
    if (s.adherence) rows.push(["During no-contact", `you ${s.adherence.during_no_contact.me}, them ${s.adherence.during_no_contact.them}`]);
    if (m.first_at) rows.push(["From", `${when(m.first_at)} to ${when(m.last_at)}`]);
    $("#stats").replaceChildren(...rows.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]));
    chart(s.weekly.map((w) => ({ label: w.week, me: w.me, them: w.them })));
  }

  function chart(weeks) {
    const figure = $("#chart-figure");
    if (!weeks.length) { figure.hidden = true; return; }
    const NS = "http://www.w3.org/2000/svg";
    const svg = (tag, attrs, text) => {
      const n = document.createElementNS(NS, tag);
      for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
      if (text !== undefined) n.textContent = text;
      return n;
    };
    // The last 26 weeks; when those are all quiet, the 26 up to the last week with messages.
    const active = weeks.map((w) => w.me + w.them > 0);
    const lastActive = active.lastIndexOf(true);
    if (lastActive < 0) { figure.hidden = true; return; }
    const end = active.slice(-26).includes(true) ? weeks.length : lastActive + 1;
    const shown = weeks.slice(Math.max(0, end - 26), end);
    const top = Math.max(1, ...shown.map((w) => Math.max(w.me, w.them)));
    const width = Math.max(300, shown.length * 24), height = 160, base = 140;
    const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "Messages per week, yours and theirs" });
    shown.forEach((w, i) => {
      const x = i * 24 + 2;
      const mine = (w.me / top) * 120, theirs = (w.them / top) * 120;
      const a = svg("rect", { x, y: base - mine, width: 9, height: mine, class: "me" });
      a.append(svg("title", {}, `${w.label}: you ${w.me}`));
      const b = svg("rect", { x: x + 10, y: base - theirs, width: 9, height: theirs, class: "them" });
      b.append(svg("title", {}, `${w.label}: them ${w.them}`));
      root.append(a, b);
      if (i % Math.ceil(shown.length / 8) === 0) root.append(svg("text", { x, y: 155 }, w.label));
    });
    $("#chart").replaceChildren(root);
    figure.hidden = false;
  }

  async function record() {
    const r = await api("GET", "/verify");
    if (!r.ok) { say("#record-status", errorText(r)); return; }
    say("#record-status", r.data.ok
      ? `The record verifies: ${r.data.count} entries, none changed since they were written.`
      : `The record does not verify: ${r.data.message}`);
    say("#record-note", r.data.note);
  }
}

// --- Settings -------------------------------------------------------------------------------------------------------

function initSettings() {
  loadStore();
  async function loadStore() {
    const r = await api("GET", "/store");
    if (!r.ok) { say("#store-status", errorText(r)); return; }
    const s = r.data;
    say("#store-status", s.exists
      ? `Your store is at ${s.location}${s.encrypted ? ", encrypted with your passphrase" : ", not encrypted"}; it holds ${s.messages} messages.`
      : "There is no store yet. levelhead can check drafts without one; to keep agreements, drafts and history, create it here.");
    $("#create-store").hidden = s.exists;
    $("#passphrase-form").hidden = !(s.exists && s.encrypted);
    if (s.config_error) say("#store-message", `Your levelhead.toml has a problem: ${s.config_error}`);
  }
  $("#create-store").addEventListener("submit", async (event) => {
    event.preventDefault();
    const pass = $("#new-store-pass").value;
    const r = await api("POST", "/store", { passphrase: pass || null });
    say("#store-message", r.ok ? "Your store is ready." : errorText(r));
    if (r.ok) { document.body.dataset.store = "yes"; $("#new-store-pass").value = ""; loadStore(); }
  });
  $("#passphrase-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const r = await api("POST", "/store/passphrase", { old: $("#old-pass").value, new: $("#new-pass").value });
    say("#store-message", r.ok ? "Passphrase changed." : errorText(r));
    $("#old-pass").value = ""; $("#new-pass").value = "";
  });
  Promise.all([api("GET", "/settings"), fetchSituation()]).then(([r, s]) => {
    if (!r.ok) return;
    const select = $("#s-country");
    select.replaceChildren(...Object.entries(r.data.countries).map(([code, name]) => el("option", { value: code, text: name })));
    if (s) { select.value = s.country; $("#s-tz").value = s.tz || ""; }
    showThresholds(r.data);
  });
  $("#thresholds-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const changes = {};
    for (const input of $$("#thresholds [data-key]")) {
      const { rule, key, type } = input.dataset;
      let value;
      if (type === "bool") value = input.checked;
      else if (type === "str") value = input.value.trim();
      else {
        value = input.value.trim() === "" ? NaN : Number(input.value);
        if (!Number.isFinite(value) || (type === "int" && !Number.isInteger(value))) {
          say("#thresholds-status", `${rule} ${key}: enter a ${type === "int" ? "whole number" : "number"}. Nothing was saved.`);
          input.focus();
          return;
        }
      }
      if (value === JSON.parse(input.dataset.saved)) continue;
      // Back at the default: take it out of the file rather than write the default down.
      (changes[rule] ??= {})[key] = value === JSON.parse(input.dataset.default) ? null : value;
    }
    if (!Object.keys(changes).length) { say("#thresholds-status", "Nothing changed."); return; }
    const saved = await api("PUT", "/settings", { options: changes });
    if (!saved.ok) { say("#thresholds-status", `${errorText(saved)} Nothing was saved.`); return; }
    showThresholds(saved.data);
    say("#thresholds-status", "Saved. Checks here and with levelhead check use them now.");
  });

  function showThresholds(data) {
    say("#config-file", data.config_exists ? data.config_file : `not written yet; it will be ${data.config_file}`);
    if (data.config_error) say("#thresholds-status", `Your levelhead.toml has a problem: ${data.config_error}`);
    $("#thresholds").replaceChildren(...data.options.map((o) => {
      const id = `opt-${o.rule}-${o.key}`;
      const shared = { id, "data-rule": o.rule, "data-key": o.key, "data-type": o.type,
        "data-saved": JSON.stringify(o.value), "data-default": JSON.stringify(o.default) };
      const input = o.type === "bool" ? el("input", { type: "checkbox", checked: o.value, ...shared })
        : o.type === "str" ? el("input", { type: "text", value: o.value, size: 6, maxlength: 32, ...shared })
        : el("input", { type: "number", value: String(o.value), min: o.minimum ?? null, max: o.maximum ?? null,
          step: o.type === "int" ? "1" : "0.05", inputmode: o.type === "int" ? "numeric" : "decimal", ...shared });
      return el("tr", { "data-changed": o.value !== o.default ? "yes" : null },
        el("td", { text: `${o.rule} ${o.name}` }),
        el("td", {}, el("label", { for: id, text: o.key })),
        el("td", {}, input, o.value !== o.default ? el("small", { class: "default", text: ` default ${o.default}` }) : null),
        el("td", { text: o.help }));
    }));
  }
  $("#place-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { country: $("#s-country").value };
    body.tz = $("#s-tz").value.trim() || null;
    const r = await api("PUT", "/situation", body);
    say("#place-status", r.ok ? "Saved." : errorText(r));
  });
}

// --- start ----------------------------------------------------------------------------------------------------------

const PAGES = { compose: initCompose, ready: initReady, incoming: initIncoming, agreements: initAgreements,
  drafts: initDrafts, history: initHistory, settings: initSettings };
document.addEventListener("DOMContentLoaded", () => {
  $("#quick-exit")?.addEventListener("click", quickExit);
  const store = document.body.dataset.store === "yes";
  for (const box of $$(".needs-store")) box.hidden = store;
  PAGES[document.body.dataset.page]?.();
});
