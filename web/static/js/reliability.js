// Reliability chart of the replay (forecast page): for each bin of the predicted
// probability of a stock-out within 30 days, the share of cases that ran out. A
// well-calibrated forecast lies on the diagonal.
(function () {
  const canvas = document.getElementById("reliability-chart");
  if (!canvas || !window.drawChartWhenSeen) return;
  const bins = JSON.parse(document.getElementById("reliability-data").textContent);
  const percent = (v) => Math.round(v * 100);
  window.drawChartWhenSeen(canvas, () => new Chart(canvas, {
    type: "scatter",
    data: {
      datasets: [
        { label: "Terjadi (P30 per kelompok)", borderColor: "#1565c0", backgroundColor: "#1565c0",
          pointRadius: bins.map((b) => Math.max(3, Math.min(12, Math.sqrt(b.count)))),
          showLine: true, data: bins.map((b) => ({ x: percent(b.predicted), y: percent(b.observed) })) },
        { label: "Kalibrasi sempurna", borderColor: "#757575", borderDash: [4, 4], pointRadius: 0,
          showLine: true, data: [{ x: 0, y: 0 }, { x: 100, y: 100 }] },
      ],
    },
    options: {
      animation: false,
      locale: "id-ID",
      maintainAspectRatio: false,
      scales: {
        x: { min: 0, max: 100, title: { display: true, text: "Peluang habis ≤ 30 hari menurut prakiraan (%)" } },
        y: { min: 0, max: 100, title: { display: true, text: "Benar-benar habis (%)" } },
      },
    },
  }));
})();
