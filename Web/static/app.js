// Shared behaviour of every page: the collapsible navigation on phones, and a record of script
// errors on the document (the browser test reads it; people never see it).

const root = document.documentElement;
root.classList.add("js");

window.addEventListener("error", (event) => {
  const count = Number(root.dataset.jsErrors || "0") + 1;
  root.dataset.jsErrors = String(count);
  root.dataset.jsLastError = String(event.message || event.type);
});
window.addEventListener("unhandledrejection", (event) => {
  const count = Number(root.dataset.jsErrors || "0") + 1;
  root.dataset.jsErrors = String(count);
  root.dataset.jsLastError = String(event.reason);
});

const toggle = document.querySelector(".nav-toggle");
const nav = document.getElementById("site-nav");
if (toggle && nav) {
  toggle.hidden = false;
  nav.classList.add("collapsed");
  toggle.addEventListener("click", () => {
    const open = nav.classList.toggle("collapsed") === false;
    toggle.setAttribute("aria-expanded", String(open));
  });
}
