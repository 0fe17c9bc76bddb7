// Forms in Indonesian, on every page (loaded with defer).
// 1. After a refusal the server marks the bad field with autofocus; when the message names
//    no field (or the page is an error page), focus moves to the message, so that a
//    keyboard or screen-reader user starts there instead of at the top of the page.
// 2. The browser's own checks (required, pattern, e-mail, date limits) speak the
//    browser's language; these messages are Indonesian, a pattern's taken from its title.
(function () {
  if (!document.querySelector("[autofocus]")) {
    const message = document.querySelector(".error[role=alert]");
    if (message) {
      message.tabIndex = -1;
      message.focus();
    }
  }

  const day = (iso) => new Date(iso + "T00:00:00").toLocaleDateString("id-ID",
    { day: "numeric", month: "long", year: "numeric" });
  const explain = (field) => {
    const v = field.validity;
    if (v.valueMissing) return "Isian ini wajib diisi.";
    if (v.patternMismatch) return field.title || "Isian tidak sesuai format yang diminta.";
    if (v.typeMismatch && field.type === "email") return "Tulis alamat e-mail yang lengkap, mis. nama@dukcapil.go.id.";
    const date = field.type === "date";
    if (v.rangeOverflow) return date ? "Tanggal paling akhir " + day(field.max) + "." : "Paling besar " + field.max + ".";
    if (v.rangeUnderflow) return date ? "Tanggal paling awal " + day(field.min) + "." : "Paling kecil " + field.min + ".";
    if (v.tooLong) return "Terlalu panjang: paling banyak " + field.maxLength + " karakter.";
    if (v.badInput) return "Isian tidak dapat dibaca; periksa lagi.";
    return "Periksa isian ini.";
  };
  document.addEventListener("invalid", (event) => {
    const field = event.target;
    field.setCustomValidity("");
    if (!field.validity.valid) field.setCustomValidity(explain(field));
  }, true);
  document.addEventListener("input", (event) => {
    if (event.target.setCustomValidity) event.target.setCustomValidity("");
  }, true);
})();
