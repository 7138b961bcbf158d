// claimlint HTML report: filters (severity, waived, category, document, search) kept in the URL
// fragment (e.g. #severity=error&category=efficacy), opening collapsed sections on navigation,
// and opening every section before printing. Without this script the page is complete.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) {
    return;
  }
  var all = function (selector, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(selector));
  };
  var findings = all("li.finding");
  var docs = all("details.doc");
  var rows = all("table.docs tr[data-doc]");
  var shown = document.getElementById("shown");
  var severities = ["error", "warning", "info"];
  var OPEN_LIMIT = 50;

  // What each document holds, computed once.
  var docInfo = docs.map(function (d) {
    return {
      el: d,
      path: d.getAttribute("data-path"),
      findings: all("li.finding", d),
      marks: all("mark.hl", d),
      tags: all("a.tag", d)
    };
  });
  var searchText = findings.map(function (f) {
    var doc = f.closest("details.doc");
    return (f.textContent + " " + (doc ? doc.getAttribute("data-path") : "")).toLowerCase();
  });

  function readForm() {
    var sev = all("input[name=severity]", form).filter(function (c) { return c.checked; })
      .map(function (c) { return c.value; });
    return {
      severity: sev,
      waived: form.elements.waived.checked,
      category: form.elements.category.value,
      doc: form.elements.doc.value,
      q: form.elements.q.value.trim()
    };
  }

  function writeForm(st) {
    all("input[name=severity]", form).forEach(function (c) {
      c.checked = st.severity.indexOf(c.value) >= 0;
    });
    form.elements.waived.checked = st.waived;
    form.elements.category.value = st.category;
    form.elements.doc.value = st.doc;
    form.elements.q.value = st.q;
    // An unknown category or document in the URL selects nothing; show everything instead.
    if (form.elements.category.value !== st.category) { form.elements.category.value = ""; }
    if (form.elements.doc.value !== st.doc) { form.elements.doc.value = ""; }
  }

  // A fragment with "=" is a filter state; anything else is an anchor (#d3-f1).
  function stateFromHash() {
    var h = location.hash.slice(1);
    if (h.indexOf("=") < 0) {
      return null;
    }
    var st = { severity: severities.slice(), waived: true, category: "", doc: "", q: "" };
    h.split("&").forEach(function (pair) {
      var i = pair.indexOf("=");
      if (i < 0) { return; }
      var key = decodeURIComponent(pair.slice(0, i));
      var value = decodeURIComponent(pair.slice(i + 1).replace(/\+/g, " "));
      if (key === "severity") {
        st.severity = value.split(",").filter(function (s) { return severities.indexOf(s) >= 0; });
      } else if (key === "waived") {
        st.waived = value !== "hide";
      } else if (key === "category" || key === "doc" || key === "q") {
        st[key] = value;
      }
    });
    return st;
  }

  function hashFromState(st) {
    var parts = [];
    if (st.severity.length !== severities.length) {
      parts.push("severity=" + st.severity.join(","));
    }
    if (!st.waived) { parts.push("waived=hide"); }
    ["category", "doc", "q"].forEach(function (k) {
      if (st[k]) { parts.push(k + "=" + encodeURIComponent(st[k])); }
    });
    return parts.join("&");
  }

  function apply(updateUrl) {
    var st = readForm();
    var q = st.q.toLowerCase();
    var narrowing = st.severity.length !== severities.length || !st.waived || st.category !== "" || q !== "";
    var visible = {};
    var shownFindings = 0;
    findings.forEach(function (f, i) {
      var doc = f.closest("details.doc");
      var ok = st.severity.indexOf(f.getAttribute("data-sev")) >= 0 &&
        (st.waived || f.getAttribute("data-waived") !== "yes") &&
        (st.category === "" || f.getAttribute("data-cat") === st.category) &&
        (st.doc === "" || (doc && doc.getAttribute("data-path") === st.doc)) &&
        (q === "" || searchText[i].indexOf(q) >= 0);
      f.hidden = !ok;
      visible[f.id] = ok;
      if (ok) { shownFindings += 1; }
    });
    var shownDocs = 0;
    var docVisible = {};
    docInfo.forEach(function (d) {
      var any = d.findings.some(function (f) { return visible[f.id]; });
      var ok = (st.doc === "" || d.path === st.doc) && (!narrowing || any);
      d.el.hidden = !ok;
      docVisible[d.el.id] = ok;
      if (ok) { shownDocs += 1; }
      d.tags.forEach(function (t) {
        t.hidden = !visible[t.getAttribute("href").slice(1)];
      });
      d.marks.forEach(function (m) {
        var ids = m.getAttribute("data-f").split(" ");
        var on = ids.some(function (id) { return visible[id]; });
        m.classList.toggle("off", !on);
      });
    });
    rows.forEach(function (r) {
      r.hidden = !docVisible[r.getAttribute("data-doc")];
    });
    if ((narrowing || st.doc !== "") && shownDocs <= OPEN_LIMIT) {
      docInfo.forEach(function (d) {
        if (!d.el.hidden) { d.el.open = true; }
      });
    }
    shown.textContent = "Showing " + shownFindings + " of " + findings.length + " findings in " +
      shownDocs + " of " + docs.length + " documents";
    document.body.setAttribute("data-shown-findings", String(shownFindings));
    document.body.setAttribute("data-shown-documents", String(shownDocs));
    if (updateUrl) {
      var h = hashFromState(st);
      history.replaceState(null, "", h ? "#" + h : location.pathname + location.search);
    }
  }

  // Following a link into a collapsed section opens it.
  function openTarget() {
    var id = location.hash.slice(1);
    if (!id || id.indexOf("=") >= 0) { return; }
    var target = document.getElementById(id);
    if (!target) { return; }
    var d = target.closest("details");
    if (d && !d.open) {
      d.open = true;
      target.scrollIntoView();
    }
  }

  form.addEventListener("input", function () { apply(true); });
  form.addEventListener("change", function () { apply(true); });
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  document.getElementById("reset").addEventListener("click", function () {
    writeForm({ severity: severities.slice(), waived: true, category: "", doc: "", q: "" });
    apply(true);
  });
  window.addEventListener("hashchange", function () {
    var st = stateFromHash();
    if (st) {
      writeForm(st);
      apply(false);
    } else {
      openTarget();
    }
  });

  // Print the whole record: open every section first, close again afterwards.
  var closedBeforePrint = [];
  window.addEventListener("beforeprint", function () {
    closedBeforePrint = all("details").filter(function (d) { return !d.open; });
    closedBeforePrint.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    closedBeforePrint.forEach(function (d) { d.open = false; });
    closedBeforePrint = [];
  });

  form.hidden = false;
  var initial = stateFromHash();
  if (initial) {
    writeForm(initial);
  }
  apply(false);
  openTarget();
}());
