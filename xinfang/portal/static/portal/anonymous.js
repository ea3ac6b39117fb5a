/* The portal form: ticking 匿名提出 clears and disables the name, phone, address and ID number
   fields (issue 12 item 13). Without JavaScript the server leaves them out of an anonymous
   submission all the same. */
(function () {
  "use strict";
  var box = document.getElementById("id_is_anonymous");
  if (!box) return;
  var names = ["name", "phone", "address", "id_number"];
  function apply(clear) {
    names.forEach(function (n) {
      var input = document.getElementById("id_" + n);
      if (!input) return;
      if (box.checked && clear) input.value = "";
      input.disabled = box.checked;
      input.setAttribute("aria-describedby", "anonymous-note");
    });
  }
  box.addEventListener("change", function () { apply(true); });
  apply(false);
})();
