// {% raw %}
// The placement page: drag the cups (mouse, touch, pen) or move them with the arrow keys.
//
// The form's table is the record: moving a cup writes its distance and angle there (rounded
// for reading) and the exact x and y into hidden fields; typing in the table moves the cup.
// Positions are house radii from the centre, y up; the SVG draws `scale` units per radius
// with y down. A cup dropped in the tray under the sheet is not placed.
(function () {
  "use strict";
  document.documentElement.classList.add("has-js");
  var svg = document.getElementById("curling");
  var form = document.getElementById("plassering");
  var status = document.getElementById("kopp-status");
  if (!svg || !form || !window.DOMPoint) { return; }
  var scale = Number(svg.dataset.scale);
  var max = Number(svg.dataset.max);
  var trayTop = Number(svg.dataset.trayTop);
  var STEP = 0.05, FINE = 0.01;

  function field(index, name) { return document.getElementById("p" + index + "-" + name); }
  function number(text) {
    var value = Number(String(text).trim().replace(",", ".").replace("\u2212", "-"));
    return String(text).trim() === "" || !isFinite(value) ? null : value;
  }
  function comma(value, digits) { return value.toFixed(digits).replace(".", ","); }
  function trimmed(value, digits) {
    var text = (Math.round(value * Math.pow(10, digits)) / Math.pow(10, digits)).toFixed(digits);
    text = text.replace(/\.?0+$/, "");
    return text === "-0" || text === "" ? "0" : text;
  }
  function polar(pos) {
    var reach = Math.hypot(pos.x, pos.y);
    var turn = ((Math.atan2(pos.y, pos.x) * 180 / Math.PI) % 360 + 360) % 360;
    return { distance: reach, angle: turn };
  }
  function clamp(pos) {
    var reach = Math.hypot(pos.x, pos.y);
    return reach <= max ? pos : { x: pos.x * max / reach, y: pos.y * max / reach };
  }

  // Where the table's fields put a cup: the exact x and y when given (and `exact`), else the
  // distance and angle; null when they are empty or not a position on the sheet.
  function fromFields(cup, exact) {
    var d = number(cup.distance.value), a = number(cup.angle.value);
    var x = exact ? number(cup.x.value) : null, y = exact ? number(cup.y.value) : null;
    if (x !== null && y !== null && Math.hypot(x, y) <= max) { return { x: x, y: y }; }
    if (d === null || a === null || d < 0 || d > max) { return null; }
    return { x: d * Math.cos(a * Math.PI / 180), y: d * Math.sin(a * Math.PI / 180) };
  }

  var cups = Array.prototype.map.call(svg.querySelectorAll(".cup"), function (el) {
    var index = el.dataset.index;
    var cup = { el: el, index: index, name: el.dataset.participant,
                tray: { x: Number(el.dataset.trayX), y: Number(el.dataset.trayY) },
                distance: field(index, "avstand"), angle: field(index, "vinkel"),
                x: field(index, "x"), y: field(index, "y"), top: field(index, "oppaa"),
                pos: null };
    cup.pos = fromFields(cup, true);
    return cup;
  });

  function label(cup) {
    if (!cup.pos) { return "Kopp " + cup.name + ", ikke plassert"; }
    var p = polar(cup.pos);
    return "Kopp " + cup.name + ", avstand " + comma(p.distance, 2) + " husradier, vinkel " +
      comma(p.angle, 0) + " grader" + (cup.top.checked ? ", ønsket oppå" : "");
  }

  function draw(cup, svgX, svgY) {
    cup.el.setAttribute("transform", "translate(" + svgX.toFixed(2) + " " + svgY.toFixed(2) + ")");
  }

  // The name beside a cup, away from the centre (as admin_qual_placement.label_offset).
  var CUP = Number(svg.dataset.cup), GAP = 4, ASCENT = 9.5, DESCENT = 3;
  function labelAt(cup, pos) {
    var name = cup.el.querySelector(".name");
    var reach = CUP + GAP, x = reach, y = ASCENT / 2 - 1, anchor = "start";
    var length = pos ? Math.hypot(pos.x, pos.y) : 0;
    if (length > 1e-9) {
      var ux = pos.x / length, uy = -pos.y / length;
      anchor = ux > 0.35 ? "start" : (ux < -0.35 ? "end" : "middle");
      x = ux * reach;
      y = uy * reach + (uy > 0.35 ? ASCENT : (uy < -0.35 ? -DESCENT : ASCENT / 2 - 1));
    }
    name.setAttribute("x", x.toFixed(1));
    name.setAttribute("y", y.toFixed(1));
    name.setAttribute("text-anchor", anchor);
  }

  function redraw(cup) {
    if (cup.pos) { draw(cup, cup.pos.x * scale, -cup.pos.y * scale); }
    else { draw(cup, cup.tray.x, cup.tray.y); }
    labelAt(cup, cup.pos);
    cup.el.classList.toggle("on-top", cup.top.checked);
    cup.el.setAttribute("aria-label", label(cup));
    var title = cup.el.querySelector("title");
    if (title) { title.textContent = label(cup); }
  }

  // Put a cup at pos (null: off the sheet) and write the table's fields.
  function place(cup, pos, announce) {
    cup.pos = pos ? clamp(pos) : null;
    if (cup.pos) {
      var p = polar(cup.pos);
      cup.distance.value = trimmed(p.distance, 3);
      cup.angle.value = trimmed(p.angle, 1);
      cup.x.value = String(cup.pos.x);
      cup.y.value = String(cup.pos.y);
    } else {
      cup.distance.value = cup.angle.value = cup.x.value = cup.y.value = "";
    }
    redraw(cup);
    if (announce) { status.textContent = label(cup); }
  }

  function toSvg(event) {
    var matrix = svg.getScreenCTM();
    return new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse());
  }

  cups.forEach(function (cup) {
    var el = cup.el;
    el.setAttribute("tabindex", "0");
    el.setAttribute("role", "button");
    el.setAttribute("aria-roledescription", "flyttbar kopp");
    el.setAttribute("aria-describedby", "curling-hjelp");
    redraw(cup);
    var grab = null;

    el.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) { return; }
      event.preventDefault();
      el.focus();
      el.setPointerCapture(event.pointerId);
      var at = toSvg(event);
      var drawn = cup.pos ? { x: cup.pos.x * scale, y: -cup.pos.y * scale } : cup.tray;
      grab = { dx: drawn.x - at.x, dy: drawn.y - at.y, before: cup.pos };
      el.classList.add("dragging");  // (not moved in the DOM: that would end the capture)
    });
    el.addEventListener("pointermove", function (event) {
      if (!grab) { return; }
      var at = toSvg(event);
      var sx = at.x + grab.dx, sy = at.y + grab.dy;
      if (sy > trayTop) { draw(cup, sx, sy); labelAt(cup, null); return; }
      var pos = clamp({ x: sx / scale, y: -sy / scale });
      draw(cup, pos.x * scale, -pos.y * scale);
      labelAt(cup, pos);
    });
    function drop(event, cancelled) {
      if (!grab) { return; }
      var at = toSvg(event);
      var sx = at.x + grab.dx, sy = at.y + grab.dy;
      var before = grab.before;
      grab = null;
      el.classList.remove("dragging");
      if (cancelled) { place(cup, before, false); return; }
      place(cup, sy > trayTop ? null : { x: sx / scale, y: -sy / scale }, true);
    }
    el.addEventListener("pointerup", function (event) { drop(event, false); });
    el.addEventListener("pointercancel", function (event) { drop(event, true); });

    el.addEventListener("keydown", function (event) {
      var step = event.shiftKey ? FINE : STEP;
      var move = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step],
                   ArrowDown: [0, -step] }[event.key];
      if (move) {
        event.preventDefault();
        var from = cup.pos || { x: 0, y: -1.2 }; // off the sheet: start just below the house
        place(cup, { x: from.x + move[0], y: from.y + move[1] }, true);
      } else if (event.key === "Delete" || event.key === "Backspace") {
        event.preventDefault();
        place(cup, null, true);
      } else if (event.key === " " || event.key === "Enter") {
        event.preventDefault();
        cup.top.checked = !cup.top.checked;
        redraw(cup);
        status.textContent = label(cup);
      }
    });

    function typed() {  // typed in the table: the cup follows (half-typed numbers leave it)
      cup.x.value = cup.y.value = "";
      var pos = fromFields(cup, false);
      if (pos || (cup.distance.value.trim() === "" && cup.angle.value.trim() === "")) {
        cup.pos = pos;
      }
      redraw(cup);
    }
    cup.distance.addEventListener("input", typed);
    cup.angle.addEventListener("input", typed);
    cup.top.addEventListener("change", function () { redraw(cup); });
  });
}());
// {% endraw %}
