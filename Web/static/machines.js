// Machines table: filters the rows on screen as you type (the form still works without
// JavaScript and filters all pages on the server), and limits comparisons to six machines.

const input = document.getElementById("machine-filter");
const table = document.getElementById("machines-table");
if (input && table) {
  const rows = Array.from(table.tBodies[0].rows);
  input.addEventListener("input", () => {
    const needle = input.value.trim().toLowerCase();
    for (const row of rows) {
      row.hidden = needle !== "" && !row.textContent.toLowerCase().includes(needle);
    }
  });
}

const picks = Array.from(document.querySelectorAll("input.compare-pick"));
for (const pick of picks) {
  pick.addEventListener("change", () => {
    const chosen = picks.filter((p) => p.checked).length;
    for (const other of picks) other.disabled = !other.checked && chosen >= 6;
  });
}
