// The knowledge base beside a request: « Insérer le texte » / « Insérer le lien » put the
// article's text (or its title and address) into the reply being written, where the
// cursor was, or after what is there; the reply's form opens if it was closed.
(function () {
  'use strict';
  var touched = false;
  document.addEventListener('focusin', function (evt) {
    if (evt.target && evt.target.id === 'message-body') {
      touched = true;
    }
  });
  // The panel is redrawn after each action: a new reply form has not been touched yet.
  document.body.addEventListener('htmx:afterSwap', function (evt) {
    if (evt.detail && evt.detail.target && evt.detail.target.id === 'request-panel') {
      touched = false;
    }
  });
  document.addEventListener('click', function (evt) {
    var button = evt.target.closest && evt.target.closest('[data-kb-insert]');
    var area = document.getElementById('message-body');
    if (!button || !area) {
      return;
    }
    var value = button.getAttribute('data-kb-insert') || '';
    var details = area.closest('details');
    if (details) {
      details.open = true;
    }
    var text = area.value;
    var start = touched ? area.selectionStart : text.length;
    var end = touched ? area.selectionEnd : text.length;
    var before = text.slice(0, start);
    var glue = before && !/\n\n$/.test(before) ? (/\n$/.test(before) ? '\n' : '\n\n') : '';
    area.value = before + glue + value + text.slice(end);
    var caret = (before + glue + value).length;
    area.focus();
    area.setSelectionRange(caret, caret);
    touched = true;
    area.dispatchEvent(new Event('input', { bubbles: true }));
    var status = document.getElementById('kb-inserted');
    if (status) {
      status.textContent = status.getAttribute('data-inserted') || '';
    }
  });
})();
