// What Plotly's animation controls need from the page. Runs once per browser tab (app.py adds
// it to every page).
// - Keyboard access: Plotly draws Play, Pause, the speed buttons and the step slider as SVG that
//   no key reaches (a keyboard-only visitor could not play a race). Each button becomes a
//   focusable button (Enter or Space presses it) and each chart's top slider a focusable slider
//   (arrows: one frame, Page Up/Down: ten, Home/End: first/last), sending the clicks Plotly
//   listens for.
// - Play from where a chart opens: a race opened at a step (its link's ``at``) shows that
//   frame, but Plotly knows a current frame only once it has animated to one, so Play began
//   again at step 0. A new chart whose slider stands before its last frame is told it is there.
(() => {
  if (window.downhillPlotlyControls) return;
  window.downhillPlotlyControls = true;
  const MOVES = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1, PageUp: 10, PageDown: -10 };

  // The slider a key moves: the last drawn (the race lays a slider over every frame on top of
  // its labelled one), with Plotly's options for it.
  function sliderOf(group) {
    const gd = group.closest(".js-plotly-plot");
    const groups = [...gd.querySelectorAll("g.slider-group")];
    return { gd, opts: gd._fullLayout.sliders[groups.indexOf(group)] };
  }

  // What a screen reader says of the slider: at ``index`` (Plotly's active step by default).
  function describe(group, index) {
    const { opts } = sliderOf(group);
    const n = opts.steps.length;
    const at = index ?? opts.active;
    group.setAttribute("aria-valuemin", "1");
    group.setAttribute("aria-valuemax", String(n));
    group.setAttribute("aria-valuenow", String(at + 1));
    const label = opts.steps[at].label;
    group.setAttribute("aria-valuetext", label ? `step ${label}` : `frame ${at + 1} of ${n}`);
  }

  // Plotly's ``fromcurrent`` resumes after ``_fullLayout._currentFrame``, which a new chart
  // (Plotly.react) starts without.
  function openWhereShown(box) {
    const gd = box.closest(".js-plotly-plot");
    const sliders = gd && gd._fullLayout && gd._fullLayout.sliders;
    if (!sliders || !sliders.length || gd._fullLayout._currentFrame != null) return;
    const top = sliders[sliders.length - 1];
    if (top.active < top.steps.length - 1) gd._fullLayout._currentFrame = String(top.active);
  }

  function decorate() {
    document.querySelectorAll(".js-plotly-plot g.updatemenu-button:not([tabindex])").forEach((b) => {
      b.setAttribute("tabindex", "0");
      b.setAttribute("role", "button");
      b.setAttribute("aria-label", b.textContent.trim());
    });
    document.querySelectorAll(".js-plotly-plot g.slider-container").forEach((box) => {
      openWhereShown(box);
      const groups = box.querySelectorAll("g.slider-group");
      const top = groups[groups.length - 1];
      if (!top || top.hasAttribute("tabindex")) return;
      top.setAttribute("tabindex", "0");
      top.setAttribute("role", "slider");
      top.setAttribute("aria-label", "Animation step");
      describe(top);
    });
  }

  function press(button) {
    button.dispatchEvent(new MouseEvent("click", { bubbles: true, view: window }));
  }

  // Plotly moves a slider where a mouse presses its rail: press it at the target step's tick.
  function moveTo(group, index) {
    const { gd, opts } = sliderOf(group);
    const ticks = group.querySelectorAll("rect.slider-tick-rect");
    const rail = group.querySelector("rect.slider-rail-touch-rect");
    const target = Math.max(0, Math.min(ticks.length - 1, index));
    if (!rail || target === opts.active) return;
    const tick = ticks[target].getBoundingClientRect();
    const box = rail.getBoundingClientRect();
    const at = { bubbles: true, view: window, clientX: tick.left + tick.width / 2,
                 clientY: box.top + box.height / 2 };
    rail.dispatchEvent(new MouseEvent("mousedown", at));
    gd.dispatchEvent(new MouseEvent("mouseup", at));
    describe(group, target);
  }

  document.addEventListener("keydown", (event) => {
    const el = event.target;
    if (!(el instanceof SVGElement)) return;
    if (el.matches("g.updatemenu-button") && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      press(el);
    } else if (el.matches("g.slider-group[role=slider]")) {
      const { opts } = sliderOf(el);
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
})();
