// htmx leaves the page as it was when a request fails (server error, network down):
// say so in the alert region, in the words the server put on <body>.
(function () {
  'use strict';
  function region() {
    return document.getElementById('global-alert');
  }
  function show(message) {
    var r = region();
    if (r) {
      r.textContent = message || '';
    }
  }
  document.addEventListener('htmx:responseError', function () {
    show(document.body.dataset.errorInternal);
  });
  document.addEventListener('htmx:sendError', function () {
    show(document.body.dataset.errorNetwork);
  });
  document.addEventListener('htmx:beforeRequest', function () {
    show('');
  });
})();
