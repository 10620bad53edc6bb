// sitegen default theme: progressive enhancements. Everything works without it.
(function () {
  "use strict";
  // Escape hides an open tooltip until the pointer or focus leaves its mention.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = document.querySelectorAll("a.m:hover, a.m:focus");
    for (var i = 0; i < open.length; i++) open[i].classList.add("tip-dismissed");
  });
  function reset(event) {
    var m = event.target.closest && event.target.closest("a.m");
    if (m) m.classList.remove("tip-dismissed");
  }
  document.addEventListener("mouseout", reset);
  document.addEventListener("focusout", reset);
})();
