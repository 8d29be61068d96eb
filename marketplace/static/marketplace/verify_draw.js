/* Verify a published draw record in the browser (Web Crypto SHA-256), the same checks in the same order
 * as tools/verify_draw.py: commitment = sha256(secret); seed = sha256(code|closed_at|candidates|secret|beacon);
 * order = candidates sorted by sha256(seed + uscc); selected = first of the order that did not abandon;
 * digest = sha256 of the canonical JSON of every other field.
 *
 * Page use: <textarea id="draw-json"> holds the record, a <button data-verify-draw> runs the check and
 * #draw-verdict shows 验证通过 or the first mismatch. `window.verifyDraw(record)` resolves to null (valid)
 * or the reason (English, exactly as tools/verify_draw.py prints it).
 */
(function () {
  "use strict";

  var REQUIRED = ["project_code", "closed_at", "commitment", "secret", "beacon", "candidates", "excluded", "seed",
    "order", "selected"];

  async function sha256hex(text) {
    var bytes = new TextEncoder().encode(text);
    var digest = await crypto.subtle.digest("SHA-256", bytes);
    return Array.from(new Uint8Array(digest)).map(function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  function cmp(a, b) { return a < b ? -1 : a > b ? 1 : 0; }

  /* Python's json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")). */
  function canonical(value) {
    if (Array.isArray(value)) { return "[" + value.map(canonical).join(",") + "]"; }
    if (value !== null && typeof value === "object") {
      return "{" + Object.keys(value).sort(cmp).map(function (k) {
        return JSON.stringify(k) + ":" + canonical(value[k]);
      }).join(",") + "}";
    }
    return JSON.stringify(value);
  }

  function isStringList(x) { return Array.isArray(x) && x.every(function (u) { return typeof u === "string"; }); }

  function sameList(a, b) { return a.length === b.length && a.every(function (x, i) { return x === b[i]; }); }

  async function check(record) {
    if (record === null || typeof record !== "object" || Array.isArray(record)) { return "the record is not a JSON object"; }
    for (var i = 0; i < REQUIRED.length; i++) {
      if (!(REQUIRED[i] in record)) { return "missing field " + REQUIRED[i]; }
    }
    var textFields = ["project_code", "closed_at", "commitment", "secret", "beacon", "seed"];
    for (var j = 0; j < textFields.length; j++) {
      if (typeof record[textFields[j]] !== "string") { return textFields[j] + " must be a string"; }
    }
    var candidates = record.candidates, order = record.order, excluded = record.excluded;
    var abandoned = "abandoned" in record ? record.abandoned : [];
    if (!isStringList(candidates) || !isStringList(order) || !isStringList(abandoned)) {
      return "candidates, order and abandoned must be lists of USCCs";
    }
    if (await sha256hex(record.secret) !== record.commitment) { return "commitment does not equal sha256(secret)"; }
    var sorted = candidates.slice().sort(cmp);
    if (!sameList(sorted, candidates) || new Set(candidates).size !== candidates.length) {
      return "candidates are not sorted and unique";
    }
    if (!Array.isArray(excluded) || !excluded.every(function (e) {
      return e !== null && typeof e === "object" && !Array.isArray(e) && typeof e.uscc === "string" &&
        typeof e.reason === "string" && e.reason.trim() !== "";
    })) { return "every excluded registrant needs a uscc and a reason"; }
    var excludedSet = new Set(excluded.map(function (e) { return e.uscc; }));
    if (candidates.some(function (u) { return excludedSet.has(u); })) { return "a candidate is also listed as excluded"; }
    var message = [record.project_code, record.closed_at, candidates.join(","), record.secret, record.beacon].join("|");
    var seed = await sha256hex(message);
    if (seed !== record.seed) { return "seed does not match the inputs"; }
    var keyed = await Promise.all(candidates.map(async function (u) { return [await sha256hex(seed + u), u]; }));
    keyed.sort(function (a, b) { return cmp(a[0], b[0]); });
    if (!sameList(keyed.map(function (k) { return k[1]; }), order)) { return "order does not match the seed"; }
    if (!sameList(abandoned, order.slice(0, abandoned.length))) { return "abandoned agencies are not the head of the order"; }
    var expected = abandoned.length < order.length ? order[abandoned.length] : null;
    if (record.selected !== expected) { return "selected is not the first agency of the order that did not abandon"; }
    if ("digest" in record) {
      var body = {};
      Object.keys(record).forEach(function (k) { if (k !== "digest") { body[k] = record[k]; } });
      if (await sha256hex(canonical(body)) !== record.digest) {
        return "digest does not match the record (a field was altered)";
      }
    }
    return null;
  }

  window.verifyDraw = check;

  /* The reason in the page's language (a JSON map from the English reason, or from its fixed part). */
  function localised(reason) {
    var node = document.getElementById("draw-reasons");
    var map = node ? JSON.parse(node.textContent) : {};
    if (map[reason]) { return map[reason]; }
    if (reason.indexOf("missing field ") === 0 && map["missing field "]) {
      return map["missing field "] + reason.slice("missing field ".length);
    }
    var tail = " must be a string";
    if (reason.slice(-tail.length) === tail && map[tail]) { return reason.slice(0, -tail.length) + map[tail]; }
    return reason;
  }

  function verdictText(reason, box) {
    if (reason === null) { return box.dataset.ok; }
    return (box.dataset.failed || "") + localised(reason);
  }

  async function run(box, source) {
    var reason;
    try {
      reason = await check(JSON.parse(source.value));
    } catch (err) {
      reason = "the record is not valid JSON";
    }
    box.textContent = verdictText(reason, box);
    box.className = reason === null ? "msg success" : "msg error";
    box.dataset.valid = reason === null ? "1" : "0";
    box.dataset.reason = reason === null ? "" : reason;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector("[data-verify-draw]");
    var source = document.getElementById("draw-json");
    var box = document.getElementById("draw-verdict");
    if (!button || !source || !box) { return; }
    button.addEventListener("click", function () { run(box, source); });
    run(box, source);
  });
}());
