extension Dashboard {
    /// /dashboard.js: the only script of the dashboard (the CSP allows no inline one). On an
    /// execution page it listens to /api/executions/{id}/events (Server-Sent Events) and, on
    /// each journal record, swaps in /executions/{id}/fragment; it also polls that fragment
    /// every few seconds when no event came (a missed event never leaves the page stale), and
    /// stops once the execution has finished. It shows and wires the operator buttons: a
    /// confirm() dialog, an optional reason, a JSON POST to the API. A `?token=` given to any
    /// page is kept in sessionStorage (and taken out of the address bar) and sent as
    /// `Authorization: Bearer` (EventSource cannot send headers, so there as `?token=`).
    static let script = #"""
    (function () {
      'use strict';
      var KEY = 'flow-token';
      var params = new URLSearchParams(window.location.search);
      if (params.has('token')) {
        var given = params.get('token');
        if (given) { sessionStorage.setItem(KEY, given); } else { sessionStorage.removeItem(KEY); }
        params.delete('token');
        var rest = params.toString();
        history.replaceState(null, '', window.location.pathname + (rest ? '?' + rest : '') + window.location.hash);
      }
      function token() { return sessionStorage.getItem(KEY); }
      function headers(extra) {
        var h = extra || {};
        var t = token();
        if (t) { h['Authorization'] = 'Bearer ' + t; }
        return h;
      }

      var main = document.getElementById('execution');
      if (!main) { return; }
      var id = main.getAttribute('data-id');
      var api = '/api/executions/' + encodeURIComponent(id);
      var fragmentURL = '/executions/' + encodeURIComponent(id) + '/fragment';
      var live = document.getElementById('live');
      var actions = document.getElementById('actions');
      var result = document.getElementById('action-result');
      var source = null, timer = null, lastUpdate = Date.now();
      var busy = false, again = false, debounce = null;

      function state() { return document.getElementById('state'); }
      function isFinal() { var s = state(); return !!s && s.getAttribute('data-final') === 'true'; }
      function say(text, bad) {
        if (!result) { return; }
        result.textContent = text;
        result.className = bad ? 'bad' : 'ok';
      }

      function refresh() {
        if (busy) { again = true; return; }
        busy = true;
        var open = {};
        live.querySelectorAll('details[id], details.weights-table').forEach(function (d, i) { open[i] = d.open; });
        fetch(fragmentURL, { headers: headers(), cache: 'no-store' })
          .then(function (r) {
            if (!r.ok) { throw new Error('HTTP ' + r.status); }
            return r.text();
          })
          .then(function (html) {
            live.innerHTML = html;
            live.querySelectorAll('details[id], details.weights-table').forEach(function (d, i) { if (open[i]) { d.open = true; } });
            lastUpdate = Date.now();
            var s = state();
            if (s) {
              main.setAttribute('data-status', s.getAttribute('data-status'));
              document.title = 'flow: ' + id + ' (' + s.getAttribute('data-status') + ')';
            }
            if (isFinal()) { stop(); }
          })
          .catch(function (e) { say('Live update failed: ' + e.message, true); })
          .then(function () {
            busy = false;
            if (again) { again = false; refresh(); }
          });
      }
      function soon() {
        if (debounce) { return; }
        debounce = setTimeout(function () { debounce = null; refresh(); }, 100);
      }
      function stop() {
        if (source) { source.close(); source = null; }
        if (timer) { clearInterval(timer); timer = null; }
        if (actions) { actions.hidden = true; }
        main.setAttribute('data-live', 'finished');
      }

      if (!isFinal()) {
        if (window.EventSource) {
          var t = token();
          source = new EventSource(api + '/events' + (t ? '?token=' + encodeURIComponent(t) : ''));
          source.onmessage = soon;
          source.addEventListener('end', soon);
          source.onopen = function () {
            main.setAttribute('data-live', 'connected');
            if (window.console) { console.info('flow dashboard: live updates connected'); }
          };
          source.onerror = function () { main.setAttribute('data-live', 'reconnecting'); };
        }
        timer = setInterval(function () {
          if (Date.now() - lastUpdate >= 4000) { refresh(); }
        }, 2000);
        main.setAttribute('data-live', 'listening');
      }

      if (actions && actions.getAttribute('data-done') !== 'true') {
        actions.hidden = false;
        actions.querySelectorAll('button[data-action]').forEach(function (button) {
          button.addEventListener('click', function () {
            var action = button.getAttribute('data-action');
            if (!window.confirm(button.getAttribute('data-confirm') + '\n\nExecution ' + id)) { return; }
            var reason = window.prompt('Reason (optional, journaled with your action):', '');
            if (reason === null) { return; }
            var body = {};
            if (reason) { body.reason = reason; }
            var path = action;
            if (action === 'promote_full') { path = 'promote'; body.full = true; }
            button.disabled = true;
            say(action + ': sending…', false);
            fetch(api + '/' + path, {
              method: 'POST',
              headers: headers({ 'Content-Type': 'application/json' }),
              body: JSON.stringify(body)
            }).then(function (r) {
              return r.text().then(function (text) {
                var data = null;
                try { data = JSON.parse(text); } catch (e) { data = null; }
                if (!r.ok) {
                  var why = data && (data.detail || data.error) ? (data.error + ': ' + (data.detail || '')) : ('HTTP ' + r.status);
                  throw new Error(why);
                }
                say(action.replace('_', ' ') + ' sent: the execution takes it at its next step.', false);
                refresh();
              });
            }).catch(function (e) {
              say(action.replace('_', ' ') + ' failed: ' + e.message, true);
            }).then(function () { button.disabled = false; });
          });
        });
      }
    })();

    """#
}
