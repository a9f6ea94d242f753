// Copy buttons: <button data-copy="ID" hidden> copies the text of element ID. Without
// JavaScript the button stays hidden and the text can be selected and copied by hand.
"use strict";
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  var target = document.getElementById(button.dataset.copy);
  var status = document.getElementById(button.dataset.copy + "-copied");
  if (!target || !navigator.clipboard) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(target.textContent.trim()).then(
      function () {
        if (status) { status.textContent = "Copied."; }
      },
      function () {
        if (status) { status.textContent = "Could not copy: select the text and copy it."; }
      }
    );
  });
});
