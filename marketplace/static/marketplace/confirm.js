/* Irreversible actions ask first: a form with data-confirm="…" opens the site's <dialog id="confirm-dialog">
 * on submit and is sent only when the person presses 确认. No inline script (CSP): loaded from base.html. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var text = form.getAttribute && form.getAttribute("data-confirm");
    var dialog = document.getElementById("confirm-dialog");
    if (!text || form.dataset.confirmed === "1" || !dialog || typeof dialog.showModal !== "function") { return; }
    event.preventDefault();
    var submitter = event.submitter || null;
    dialog.querySelector("[data-confirm-text]").textContent = text;
    dialog.returnValue = "";
    dialog.addEventListener("close", function once() {
      dialog.removeEventListener("close", once);
      if (dialog.returnValue !== "ok") { return; }
      form.dataset.confirmed = "1";
      if (typeof form.requestSubmit === "function") { form.requestSubmit(submitter); } else { form.submit(); }
    });
    dialog.showModal();
  }, true);
}());
