// National forecast (forecast page): monthly demand with its 80 % band, and the national
// stock projected against the 80th percentile of demand with the target cover. Series
// differ by dash as well as colour.
(function () {
  const canvas = document.getElementById("national-chart");
  if (!canvas || !window.drawChartWhenSeen) return;
  const months = JSON.parse(document.getElementById("national-data").textContent);
  const labels = months.map((m) => m.label);
  const narrow = canvas.parentElement.clientWidth < 560;
  const title = (text) => ({ display: !narrow, text });
  window.drawChartWhenSeen(canvas, () => new Chart(canvas, {
    type: "line",
    data: {
      labels,
      datasets: [
        { label: "Kebutuhan (batas bawah 80 %)", data: months.map((m) => m.demand_low),
          borderColor: "rgba(21,101,192,0.3)", borderDash: [4, 4], pointRadius: 0, fill: false, yAxisID: "y" },
        { label: "Kebutuhan (batas atas 80 %)", data: months.map((m) => m.demand_high),
          borderColor: "rgba(21,101,192,0.3)", backgroundColor: "rgba(21,101,192,0.15)",
          borderDash: [4, 4], pointRadius: 0, fill: "-1", yAxisID: "y" },
        { label: "Kebutuhan (rata-rata)", data: months.map((m) => m.demand_mean),
          borderColor: "#1565c0", pointRadius: 3, yAxisID: "y" },
        { label: "Proyeksi stok akhir bulan (di bawah 0 = kekurangan)", data: months.map((m) => m.projected_stock),
          borderColor: "#2e7d32", borderDash: [10, 5], borderWidth: 2.5, pointRadius: 3, yAxisID: "y1" },
        { label: "Target cakupan", data: months.map((m) => m.target_stock),
          borderColor: "#c62828", borderDash: [2, 3], pointRadius: 0, yAxisID: "y1" },
      ],
    },
    options: {
      animation: false,
      locale: "id-ID",
      maintainAspectRatio: false,
      interaction: { mode: "index", intersect: false },
      scales: {
        y: { position: "left", title: title("Kebutuhan per bulan (keping)"), beginAtZero: true },
        y1: { position: "right", title: title("Stok (keping)"), grid: { drawOnChartArea: false } },
      },
      plugins: {
        legend: { labels: { boxWidth: narrow ? 14 : 40, font: { size: narrow ? 11 : 12 } } },
      },
    },
  }));
})();
