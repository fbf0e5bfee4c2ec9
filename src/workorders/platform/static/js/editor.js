/* workorders: the definition editor (/admin/definitions/<n>/edit).
 *
 * Without this script the page is a textarea with Check and Save buttons. With it:
 * - CodeMirror 5 replaces the textarea (YAML, line numbers, search, undo, active line);
 * - about 600 ms after typing stops, the text is checked on the server (the same
 *   validator as the API): each error and warning is marked in the gutter at its line
 *   and listed under the editor, and clicking an item jumps to its line;
 * - after each check, the text is saved if it changed since the last save, with the
 *   ETag of the revision it was based on in If-Match. A 412 means another admin saved
 *   in between: a banner says so, the text stays here, and autosave stops for good, so
 *   nobody's edit is overwritten without them knowing;
 * - after a save that validates, the see-it panels and the autocomplete words are
 *   fetched again; while the text has errors, the panels say they show the last valid
 *   version.
 * No inline scripts or styles (the CSP forbids them): classes, `hidden` and CodeMirror's
 * own element.style only.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-editor]");
  if (!root || !window.CodeMirror) { return; }
  var form = root.querySelector("#editor-form");
  var textarea = form.querySelector("textarea[name=text]");
  var csrf = (form.querySelector("input[name=csrf_token]") || {}).value || "";
  var statusEl = root.querySelector("[data-status]");
  var summaryEl = root.querySelector("[data-check-summary]");
  var problemsEl = root.querySelector("[data-problems]");
  var staleBanner = root.querySelector("[data-stale-banner]");
  var panelsNote = root.querySelector("[data-panels-note]");
  var revisionEl = root.querySelector("[data-revision]");
  var CHECK_DELAY_MS = 600;
  var RETRY_MS = 5000;

  var etag = root.getAttribute("data-etag");
  // the text the server holds at `etag` (none when the page shows text a refused or
  // checked form sent: that text is saved with the next check, against `etag`)
  var savedText = root.getAttribute("data-unsaved") === "true" ? null : textarea.value;
  var stopped = false;              // a 412 (or a refusal) ended autosaving
  var saving = false;
  var saveAgain = false;            // the text changed while a save was on its way
  var retryTimer = null;
  var vocabulary = [];
  var savedStatus = ["", ""];       // what the status line says while nothing is unsaved
  var tabLeaves = false;            // Esc was pressed: the next Tab moves focus on

  /* ---- the code editor ------------------------------------------------------ */

  root.querySelector("[data-nojs-buttons]").hidden = true;
  Array.prototype.forEach.call(root.querySelectorAll("[data-js-only]"), function (el) { el.hidden = false; });
  var cm = window.CodeMirror.fromTextArea(textarea, {
    mode: "yaml",
    lineNumbers: true,
    // the text is a real editable region inside the scroller: screen readers read it,
    // and the scrolling area holds its own keyboard focus (axe: scrollable-region-focusable)
    inputStyle: "contenteditable",
    styleActiveLine: true,
    indentUnit: 2,
    tabSize: 2,
    indentWithTabs: false,
    lineWrapping: false,
    gutters: ["CodeMirror-lint-markers", "CodeMirror-linenumbers"],
    lint: { getAnnotations: lint, async: true, delay: CHECK_DELAY_MS, lintOnChange: true },
    extraKeys: {
      "Ctrl-Space": "autocomplete",
      "Cmd-Space": "autocomplete",
      // Esc, then Tab or Shift-Tab, leaves the editor (no keyboard trap)
      "Esc": function () { tabLeaves = true; return window.CodeMirror.Pass; },
      "Tab": function (editor) {
        if (tabLeaves) { leave(true); return; }
        if (editor.somethingSelected()) { editor.execCommand("indentMore"); }
        else { editor.execCommand("insertSoftTab"); }  // YAML does not allow tabs
      },
      "Shift-Tab": function (editor) {
        if (tabLeaves) { leave(false); return; }
        editor.execCommand("indentLess");
      },
      "Ctrl-/": "toggleComment",
      "Cmd-/": "toggleComment",
      "Ctrl-S": saveNow,
      "Cmd-S": saveNow
    }
  });
  cm.getWrapperElement().setAttribute("data-testid", "codemirror");
  cm.on("keydown", function (editor, event) {
    if (event.key !== "Escape" && event.key !== "Tab" && event.key !== "Shift") { tabLeaves = false; }
  });
  var inputField = cm.getInputField();
  inputField.setAttribute("aria-label", "Definition (YAML)");

  // focus the next (or previous) control of the page outside the editor
  function leave(forward) {
    tabLeaves = false;
    var wrapper = cm.getWrapperElement();
    var controls = Array.prototype.filter.call(document.querySelectorAll(
      "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select, textarea, summary, iframe, [tabindex]:not([tabindex='-1'])"),
      function (el) { return !wrapper.contains(el) && el.getClientRects().length > 0; });
    var after = controls.filter(function (el) {
      return wrapper.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING;
    });
    var before = controls.filter(function (el) { return after.indexOf(el) < 0; });
    var target = forward ? after[0] : before[before.length - 1];
    if (target) { target.focus(); }
  }

  function setStatus(text, kind) {
    statusEl.textContent = text;
    statusEl.className = "editor-status" + (kind ? " editor-status-" + kind : "");
  }

  function clock() {
    var now = new Date();
    return ("0" + now.getHours()).slice(-2) + ":" + ("0" + now.getMinutes()).slice(-2);
  }

  function post(url, body, headers) {
    var all = { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" };
    Object.keys(headers || {}).forEach(function (k) { all[k] = headers[k]; });
    return fetch(url, { method: "POST", credentials: "same-origin", headers: all,
                        body: JSON.stringify(body) });
  }

  // a JSON answer; anything else (the sign-in page after a redirect, when the session
  // ended) is no answer at all, never a save
  function answer(resp) {
    var json = (resp.headers.get("Content-Type") || "").indexOf("json") >= 0;
    return resp.text().then(function (raw) {
      var data = null;
      try { data = raw && json ? JSON.parse(raw) : null; } catch (e) { data = null; }
      // without a session: a redirect to the sign-in page, or CSRF's 400 page
      return { status: resp.status, ok: resp.ok && data !== null,
               signedOut: !json && (resp.redirected || resp.status === 400),
               data: data || {}, headers: resp.headers };
    });
  }

  var SIGNED_OUT = "Not saved: you are signed out. Your text is kept here; sign in again in another tab, then type on to save it.";
  var renewing = false;

  // after signing in again elsewhere the session is new, and so is its CSRF token:
  // read it from a fresh copy of this page (still the sign-in page: still signed out)
  function renewSession() {
    if (renewing) { return; }
    renewing = true;
    fetch(window.location.pathname, { credentials: "same-origin", headers: { "Accept": "text/html" } }).then(function (resp) {
      return resp.ok && !resp.redirected ? resp.text() : null;
    }).then(function (html) {
      renewing = false;
      if (!html) { return; }
      var field = new DOMParser().parseFromString(html, "text/html").querySelector("input[name=csrf_token]");
      if (field && field.value) { csrf = field.value; }
    }, function () { renewing = false; });
  }

  /* ---- live checks: gutter marks and the problem list ------------------------ */

  // the page comes with the check of its own text: the first marks need no request
  var initial = document.getElementById("editor-check");
  var initialCheck = initial ? JSON.parse(initial.textContent) : null;
  var checks = 0;                   // the newest check asked; older answers are dropped

  function lint(text, updateLinting) {
    var mine = ++checks;
    if (initialCheck && text === textarea.value.replace(/\r\n?/g, "\n")) {
      updateLinting(annotations(initialCheck));
      initialCheck = null;
      return;
    }
    initialCheck = null;
    post(root.getAttribute("data-check-url"), { text: text }).then(answer).then(function (res) {
      if (mine !== checks) { return; }
      if (res.signedOut) { updateLinting([]); setStatus(SIGNED_OUT, "error"); renewSession(); return; }
      if (!res.ok) {
        updateLinting([]);
        showProblems({ errors: [{ line: null, message: res.data.detail || ("the check failed (" + res.status + ")") }],
                       warnings: [], tests: [], valid: false });
        return;
      }
      updateLinting(annotations(res.data));
      showProblems(res.data);
      autosave(text);
    }, function () {
      if (mine !== checks) { return; }
      updateLinting([]);
      setStatus("Not checked: no connection to the server. Your text is kept here; it is checked again when you type.", "error");
    });
  }

  function annotations(check) {
    var marks = [];
    function add(list, severity) {
      (list || []).forEach(function (p) {
        var line = Math.max(0, Math.min((p.line || 1) - 1, cm.lineCount() - 1));
        var ch = Math.max(0, (p.column || 1) - 1);
        var end = cm.getLine(line).length;
        marks.push({ from: window.CodeMirror.Pos(line, Math.min(ch, end)),
                     to: window.CodeMirror.Pos(line, end),
                     message: p.message + (p.hint ? " (" + p.hint + ")" : ""), severity: severity });
      });
    }
    add(check.errors, "error");
    add(check.warnings, "warning");
    return marks;
  }

  function problemItem(p, kind) {
    var li = document.createElement("li");
    li.className = "editor-problem editor-problem-" + kind;
    var where = document.createElement("span");
    where.className = "editor-problem-where";
    if (p.line) {
      var link = document.createElement("button");
      link.type = "button";
      link.className = "linklike editor-jump";
      link.textContent = "Line " + p.line;
      link.setAttribute("data-line", p.line);
      link.setAttribute("data-column", p.column || 1);
      where.appendChild(link);
    } else {
      where.textContent = p.where || "The whole definition";
    }
    li.appendChild(where);
    li.appendChild(document.createTextNode(": " + p.message));
    if (p.hint) {
      var hint = document.createElement("span");
      hint.className = "muted";
      hint.textContent = " " + p.hint;
      li.appendChild(hint);
    }
    return li;
  }

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  function showProblems(check) {
    var errors = check.errors || [], warnings = check.warnings || [], tests = check.tests || [];
    var failed = tests.filter(function (t) { return !t.passed; });
    problemsEl.textContent = "";
    errors.forEach(function (p) { problemsEl.appendChild(problemItem(p, "error")); });
    warnings.forEach(function (p) { problemsEl.appendChild(problemItem(p, "warning")); });
    failed.forEach(function (t) {
      problemsEl.appendChild(problemItem({ where: "Golden test “" + t.name + "”",
                                           message: "fails: " + (t.failures || []).join("; ") }, "test"));
    });
    var text;
    if (errors.length) {
      text = plural(errors.length, "error") + " to fix before it can be published.";
    } else {
      text = "It validates" + (warnings.length ? ", with " + plural(warnings.length, "warning") : "") + ".";
      if (tests.length) {
        text += " Golden tests: " + (tests.length - failed.length) + " of " + tests.length + " pass.";
      }
    }
    summaryEl.textContent = text;
    summaryEl.className = "editor-summary" + (errors.length ? " editor-summary-errors"
                                              : failed.length ? " editor-summary-failing" : " editor-summary-ok");
    if (errors.length) { panelsNote.hidden = false; }
  }

  function jump(line, column) {
    var pos = window.CodeMirror.Pos(Math.max(0, line - 1), Math.max(0, column - 1));
    cm.focus();
    cm.setCursor(pos);
    cm.scrollIntoView(pos, 120);
  }

  problemsEl.addEventListener("click", function (event) {
    var target = event.target.closest("[data-line]");
    if (!target) { return; }
    jump(parseInt(target.getAttribute("data-line"), 10), parseInt(target.getAttribute("data-column") || "1", 10));
  });

  // the server-rendered list: make its line labels jump too
  Array.prototype.forEach.call(problemsEl.querySelectorAll("li[data-line] .editor-problem-where"), function (where) {
    var li = where.parentNode;
    var link = document.createElement("button");
    link.type = "button";
    link.className = "linklike editor-jump";
    link.textContent = where.textContent;
    link.setAttribute("data-line", li.getAttribute("data-line"));
    link.setAttribute("data-column", li.getAttribute("data-column") || "1");
    where.textContent = "";
    where.appendChild(link);
  });

  /* ---- autosave ---------------------------------------------------------------- */

  function autosave(text) {
    if (stopped) { return; }
    if (text === savedText) { setStatus(savedStatus[0], savedStatus[1]); return; }
    if (saving) { saveAgain = true; return; }
    saving = true;
    saveAgain = false;
    clearTimeout(retryTimer);
    setStatus("Saving…", "busy");
    post(root.getAttribute("data-save-url"), { text: text }, { "If-Match": etag }).then(answer).then(function (res) {
      saving = false;
      if (res.signedOut) { setStatus(SIGNED_OUT, "error"); renewSession(); return; }
      if (res.status === 412) { return stale(); }
      if (!res.ok) {
        stopped = res.status === 409 || res.status === 404 || res.status === 403;
        setStatus("Not saved: " + (res.data.detail || ("the server answered " + res.status)) +
                  (stopped ? " Copy your text before leaving." : ""), "error");
        return;
      }
      etag = res.headers.get("ETag") || etag;
      savedText = text;
      revisionEl.textContent = res.data.revision;
      savedStatus = ["Saved " + clock() + (res.data.valid ? "" : " (with errors: the panels show the last valid version)"),
                     res.data.valid ? "ok" : "warn"];
      setStatus(savedStatus[0], savedStatus[1]);
      panelsNote.hidden = !!res.data.valid;
      if (res.data.valid) { refreshPanels(); loadVocabulary(); }
      if (saveAgain || cm.getValue() !== savedText) { saveAgain = false; lintNow(); }
    }, function () {
      saving = false;
      setStatus("Not saved: no connection to the server. Your text is kept here; trying again…", "error");
      retryTimer = setTimeout(function () { autosave(cm.getValue()); }, RETRY_MS);
    });
  }

  function stale() {
    stopped = true;
    staleBanner.hidden = false;
    setStatus("Not saved: another admin saved a newer revision. Autosave is off on this page.", "error");
    staleBanner.scrollIntoView({ block: "nearest" });
  }

  function lintNow() {
    if (cm.performLint) { cm.performLint(); }
  }

  function saveNow() {
    if (stopped) { stale(); return; }
    lintNow();  // the check saves when it answers
  }

  cm.on("change", function () {
    if (stopped) { return; }
    if (cm.getValue() !== savedText) { setStatus("Changed; checking…", "busy"); }
    else { setStatus(savedStatus[0], savedStatus[1]); }  // back to what is saved
  });

  window.addEventListener("beforeunload", function (event) {
    if (cm.getValue() !== savedText) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  /* ---- panels ------------------------------------------------------------------ */

  // every panel but the simulation, whose result belongs to the run the admin started
  // (refreshing it would wipe a running or finished simulation): that one is only
  // marked as made on an earlier revision
  function refreshPanels() {
    Array.prototype.forEach.call(root.querySelectorAll("[data-panel][data-panel-url]"), function (panel) {
      if (panel.getAttribute("data-panel") === "simulate") { markSimulationOld(panel); return; }
      fetch(panel.getAttribute("data-panel-url"), { credentials: "same-origin", headers: { "Accept": "text/html" } }).then(function (resp) {
        return resp.ok ? resp.text() : null;
      }).then(function (html) {
        if (html === null || html === undefined) { return; }
        var body = panel.querySelector("[data-panel-body]");
        body.innerHTML = html;  // our own server-rendered, escaped fragment
        panel.dispatchEvent(new CustomEvent("panel:refreshed", { bubbles: true }));
      }, function () { /* keep the panel as it was; the next valid save tries again */ });
    });
  }

  function markSimulationOld(panel) {
    var result = panel.querySelector("[data-testid=simulation]");
    if (!result || result.querySelector(".editor-old-run")) { return; }
    var note = document.createElement("p");
    note.className = "editor-old-run muted";
    note.setAttribute("data-testid", "simulation-old");
    note.textContent = "This simulation ran on an earlier revision of the text; simulate again to see the current one.";
    result.insertBefore(note, result.firstChild);
  }

  /* ---- autocomplete -------------------------------------------------------------- */

  var FACT_PREFIX = /(?:^|[^\w.])((?:form|case|totals|submission|links)\.[\w.]*)$/;
  var CATEGORY_WORDS = ["top_level", "section_keys", "field_types", "fields", "facts", "ops",
                        "actions", "severities", "triggers", "connector_formats", "channels",
                        "case_types", "forms", "states", "transitions", "roles", "articles",
                        "labor", "templates", "webhooks", "rules", "connectors"];

  function loadVocabulary() {
    var url = root.getAttribute("data-vocabulary-url");
    if (!url) { return; }
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } }).then(function (resp) {
      return resp.ok ? resp.json() : null;
    }).then(function (data) {
      if (!data) { return; }
      var items = [];
      CATEGORY_WORDS.concat(Object.keys(data).filter(function (k) { return CATEGORY_WORDS.indexOf(k) < 0; }))
        .forEach(function (category) {
          (Array.isArray(data[category]) ? data[category] : []).forEach(function (item) {
            if (item && typeof item.label === "string") {
              items.push({ label: item.label, detail: item.detail || "", category: category });
            }
          });
        });
      vocabulary = items;
    }, function () { /* autocomplete keeps the words it has */ });
  }

  function hint(editor) {
    var cur = editor.getCursor();
    var before = editor.getLine(cur.line).slice(0, cur.ch);
    var fact = FACT_PREFIX.exec(before);
    var word, categories;
    if (fact) {
      word = fact[1];
      categories = ["facts"];
    } else if (/\bop:\s*\w*$/.test(before)) {
      word = /(\w*)$/.exec(before)[1];
      categories = ["ops"];
    } else {
      word = /([\w:.-]*)$/.exec(before)[1];
      categories = null;
    }
    var lower = word.toLowerCase();
    var seen = {};
    var list = vocabulary.filter(function (item) {
      if (categories && categories.indexOf(item.category) < 0) { return false; }
      if (item.label.toLowerCase().indexOf(lower) !== 0 || seen[item.label]) { return false; }
      seen[item.label] = true;
      return true;
    }).slice(0, 200).map(function (item) {
      return { text: item.label, displayText: item.label + (item.detail ? "  — " + item.detail : ""),
               className: "editor-hint-" + item.category };
    });
    return { list: list, from: window.CodeMirror.Pos(cur.line, cur.ch - word.length), to: cur };
  }

  cm.setOption("hintOptions", { hint: hint, completeSingle: false });
  cm.on("inputRead", function (editor, change) {
    if (editor.state.completionActive || change.origin !== "+input") { return; }
    var cur = editor.getCursor();
    var before = editor.getLine(cur.line).slice(0, cur.ch);
    if (/(?:^|[^\w.])(form|case|totals)\.$/.test(before) || /\bop:\s$/.test(before)) {
      editor.showHint();
    }
  });

  loadVocabulary();
  savedStatus = ["Revision " + revisionEl.textContent + " is saved. Changes are checked and saved as you type.", "ok"];
  setStatus(savedStatus[0], savedStatus[1]);
  if (root.getAttribute("data-stale") === "true") { stale(); }
}());
