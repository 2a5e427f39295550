// Daily totals of a campaign (data from the page's json_script, never from another site).
(function () {
  "use strict";
  var source = document.getElementById("daily-data");
  var canvas = document.getElementById("daily-chart");
  if (!source || !canvas || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var money = function (value) { return Math.round(value).toLocaleString("vi-VN") + " ₫"; };
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [{ label: data.label, data: data.amounts, backgroundColor: "#9c1d5a" }]
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: function (item) { return money(item.parsed.y); } } }
      },
      scales: { y: { ticks: { callback: function (value) { return money(value); } } } }
    }
  });
})();
