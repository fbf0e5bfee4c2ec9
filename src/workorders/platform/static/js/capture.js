/* workorders: the technician's form page on a phone with a flaky connection.
 *
 * - shows and requires fields live (visible_if / required_if; the server judges again);
 * - adds and removes time and material rows, keeping the posted names numbered 0..n-1
 *   so the server's error pointers (/time/1/hours) match the rows on screen;
 * - uploads photos and the signature as soon as they exist;
 * - keeps what was typed in localStorage on every change, and sends the form with
 *   fetch and an Idempotency-Key that is kept with the stored copy until the server
 *   answers, so a dropped connection is retried with the same key: never lost, never
 *   stored twice.
 * No inline scripts or styles (the CSP forbids them): only classes and `hidden`.
 */
(function () {
  "use strict";

  var form = document.getElementById("capture-form");
  if (!form) { return; }
  var storageKey = form.getAttribute("data-storage-key");
  // the editor's form preview: an ordinary post (the answer is a page), nothing kept here
  var preview = form.hasAttribute("data-preview");
  var revision = form.getAttribute("data-revision");
  var statusEl = form.querySelector("[data-send-status]");
  var csrf = (form.querySelector("input[name=csrf_token]") || {}).value || "";
  var RETRY_MS = 4000;
  var pending = null;        // {key, entries, action} while a send waits for an answer
  var retryTimer = null;
  var uploads = 0;           // uploads still running (a send waits for them)
  var uploadQueue = [];      // uploads that failed for want of a connection

  function $all(sel, root) { return Array.prototype.slice.call((root || form).querySelectorAll(sel)); }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function setStatus(text, kind) {
    if (!statusEl) { return; }
    statusEl.textContent = text;
    statusEl.className = "send-status" + (kind ? " send-" + kind : "");
  }

  /* ---- values and conditions ------------------------------------------------ */

  function fieldValue(box) {
    var id = box.getAttribute("data-field");
    var type = box.getAttribute("data-type");
    if (box.hidden) { return undefined; }
    if (type === "photos") { return $all("[data-photo] input[type=hidden]", box).length ? true : undefined; }
    if (type === "time_entries" || type === "material_lines") {
      return $all("[data-row]", box).some(function (row) {
        return $all("input, select, textarea", row).some(function (el) {
          return (el.type === "checkbox" || el.type === "radio") ? el.checked : el.value.trim() !== "";
        });
      }) ? true : undefined;
    }
    if (type === "signature" || type === "approval") {
      return $all("input", box).some(function (el) {
        return (el.type === "radio") ? el.checked : el.value.trim() !== "";
      }) ? true : undefined;
    }
    var els = $all("[name='" + id + "']", box);
    if (type === "choice" && els.length && els[0].type === "checkbox") {
      var chosen = els.filter(function (el) { return el.checked; }).map(function (el) { return el.value; });
      return chosen.length ? chosen : undefined;
    }
    var value = "";
    els.forEach(function (el) {
      if (el.type === "radio") { if (el.checked) { value = el.value; } } else { value = el.value; }
    });
    if (value.trim() === "") { return undefined; }
    if (type === "boolean") { return value === "true"; }
    return value;
  }

  function same(a, b) {
    if (typeof b === "boolean") { return a === b; }
    if (typeof b === "number" || (typeof a === "string" && /^-?\d+([.,]\d+)?$/.test(a) && /^-?\d+(\.\d+)?$/.test(String(b)))) {
      return parseFloat(String(a).replace(",", ".")) === parseFloat(String(b));
    }
    return String(a) === String(b);
  }

  function holds(cond, values) {
    var v = values[cond.field];
    if (cond.op === "present") { return (v !== undefined) === (cond.value !== false); }
    if (v === undefined) { return cond.op === "not_equals"; }
    var many = Array.isArray(v) ? v : [v];
    if (cond.op === "equals") { return many.some(function (x) { return same(x, cond.value); }); }
    if (cond.op === "not_equals") { return !many.some(function (x) { return same(x, cond.value); }); }
    if (cond.op === "in") { return many.some(function (x) { return cond.value.some(function (y) { return same(x, y); }); }); }
    return true;
  }

  function applyConditions() {
    var boxes = $all("[data-field][data-type]");
    for (var pass = 0; pass < 4; pass += 1) {   // hiding cascades: a few passes settle it
      var values = {};
      boxes.forEach(function (box) { values[box.getAttribute("data-field")] = fieldValue(box); });
      var changed = false;
      boxes.forEach(function (box) {
        var vis = box.getAttribute("data-visible-if");
        if (vis) {
          var show = holds(JSON.parse(vis), values);
          if (box.hidden === show) { box.hidden = !show; changed = true; }
        }
        var req = box.getAttribute("data-required-if");
        if (req) { box.classList.toggle("is-required", holds(JSON.parse(req), values)); }
      });
      if (!changed) { break; }
    }
  }

  /* ---- rows ----------------------------------------------------------------- */

  function renumber(list) {
    var field = list.getAttribute("data-lines");
    $all("[data-row]", list).forEach(function (row, i) {
      var re = new RegExp("^" + field + "-(\\d+|__index__)-");
      $all("[name]", row).forEach(function (el) { el.name = el.name.replace(re, field + "-" + i + "-"); });
      $all("[id]", row).forEach(function (el) { el.id = el.id.replace(re, field + "-" + i + "-").replace(new RegExp("^f-" + field + "-(\\d+|__index__)-"), "f-" + field + "-" + i + "-"); });
      $all("label[for]", row).forEach(function (el) { el.htmlFor = el.htmlFor.replace(new RegExp("^f-" + field + "-(\\d+|__index__)-"), "f-" + field + "-" + i + "-"); });
      var pathRe = new RegExp("^/" + field + "/(\\d+|__index__)");
      [row].concat($all("[data-path]", row)).forEach(function (el) {
        el.setAttribute("data-path", el.getAttribute("data-path").replace(pathRe, "/" + field + "/" + i));
      });
      var number = row.querySelector("[data-row-number]");
      if (number) { number.textContent = String(i + 1); }
    });
  }

  function today() {
    var d = new Date();
    return d.getFullYear() + "-" + ("0" + (d.getMonth() + 1)).slice(-2) + "-" + ("0" + d.getDate()).slice(-2);
  }

  function addRow(field, fresh) {
    var list = form.querySelector("[data-lines='" + field + "']");
    var tpl = form.querySelector("template[data-row-template='" + field + "']");
    if (!list || !tpl) { return null; }
    var row = tpl.content.firstElementChild.cloneNode(true);
    list.appendChild(row);
    renumber(list);
    showArticle(row);
    return row;
  }

  /* ---- material: catalog article hints ------------------------------------- */

  var articles = {};
  $all("#wo-articles option").forEach(function (o) {
    articles[o.value] = { name: o.getAttribute("data-name"), unit: o.getAttribute("data-unit"), price: o.getAttribute("data-price") };
  });

  function showArticle(row) {
    var input = row.querySelector(".leaf-article input");
    var hint = row.querySelector("[data-article-hint]");
    if (!input || !hint) { return; }
    var a = articles[input.value.trim()];
    hint.textContent = a ? a.name + " · " + a.unit + " · " + a.price : "";
    var unit = row.querySelector(".leaf-unit input");
    if (unit) { unit.placeholder = a ? a.unit : ""; }
    var desc = row.querySelector(".leaf-description input");
    $all(".free-only", row).forEach(function (el) {
      el.hidden = !(desc && desc.value.trim() !== "" && !a);
    });
  }

  /* ---- local copy ------------------------------------------------------------ */

  function entries(includeFiles) {
    var out = [];
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string") { out.push([name, value]); } else if (includeFiles) { out.push([name, value]); }
    });
    return out;
  }

  function save(note) {
    if (preview) { return; }
    try {
      var auto = $all("[data-auto]").map(function (el) { return el.name; });
      localStorage.setItem(storageKey, JSON.stringify({ base: revision, values: entries(false), auto: auto, pending: pending, at: Date.now() }));
      if (note !== false && !pending) { setStatus("Saved on this phone (not sent yet)", "saved"); }
    } catch (e) {
      setStatus("This phone could not keep a copy: send the form before leaving the page", "error");
    }
  }

  function forget() { try { localStorage.removeItem(storageKey); } catch (e) { /* private mode */ } }

  function restore(values) {
    var counts = {};
    values.forEach(function (pair) {
      var m = /^([a-z0-9_]+)-(\d+)(-|$)/.exec(pair[0]);
      if (m) { counts[m[1]] = Math.max(counts[m[1]] || 0, parseInt(m[2], 10) + 1); }
    });
    $all("[data-lines]").forEach(function (list) {
      var field = list.getAttribute("data-lines");
      var want = counts[field] || 0;
      while ($all("[data-row]", list).length < want) { addRow(field, false); }
      while ($all("[data-row]", list).length > Math.max(want, 1)) { list.lastElementChild.remove(); }
    });
    $all("[data-photo-list]").forEach(function (list) {
      var field = list.getAttribute("data-field");
      list.textContent = "";
      values.forEach(function (pair) {
        if (new RegExp("^" + field + "-\\d+$").test(pair[0])) { addPhoto(list, pair[1]); }
      });
      renumberPhotos(list);
    });
    var byName = {};
    values.forEach(function (pair) { (byName[pair[0]] = byName[pair[0]] || []).push(pair[1]); });
    $all("input[name], select[name], textarea[name]").forEach(function (el) {
      if (el.type === "file" || el.name === "csrf_token" || /^[a-z0-9_]+-\d+$/.test(el.name) && el.closest("[data-photo]")) { return; }
      var got = byName[el.name] || [];
      if (el.type === "checkbox" || el.type === "radio") { el.checked = got.indexOf(el.value) >= 0; } else { el.value = got.length ? got[0] : ""; }
    });
    $all("[data-signature]").forEach(showSignature);
    $all("[data-row]").forEach(showArticle);
  }

  /* ---- uploads: photos and the signature ------------------------------------- */

  /* One upload; a refusal or a dropped connection rejects with words for the person.
   * The caller keeps ``key`` for a retry, so a photo the server got but whose answer
   * was lost is not stored twice. A failed upload never holds up sending the form. */
  function upload(blob, filename, key) {
    key = key || newKey();
    uploads += 1;
    return new Promise(function (resolve, reject) {
      var body = new FormData();
      body.append("file", blob, filename);
      fetch(form.getAttribute("data-upload-url"), {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, "Idempotency-Key": key, "Accept": "application/json" }
      }).then(function (resp) {
        return resp.json().catch(function () { return { error: "The server answered " + resp.status + ": try again." }; })
          .then(function (json) {
            uploads -= 1;
            if (resp.ok) { resolve(json); } else { reject(new Error(json.error || "Upload refused (" + resp.status + ").")); }
          });
      }, function () {
        uploads -= 1;
        var offline = new Error("No connection.");
        offline.offline = true;
        reject(offline);
      });
    });
  }

  function renumberPhotos(list) {
    var field = list.getAttribute("data-field");
    $all("[data-photo]", list).forEach(function (li, i) {
      var input = li.querySelector("input[type=hidden]");
      if (input) { input.name = field + "-" + i; }
      li.setAttribute("data-path", "/" + field + "/" + i);
    });
  }

  function addPhoto(list, id) {
    var li = document.createElement("li");
    li.className = "photo";
    li.setAttribute("data-photo", "");
    var img = document.createElement("img");
    img.alt = "Photo";
    var input = document.createElement("input");
    input.type = "hidden";
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "outline secondary";
    remove.setAttribute("data-remove-photo", "");
    remove.textContent = "Remove";
    if (id) {
      img.src = form.getAttribute("data-thumbnail-url").replace("__id__", encodeURIComponent(id));
      input.value = id;
      li.appendChild(input);
    } else {
      li.classList.add("uploading");
    }
    li.appendChild(img);
    li.appendChild(remove);
    list.appendChild(li);
    return { li: li, img: img, input: input, remove: remove };
  }

  function tryPhoto(list, item, file, key) {
    var max = parseInt(list.getAttribute("data-max") || "0", 10);
    item.li.classList.remove("upload-failed");
    item.li.classList.add("uploading");
    item.note.className = "muted";
    item.note.textContent = "Uploading…";
    item.actions.hidden = true;
    item.remove.textContent = "Remove";
    upload(file, file.name || "photo.jpg", key).then(function (json) {
      item.li.classList.remove("uploading");
      item.input.value = json.id;
      item.li.insertBefore(item.input, item.li.firstChild);
      item.note.remove();
      item.actions.remove();
      renumberPhotos(list);
      changed();
      if (max && $all("[data-photo] input[type=hidden]", list).length > max) {
        setStatus("At most " + max + " photos: remove some before submitting", "error");
      }
    }, function (err) {
      if (!item.li.isConnected) { return; }
      item.li.classList.remove("uploading");
      item.li.classList.add("upload-failed");
      item.note.className = "field-error";
      item.note.textContent = "Not uploaded: " + err.message + " Retry, or drop it: the form can be sent without it.";
      item.actions.hidden = false;
      item.remove.textContent = "Drop";
      item.retry = function () { tryPhoto(list, item, file, key); };
      if (err.offline) {   // tried again by itself when the connection is back
        uploadQueue.push(function () { if (item.li.isConnected && item.li.classList.contains("upload-failed")) { item.retry(); } });
      }
    });
  }

  function takePhotos(fileInput) {
    var field = fileInput.getAttribute("data-photo-input");
    var list = form.querySelector("[data-photo-list][data-field='" + field + "']");
    Array.prototype.forEach.call(fileInput.files, function (file) {
      var item = addPhoto(list, null);
      item.img.src = URL.createObjectURL(file);
      item.note = document.createElement("small");
      item.li.appendChild(item.note);
      item.actions = document.createElement("div");
      item.actions.className = "upload-actions";
      var retry = document.createElement("button");
      retry.type = "button";
      retry.textContent = "Retry";
      retry.setAttribute("data-retry-photo", "");
      item.actions.appendChild(retry);
      item.li.appendChild(item.actions);
      item.li.appendChild(item.remove);   // Drop, beside Retry
      item.li.retryUpload = function () { if (item.retry) { item.retry(); } };
      tryPhoto(list, item, file, newKey());
    });
    fileInput.value = "";
  }

  var pads = {};

  function showSignature(box) {
    var image = box.querySelector("[data-signature-image]");
    var saved = box.querySelector("[data-signature-saved]");
    var padBox = box.querySelector("[data-signature-pad]");
    var has = image.value !== "";
    saved.hidden = !has;
    padBox.hidden = has;
    if (has) { box.querySelector("[data-signature-preview]").src = form.getAttribute("data-attachment-url").replace("__id__", encodeURIComponent(image.value)); }
    if (!has) { sizePad(box); }
  }

  function sizePad(box) {
    var canvas = box.querySelector("canvas");
    var pad = pads[box.getAttribute("data-signature")];
    if (!canvas || !pad || canvas.offsetWidth === 0) { return; }
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    var data = pad.toData();
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    pad.clear();
    pad.fromData(data);
  }

  function localNow() {
    var d = new Date();
    return today() + "T" + ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }

  /* Store a signature image (drawn, or the typed name drawn by the page) and show it. */
  function saveSignature(box, blob, filename, typed) {
    var field = box.getAttribute("data-signature");
    var status = box.querySelector("[data-signature-status]");
    status.textContent = "Saving the signature…";
    return upload(blob, filename).then(function (json) {
      box.querySelector("[data-signature-image]").value = json.id;
      var when = box.querySelector(".leaf-signed_at input");
      if (when && !when.value) { when.value = localNow(); }
      status.textContent = "";
      var caption = box.querySelector("[data-signature-kind]");
      if (caption) { caption.textContent = typed ? "Typed signature saved (not drawn)." : "Signature saved."; }
      showSignature(box);
      changed();
      var name = box.querySelector(".leaf-name input");
      if (name && !name.value) { name.focus(); }
      return json;
    }, function (err) {
      status.textContent = "Not saved: " + err.message + " Tap Done to try again.";
      throw err;
    });
  }

  function canvasBlob(canvas) {
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/png"); });
  }

  /* Drawn but not saved with Done: saved now, before the form is sent. */
  function flushSignatures() {
    return Promise.all($all("[data-signature]").map(function (box) {
      var pad = pads[box.getAttribute("data-signature")];
      var image = box.querySelector("[data-signature-image]");
      if (!pad || pad.isEmpty() || image.value !== "") { return null; }
      var canvas = box.querySelector("canvas");
      return canvasBlob(canvas).then(function (blob) {
        return saveSignature(box, blob, box.getAttribute("data-signature") + ".png", false);
      });
    }));
  }

  /* The accessible alternative to drawing: the signer's typed name, drawn as an image
   * that says in words it was typed, stored as the signature. */
  function typedSignature(name) {
    var canvas = document.createElement("canvas");
    canvas.width = 600;
    canvas.height = 200;
    var ctx = canvas.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = "#10182a";
    ctx.font = "italic 48px Georgia, serif";
    ctx.fillText(name, 24, 100, 552);
    ctx.font = "20px sans-serif";
    ctx.fillText("Typed signature (not drawn), " + localNow().replace("T", " "), 24, 170, 552);
    return canvasBlob(canvas);
  }

  function wireSignature(box) {
    var field = box.getAttribute("data-signature");
    var canvas = box.querySelector("canvas");
    var status = box.querySelector("[data-signature-status]");
    var typedButton = box.querySelector("[data-signature-typed]");
    if (typedButton) {
      typedButton.hidden = false;
      typedButton.addEventListener("click", function () {
        var name = box.querySelector(".leaf-name input");
        if (!name || name.value.trim() === "") {
          status.textContent = "Type the signer's name in the field below first.";
          if (name) { name.focus(); }
          return;
        }
        typedSignature(name.value.trim()).then(function (blob) {
          return saveSignature(box, blob, "typed-signature-" + field + ".png", true);
        }).catch(function () { /* the status says it */ });
      });
    }
    if (!window.SignaturePad || !canvas) { return; }
    var pad = new window.SignaturePad(canvas, { penColor: "#10182a" });
    pads[field] = pad;
    sizePad(box);
    box.querySelector("[data-signature-clear]").addEventListener("click", function () { pad.clear(); });
    box.querySelector("[data-signature-again]").addEventListener("click", function () {
      box.querySelector("[data-signature-image]").value = "";
      showSignature(box);
      pad.clear();
      changed();
    });
    box.querySelector("[data-signature-done]").addEventListener("click", function () {
      if (pad.isEmpty()) { status.textContent = "Sign in the box first."; return; }
      canvasBlob(canvas).then(function (blob) {
        return saveSignature(box, blob, field + ".png", false);
      }).catch(function () { /* the status says it */ });
    });
  }

  /* The signer's name is asked once: the bundle's separate name field (required when
   * the signature is present) is hidden and takes the signature's name. */
  function mirrorSignerNames() {
    var raw = form.getAttribute("data-signer-mirrors");
    if (!raw) { return; }
    var mirrors = JSON.parse(raw);
    Object.keys(mirrors).forEach(function (target) {
      var box = form.querySelector("[data-field='" + target + "']");
      var source = form.querySelector("input[name='" + mirrors[target] + "-name']");
      var input = box && box.querySelector("input[name='" + target + "']");
      if (!box || !source || !input) { return; }
      box.classList.add("signer-mirror");
      box.hidden = true;
      box.removeAttribute("data-visible-if");
      function copy() { input.value = source.value; }
      source.addEventListener("input", function () { copy(); save(); });
      if (!input.value) { copy(); }
    });
  }

  /* ---- sending ------------------------------------------------------------------ */

  function offset(local) {
    var minutes = -new Date(local).getTimezoneOffset();
    var sign = minutes >= 0 ? "+" : "-";
    minutes = Math.abs(minutes);
    return sign + ("0" + Math.floor(minutes / 60)).slice(-2) + ":" + ("0" + (minutes % 60)).slice(-2);
  }

  function prepared(pairs) {
    var decimals = {};
    var dates = {};
    $all("[inputmode=decimal]").forEach(function (el) { decimals[el.name] = true; });
    $all("[data-append-offset]").forEach(function (el) { dates[el.name] = true; });
    return pairs.map(function (pair) {
      var value = pair[1];
      if (decimals[pair[0]]) { value = value.trim().replace(",", "."); }
      if (dates[pair[0]] && /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?$/.test(value)) { value += offset(value); }
      return [pair[0], value];
    });
  }

  function clearErrors() {
    $all(".field-error, .field-warning").forEach(function (el) { if (!el.closest("[data-photo]") || el.hasAttribute("data-server")) { el.remove(); } });
    var box = document.querySelector("[data-form-errors]");
    if (box) { box.hidden = true; box.querySelector("ul").textContent = ""; }
  }

  function showErrors(errors) {
    clearErrors();
    var box = document.querySelector("[data-form-errors]");
    var first = null;
    errors.forEach(function (e) {
      var target = document.querySelector("[data-path='" + e.path.replace(/'/g, "") + "']");
      var small = document.createElement("small");
      small.className = "field-error";
      small.textContent = e.message;
      if (target) {
        target.appendChild(small);
        first = first || target;
      } else if (box) {
        var li = document.createElement("li");
        li.textContent = e.path ? e.path + ": " + e.message : e.message;
        box.querySelector("ul").appendChild(li);
        box.hidden = false;
        first = first || box;
      }
    });
    if (first) { first.scrollIntoView({ block: "center" }); }
  }

  function scheduleRetry() {
    if (retryTimer) { return; }
    retryTimer = window.setInterval(function () { if (pending) { send(); } }, RETRY_MS);
  }

  function stopRetry() {
    if (retryTimer) { window.clearInterval(retryTimer); retryTimer = null; }
  }

  function waiting(text) {
    setStatus(text || "Waiting for connection: the report is kept on this phone and sent when you are back online", "waiting");
    scheduleRetry();
  }

  function answered(resp, json) {
    pending = null;
    stopRetry();
    if (resp.ok && json.ok) {
      forget();
      setStatus(json.kind === "draft" ? "Draft sent: saved on the server" : "Sent", "sent");
      window.setTimeout(function () { window.location.assign(json.redirect); }, 700);
      return;
    }
    save(false);
    showErrors(json.errors || []);
    setStatus(json.message || "Not sent (" + resp.status + ")", "error");
  }

  var sending = false;

  function send() {
    if (!pending || sending) { return; }
    if (uploads > 0) { setStatus("Waiting for uploads to finish…", "waiting"); scheduleRetry(); return; }
    sending = true;
    var body = new FormData();
    pending.entries.forEach(function (pair) { body.append(pair[0], pair[1]); });
    setStatus("Sending…", "sending");
    fetch(form.action, {
      method: "POST", body: body, credentials: "same-origin", redirect: "follow",
      headers: { "X-CSRFToken": csrf, "Idempotency-Key": pending.key, "Accept": "application/json" }
    }).then(function (resp) {
      sending = false;
      var type = resp.headers.get("Content-Type") || "";
      if (type.indexOf("json") < 0 || resp.status >= 500) {
        waiting(resp.status >= 500 ? "The server had a problem: trying again in a moment"
                                   : "Your session has ended: sign in again in another tab; the report is kept here");
        return;
      }
      return resp.json().then(function (json) { answered(resp, json); });
    }, function () {
      sending = false;
      waiting();
    });
  }

  form.addEventListener("submit", function (event) {
    if (preview) { return; }
    event.preventDefault();
    if (pending) { send(); return; }
    var submitter = event.submitter || form.querySelector("button[type=submit]");
    flushSignatures().then(function () {
      var skip = untouchedNames();
      var pairs = entries(false).filter(function (pair) { return !skip[pair[0]]; });
      if (submitter && submitter.name) { pairs.push([submitter.name, submitter.value]); }
      pending = { key: newKey(), entries: prepared(pairs) };
      save(false);
      send();
    }, function (err) {
      setStatus("The signature could not be saved: " + err.message, "error");
    });
  });

  window.addEventListener("online", function () {
    uploadQueue.splice(0).forEach(function (retry) { retry(); });
    if (pending) { send(); }
  });
  window.setInterval(function () {
    if (navigator.onLine !== false) { uploadQueue.splice(0).forEach(function (retry) { retry(); }); }
  }, RETRY_MS);

  /* ---- wiring ------------------------------------------------------------------- */

  function changed() {
    applyConditions();
    save();
  }

  /* A row is used once a person types into it: then its date becomes today, its work
   * type the form's first one, and a catalog article's quantity 1, each marked as
   * filled in by the page (data-auto). A row whose only values are such fills (the
   * person typed and cleared again) is not sent: an untouched row is no line. */
  function autofill(el, value) {
    if (el && el.value === "") { el.value = value; el.setAttribute("data-auto", ""); }
  }

  function rowTouched(row, target) {
    if (target && target.removeAttribute) { target.removeAttribute("data-auto"); }
    var date = row.querySelector(".leaf-date input");
    if (date && target !== date) { autofill(date, today()); }
    var labor = row.querySelector(".leaf-labor select");
    if (labor && target !== labor) {
      var first = $all("option", labor).filter(function (o) { return o.value !== ""; })[0];
      if (first) { autofill(labor, first.value); }
    }
    var article = row.querySelector(".leaf-article input");
    var quantity = row.querySelector(".leaf-quantity input");
    if (article && quantity && target === article && articles[article.value.trim()]) { autofill(quantity, "1"); }
    showArticle(row);
  }

  function untouchedNames() {
    var names = {};
    $all("[data-row]").forEach(function (row) {
      var typed = $all("input, select, textarea", row).some(function (el) {
        if (el.type === "checkbox" || el.type === "radio") { return el.checked; }
        return el.value.trim() !== "" && !el.hasAttribute("data-auto");
      });
      if (!typed) { $all("[name]", row).forEach(function (el) { names[el.name] = true; }); }
    });
    return names;
  }

  form.addEventListener("input", function (event) {
    var row = event.target.closest && event.target.closest("[data-row]");
    if (row) { rowTouched(row, event.target); }
    changed();
  });
  form.addEventListener("change", function (event) {
    var t = event.target;
    if (t.matches("[data-photo-input]")) { takePhotos(t); return; }
    if (t.matches("[inputmode=decimal]")) { t.value = t.value.replace(",", "."); }
    var row = t.closest("[data-row]");
    if (row) { rowTouched(row, t); }
    changed();
  });
  form.addEventListener("click", function (event) {
    var t = event.target;
    if (t.matches("[data-add-row]")) {
      var row = addRow(t.getAttribute("data-add-row"), true);
      if (row) { var first = row.querySelector("input:not([type=hidden]), select"); if (first) { first.focus(); } }
      changed();
    } else if (t.matches("[data-remove-row]")) {
      var list = t.closest("[data-lines]");
      t.closest("[data-row]").remove();
      renumber(list);
      changed();
    } else if (t.matches("[data-retry-photo]")) {
      var failed = t.closest("[data-photo]");
      if (failed && failed.retryUpload) { failed.retryUpload(); }
    } else if (t.matches("[data-remove-photo]")) {
      var photos = t.closest("[data-photo-list]");
      t.closest("[data-photo]").remove();
      renumberPhotos(photos);
      changed();
    }
  });

  if (form.getAttribute("data-mode") !== "final") {
    $all("[data-signature]").forEach(wireSignature);
    window.addEventListener("resize", function () { $all("[data-signature]").forEach(sizePad); });
    var stored = null;
    try { stored = preview ? null : JSON.parse(localStorage.getItem(storageKey) || "null"); } catch (e) { stored = null; }
    if (stored && String(stored.base) === String(revision)) {
      restore(stored.values || []);
      (stored.auto || []).forEach(function (name) {   // what the page filled stays marked as such
        var el = form.querySelector("[name='" + name + "']");
        if (el) { el.setAttribute("data-auto", ""); }
      });
      if (stored.pending) {
        pending = stored.pending;
        send();
      } else {
        setStatus("Restored what you typed on this phone (not sent yet)", "saved");
      }
    } else if (stored) {
      forget();   // the server has a newer revision than this copy was based on
    }
  }
  mirrorSignerNames();
  $all("[data-needs-script]").forEach(function (el) { el.classList.add("has-script"); });
  $all("[data-row]").forEach(showArticle);
  applyConditions();
})();
