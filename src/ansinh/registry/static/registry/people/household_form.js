// Household registration: add and remove member rows of the Django formset in the page.
// New rows are cloned from <template id="member-template"> (the formset's empty form, with
// "__prefix__" in its names); a removed row that came from the server is kept hidden with its
// DELETE box ticked, a row added here is simply taken out. Row numbers shown are renumbered.
(function () {
  "use strict";
  var form = document.getElementById("household-form");
  if (!form) return;
  var rows = document.getElementById("member-rows");
  var template = document.getElementById("member-template");
  var total = form.querySelector('input[name="members-TOTAL_FORMS"]');

  function renumber() {
    var number = 0;
    rows.querySelectorAll("[data-member-row]").forEach(function (row) {
      if (row.hidden) return;
      number += 1;
      var label = row.querySelector("[data-member-number]");
      if (label) label.textContent = number;
    });
  }

  function remove(row) {
    var visible = rows.querySelectorAll("[data-member-row]:not([hidden])").length;
    if (visible <= 1) return; // a household keeps at least one member row
    if (row.dataset.added === "1" && row === rows.lastElementChild) {
      row.remove();
      total.value = String(Number(total.value) - 1);
    } else {
      var box = row.querySelector('input[name$="-DELETE"]');
      if (box) box.checked = true;
      row.hidden = true;
    }
    renumber();
  }

  rows.addEventListener("click", function (event) {
    var button = event.target.closest("[data-member-remove]");
    if (button) remove(button.closest("[data-member-row]"));
  });

  document.getElementById("member-add").addEventListener("click", function () {
    var index = Number(total.value);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var row = holder.firstElementChild;
    row.dataset.added = "1";
    // Members added after the head are usually her children.
    var relation = row.querySelector('select[name$="-relation"]');
    if (relation && index > 0) relation.value = "child";
    rows.appendChild(row);
    total.value = String(index + 1);
    renumber();
    var name = row.querySelector('input[name$="-full_name"]');
    if (name) name.focus();
  });

  // Rows ticked for removal before a failed submit stay hidden after the page comes back.
  rows.querySelectorAll("[data-member-row]").forEach(function (row) {
    var box = row.querySelector('input[name$="-DELETE"]');
    if (box && box.checked) row.hidden = true;
  });
  renumber();
})();
