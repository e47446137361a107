// The keyboard's focus on a settings card's title outlives the rerun that opening or shutting it
// starts. The cards rerun the page when toggled (their settings render only while open), and
// Streamlit then redraws the title: the focus fell to the page's body, where a screen reader
// hears nothing and the next Tab starts over (an accessibility review). After Enter or Space
// on a card's title, and until the focus goes elsewhere, a focus left on the body returns to
// the title of the same card (its name: the text before " · lr ..."). Runs once per tab.
(() => {
  if (window.downhillCardFocus) return;
  window.downhillCardFocus = true;
  const TITLE = "[data-testid='stExpander'] summary";
  const name = (summary) => {
    const text = summary.querySelector("[data-testid='stMarkdownContainer']");
    return (text ? text.textContent : summary.textContent).split(" · ")[0].trim();
  };
  let wanted = null; // { name, until }
  document.addEventListener("keydown", (e) => {
    const summary = e.target instanceof Element ? e.target.closest(TITLE) : null;
    if (summary && (e.key === "Enter" || e.key === " ")) {
      wanted = { name: name(summary), until: Date.now() + 15000 };
    }
  }, true);
  document.addEventListener("focusin", (e) => {
    const summary = e.target instanceof Element ? e.target.closest(TITLE) : null;
    if (wanted && !(summary && name(summary) === wanted.name)) wanted = null;
  }, true);
  document.addEventListener("mousedown", () => { wanted = null; }, true);
  const restore = () => {
    if (!wanted) return;
    if (Date.now() > wanted.until) { wanted = null; return; }
    const now = document.activeElement;
    if (now && now !== document.body) return;
    const back = [...document.querySelectorAll(TITLE)].find((s) => name(s) === wanted.name);
    if (back) back.focus();
  };
  new MutationObserver(restore).observe(document.body, { childList: true, subtree: true });
})();
