// The duty people picker (duty/_macros.html people_picker): typing part of a name hides the
// other rows and the teams left empty; ticked rows always stay, so nobody is unticked unseen.
(function () {
  function wire(picker) {
    var box = picker.querySelector("[data-duty-filter]");
    if (!box || box.dataset.wired) return;
    box.dataset.wired = "1";
    box.hidden = false;
    box.addEventListener("input", function () {
      var typed = box.value.trim();
      picker.querySelectorAll("[data-duty-team]").forEach(function (team) {
        var shown = 0;
        team.querySelectorAll("[data-duty-name]").forEach(function (row) {
          var keep = !typed || row.dataset.dutyName.indexOf(typed) !== -1 || row.querySelector("input").checked;
          row.hidden = !keep;
          if (keep) shown += 1;
        });
        team.hidden = shown === 0;
      });
    });
  }
  function all() { document.querySelectorAll("[data-duty-picker]").forEach(wire); }
  document.addEventListener("DOMContentLoaded", all);
  document.addEventListener("htmx:afterSettle", all);
  all();
})();
