// Copy a row's link to the clipboard. Without script (or without the Clipboard API) the copy
// buttons stay hidden and the plain link beside each one does the job: the site's CSP allows
// no inline script, so this file is all the script the public pages have.
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) {
    return;
  }
  document.documentElement.classList.add("can-copy");
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.copy-link");
    if (!button) {
      return;
    }
    var url = new URL(button.getAttribute("data-href"), window.location.href).href;
    var status = document.getElementById("copy-status");
    var say = function (key) {
      if (status) {
        status.textContent = "";
        status.textContent = status.getAttribute(key) || "";
      }
    };
    navigator.clipboard.writeText(url).then(
      function () {
        button.classList.add("copied");
        say("data-copied");
      },
      function () {
        say("data-failed");
      }
    );
  });
})();
