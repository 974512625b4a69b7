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
    // A poller (a page's refresh, a room's messages, the unread badge) leaves a shown failure in place.
    if (evt.target && evt.target.id !== 'refresh-poller' && !evt.target.hasAttribute('data-poller')) {
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
  // Bulk bar (after the table): shown once a row is ticked (or when the server showed it again
  // with a reason or a question), saying how many are ticked, with the fields of the chosen
  // action only. Without JS it stays visible with all its fields.
  function rowBoxes() {
    return document.querySelectorAll('input[name="ids"][form="bulk-form"]');
  }
  function syncBulkBar() {
    var bar = document.getElementById('bulk-form');
    if (!bar) {
      return;
    }
    var boxes = rowBoxes();
    var ticked = 0;
    boxes.forEach(function (box) {
      if (box.checked) {
        ticked += 1;
      }
    });
    bar.classList.add('bulk-bar-live');
    bar.hidden = ticked === 0 && !bar.classList.contains('bulk-bar-kept');
    var count = bar.querySelector('[data-bulk-count]');
    if (count) {
      var words = ticked < 2 ? bar.dataset.tickedOne : bar.dataset.tickedOther;
      count.textContent = (words || '').replace('{n}', String(ticked));
    }
    var action = bar.querySelector('select[name="action"]');
    bar.querySelectorAll('[data-bulk-for]').forEach(function (field) {
      field.hidden = !action || field.getAttribute('data-bulk-for') !== action.value;
    });
    bar.querySelectorAll('[data-bulk-check]').forEach(function (button) {
      button.hidden = false;
    });
    var page = document.querySelector('[data-bulk-page]');
    if (page) {
      page.hidden = false;
      page.checked = ticked > 0 && ticked === boxes.length;
      page.indeterminate = ticked > 0 && ticked < boxes.length;
    }
  }
  function tickAll(on) {
    rowBoxes().forEach(function (box) {
      box.checked = on;
    });
    syncBulkBar();
  }
  document.addEventListener('click', function (evt) {
    var button = evt.target.closest && evt.target.closest('[data-bulk-check]');
    if (button) {
      tickAll(button.getAttribute('data-bulk-check') === 'all');
      // Untick all hides the bar and the focused button with it: the keyboard goes on from the header's box.
      var page = document.querySelector('[data-bulk-page]');
      if (button.closest('[hidden]') && page) {
        page.focus();
      }
    }
  });
  document.addEventListener('change', function (evt) {
    var target = evt.target;
    if (target.matches && target.matches('[data-bulk-page]')) {
      tickAll(target.checked);
    } else if (target.matches && target.matches('input[name="ids"], #bulk-form select[name="action"]')) {
      syncBulkBar();
    }
  });
  syncBulkBar();
  document.body.addEventListener('htmx:afterSettle', syncBulkBar);
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
  // A room of agent assistance shows its newest message at the bottom of its box; new
  // messages scroll it there, unless the agent had scrolled up to read older ones.
  var chatFollow = false;
  function chatToBottom() {
    var list = document.getElementById('chat-list');
    if (list) {
      list.scrollTop = list.scrollHeight;
    }
  }
  chatToBottom();
  document.body.addEventListener('htmx:beforeSwap', function (evt) {
    var list = document.getElementById('chat-list');
    if (list && evt.detail.target && evt.detail.target.id === 'chat-region') {
      chatFollow = evt.detail.requestConfig.verb === 'post' || list.scrollHeight - list.scrollTop - list.clientHeight < 48;
    }
  });
  document.body.addEventListener('htmx:afterSettle', function () {
    if (chatFollow) {
      chatFollow = false;
      chatToBottom();
    }
  });
})();
