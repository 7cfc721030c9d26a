// Filtering and sorting of the users table. The page reads in full without
// this script: the filter box stays hidden and the table keeps login order.
(() => {
  "use strict";
  const table = document.getElementById("users-table");
  const box = document.getElementById("user-filter-box");
  if (!table || !box) {
    return;
  }
  const input = document.getElementById("user-filter");
  const status = document.getElementById("user-count");
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);

  // Accent- and case-insensitive matching, so "lea" finds "Léa".
  const fold = (value) =>
    value.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  const haystacks = new Map(rows.map((row) => [row, fold(row.textContent)]));

  const applyFilter = () => {
    const words = fold(input.value).split(/\s+/).filter(Boolean);
    let visibleCount = 0;
    for (const row of rows) {
      const text = haystacks.get(row);
      const match = words.every((word) => text.includes(word));
      row.hidden = !match;
      if (match) {
        visibleCount += 1;
      }
    }
    status.textContent = status.dataset.template
      .replace("{shown}", String(visibleCount))
      .replace("{total}", String(rows.length));
  };

  const collator = new Intl.Collator(document.documentElement.lang, {
    numeric: true,
    sensitivity: "base",
  });
  const headers = Array.from(table.tHead.rows[0].cells);
  headers.forEach((header, column) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    while (header.firstChild) {
      button.appendChild(header.firstChild);
    }
    header.appendChild(button);
    button.addEventListener("click", () => {
      const ascending = header.getAttribute("aria-sort") !== "ascending";
      for (const other of headers) {
        other.removeAttribute("aria-sort");
      }
      header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const cellText = (row) => row.cells[column].textContent.trim();
      const sorted = Array.from(body.rows).sort((a, b) => {
        const order = collator.compare(cellText(a), cellText(b));
        return ascending ? order : -order;
      });
      for (const row of sorted) {
        body.appendChild(row);
      }
    });
  });

  input.addEventListener("input", applyFilter);
  box.hidden = false;
  applyFilter();
})();
