// microconv host helpers: the only JS the Rust side calls back into besides
// web APIs. Shared by the loader (concatenated into dist/microconv.js) and by
// the browser tests, so both run the same code.
function host(c) {
  var dead = 0;
  return {
    // Every callback the tag gives the browser goes through guard: a trap or
    // throw inside wasm is logged once and the tag goes quiet, instead of
    // reaching window.onerror on every later event.
    guard: function (f) {
      return function (x) {
        if (!dead) try { f(x) } catch (e) { dead = 1; c.error("microconv: stopped after an internal error", e) }
      }
    },
    // dataLayer-style queue: replay what the page pushed before we loaded,
    // then see later pushes. The page's push keeps its behaviour and result.
    hook: function (name, f) {
      var q = window[name] = window[name] || [], push = q.push, i = 0;
      if (typeof push != "function") return;
      for (; i < q.length; i++) f(q[i]);
      q.push = function () {
        var r = push.apply(this, arguments);
        for (var i = 0; i < arguments.length; i++) f(arguments[i]);
        return r
      }
    },
    stop: function () { dead = 1 }
  }
}
