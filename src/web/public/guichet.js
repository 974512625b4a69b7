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
  // A refusal the server words for the alert region itself (a body too large or cut short)
  // is shown as it is; any other failure in the page's general words.
  document.addEventListener('htmx:responseError', function (evt) {
    var xhr = evt.detail && evt.detail.xhr;
    var own = xhr && xhr.getResponseHeader('HX-Retarget') === '#global-alert' && xhr.status < 500;
    show(own ? xhr.responseText : document.body.dataset.errorInternal);
  });
  document.addEventListener('htmx:sendError', function () {
    show(document.body.dataset.errorNetwork);
  });
  document.addEventListener('htmx:beforeRequest', function (evt) {
    if (evt.target && evt.target.id !== 'refresh-poller') {
      show('');
    }
  });
  // A page that failed focuses what says so (its error summary): autofocus does, but a
  // browser skips it when the URL has a #fragment or focus has moved; do it here then.
  var failure = document.querySelector('[data-focus-on-load]');
  if (failure && (document.activeElement === document.body || document.activeElement === null)) {
    failure.focus();
  }
  // Back from a request to the search it was found by: its results, not an empty form.
  // The tab keeps the last search's criteria (the search pushes them into the URL).
  function keepSearch() {
    try {
      if (window.location.pathname === '/recherche' && window.location.search) {
        window.sessionStorage.setItem('guichet.recherche', window.location.search);
      }
    } catch (e) {
      // no storage (private mode): the link leads to the search form
    }
  }
  keepSearch();
  document.body.addEventListener('htmx:pushedIntoHistory', keepSearch);
  var toSearch = document.querySelector('a[data-search-origin]');
  var lastSearch = null;
  try {
    lastSearch = window.sessionStorage.getItem('guichet.recherche');
  } catch (e) {
    lastSearch = null;
  }
  if (toSearch && lastSearch) {
    toSearch.setAttribute('href', '/recherche' + lastSearch);
  }
  // Bulk bar: tick or untick every row of the list at once (the buttons exist only with JS).
  document.querySelectorAll('[data-bulk-check]').forEach(function (button) {
    button.hidden = false;
  });
  document.addEventListener('click', function (evt) {
    var button = evt.target.closest && evt.target.closest('[data-bulk-check]');
    if (!button) {
      return;
    }
    var on = button.getAttribute('data-bulk-check') === 'all';
    document.querySelectorAll('input[name="ids"][form="bulk-form"]').forEach(function (box) {
      box.checked = on;
    });
  });
  document.body.addEventListener('htmx:afterSettle', function () {
    document.querySelectorAll('[data-bulk-check]').forEach(function (button) {
      button.hidden = false;
    });
  });
  // A colleague changed a request of this list: reload it, unless the agent has ticked rows
  // (a selection is never lost): then say so and let them reload.
  document.body.addEventListener('requestsChanged', function () {
    var region = document.getElementById('list-region');
    if (!region || !window.htmx) {
      return;
    }
    if (document.querySelector('input[name="ids"]:checked')) {
      var notice = document.getElementById('list-changed');
      if (notice) {
        notice.hidden = false;
      }
      return;
    }
    window.htmx.ajax('GET', region.dataset.refreshUrl, { target: '#list-region', swap: 'outerHTML' });
  });
})();
