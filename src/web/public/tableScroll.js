// A table wider than the screen scrolls inside its .table-wrap. A keyboard user must be able
// to scroll it too: a wrap that overflows and holds nothing focusable becomes a Tab stop
// (only then, so that lists of links do not gain a stop per table).
(function () {
  function update() {
    document.querySelectorAll('.table-wrap').forEach(function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth;
      var focusable = wrap.querySelector('a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])');
      if (scrolls && !focusable) {
        wrap.setAttribute('tabindex', '0');
      } else if (wrap.getAttribute('tabindex') === '0' && !scrolls) {
        wrap.removeAttribute('tabindex');
      }
    });
  }
  update();
  window.addEventListener('resize', update);
  document.body.addEventListener('htmx:afterSettle', update);
})();
