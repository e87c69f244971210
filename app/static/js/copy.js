// "Copy" buttons beside a join code or link: shown only where the browser can copy; the text stays selectable either way.
(function () {
  if (!navigator.clipboard) return;
  var status = document.querySelector(".copied");
  document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        if (status) status.textContent = "Copied: " + source.textContent.trim();
      }, function () {
        if (status) status.textContent = "Copying was refused by the browser: select the text and copy it.";
      });
    });
  });
})();
