"use strict";
// The leaderboard page: every text from the data goes into the document through textContent, never as markup.
(() => {
  const board = JSON.parse(document.getElementById("board-data").textContent);
  const languageOf = Object.fromEntries(board.columns.map((c) => [c.label, c.language]));
  const state = { languages: new Set(board.columns.map((c) => c.language)), suite: "", tag: "", sort: null, eval: "",
    model: "", sample: "", filter: "all", x: "", y: "", shown: 0 };
  const answers = new Map();

  // Control characters, invisible marks and bidi overrides, shown as `\u202e`-style escapes.
  const HIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;
  const shown = (text) => text.replace(HIDDEN, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);

  function el(tag, props = {}, children = []) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (key === "text") node.textContent = shown(String(value));
      else if (key === "class") node.className = value;
      else if (key === "lang") node.lang = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) node.append(child);
    return node;
  }
  const svg = (tag, attrs = {}) => {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
    return node;
  };
  const num = (v, digits = 3) => (v === null || v === undefined ? "—" : Number(v).toFixed(digits));
  const interval = (o) => (o ? `${num(o.mean)} [${num(o.ci_low)}, ${num(o.ci_high)}]` : "—");
  const rankText = (m) => (m.reference ? "ref" : m.rank ? (m.rank[0] === m.rank[1] ? `${m.rank[0]}` : `${m.rank[0]}–${m.rank[1]}`) : "—");
  const visibleColumns = () => board.columns.filter((c) => state.languages.has(c.language) &&
    (!state.suite || c.suites.includes(state.suite)) && (!state.tag || c.tags.includes(state.tag)));
  const cellOf = (model, label) => board.cells.find((c) => c.model === model && c.column === label);

  function readHash() {
    const params = new URLSearchParams(location.hash.slice(1));
    state.eval = params.get("eval") || "";
    state.model = params.get("model") || "";
    state.sample = params.get("sample") || "";
  }
  function writeHash() {
    const params = new URLSearchParams();
    for (const key of ["eval", "model", "sample"]) if (state[key]) params.set(key, state[key]);
    history.replaceState(null, "", `#${params.toString()}`);
  }

  function sortable(table, headers, rows, keys) {
    const head = el("tr");
    headers.forEach((name, i) => {
      const th = el("th", { class: i > 1 ? "num" : "", scope: "col" }, [el("button", { type: "button", text: name })]);
      if (state.sort && state.sort.table === table.id && state.sort.column === i) {
        th.setAttribute("aria-sort", state.sort.descending ? "descending" : "ascending");
      }
      th.querySelector("button").addEventListener("click", () => {
        const same = state.sort && state.sort.table === table.id && state.sort.column === i;
        state.sort = { table: table.id, column: i, descending: same ? !state.sort.descending : true };
        render();
      });
      head.append(th);
    });
    let ordered = rows.slice();
    if (state.sort && state.sort.table === table.id) {
      const { column, descending } = state.sort;
      ordered.sort((a, b) => {
        const x = keys[rows.indexOf(a)][column], y = keys[rows.indexOf(b)][column];
        const order = x === y ? 0 : x === null ? 1 : y === null ? -1 : x < y ? -1 : 1;
        return descending && x !== null && y !== null ? -order : order;
      });
    }
    table.replaceChildren(el("thead", {}, [head]), el("tbody", {}, ordered));
  }

  function renderRanking() {
    const languages = [...new Set(board.columns.map((c) => c.language))].filter((l) => state.languages.has(l));
    const headers = ["rank", "model", "overall [95% CI]", ...languages, "win rate"];
    const rows = [], keys = [];
    for (const m of board.models) {
      const tr = el("tr", { class: (m.reference ? "reference " : "") + (m.model === state.model ? "highlight" : "") });
      tr.append(el("td", { text: rankText(m) }), el("td", { text: m.model }),
        el("td", { class: "num", text: m.overall ? interval(m.overall) : `— (no run of ${m.missing.length} eval(s))` }));
      for (const l of languages) tr.append(el("td", { class: "num", text: interval(m.languages[l]) }));
      tr.append(el("td", { class: "num", text: num(m.win_rate, 2) }));
      tr.addEventListener("click", () => { state.model = state.model === m.model ? "" : m.model; writeHash(); render(); });
      rows.push(tr);
      keys.push([m.reference ? null : m.rank ? m.rank[0] : null, m.model, m.overall ? m.overall.mean : null,
        ...languages.map((l) => (m.languages[l] ? m.languages[l].mean : null)), m.win_rate]);
    }
    sortable(document.getElementById("ranking"), headers, rows, keys);
    document.getElementById("ranking-note").textContent = `overall: the mean of ${board.columns.length} eval(s)' ` +
      `primary metric (${board.weighting} weighting) with a 95% bootstrap interval; rank ranges come from paired ` +
      `tests on shared samples, Holm-adjusted at α ${board.alpha}: overlapping ranges cannot be told apart.`;
  }

  function renderCells() {
    const columns = visibleColumns();
    const rows = [], keys = [];
    for (const m of board.models) {
      const tr = el("tr", { class: (m.reference ? "reference " : "") + (m.model === state.model ? "highlight" : "") },
        [el("td", { text: "" }), el("td", { text: m.model })]);
      const key = [null, m.model];
      for (const c of columns) {
        const cell = cellOf(m.model, c.label);
        let text = "—";
        if (cell && cell.mean !== null) {
          text = `${num(cell.mean)} [${num(cell.ci_low)}, ${num(cell.ci_high)}] n=${cell.n}`;
          if (cell.errors) text += ` failed=${cell.errors}`;
          if (cell.unparsed) text += ` unparsed=${cell.unparsed}`;
          if (cell.in_language_rate !== null && cell.in_language_rate < 0.9) {
            text += ` in language ${Math.round(cell.in_language_rate * 100)}%`;  // a model drifting out of it
          }
        }
        const td = el("td", { class: "num", text });
        if (cell) td.title = `run ${cell.run_id}, ${cell.created_at}, evalrun ${cell.harness_version}, spec ` +
          `${cell.spec_hash.slice(0, 12)}, data ${cell.data_hash.slice(0, 12)}, generation ` +
          `${JSON.stringify(cell.generation)}, served by ${cell.served_by.join(", ") || "—"}`;
        tr.append(td);
        key.push(cell ? cell.mean : null);
      }
      rows.push(tr);
      keys.push(key);
    }
    sortable(document.getElementById("cells"), ["", "model", ...columns.map((c) => `${c.label} (${c.metric_label})`)], rows, keys);
    renderCharts(columns);
  }

  function renderCharts(columns) {
    const charts = document.getElementById("charts");
    charts.replaceChildren();
    const models = board.models.map((m) => m.model);
    for (const c of columns) {
      const width = 520, rowHeight = 18, left = 170, height = models.length * rowHeight + 24;
      const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", class: "chart" });
      const title = svg("title"); title.textContent = `${c.label}: ${c.metric_label} with 95% intervals`; chart.append(title);
      const heading = svg("text", { x: 0, y: 14 }); heading.textContent = `${c.label} (${c.metric_label})`; chart.append(heading);
      models.forEach((model, i) => {
        const cell = cellOf(model, c.label), y = 24 + i * rowHeight;
        const label = svg("text", { x: 0, y: y + 12 }); label.textContent = model; chart.append(label);
        if (!cell || cell.mean === null) return;
        const scale = (v) => left + v * (width - left - 10);
        chart.append(svg("rect", { class: "bar", x: left, y: y + 3, width: Math.max(0, scale(cell.mean) - left), height: rowHeight - 6 }));
        chart.append(svg("path", { class: "whisker", d: `M${scale(cell.ci_low)},${y + 9}H${scale(cell.ci_high)}` }));
      });
      charts.append(chart);
    }
  }

  function renderScatter() {
    const points = board.models.filter((m) => m.overall).map((m) => {
      const cells = board.cells.filter((c) => c.model === m.model);
      const known = cells.every((c) => c.cost_usd !== null);
      return { model: m.model, score: m.overall.mean, cost: known ? cells.reduce((s, c) => s + c.cost_usd, 0) : null };
    });
    const priced = points.filter((p) => p.cost !== null);
    const box = document.getElementById("scatter");
    box.replaceChildren();
    const unknown = points.filter((p) => p.cost === null).map((p) => p.model);
    if (unknown.length) box.append(el("p", { class: "note", text: `cost unknown (no preset prices): ${unknown.join(", ")}` }));
    if (!priced.length) return;
    const width = 520, height = 260, pad = 40, most = Math.max(...priced.map((p) => p.cost)) || 1;
    const x = (v) => pad + (v / most) * (width - 2 * pad), y = (v) => height - pad - v * (height - 2 * pad);
    const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img" });
    const title = svg("title"); title.textContent = "overall score against cost in US$, with the Pareto frontier"; chart.append(title);
    const frontier = priced.slice().sort((a, b) => a.cost - b.cost || b.score - a.score)
      .filter((p, i, all) => all.slice(0, i).every((q) => q.score < p.score));
    chart.append(svg("path", { class: "frontier", d: frontier.map((p, i) => `${i ? "L" : "M"}${x(p.cost)},${y(p.score)}`).join("") }));
    for (const p of priced) {
      chart.append(svg("circle", { class: "point", cx: x(p.cost), cy: y(p.score), r: 4 }));
      const label = svg("text", { x: x(p.cost) + 6, y: y(p.score) - 6 }); label.textContent = p.model; chart.append(label);
    }
    box.append(chart);
  }

  function renderConsistency() {
    const table = document.getElementById("consistency");
    const gaps = [...new Set(board.consistency.flatMap((c) => c.gaps.map((g) => g.language)))];
    const head = el("tr", {}, ["family", "model", "facts", "right in all", "in some", "in none", ...gaps.map((g) => `${g} − en`)]
      .map((name) => el("th", { text: name })));
    const rows = board.consistency.map((c) => el("tr", {}, [
      el("td", { text: c.family }), el("td", { text: c.model }), el("td", { class: "num", text: String(c.facts) }),
      ...[c.all_right, c.some_right, c.none_right].map((v) => el("td", { class: "num", text: `${Math.round((100 * v) / c.facts)}%` })),
      ...gaps.map((language) => {
        const g = c.gaps.find((gap) => gap.language === language);
        const text = !g ? "—" : g.ci_low === null ? num(g.mean) : `${num(g.mean)} [${num(g.ci_low)}, ${num(g.ci_high)}]`;
        return el("td", { class: "num", text });
      }),
    ]));
    table.replaceChildren(el("thead", {}, [head]), el("tbody", {}, rows));
  }

  // One eval's answers, decoded the first time it is shown: {models, samples: [[id, prompt, references,
  // [answer | null per model]], …]}, from the page's block for that eval.
  async function loadAnswers(label) {
    if (answers.has(label)) return answers.get(label);
    const index = board.columns.findIndex((c) => c.label === label);
    const packed = index < 0 ? null : document.getElementById(`answers-${index}`);
    if (!packed) return null;
    const bytes = Uint8Array.from(atob(packed.textContent.trim()), (ch) => ch.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    const data = JSON.parse(await new Response(stream).text());
    answers.set(label, data);
    return data;
  }

  function keep(sample, models) {
    const marks = sample[3];
    if (state.filter === "failed") return marks.some((a) => a && a[2].startsWith("failed"));
    if (state.filter === "unparsed") return marks.some((a) => a && a[2] === "unparsed");
    if (state.filter === "disagree") return new Set(marks.filter((a) => a && a[1] !== null).map((a) => a[1])).size > 1;
    if (state.filter === "versus") {
      const x = marks[models.indexOf(state.x)], y = marks[models.indexOf(state.y)];
      return Boolean(x && y && x[1] !== null && y[1] !== null && x[1] < y[1]);
    }
    return true;
  }

  function text(value, language) {
    if (value === null || value === undefined) return el("span", { class: "note", text: "—" });
    const pre = el("pre", { class: "text", text: String(value), lang: language });
    return value.length > 240 ? el("details", {}, [el("summary", { text: `${value.slice(0, 80)}…` }), pre]) : pre;
  }

  async function renderDrill(more = false) {
    const table = document.getElementById("drill"), note = document.getElementById("drill-note");
    const button = document.getElementById("drill-more");
    if (!state.eval) { table.replaceChildren(); note.textContent = "Pick an eval to see every answer."; button.hidden = true; return; }
    const data = await loadAnswers(state.eval);
    if (!data) { note.textContent = `no answers for ${state.eval}`; return; }
    const language = languageOf[state.eval];
    for (const id of ["drill-x", "drill-y"]) {
      const select = document.getElementById(id);
      if (select.options.length !== data.models.length) select.replaceChildren(...data.models.map((m) => el("option", { value: m, text: m })));
    }
    state.x = document.getElementById("drill-x").value; state.y = document.getElementById("drill-y").value;
    let chosen = data.samples.filter((s) => keep(s, data.models));
    if (state.sample) chosen = chosen.filter((s) => s[0] === state.sample).concat(chosen.filter((s) => s[0] !== state.sample));
    state.shown = more ? state.shown + 200 : 200;
    const head = el("tr", {}, ["sample", "prompt", "reference", ...data.models].map((name) => el("th", { text: name })));
    const rows = chosen.slice(0, state.shown).map((s) => {
      const tr = el("tr", { id: `sample-${s[0]}`, class: s[0] === state.sample ? "highlight" : "" }, [
        el("td", { text: s[0] }), el("td", {}, [text(s[1], language)]), el("td", {}, [text(s[2].join("\n"), language)]),
      ]);
      tr.firstChild.addEventListener("click", () => { state.sample = state.sample === s[0] ? "" : s[0]; writeHash(); renderDrill(); });
      s[3].forEach((a) => {
        if (!a) { tr.append(el("td", { text: "—" })); return; }
        const [output, score, flag, detail] = a;
        const td = el("td", { class: flag.startsWith("failed") ? "failed" : score === 1 ? "right" : "wrong" },
          [text(output, language), el("div", { class: "note", text: `score ${score === null ? "—" : num(score, 2)}${flag ? ` · ${flag}` : ""}` })]);
        if (detail) td.append(el("details", {}, [el("summary", { text: "how it was graded" }), el("pre", { class: "text", text: detail })]));
        tr.append(td);
      });
      return tr;
    });
    table.replaceChildren(el("thead", {}, [head]), el("tbody", {}, rows));
    note.textContent = `${chosen.length} of ${data.samples.length} samples`;
    button.hidden = chosen.length <= state.shown;
    if (state.sample) { const row = document.getElementById(`sample-${state.sample}`); if (row) row.scrollIntoView({ block: "center" }); }
    document.body.dataset.drill = state.eval;
  }

  function renderExcluded() {
    document.getElementById("excluded").replaceChildren(...board.excluded.map((e) =>
      el("li", { text: `${e.run_id} (${e.eval} × ${e.model}): ${e.reason}` })));
  }

  function render() {
    renderRanking(); renderCells(); renderScatter(); renderConsistency();
  }

  function setUp() {
    readHash();
    const languages = document.getElementById("language-filters");
    for (const language of [...new Set(board.columns.map((c) => c.language))]) {
      const box = el("input", { type: "checkbox", value: language });
      box.checked = true;
      box.addEventListener("change", () => { if (box.checked) state.languages.add(language); else state.languages.delete(language); render(); });
      languages.append(el("label", {}, [box, ` ${language}`]));
    }
    const suite = document.getElementById("suite-filter");
    for (const name of [...new Set(board.columns.flatMap((c) => c.suites))]) suite.append(el("option", { value: name, text: name }));
    suite.addEventListener("change", () => { state.suite = suite.value; render(); });
    const tag = document.getElementById("tag-filter");
    for (const name of [...new Set(board.columns.flatMap((c) => c.tags))].sort()) tag.append(el("option", { value: name, text: name }));
    tag.addEventListener("change", () => { state.tag = tag.value; render(); });
    const pick = document.getElementById("drill-eval");
    pick.append(el("option", { value: "", text: "—" }), ...board.columns.map((c) => el("option", { value: c.label, text: c.label })));
    pick.value = board.columns.some((c) => c.label === state.eval) ? state.eval : "";
    state.eval = pick.value;
    pick.addEventListener("change", () => { state.eval = pick.value; state.sample = ""; writeHash(); renderDrill(); });
    const filter = document.getElementById("drill-filter");
    filter.addEventListener("change", () => {
      state.filter = filter.value;
      document.getElementById("versus-x").hidden = document.getElementById("versus-y").hidden = filter.value !== "versus";
      renderDrill();
    });
    for (const id of ["drill-x", "drill-y"]) document.getElementById(id).addEventListener("change", () => renderDrill());
    document.getElementById("drill-more").addEventListener("click", () => renderDrill(true));
    document.getElementById("summary").textContent = `${board.models.length} model(s), ${board.columns.length} ` +
      `eval(s), ${board.cells.length} run(s) counted, ${board.excluded.length} left out.`;
    render(); renderExcluded(); renderDrill();
    document.body.dataset.ready = "true";
  }

  setUp();
})();
