// Booking form: type two letters of a known customer's name, email or ERP id,
// pick one, and the customer (and site) fields are filled from that customer's
// latest case. Without JavaScript the search box stays hidden and the form works.
(function () {
  "use strict";
  var box = document.getElementById("customer-lookup");
  if (!box) { return; }
  var input = box.querySelector("input");
  var list = document.getElementById("customer-lookup-list");
  var url = box.getAttribute("data-url");
  var found = [];
  var timer = null;
  box.hidden = false;

  function label(c) {
    var cu = c.customer || {};
    return [cu.name, cu.email, cu.erp_id].filter(Boolean).join(" · ");
  }

  function set(name, value) {
    var el = document.getElementById(name);
    if (el && value !== undefined && value !== null) { el.value = value; }
  }

  function fill(c) {
    var cu = c.customer || {};
    var address = cu.address || {};
    ["name", "email", "phone", "erp_id", "org_number", "vat_id", "peppol_id"].forEach(function (k) {
      set("customer_" + k, cu[k] || "");
    });
    ["street", "postal_code", "city", "country"].forEach(function (k) {
      set("customer_" + k, address[k] || "");
    });
    var site = c.site || {};
    ["name", "street", "postal_code", "city", "country", "access_notes"].forEach(function (k) {
      set("site_" + k, site[k] || "");
    });
    box.querySelector("output").textContent = "Filled in from " + (cu.name || "") + "'s latest case.";
  }

  input.addEventListener("input", function () {
    var q = input.value.trim();
    var picked = found.filter(function (c) { return label(c) === input.value; })[0];
    if (picked) { fill(picked); return; }
    if (timer) { clearTimeout(timer); }
    if (q.length < 2) { return; }
    timer = setTimeout(function () {
      fetch(url + "?q=" + encodeURIComponent(q), {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (items) {
          found = items;
          list.innerHTML = "";
          items.forEach(function (c) {
            var option = document.createElement("option");
            option.value = label(c);
            list.appendChild(option);
          });
        });
    }, 200);
  });
}());
