// On a phone the header's links fold into a "Menu" that opens on demand; without JavaScript they stay open.
(function () {
  var menu = document.querySelector("header.site details.menu");
  if (!menu || !window.matchMedia) return;
  var narrow = window.matchMedia("(max-width: 40rem)");
  function fit() { menu.open = !narrow.matches; }
  fit();
  if (narrow.addEventListener) narrow.addEventListener("change", fit);
})();
