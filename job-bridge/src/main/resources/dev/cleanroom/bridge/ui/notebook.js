// Renders a Jupyter notebook (nbformat 4) for a reviewer: markdown as text with light formatting, code as code,
// and the notebook's saved outputs as plain text or PNG images. Nothing from the notebook is ever inserted as
// HTML: markdown is escaped first and only then given the few tags below; everything else is textContent.
// With the bridge's review of the code (GET /v1/jobs/{id}/review), a code cell that JShell parses otherwise than
// it reads (Unicode escapes, bidirectional controls, invisible characters) is shown as submitted and, beside it,
// as JShell parses it, each flagged spot marked in both and named above them.
"use strict";

const Notebook = (() => {
  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  function source(cell) {
    return Array.isArray(cell.source) ? cell.source.join("") : String(cell.source || "");
  }

  // Inline markdown on text that is already escaped.
  function inline(escaped) {
    return escaped
      .replace(/`([^`]+)`/g, "<code>$1</code>")
      .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
      .replace(/(^|[^*])\*([^*\s][^*]*)\*/g, "$1<em>$2</em>")
      .replace(/(^|\W)_([^_\s][^_]*)_(?=\W|$)/g, "$1<em>$2</em>")
      .replace(/\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)/g,
        '<a href="$2" rel="noopener noreferrer nofollow" target="_blank">$1</a>');
  }

  // Block markdown: headings, fenced code, lists, paragraphs. Input is raw text; output is safe HTML.
  function markdown(text) {
    const lines = escapeHtml(text).split("\n");
    const html = [];
    let list = null;
    let paragraph = [];
    let fence = null;
    const flush = () => {
      if (paragraph.length) {
        html.push("<p>" + inline(paragraph.join(" ")) + "</p>");
        paragraph = [];
      }
      if (list) {
        html.push("</" + list + ">");
        list = null;
      }
    };
    for (const line of lines) {
      if (fence !== null) {
        if (/^```/.test(line)) {
          html.push("<pre><code>" + fence.join("\n") + "</code></pre>");
          fence = null;
        } else {
          fence.push(line);
        }
        continue;
      }
      let m;
      if (/^```/.test(line)) {
        flush();
        fence = [];
      } else if ((m = /^(#{1,6})\s+(.*)$/.exec(line))) {
        flush();
        const level = Math.min(6, m[1].length + 2); // the page's own headings come first
        html.push("<h" + level + ">" + inline(m[2]) + "</h" + level + ">");
      } else if ((m = /^\s*([-*+]|\d+\.)\s+(.*)$/.exec(line))) {
        if (paragraph.length) {
          html.push("<p>" + inline(paragraph.join(" ")) + "</p>");
          paragraph = [];
        }
        const kind = /\d/.test(m[1]) ? "ol" : "ul";
        if (list !== kind) {
          if (list) {
            html.push("</" + list + ">");
          }
          html.push("<" + kind + ">");
          list = kind;
        }
        html.push("<li>" + inline(m[2]) + "</li>");
      } else if (line.trim() === "") {
        flush();
      } else {
        if (list) {
          html.push("</" + list + ">");
          list = null;
        }
        paragraph.push(line.trim());
      }
    }
    if (fence !== null) {
      html.push("<pre><code>" + fence.join("\n") + "</code></pre>");
    }
    flush();
    return html.join("\n");
  }

  function text(value) {
    return Array.isArray(value) ? value.join("") : String(value || "");
  }

  function output(out) {
    const box = document.createElement("div");
    box.className = "cell-output";
    const data = out.data || {};
    if (out.output_type === "stream") {
      const pre = document.createElement("pre");
      pre.textContent = text(out.text);
      box.appendChild(pre);
    } else if (out.output_type === "error") {
      const pre = document.createElement("pre");
      pre.className = "error";
      pre.textContent = (out.ename || "Error") + ": " + (out.evalue || "");
      box.appendChild(pre);
    } else if (typeof data["image/png"] === "string" && /^[A-Za-z0-9+/=\s]+$/.test(data["image/png"])) {
      const img = document.createElement("img");
      img.alt = "chart from the notebook";
      img.src = "data:image/png;base64," + data["image/png"].replace(/\s/g, "");
      box.appendChild(img);
    } else if (data["text/plain"] !== undefined) {
      const pre = document.createElement("pre");
      pre.textContent = text(data["text/plain"]);
      box.appendChild(pre);
    } else {
      box.textContent = "(an output of type " + Object.keys(data).join(", ") + " is not shown)";
    }
    return box;
  }

  // The text with each [start, start + length) span in a <mark>. A mark isolates its text's direction, so a
  // bidirectional control inside it cannot reorder the text around it, and has a frame, so a zero-width
  // character in it still shows.
  function marked(text, spans) {
    const code = document.createElement("code");
    let at = 0;
    spans.forEach(span => {
      code.append(document.createTextNode(text.substring(at, span.start)));
      const mark = document.createElement("mark");
      mark.className = "flag";
      mark.title = span.title;
      mark.textContent = text.substring(span.start, span.start + span.length);
      code.append(mark);
      at = span.start + span.length;
    });
    code.append(document.createTextNode(text.substring(at)));
    return code;
  }

  function side(title, className, code) {
    const box = document.createElement("div");
    box.className = className;
    const heading = document.createElement("div");
    heading.className = "cell-label";
    heading.textContent = title;
    const pre = document.createElement("pre");
    pre.appendChild(code);
    box.append(heading, pre);
    return box;
  }

  // A code cell with findings: what they are, then the cell as submitted and as JShell parses it, side by side.
  function flaggedCode(box, text, cellReview, findings) {
    const list = document.createElement("ul");
    list.className = "findings";
    findings.forEach(f => {
      const item = document.createElement("li");
      item.textContent = f.description;
      list.appendChild(item);
    });
    const sides = document.createElement("div");
    sides.className = "sides";
    sides.append(
      side("as submitted", "submitted",
        marked(text, findings.map(f => ({ start: f.offset, length: f.length, title: f.description })))),
      side("as JShell parses it", "parsed",
        marked(cellReview.parsed, findings.map(f => ({ start: f.parsedOffset, length: f.parsedLength, title: f.description })))));
    box.append(list, sides);
  }

  /**
   * Renders the notebook's cells into element, replacing what was there; review (optional) is the bridge's
   * review of its code cells.
   */
  function render(notebook, element, review) {
    element.replaceChildren();
    const cells = Array.isArray(notebook.cells) ? notebook.cells : [];
    const findings = review ? review.findings : [];
    if (findings.length) {
      const warning = document.createElement("p");
      warning.className = "hidden-code-warning";
      warning.setAttribute("role", "alert");
      warning.textContent = "JShell runs this notebook otherwise than it reads at " + findings.length
        + (findings.length === 1 ? " spot" : " spots") + " (Unicode escapes, bidirectional controls or invisible"
        + " characters); each flagged cell is shown below as submitted and as JShell parses it.";
      element.appendChild(warning);
    }
    cells.forEach((cell, i) => {
      const box = document.createElement("div");
      box.className = "cell cell-" + (cell.cell_type || "raw");
      const label = document.createElement("div");
      label.className = "cell-label";
      label.textContent = "cell " + (i + 1) + " · " + (cell.cell_type || "raw");
      box.appendChild(label);
      if (cell.cell_type === "markdown") {
        const body = document.createElement("div");
        body.className = "markdown";
        body.innerHTML = markdown(source(cell)); // safe: markdown() escapes before it formats
        box.appendChild(body);
      } else {
        const cellFindings = findings.filter(f => f.cell === i + 1);
        const cellReview = review ? review.cells.find(c => c.cell === i + 1) : undefined;
        if (cellFindings.length && cellReview) {
          box.classList.add("flagged");
          flaggedCode(box, source(cell), cellReview, cellFindings);
        } else {
          const pre = document.createElement("pre");
          const code = document.createElement("code");
          code.textContent = source(cell);
          pre.appendChild(code);
          box.appendChild(pre);
        }
        (cell.outputs || []).forEach(out => box.appendChild(output(out)));
      }
      element.appendChild(box);
    });
    if (!cells.length) {
      element.textContent = "The notebook has no cells.";
    }
  }

  return { render, markdown };
})();
