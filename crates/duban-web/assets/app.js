// duban: small conveniences only; every form works without this file.
document.addEventListener('submit', function (e) {
  var msg = e.target.getAttribute('data-confirm');
  if (msg && !window.confirm(msg)) { e.preventDefault(); }
});
// Warn before leaving a report form with unsaved edits.
(function () {
  var dirty = false;
  document.addEventListener('input', function (e) {
    if (e.target.form && e.target.form.hasAttribute('data-guard')) { dirty = true; }
  });
  document.addEventListener('submit', function () { dirty = false; });
  window.addEventListener('beforeunload', function (e) {
    if (dirty) { e.preventDefault(); e.returnValue = ''; }
  });
})();
