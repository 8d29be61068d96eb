/* The posting form as a guided flow (progressive enhancement; the server decides what is saved):
 * - only the field groups of the chosen selection method are shown (fieldset[data-methods]);
 * - requirement rows are added from the formset's empty form (<template data-rows-empty>);
 * - agencies are found by name or code through the owner-only lookup and put into the code fields.
 * Without JavaScript every group shows under a heading naming its methods, and codes are typed. */
(function () {
  "use strict";
  // Agency pickers (posting form and the direct pick on the posting page) work wherever they are.
  document.querySelectorAll("[data-picker]").forEach(function (picker) { setUpPicker(picker); });
  var form = document.getElementById("project-form");
  if (!form) { return; }
  var method = form.querySelector("select[name=method]");

  function showGroups() {
    var chosen = method ? method.value : "";
    form.querySelectorAll("fieldset[data-methods]").forEach(function (set) {
      var methods = set.getAttribute("data-methods").split(" ");
      set.hidden = !!chosen && methods.indexOf(chosen) === -1;
    });
  }
  if (method) { method.addEventListener("change", showGroups); showGroups(); }

  form.querySelectorAll("[data-rows]").forEach(function (box) {
    var prefix = box.getAttribute("data-rows");
    var total = form.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var max = form.querySelector("input[name='" + prefix + "-MAX_NUM_FORMS']");
    var body = box.querySelector("[data-rows-body]");
    var empty = box.querySelector("template[data-rows-empty]");
    var button = box.querySelector("[data-add-row]");
    if (!total || !body || !empty || !button) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var n = parseInt(total.value, 10) || 0;
      if (max && n >= parseInt(max.value, 10)) { return; }
      var html = empty.innerHTML.replace(/__prefix__/g, String(n));
      var holder = document.createElement("tbody");
      holder.innerHTML = html;
      var row = holder.firstElementChild;
      body.appendChild(row);
      total.value = String(n + 1);
      var first = row.querySelector("select, input");
      if (first) { first.focus(); }
    });
  });


  function setUpPicker(picker) {
    var target = picker.getAttribute("data-picker");
    var lookup = picker.getAttribute("data-lookup");
    var owner = picker.closest("form");
    var query = picker.querySelector("[data-picker-query]");
    var results = picker.querySelector("[data-picker-results]");
    var timer = null;
    if (!lookup || !owner || !query || !results) { return; }
    picker.hidden = false;
    query.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); } });
    query.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = query.value.trim();
        results.textContent = "";
        if (q.length < 2) { return; }
        fetch(lookup + "?q=" + encodeURIComponent(q), {credentials: "same-origin"})
          .then(function (r) { return r.ok ? r.json() : {results: []}; })
          .then(function (data) {
            results.textContent = "";
            data.results.forEach(function (agency) {
              var li = document.createElement("li");
              var b = document.createElement("button");
              b.type = "button";
              b.className = "secondary";
              b.setAttribute("data-uscc", agency.uscc);
              b.textContent = agency.name + " · " + agency.uscc;
              b.addEventListener("click", function () {
                place(owner, target, agency);
                results.textContent = "";
                query.value = "";
              });
              li.appendChild(b);
              results.appendChild(li);
            });
          });
      }, 250);
    });
  }

  function place(form, target, agency) {
    if (target === "direct") {
      form.querySelector("input[name=uscc]").value = agency.uscc;
      return;
    }
    if (target === "invited") {
      var field = form.querySelector("[data-agency-codes=invited]");
      var codes = field.value.split(/[\s,，]+/).filter(Boolean);
      if (codes.indexOf(agency.uscc) === -1) { codes.push(agency.uscc); }
      field.value = codes.join(" ");
      return;
    }
    var inputs = Array.prototype.slice.call(form.querySelectorAll("[data-agency-code=avoided]"));
    var free = inputs.filter(function (i) { return !i.value; })[0];
    if (!free) {
      var button = form.querySelector("[data-rows=avoid] [data-add-row]");
      if (button) { button.click(); }
      inputs = form.querySelectorAll("[data-agency-code=avoided]");
      free = inputs[inputs.length - 1];
    }
    if (!free) { return; }
    free.value = agency.uscc;
    var name = form.querySelector("[name='" + free.name.replace(/-uscc$/, "-name") + "']");
    if (name && !name.value) { name.value = agency.name; }
    var reason = form.querySelector("[name='" + free.name.replace(/-uscc$/, "-reason") + "']");
    if (reason) { reason.focus(); }
  }
}());
