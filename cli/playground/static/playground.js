// The layout playground's page: the editor, the debounced previews, the findings that lead
// into the text, the resolved values, the embed code, saving, and reloads from disk.
"use strict";

(() => {
  const DELAY = 80; // ms of quiet typing before a preview is asked for
  const LINE = 18; // px per editor line (the stylesheet's --line)
  const PAD = 6; // px above the first line (the editor's padding)
  const MARKER = { "X-Ladle-Playground": "1" };

  const $ = (id) => document.getElementById(id);
  const text = $("layout-text");
  const gutter = $("gutter");
  const marks = $("marks");
  const findingsList = $("findings");
  const preview = $("preview");
  const saveButton = $("save-button");

  const state = {
    name: "",
    version: null, // the file's version the text was loaded from (null: nothing to save to)
    saved: "", // the text as loaded or last saved
    eol: "\n", // the file's line ends (a textarea holds \n only)
    elements: [],
    lines: 0,
    seq: 0, // previews asked for
    controller: null,
    timer: null,
    changedAt: 0, // when the text last changed (performance.now())
    findings: [],
    resolved: null,
    selected: null, // the element whose values are shown
    current: 0, // the highlighted line (0: none)
    disk: null, // a newer text on disk, while the page has unsaved edits
  };
  document.body.dataset.previews = "0";

  // -- the text ----------------------------------------------------------------------------

  function outgoing() {
    return state.eol === "\n" ? text.value : text.value.replace(/\n/g, state.eol);
  }

  function dirty() {
    return state.version !== null && outgoing() !== state.saved;
  }

  function setText(value) {
    state.eol = value.includes("\r\n") ? "\r\n" : "\n";
    text.value = value.replace(/\r\n?/g, "\n");
    changed();
  }

  function changed() {
    state.changedAt = performance.now();
    drawGutter();
    showSaveState();
    schedule(DELAY);
  }

  function drawGutter() {
    const count = text.value.split("\n").length;
    if (count !== state.lines) {
      state.lines = count;
      const numbers = new Array(count);
      for (let i = 0; i < count; i++) numbers[i] = i + 1;
      gutter.textContent = numbers.join("\n") + "\n";
    }
    gutter.scrollTop = text.scrollTop;
    drawMarks();
  }

  function drawMarks() {
    const top = (line) => `${PAD + (line - 1) * LINE - text.scrollTop}px`;
    const parts = [];
    const seen = new Map();
    for (const finding of state.findings) {
      if (finding.line === null) continue;
      if (seen.get(finding.line) !== "error") seen.set(finding.line, finding.severity);
    }
    for (const [line, severity] of seen) {
      const mark = document.createElement("div");
      mark.className = `mark ${severity}`;
      mark.style.top = top(line);
      parts.push(mark);
    }
    if (state.current) {
      const mark = document.createElement("div");
      mark.className = "mark current";
      mark.style.top = top(state.current);
      parts.push(mark);
    }
    marks.replaceChildren(...parts);
  }

  // The offset in the textarea of 1-based line and column (columns count characters, as
  // the server does: a character outside the BMP is one column but two UTF-16 units).
  function offsetOf(line, column) {
    const value = text.value;
    let at = 0;
    for (let n = 1; n < line; n++) {
      const next = value.indexOf("\n", at);
      if (next < 0) return value.length;
      at = next + 1;
    }
    const end = value.indexOf("\n", at);
    const row = value.slice(at, end < 0 ? value.length : end);
    return at + Array.from(row).slice(0, Math.max(column - 1, 0)).join("").length;
  }

  function lineOf(offset) {
    return text.value.slice(0, offset).split("\n").length;
  }

  function goTo(offset, element) {
    text.focus();
    text.setSelectionRange(offset, offset);
    const line = lineOf(offset);
    const y = PAD + (line - 1) * LINE;
    if (y < text.scrollTop || y > text.scrollTop + text.clientHeight - 2 * LINE) {
      text.scrollTop = Math.max(0, y - text.clientHeight / 3);
    }
    state.current = line;
    drawGutter();
    showCursor();
    select(element === undefined ? keyAt(text.value, offset) : element);
  }

  // The top-level member whose value holds ``offset``, by a scan that knows only strings
  // and brackets: enough for an editor's cursor, whatever the text's mistakes.
  function keyAt(source, offset) {
    let depth = 0;
    let key = null;
    let last = null;
    for (let i = 0; i < source.length && i < offset; i++) {
      const char = source[i];
      if (char === '"') {
        let j = i + 1;
        while (j < source.length && source[j] !== '"' && source[j] !== "\n") {
          j += source[j] === "\\" ? 2 : 1;
        }
        if (depth === 1) last = source.slice(i + 1, Math.min(j, i + 101));
        if (depth === 1 && j >= offset && key === null) return last;
        i = j;
      } else if (char === "{" || char === "[") {
        depth++;
      } else if (char === "}" || char === "]") {
        depth--;
      } else if (depth === 1 && char === ":") {
        key = last;
      } else if (depth === 1 && char === ",") {
        key = null;
      }
    }
    return key;
  }

  // Where a top-level member's name starts, for a click on its box in the preview.
  function keyOffset(source, name) {
    let depth = 0;
    for (let i = 0; i < source.length; i++) {
      const char = source[i];
      if (char === '"') {
        let j = i + 1;
        while (j < source.length && source[j] !== '"' && source[j] !== "\n") {
          j += source[j] === "\\" ? 2 : 1;
        }
        if (depth === 1 && source.slice(i + 1, j) === name) return i;
        i = j;
      } else if (char === "{" || char === "[") {
        depth++;
      } else if (char === "}" || char === "]") {
        depth--;
      }
    }
    return -1;
  }

  function showCursor() {
    const offset = text.selectionStart;
    const before = text.value.slice(0, offset);
    const line = before.split("\n").length;
    const column = Array.from(before.slice(before.lastIndexOf("\n") + 1)).length + 1;
    $("cursor-place").textContent = `line ${line}, column ${column}`;
  }

  // -- previews ------------------------------------------------------------------------------

  function schedule(delay) {
    clearTimeout(state.timer);
    state.timer = setTimeout(ask, delay);
  }

  function query() {
    const params = new URLSearchParams({
      tracks: $("track-count").value || "10",
      variant: $("embed-variant").value,
      item: $("embed-item").value,
      layout_url: $("embed-layout-url").value,
      player_url: $("embed-player-url").value,
      debug: $("embed-debug").checked ? "1" : "0",
    });
    return params.toString();
  }

  async function ask() {
    const seq = ++state.seq;
    const started = state.changedAt;
    if (state.controller) state.controller.abort();
    const controller = new AbortController();
    state.controller = controller;
    let response;
    let shown;
    try {
      response = await fetch(`/api/preview?${query()}`, {
        method: "POST", body: outgoing(), signal: controller.signal,
        headers: { "Content-Type": "text/plain; charset=utf-8", ...MARKER },
      });
      shown = await response.json();
    } catch (error) {
      if (error.name !== "AbortError" && seq === state.seq) {
        $("summary").textContent = `no preview: ${error.message}`;
      }
      return;
    }
    if (seq !== state.seq) return; // a newer text is on its way
    if (!response.ok) {
      $("summary").textContent = shown.error || `no preview (${response.status})`;
      $("summary").className = "bad";
      return;
    }
    render(shown);
    const took = Math.round(performance.now() - started);
    $("timing").textContent = `updated ${took} ms after the last change`;
    document.body.dataset.previews = String(seq);
    document.body.dataset.latency = String(took);
  }

  function render(shown) {
    state.findings = shown.findings;
    state.resolved = shown.resolved;
    $("summary").textContent = shown.summary;
    $("summary").className = shown.findings.some((f) => f.severity === "error") ? "bad" : "";
    renderFindings(shown.findings);
    renderPreview(shown.svg);
    renderEmbed(shown.embed);
    drawMarks();
    select(state.selected);
  }

  function renderFindings(findings) {
    const items = findings.map((finding, index) => {
      const item = document.createElement("li");
      item.className = `finding ${finding.severity}`;
      item.tabIndex = 0;
      item.dataset.index = String(index);
      item.dataset.code = finding.code;
      const parts = [
        ["where", finding.line === null ? "–" : `${finding.line}:${finding.column}`],
        ["severity", finding.severity],
        ["message", finding.message],
        ["code", `[${finding.code}]`],
      ];
      if (finding.variant) parts.push(["variant", `(${finding.variant} player)`]);
      for (const [kind, words] of parts) {
        const span = document.createElement("span");
        span.className = kind;
        span.textContent = words;
        item.append(span, " ");
      }
      return item;
    });
    findingsList.replaceChildren(...items);
  }

  function openFinding(item) {
    const finding = state.findings[Number(item.dataset.index)];
    if (!finding) return;
    const element = finding.pointer.split("/")[1] || null;
    const offset = finding.line === null ? 0 : offsetOf(finding.line, finding.column);
    goTo(offset, element);
  }

  function renderPreview(svg) {
    const parsed = new DOMParser().parseFromString(svg, "image/svg+xml");
    const root = parsed.documentElement;
    if (root.nodeName !== "svg") return;
    for (const group of root.querySelectorAll("g[id]")) {
      const match = /^(album|track)-(\w+)$/.exec(group.id);
      if (match && state.elements.includes(match[2])) group.dataset.element = match[2];
    }
    preview.replaceChildren(document.importNode(root, true));
  }

  function renderEmbed(embed) {
    const note = $("embed-note");
    if (embed.html !== undefined) {
      $("embed-code").value = embed.html;
      note.textContent = "";
      note.className = "";
    } else {
      $("embed-code").value = "";
      note.textContent = embed.error;
      note.className = "bad";
    }
    $("copy-button").disabled = embed.html === undefined;
  }

  // -- the selected element ----------------------------------------------------------------

  function select(element) {
    state.selected = element;
    for (const group of preview.querySelectorAll("g.picked")) group.classList.remove("picked");
    const known = element !== null && state.elements.includes(element);
    if (known) {
      for (const group of preview.querySelectorAll(`g[data-element="${element}"]`)) {
        group.classList.add("picked");
      }
    }
    $("selected-element").textContent = element === null ? "(put the cursor in an element)"
      : known || element === "w" || element === "h" ? element : `${element} (not an element)`;
    renderResolved(known ? element : element === "w" || element === "h" ? element : null);
  }

  function cell(value) {
    const td = document.createElement("td");
    if (value === undefined || value === null) {
      td.textContent = value === null ? "not resolved" : "–";
      td.className = "none";
    } else {
      td.textContent = typeof value === "string" ? JSON.stringify(value) : String(value);
    }
    return td;
  }

  function renderResolved(element) {
    const rows = [];
    const resolved = state.resolved || {};
    const of = (variant) => resolved[variant] || null;
    const addRow = (label, album, track) => {
      const row = document.createElement("tr");
      const th = document.createElement("th");
      th.textContent = label;
      row.append(th, cell(album), cell(track));
      rows.push(row);
    };
    if (element === "w" || element === "h") {
      addRow(`player ${element}`, of("album")?.[element], of("track")?.[element]);
    } else if (element !== null) {
      const album = of("album")?.elements?.[element];
      const track = of("track")?.elements?.[element];
      const value = (fields, field) => (fields ? fields[field] ?? null : undefined);
      for (const field of ["x", "y", "w", "h", "show"]) {
        addRow(field, value(album, field), value(track, field));
      }
      const styles = new Set([...Object.keys(album?.styles || {}),
        ...Object.keys(track?.styles || {})]);
      for (const style of styles) {
        addRow(`styles.${style}`, album?.styles?.[style], track?.styles?.[style]);
      }
    }
    $("resolved-values").tBodies[0].replaceChildren(...rows);
  }

  // -- saving and the file on disk -------------------------------------------------------------

  function showSaveState(message, bad) {
    const label = $("save-state");
    if (message !== undefined) {
      label.textContent = message;
    } else if (state.version === null) {
      label.textContent = "a preset: give a FILE to save to";
    } else {
      label.textContent = dirty() ? "unsaved changes" : "saved";
    }
    label.className = bad ? "bad" : "";
    saveButton.disabled = state.version === null || !dirty();
  }

  function banner(message) {
    $("banner-text").textContent = message;
    $("banner").hidden = message === null;
  }

  async function save() {
    if (state.version === null) return;
    const body = outgoing();
    showSaveState("saving…");
    let response;
    let answer;
    try {
      response = await fetch("/api/layout", {
        method: "PUT", body,
        headers: { "Content-Type": "text/plain; charset=utf-8", "If-Match": `"${state.version}"`,
          ...MARKER },
      });
      answer = await response.json();
    } catch (error) {
      showSaveState(`not saved: ${error.message}`, true);
      return;
    }
    if (response.ok) {
      state.version = answer.version;
      state.saved = body;
      state.disk = null;
      banner(null);
      showSaveState();
    } else {
      showSaveState(`not saved: ${answer.error}`, true);
      if (response.status === 412) banner(answer.error);
    }
  }

  function fromDisk(message) {
    if (message.error) {
      banner(`${state.name} cannot be loaded: ${message.error}`);
      return;
    }
    if (message.version === state.version) return;
    if (message.text === null) { // removed: the next save writes it again
      state.version = message.version;
      state.saved = "";
      banner(`${state.name} was removed from disk; Save writes it again`);
      showSaveState();
      return;
    }
    if (!dirty() || message.text === outgoing()) {
      state.version = message.version;
      state.saved = message.text;
      const keep = text.selectionStart;
      setText(message.text);
      text.setSelectionRange(Math.min(keep, text.value.length), Math.min(keep, text.value.length));
      schedule(0);
      showSaveState("reloaded from disk");
      return;
    }
    state.disk = message;
    banner(`${state.name} changed on disk, and this page has unsaved edits.`);
  }

  function listen() {
    const events = new EventSource("/api/events");
    events.addEventListener("file", (event) => fromDisk(JSON.parse(event.data)));
    events.addEventListener("error", () => showSaveState("the server is not answering", true));
    events.addEventListener("open", () => showSaveState());
  }

  // -- wiring ------------------------------------------------------------------------------------

  text.addEventListener("input", changed);
  text.addEventListener("scroll", () => { gutter.scrollTop = text.scrollTop; drawMarks(); });
  for (const type of ["keyup", "mouseup", "focus"]) {
    text.addEventListener(type, () => {
      showCursor();
      const element = keyAt(text.value, text.selectionStart);
      if (element !== state.selected) select(element);
    });
  }
  text.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === "s") {
      event.preventDefault();
      save();
    } else if (event.key === "Tab" && !event.shiftKey && !event.ctrlKey) {
      event.preventDefault(); // indent instead of leaving the editor
      document.execCommand("insertText", false, "  ");
    }
  });
  findingsList.addEventListener("click", (event) => {
    const item = event.target.closest(".finding");
    if (item) openFinding(item);
  });
  findingsList.addEventListener("keydown", (event) => {
    const item = event.target.closest(".finding");
    if (item && event.key === "Enter") openFinding(item);
  });
  preview.addEventListener("click", (event) => {
    const group = event.target.closest("g[data-element]");
    if (!group) return;
    const offset = keyOffset(text.value, group.dataset.element);
    if (offset >= 0) goTo(offset, group.dataset.element);
    else select(group.dataset.element);
  });
  for (const id of ["track-count", "embed-variant", "embed-item", "embed-layout-url",
    "embed-player-url", "embed-debug"]) {
    for (const type of ["input", "change"]) {
      $(id).addEventListener(type, () => { state.changedAt = performance.now(); schedule(DELAY); });
    }
  }
  saveButton.addEventListener("click", save);
  $("copy-button").addEventListener("click", async () => {
    const code = $("embed-code");
    try {
      await navigator.clipboard.writeText(code.value);
    } catch {
      code.select();
      document.execCommand("copy");
    }
    $("embed-note").textContent = "copied";
  });
  $("banner-load").addEventListener("click", async () => {
    const response = await fetch("/api/layout");
    const layout = await response.json();
    if (!response.ok) { banner(layout.error); return; }
    state.version = layout.version;
    state.saved = layout.text;
    state.disk = null;
    setText(layout.text);
    banner(null);
  });
  $("banner-close").addEventListener("click", () => banner(null));
  $("preset-picker").addEventListener("change", async (event) => {
    const name = event.target.value;
    event.target.value = "";
    if (!name) return;
    if (dirty() && !window.confirm(`Replace your unsaved text with the preset ${name}?`)) return;
    const response = await fetch(`/api/presets/${encodeURIComponent(name)}`);
    const preset = await response.json();
    if (response.ok) setText(preset.text);
  });

  async function start() {
    const response = await fetch("/api/layout");
    const layout = await response.json();
    if (!response.ok) {
      banner(layout.error);
      return;
    }
    state.name = layout.name;
    state.version = layout.version;
    state.saved = layout.text;
    state.elements = layout.elements;
    $("file-name").textContent = layout.name;
    $("track-count").value = String(layout.tracks);
    document.title = `${layout.name} – ladle layout playground`;
    for (const name of layout.presets) {
      const option = document.createElement("option");
      option.value = name;
      option.textContent = name;
      $("preset-picker").append(option);
    }
    setText(layout.text);
    schedule(0);
    if (layout.saveable) listen();
  }

  start();
})();
