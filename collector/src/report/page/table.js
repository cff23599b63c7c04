// The report's tables and their CSV. A table is columns over rows of API
// data, so its CSV holds that data (raw numbers, full ids), not the text shown.
// Everything shown comes from beacons, which anyone can send: text only, never HTML.
window.Report = window.Report || {};
(function (R) {
  "use strict";

  /** What each table showed last, by name: `{columns, rows}` for its CSV. */
  var shown = {};

  /** A `<td>` (or `<th>`) holding `text`. */
  function cell(tr, text, cls, tag) {
    var td = document.createElement(tag || "td");
    td.textContent = text == null ? "" : String(text);
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }

  /**
   * Draws `rows` in `table` by `columns`, each `{head, text(row), key?,
   * csv(row)?, num?, mark?(row), csvOnly?}`; `empty` says why there are no rows.
   */
  R.table = function (table, columns, rows, empty) {
    table.textContent = "";
    columns = columns.filter(function (c) { return !c.csvOnly; });
    var head = table.createTHead().insertRow();
    columns.forEach(function (c) { cell(head, c.head, c.num ? "num" : "", "th"); });
    var body = table.createTBody();
    if (!rows.length) {
      var td = cell(body.insertRow(), empty || "nothing yet", "empty");
      td.colSpan = columns.length;
    }
    rows.forEach(function (row) {
      var tr = body.insertRow();
      columns.forEach(function (c) {
        var td = cell(tr, c.text(row), c.num ? "num" : "");
        var mark = c.mark && c.mark(row);
        if (mark) {
          var tag = document.createElement("span");
          tag.className = "tag " + mark;
          tag.textContent = mark;
          td.appendChild(tag);
        }
      });
    });
  };

  /** Files `rows` by `columns` as the CSV of `name` (what its tables show). */
  R.keep = function (name, columns, rows) { shown[name] = { columns: columns, rows: rows }; };

  /** A CSV field: quoted when it must be, and never a spreadsheet formula. */
  function field(v) {
    if (v == null) return "";
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    var s = String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
    // Quoted also at a ";" or a tab: spreadsheets in some locales split there.
    return /[",;\t\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  /** The CSV text of what is filed under `name` (RFC 4180). */
  R.csv = function (name) {
    var kept = shown[name];
    if (!kept) return "";
    var lines = [kept.columns.map(function (c) { return field(c.key || c.head); }).join(",")];
    kept.rows.forEach(function (row) {
      lines.push(kept.columns.map(function (c) { return field((c.csv || c.text)(row)); }).join(","));
    });
    return lines.join("\r\n") + "\r\n";
  };

  /** Downloads the CSV of `name` as `file`. */
  R.download = function (name, file) {
    // The byte-order mark makes spreadsheets read the file as UTF-8.
    var blob = new Blob(["\ufeff" + R.csv(name)], { type: "text/csv;charset=utf-8" });
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = file;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 0);
  };
})(window.Report);
