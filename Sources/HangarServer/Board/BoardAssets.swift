/// The board's one stylesheet and its small script, served from the binary. The script
/// only adds live updates (Server-Sent Events, else a slow poll): every page reads and
/// every button works without it.
enum BoardAssets {
    static let css = """
        :root { --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #ffffff; --accent: #0a58ca; --ok: #146c2e;
                --bad: #a40e26; --warn: #7a4d00; --now: #e7f3ff; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
        header.top { display: flex; gap: 1.5rem; align-items: center; padding: .6rem 1.2rem; border-bottom: 1px solid var(--line); }
        .brand { font-weight: 700; color: var(--fg); text-decoration: none; }
        header nav { flex: 1; display: flex; gap: 1rem; }
        main { padding: 1rem 1.2rem 3rem; }
        a { color: var(--accent); }
        a:focus, button:focus, input:focus, select:focus, textarea:focus { outline: 3px solid #ffbf47; outline-offset: 1px; }
        h1 { font-size: 1.4rem; margin: .2rem 0 1rem; }
        h2 { font-size: 1.1rem; margin-top: 1.6rem; }
        .muted { color: var(--muted); }
        .small { font-size: .82rem; }
        code { font: .85em ui-monospace, SFMono-Regular, Menlo, monospace; }
        table { border-collapse: collapse; width: 100%; }
        th, td { border: 1px solid var(--line); padding: .4rem .5rem; text-align: left; vertical-align: top; }
        th .small, th .muted { font-weight: 400; }
        caption { text-align: left; color: var(--muted); padding-bottom: .4rem; }
        table.board td.cell { min-width: 9rem; }
        td.current { background: var(--now); border: 2px solid var(--accent); }
        td.cell .state { display: block; }
        td.current .state { font-weight: 700; }
        td.rolled-back .state { color: var(--bad); }
        tr.version th { background: #f6f8fa; }
        .pointer { font-weight: 700; }
        .report.succeeded { color: var(--ok); }
        .report.failed { color: var(--bad); font-weight: 600; }
        .report.in-progress { color: var(--warn); }
        .blocked { color: var(--warn); font-size: .85rem; }
        .button, button { display: inline-block; font: inherit; padding: .25rem .7rem; border-radius: 4px; border: 1px solid var(--accent);
                          background: var(--accent); color: #fff; text-decoration: none; cursor: pointer; margin-top: .3rem; }
        .button.subtle, form.signout button { background: #fff; color: var(--accent); }
        .button.danger { background: var(--bad); border-color: var(--bad); }
        .flash { padding: .5rem .8rem; border-left: 4px solid var(--accent); background: #f6f8fa; }
        .flash.error { border-color: var(--bad); }
        .flash.ok { border-color: var(--ok); }
        form.filters { display: flex; gap: .6rem; align-items: center; flex-wrap: wrap; margin-bottom: 1rem; }
        form.login, form.confirm { display: grid; gap: .5rem; max-width: 32rem; }
        input, select, textarea { font: inherit; padding: .3rem; border: 1px solid var(--muted); border-radius: 4px; }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; }
        dl.facts dt { color: var(--muted); }
        .lineage .this { font-weight: 700; }
        .lead { font-size: 1.1rem; }
        td.changed, td.added, td.removed { font-weight: 600; }
        """

    static let js = """
        // Live board: when a pointer moves or an agent reports, the server sends an event and
        // the board is fetched again and swapped in. Without EventSource: a poll every 15 s.
        (function () {
          var board = document.getElementById('board');
          if (!board) return;
          var busy = false;
          function refresh() {
            if (busy) return;
            busy = true;
            fetch(window.location.href, { credentials: 'same-origin' })
              .then(function (r) { return r.ok ? r.text() : null; })
              .then(function (html) {
                if (!html) return;
                var next = new DOMParser().parseFromString(html, 'text/html').getElementById('board');
                var now = document.getElementById('board');
                if (next && now && next.dataset.fingerprint !== now.dataset.fingerprint) { now.replaceWith(next); }
              })
              .finally(function () { busy = false; });
          }
          if (window.EventSource) {
            var events = new EventSource(board.dataset.events);
            events.addEventListener('change', refresh);
          } else {
            setInterval(refresh, 15000);
          }
        })();
        """
}
