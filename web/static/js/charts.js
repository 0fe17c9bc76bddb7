// Office chart: history (demand, prints, stock) and, when a forecast exists, the 90-day
// demand band and projected stock. Series differ by dash and point style as well as
// colour, so the chart reads without relying on colour alone.
(function () {
  const canvas = document.getElementById("history-chart");
  if (!canvas || !window.drawChartWhenSeen) return;
  const history = JSON.parse(document.getElementById("history-data").textContent);
  const forecastNode = document.getElementById("forecast-data");
  const forecast = forecastNode ? JSON.parse(forecastNode.textContent) : {};
  const labels = history.labels.concat(forecast.labels || []);
  const pad = (values, before, after) =>
    Array(before).fill(null).concat(values, Array(after).fill(null));
  const h = history.labels.length;
  const f = (forecast.labels || []).length;
  const datasets = [
    // Offices are closed on Sundays and holidays: the lines bridge those days.
    { label: "Permintaan cetak (PRR)", data: pad(history.demand, 0, f), borderColor: "#1565c0",
      pointStyle: "circle", pointRadius: 0, borderWidth: 1.5, spanGaps: true, yAxisID: "y" },
    { label: "Tercetak", data: pad(history.printed, 0, f), borderColor: "#6a1b9a",
      borderDash: [2, 2], pointRadius: 0, borderWidth: 1.5, spanGaps: true, yAxisID: "y" },
    { label: "Stok akhir hari", data: pad(history.stock, 0, f), borderColor: "#2e7d32",
      borderWidth: 2.5, pointRadius: 0, yAxisID: "y1" },
  ];
  if (f) {
    datasets.push(
      { label: "Prakiraan permintaan (batas bawah 80 %)", data: pad(forecast.low, h, 0),
        borderColor: "rgba(21,101,192,0.3)", borderDash: [4, 4], pointRadius: 0, fill: false, yAxisID: "y" },
      { label: "Prakiraan permintaan (batas atas 80 %)", data: pad(forecast.high, h, 0),
        borderColor: "rgba(21,101,192,0.3)", backgroundColor: "rgba(21,101,192,0.15)",
        borderDash: [4, 4], pointRadius: 0, fill: "-1", yAxisID: "y" },
      { label: "Prakiraan permintaan (rata-rata)", data: pad(forecast.mean, h, 0),
        borderColor: "#1565c0", borderDash: [8, 4], pointRadius: 0, yAxisID: "y" },
      { label: "Proyeksi stok (di bawah 0 = kekurangan)", data: pad(forecast.stock, h, 0), borderColor: "#2e7d32",
        borderDash: [10, 5], borderWidth: 2.5, pointRadius: 0, yAxisID: "y1" },
    );
  }
  // Indonesian dates ("2 Des") and numbers ("1.500"), whatever the browser's language.
  const day = new Intl.DateTimeFormat("id-ID", { day: "numeric", month: "short" });
  const fullDay = new Intl.DateTimeFormat("id-ID", { day: "numeric", month: "long", year: "numeric" });
  const asDate = (iso) => new Date(iso + "T00:00:00");
  // On a phone the plot needs the room (the legend alone takes five lines): a smaller
  // legend and no axis titles.
  const narrow = canvas.parentElement.clientWidth < 560;
  const title = (text) => ({ display: !narrow, text });
  window.drawChartWhenSeen(canvas, () => new Chart(canvas, {
    type: "line",
    data: { labels, datasets },
    options: {
      animation: false,
      locale: "id-ID",
      maintainAspectRatio: false, // the height is the container's (.chart), set before load
      interaction: { mode: "index", intersect: false },
      scales: {
        y: { position: "left", title: title("Orang / keping per hari"), beginAtZero: true },
        y1: { position: "right", title: title("Stok (keping)"), beginAtZero: true,
              grid: { drawOnChartArea: false } },
        // sampleSize: label widths measured on a few ticks, not all 270 days.
        x: { ticks: { maxTicksLimit: 8, sampleSize: 8, callback: (value) => day.format(asDate(labels[value])) } },
      },
      plugins: {
        legend: { labels: { usePointStyle: false, boxWidth: narrow ? 14 : 40, font: { size: narrow ? 11 : 12 } } },
        tooltip: { callbacks: { title: (items) => fullDay.format(asDate(labels[items[0].dataIndex])) } },
      },
    },
  }));
})();
