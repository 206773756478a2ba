extension Dashboard {
    /// /dashboard.css: system fonts only (no web fonts), readable contrast, and the chart's
    /// colours (the SVG carries classes, never inline styles: the CSP forbids them).
    static let style = #"""
    :root { --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #ffffff; --panel: #f6f8fa;
            --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --live: #0969da;
            --blue: #2f6fdb; --green: #2da44e; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
    code, .result, td.num, time { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 13px; }
    a { color: var(--live); }
    header.top { padding: 10px 24px; background: #24292f; color: #fff; }
    header.top .brand { color: #fff; font-weight: 700; text-decoration: none; font-size: 18px; }
    header.top .sub { color: #c9d1d9; margin-left: 8px; }
    main { padding: 16px 24px 48px; max-width: 1200px; }
    h1 { font-size: 22px; margin: 8px 0 16px; }
    h2 { font-size: 17px; margin: 28px 0 8px; }
    .crumbs { color: var(--muted); font-size: 13px; }
    table { border-collapse: collapse; width: 100%; }
    th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
    thead th { background: var(--panel); font-size: 13px; color: var(--muted); font-weight: 600; }
    tbody th { font-weight: 600; }
    td.num { text-align: right; white-space: nowrap; }
    td.result { word-break: break-word; }
    tr.attempt td { color: var(--muted); font-size: 13px; }
    tr.event th, tr.event td { background: #fff8c5; }
    tr.compensation th { color: #0550ae; }
    .ok { color: var(--ok); } .bad { color: var(--bad); } .warn { color: var(--warn); } .live { color: var(--live); }
    .note { font-size: 12px; color: var(--muted); border: 1px solid var(--line); border-radius: 8px; padding: 0 6px; }
    .status, .verdict { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 13px; font-weight: 600;
                        border: 1px solid transparent; background: var(--panel); }
    .status-succeeded, .verdict-pass { background: #dafbe1; color: #116329; }
    .status-failed, .status-aborted, .verdict-fail { background: #ffebe9; color: #a40e26; }
    .status-cancelled, .status-interrupted, .status-paused, .verdict-inconclusive { background: #fff8c5; color: #7d4e00; }
    .status-running, .status-waiting { background: #ddf4ff; color: #0550ae; }
    form.filters { display: flex; gap: 12px; align-items: end; flex-wrap: wrap; margin-bottom: 8px; }
    form.filters label { display: flex; flex-direction: column; font-size: 13px; color: var(--muted); gap: 2px; }
    input, select, button { font: inherit; padding: 4px 8px; }
    .count, .empty { color: var(--muted); }
    dl.fields { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
    dl.fields > div { display: contents; }
    dt { color: var(--muted); } dd { margin: 0; }
    svg.chart { width: 100%; max-width: 760px; height: auto; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
    svg.chart .grid { stroke: #eaeef2; stroke-width: 1; }
    svg.chart .axis-line, svg.chart .tick { stroke: var(--muted); stroke-width: 1; }
    svg.chart .axis, svg.chart .axis-title { fill: var(--muted); font-size: 11px; font-family: system-ui, sans-serif; }
    svg.chart .area { stroke: #fff; stroke-width: 0.5; opacity: 0.85; }
    svg.chart .failback { stroke: var(--bad); stroke-width: 2; stroke-dasharray: 4 3; }
    svg.chart .mark { fill: #fff; stroke: var(--fg); stroke-width: 1.5; }
    svg.chart .mark-restored { stroke: var(--bad); }
    .w-blue { fill: var(--blue); background: var(--blue); } .w-green { fill: var(--green); background: var(--green); }
    .w-other0 { fill: #bf8700; background: #bf8700; } .w-other1 { fill: #8250df; background: #8250df; }
    .w-other2 { fill: #57606a; background: #57606a; } .w-other3 { fill: #cf222e; background: #cf222e; }
    figure { margin: 0; }
    ul.legend { list-style: none; display: flex; gap: 16px; padding: 0; margin: 6px 0; }
    .swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
    details.weights-table { margin-top: 8px; }
    section#actions .buttons { display: flex; gap: 8px; flex-wrap: wrap; }
    button.action { border: 1px solid var(--line); border-radius: 6px; background: var(--panel); cursor: pointer; }
    button.action:hover, button.action:focus-visible { border-color: var(--live); }
    button.action-abort { color: var(--bad); border-color: #ff8182; }
    table.failback caption { text-align: left; font-weight: 600; padding: 8px 0 4px; }
    @media (max-width: 700px) { main { padding: 12px; } th, td { padding: 4px; } }

    """#
}
