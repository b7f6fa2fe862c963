extension HTMLReport {
    /// The report's inline stylesheet: system fonts, a 1100 px column, a responsive figure
    /// grid, tabular numbers. It contains no `<` or `&`, so it is valid XML text as it is.
    static let stylesheet = """
    :root { color-scheme: light; --fg: #1f2328; --muted: #57606a; --line: #d8dee4; --soft: #f6f8fa;
      --accent: #4e79a7; --good: #2e7d32; --bad: #c62828; --warn: #9a6700; }
    * { box-sizing: border-box; }
    html { -webkit-text-size-adjust: 100%; }
    body { margin: 0; background: #eef1f4; color: var(--fg);
      font: 15px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans",
        "Hiragino Sans", "Noto Sans CJK JP", sans-serif; }
    main { max-width: 1100px; margin: 24px auto; padding: 36px 44px 28px; background: #fff;
      border: 1px solid var(--line); border-radius: 10px; box-shadow: 0 1px 3px rgba(31, 35, 40, 0.06); }
    .report-header { border-bottom: 1px solid var(--line); padding-bottom: 14px; margin-bottom: 8px; }
    h1 { font-size: 1.9rem; line-height: 1.25; margin: 0 0 6px; letter-spacing: -0.01em; }
    .subtitle { color: var(--muted); margin: 0; font-size: 1.02rem; }
    h2 { font-size: 1.32rem; margin: 34px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
    h3 { font-size: 1.06rem; margin: 22px 0 8px; }
    p { margin: 10px 0; max-width: 80ch; }
    nav.toc { background: var(--soft); border: 1px solid var(--line); border-radius: 8px; padding: 10px 18px;
      margin: 16px 0 4px; font-size: 0.94rem; }
    nav.toc ol { margin: 0; padding-left: 20px; columns: 2; column-gap: 32px; }
    a { color: #0969da; text-decoration: none; }
    a:hover { text-decoration: underline; }
    dl.settings { display: grid; grid-template-columns: max-content 1fr; gap: 4px 22px; margin: 12px 0;
      padding: 12px 18px; background: var(--soft); border: 1px solid var(--line); border-radius: 8px;
      font-size: 0.93rem; }
    dl.settings dt { color: var(--muted); }
    dl.settings dd { margin: 0; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
      font-size: 0.88rem; overflow-wrap: anywhere; }
    .table-wrap { overflow-x: auto; margin: 12px 0 16px; }
    table.data { border-collapse: collapse; font-size: 0.92rem; min-width: 50%; }
    table.data caption { caption-side: top; text-align: left; color: var(--muted); font-size: 0.88rem; padding-bottom: 6px; }
    table.data th, table.data td { padding: 6px 14px; border-bottom: 1px solid var(--line); text-align: left;
      white-space: nowrap; }
    table.data thead th { border-bottom: 2px solid #afb8c1; font-weight: 600; background: var(--soft); }
    table.data tbody tr:nth-child(even) { background: #fafbfc; }
    table.data .num { text-align: right; font-variant-numeric: tabular-nums; }
    table.data .center { text-align: center; }
    table.data tr.bad td, table.data td.bad { color: var(--bad); background: #fdecea; }
    table.data tr.good td, table.data td.good { color: var(--good); background: #eaf5eb; font-weight: 600; }
    table.data tr.warn td, table.data td.warn { color: var(--warn); background: #fff5d6; }
    table.data .strong { font-weight: 700; }
    .figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 460px), 1fr)); gap: 18px;
      margin: 14px 0 18px; }
    .figures.single { grid-template-columns: 1fr; }
    figure { margin: 0; padding: 10px; border: 1px solid var(--line); border-radius: 8px; background: #fff;
      break-inside: avoid; }
    figure.wide { grid-column: 1 / -1; }
    figure svg { display: block; max-width: 100%; height: auto; margin: 0 auto; }
    figcaption { color: var(--muted); font-size: 0.88rem; margin-top: 6px; text-align: center; }
    ul.bullets { padding-left: 22px; margin: 10px 0; }
    ul.bullets li { margin: 4px 0; }
    aside.note { border-left: 4px solid var(--accent); background: #eef4fb; padding: 10px 16px; margin: 16px 0;
      border-radius: 0 8px 8px 0; }
    aside.note.warning { border-left-color: #d4a72c; background: #fff8e1; }
    aside.note p { margin: 4px 0; }
    aside.note .note-title { font-weight: 600; }
    pre { background: var(--soft); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px;
      overflow-x: auto; font: 0.85rem/1.15 ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
    footer { max-width: 1100px; margin: 0 auto 28px; padding: 0 8px; color: var(--muted); font-size: 0.82rem;
      text-align: center; }
    @media (max-width: 720px) { main { margin: 0; padding: 20px 16px; border-radius: 0; border: 0; }
      nav.toc ol { columns: 1; } }
    @media print { body { background: #fff; } main { border: 0; box-shadow: none; margin: 0; max-width: none; } }

    """
}
