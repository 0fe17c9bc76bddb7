// Chart.js (vendored, 70 KB compressed) is fetched only after the page has loaded and
// when a chart comes near the screen: the page's text and styles get the connection
// first, and a phone that never scrolls to the chart never pays for it. The chart's box
// has its height from the start (.chart), so nothing moves when it is drawn.
window.drawChartWhenSeen = function (canvas, draw) {
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    if (window.Chart) return draw();
    let script = document.getElementById("chartjs");
    if (!script) {
      script = document.createElement("script");
      script.id = "chartjs";
      script.src = canvas.dataset.chartjs;
      document.head.appendChild(script);
    }
    script.addEventListener("load", draw);
  };
  const watch = () => {
    if (!("IntersectionObserver" in window)) return start();
    new IntersectionObserver((entries, observer) => {
      if (entries.some((entry) => entry.isIntersecting)) {
        observer.disconnect();
        start();
      }
    }, { rootMargin: "0px 0px 200px 0px" }).observe(canvas);
  };
  if (document.readyState === "complete") watch();
  else window.addEventListener("load", watch);
};
