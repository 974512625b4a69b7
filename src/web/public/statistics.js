// Draws the statistics page's charts from the JSON block the server wrote; the same
// numbers are in the tables beside them, for whoever does not see the canvas.
(function () {
  'use strict';
  var block = document.getElementById('stats-data');
  if (!block || !window.Chart) {
    return;
  }
  var data = JSON.parse(block.textContent);
  var accent = '#1d5d7a';
  var ok = '#23613a';
  new window.Chart(document.getElementById('chart-daily'), {
    type: 'bar',
    data: {
      labels: data.daily.labels,
      datasets: [
        { label: data.labels.received, data: data.daily.received, backgroundColor: accent },
        { label: data.labels.closed, data: data.daily.closed, backgroundColor: ok },
      ],
    },
    options: { responsive: true, maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  new window.Chart(document.getElementById('chart-channels'), {
    type: 'doughnut',
    data: { labels: data.channels.labels, datasets: [{ data: data.channels.counts, backgroundColor: [accent, ok, '#b58900', '#6c4f8c'] }] },
    options: { responsive: true, maintainAspectRatio: false, animation: false },
  });
})();
