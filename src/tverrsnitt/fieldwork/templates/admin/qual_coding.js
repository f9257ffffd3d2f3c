// {% raw %}
// The coding page: a selection in the transcript becomes character offsets.
//
// Each turn's text element (.text) holds exactly the characters data-start..data-end of the
// anonymised transcript, so an offset is data-start plus the characters before the point in
// that element. Python counts code points, so characters are counted with Array.from (an emoji
// is one character, not two UTF-16 units). A selection end outside every text element (on a
// speaker label, between turns) snaps to the nearest turn inside the selection, and white
// space at either end of the selection is left out.
(function () {
  "use strict";
  document.documentElement.classList.add("has-js");
  var root = document.getElementById("transkripsjon");
  var form = document.getElementById("kodeskjema");
  if (!root || !form) { return; }
  var startInput = document.getElementById("start");
  var endInput = document.getElementById("end");
  var shown = document.getElementById("markert");
  var texts = Array.prototype.map.call(root.querySelectorAll(".text[data-start]"), function (el) {
    return { el: el, start: Number(el.dataset.start), end: Number(el.dataset.end),
             chars: Array.from(el.textContent) };
  });

  function codePoints(text) { return Array.from(text).length; }

  function offsetIn(item, node, offset) {
    var range = document.createRange();
    range.selectNodeContents(item.el);
    range.setEnd(node, offset);
    return item.start + codePoints(range.toString());
  }

  // The offset of a selection boundary; `first` for the start (snaps forward), else backward.
  function boundary(node, offset, first) {
    var order = first ? texts : texts.slice().reverse();
    for (var i = 0; i < order.length; i++) {
      var range = document.createRange();
      range.selectNodeContents(order[i].el);
      var where = range.comparePoint(node, offset);
      if (where === 0) { return offsetIn(order[i], node, offset); }
      if (first && where < 0) { return order[i].start; }
      if (!first && where > 0) { return order[i].end; }
    }
    return null;
  }

  function itemAt(offset) {
    for (var i = 0; i < texts.length; i++) {
      if (texts[i].start <= offset && offset < texts[i].end) { return texts[i]; }
    }
    return null;
  }

  // A character of the transcript, or null between turns (labels are not on the page as text).
  function charAt(offset) {
    var item = itemAt(offset);
    return item ? item.chars[offset - item.start] : null;
  }

  function blank(ch) { return ch === null || /\s/.test(ch); }

  function textBetween(start, end) {
    var parts = [];
    texts.forEach(function (item) {
      if (item.end <= start || item.start >= end) { return; }
      parts.push(item.chars.slice(Math.max(start, item.start) - item.start,
                                  Math.min(end, item.end) - item.start).join(""));
    });
    return parts.join(" […] ");
  }

  function show(start, end) {
    var text = (start !== null && end !== null && start < end) ? textBetween(start, end) : "";
    shown.textContent = text || "Ingenting markert ennå.";
    shown.classList.toggle("empty", !text);
  }

  function fromSelection() {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) { return; }
    var range = selection.getRangeAt(0);
    if (!root.contains(range.startContainer) && !root.contains(range.endContainer)) { return; }
    var start = boundary(range.startContainer, range.startOffset, true);
    var end = boundary(range.endContainer, range.endOffset, false);
    if (start === null || end === null) { return; }
    while (start < end && blank(charAt(start))) { start += 1; }
    while (end > start && blank(charAt(end - 1))) { end -= 1; }
    if (start >= end) { return; }
    startInput.value = String(start);
    endInput.value = String(end);
    show(start, end);
  }

  var pending = null;
  document.addEventListener("selectionchange", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(fromSelection, 120);
  });
  root.addEventListener("mouseup", function () { window.setTimeout(fromSelection, 0); });
  root.addEventListener("keyup", function () { window.setTimeout(fromSelection, 0); });

  function fromInputs() {
    var start = parseInt(startInput.value, 10);
    var end = parseInt(endInput.value, 10);
    show(isNaN(start) ? null : start, isNaN(end) ? null : end);
  }
  startInput.addEventListener("input", fromInputs);
  endInput.addEventListener("input", fromInputs);

  // The theme memo form: choosing a theme fills in its memo so far.
  var memoTheme = document.getElementById("memo-tema");
  var memoText = document.getElementById("memo-tekst");
  if (memoTheme && memoText) {
    memoTheme.addEventListener("change", function () {
      var option = memoTheme.options[memoTheme.selectedIndex];
      memoText.value = option ? (option.dataset.memo || "") : "";
    });
  }
}());
// {% endraw %}
