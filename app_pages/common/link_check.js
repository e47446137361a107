// A link Streamlit cannot read. Streamlit drops a query string of more than 1,000 parameters
// (``CLIENT_STATE_QUERY_STRING_MAX_FIELDS``) or 512 Ki characters before any page sees it: the
// page opened with its defaults, rewrote the address bar and said nothing (a review). The server
// never learns of it, so the browser says it, from the address the tab was opened with (the
// navigation entry keeps it after the page has rewritten the address bar). Runs once per tab.
(() => {
  if (window.downhillLinkCheck) return;
  window.downhillLinkCheck = true;
  const MAX_FIELDS = 1000, MAX_CHARS = 512 * 1024;
  const nav = performance.getEntriesByType("navigation")[0];
  const opened = new URL(nav ? nav.name : location.href);
  const query = opened.search.replace(/^\?/, "");
  if (!query) return;
  const fields = query.split("&").length;
  let why = "";
  if (query.length > MAX_CHARS) {
    why = `its settings run to ${query.length.toLocaleString("en")} characters, more than the ` +
          `${MAX_CHARS.toLocaleString("en")} the app reads`;
  } else if (fields > MAX_FIELDS) {
    why = `it holds ${fields.toLocaleString("en")} parameters, more than the ` +
          `${MAX_FIELDS.toLocaleString("en")} the app reads`;
  }
  if (!why) return;
  const box = document.createElement("div");
  box.id = "downhill-link-refused";
  box.setAttribute("role", "alert");
  // centred by auto margins: left 50% with a transform shrank it to half a phone's width
  box.style.cssText = "position:fixed;top:0.75rem;left:0;right:0;margin:0 auto;" +
    "width:fit-content;" +
    "z-index:1000100;max-width:min(40rem,92vw);padding:0.75rem 2.5rem 0.75rem 1rem;" +
    "background:#FFFBE6;color:#5C4400;border:1px solid #E6C200;border-radius:0.5rem;" +
    "font:15px/1.4 'Source Sans Pro',sans-serif;box-shadow:0 2px 8px rgba(0,0,0,0.15)";
  box.textContent = `This link was not read: ${why}, so the page opened with its defaults.`;
  const close = document.createElement("button");
  close.textContent = "×";
  close.setAttribute("aria-label", "Close");
  close.style.cssText = "position:absolute;top:0.3rem;right:0.5rem;border:none;background:none;" +
    "font-size:1.4rem;line-height:1;cursor:pointer;color:inherit";
  close.addEventListener("click", () => box.remove());
  box.appendChild(close);
  const show = () => document.body.appendChild(box);
  if (document.body) show(); else addEventListener("DOMContentLoaded", show);
})();
