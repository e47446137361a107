// What Plotly's animation controls need from the page. Runs once per browser tab (app.py adds
// it to every page).
// - Keyboard access: Plotly draws Play, Pause, the speed buttons and the step slider as SVG that
//   no key reaches (a keyboard-only visitor could not play a race). Each button becomes a
//   focusable button (Enter or Space presses it) and each chart's top slider a focusable slider
//   (arrows: one frame, Page Up/Down: ten, Home/End: first/last), sending the clicks Plotly
//   listens for; its ARIA value follows the frame shown.
// - Play from where a chart opens: a race opened at a step (its link's ``at``) shows that
//   frame, but Plotly's ``fromcurrent`` resumes after ``_fullLayout._currentFrame``, which only
//   animating sets (and ``Plotly.react`` carries over from the chart before). Each new layout is
//   told the frame its top slider stands at.
// - Resume at a speed that skips frames: 2x and 4x list every 2nd or 4th frame, and
//   ``fromcurrent`` finds no match for a frame Pause or the slider left off the list, so it
//   started over at step 0. Before such a button acts, the current frame becomes the listed one
//   at or before it, and playback goes on from the next listed frame.
// - Quiet Pause: Plotly.animate rejects the promise of an animation that Pause (or any other
//   button pressed mid-play) interrupts, with no reason, and its buttons never catch it: each
//   press left an "Uncaught (in promise) undefined" page error. Reasonless rejections are
//   marked handled; any other error still reaches the console.
(() => {
  if (window.downhillPlotlyControls) return;
  window.downhillPlotlyControls = true;
  const MOVES = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1, PageUp: 10, PageDown: -10 };

  // Plotly's options of a drawn slider (d3 binds them to its group, visible sliders only).
  const optsOf = (group) => group.__data__;
  const chartOf = (el) => el.closest(".js-plotly-plot");

  // What a screen reader says of the slider: at ``index`` (Plotly's active step by default),
  // in the chart's own words where it has a counter ("step 40" in the race map's corner; the
  // slider's steps there have no labels), else the step's label, else "frame i of n".
  function describe(group, index) {
    const opts = optsOf(group);
    if (!opts || !opts.steps) return;
    const n = opts.steps.length;
    const at = index ?? opts.active;
    group.setAttribute("aria-valuemin", "1");
    group.setAttribute("aria-valuemax", String(n));
    group.setAttribute("aria-valuenow", String(at + 1));
    const label = opts.steps[at] && opts.steps[at].label;
    const counter = index === undefined && [...chartOf(group).querySelectorAll(".textpoint text")]
      .map((t) => t.textContent).find((t) => /^(step|epoch) \d/.test(t));
    group.setAttribute("aria-valuetext", counter || label || `frame ${at + 1} of ${n}`);
  }

  // The top slider of a chart: the last drawn (the race lays a slider over every frame on top
  // of its labelled one).
  function topSlider(gd) {
    const groups = gd.querySelectorAll("g.slider-group");
    return groups[groups.length - 1];
  }

  // Once per layout: where Play resumes, and the slider's ARIA value kept up with playback.
  function newLayout(gd) {
    if (gd.downhillLayout === gd.layout) return;
    gd.downhillLayout = gd.layout;
    const top = topSlider(gd);
    const opts = top && optsOf(top);
    const step = opts && opts.steps && opts.steps[opts.active];
    const frame = step && step.method === "animate" && step.args && step.args[0];
    if (Array.isArray(frame) && frame.length === 1 && gd._fullLayout) {
      gd._fullLayout._currentFrame = String(frame[0]);
    }
    if (!gd.downhillListens && gd.on) {
      gd.downhillListens = true;
      const follow = () => { const t = topSlider(gd); if (t) describe(t); };
      gd.on("plotly_animated", follow);
      gd.on("plotly_sliderchange", follow);
    }
  }

  function decorate() {
    document.querySelectorAll(".js-plotly-plot g.updatemenu-button:not([tabindex])").forEach((b) => {
      b.setAttribute("tabindex", "0");
      b.setAttribute("role", "button");
      b.setAttribute("aria-label", b.textContent.trim());
    });
    document.querySelectorAll(".js-plotly-plot").forEach((gd) => {
      newLayout(gd);
      const top = topSlider(gd);
      if (!top || top.hasAttribute("tabindex")) return;
      top.setAttribute("tabindex", "0");
      top.setAttribute("role", "slider");
      top.setAttribute("aria-label", "Animation step");
      describe(top);
    });
  }

  // Before Plotly's own click handler (capture phase): a speed button whose frame list lacks the
  // current frame resumes from the last listed frame before it.
  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element && event.target.closest("g.updatemenu-button");
    const opts = button && button.__data__;
    const gd = button && chartOf(button);
    const frames = opts && opts.method === "animate" && opts.args && opts.args[0];
    const current = gd && gd._fullLayout && gd._fullLayout._currentFrame;
    if (!Array.isArray(frames) || frames.length < 2 || !(opts.args[1] || {}).fromcurrent
        || current === undefined || frames.includes(current)) return;
    const before = frames.filter((f) => Number(f) < Number(current));
    if (before.length) gd._fullLayout._currentFrame = before[before.length - 1];
  }, true);

  function press(button) {
    button.dispatchEvent(new MouseEvent("click", { bubbles: true, view: window }));
  }

  // Plotly moves a slider where a mouse presses its rail: press it at the target step's tick.
  function moveTo(group, index) {
    const opts = optsOf(group);
    const ticks = group.querySelectorAll("rect.slider-tick-rect");
    const rail = group.querySelector("rect.slider-rail-touch-rect");
    const target = Math.max(0, Math.min(ticks.length - 1, index));
    if (!rail || !opts || target === opts.active) return;
    const tick = ticks[target].getBoundingClientRect();
    const box = rail.getBoundingClientRect();
    const at = { bubbles: true, view: window, clientX: tick.left + tick.width / 2,
                 clientY: box.top + box.height / 2 };
    rail.dispatchEvent(new MouseEvent("mousedown", at));
    chartOf(group).dispatchEvent(new MouseEvent("mouseup", at));
    describe(group, target);
  }

  document.addEventListener("keydown", (event) => {
    const el = event.target;
    if (!(el instanceof SVGElement)) return;
    if (el.matches("g.updatemenu-button") && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      press(el);
    } else if (el.matches("g.slider-group[role=slider]") && optsOf(el)) {
      const opts = optsOf(el);
      const last = opts.steps.length - 1;
      const to = event.key === "Home" ? 0 : event.key === "End" ? last
        : event.key in MOVES ? opts.active + MOVES[event.key] : null;
      if (to === null) return;
      event.preventDefault();
      moveTo(el, to);
    }
  });
  document.addEventListener("focusin", (event) => {
    if (event.target instanceof SVGElement && event.target.matches("g.slider-group[role=slider]")) {
      describe(event.target);
    }
  });

  let queued = false;
  new MutationObserver(() => {
    if (queued) return;
    queued = true;
    setTimeout(() => { queued = false; decorate(); }, 200);
  }).observe(document.body, { childList: true, subtree: true });
  decorate();

  window.addEventListener("unhandledrejection", (e) => {
    if (e.reason === undefined) e.preventDefault();
  });
})();
