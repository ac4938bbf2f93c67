// Renders a Jupyter notebook (nbformat 4) for a reviewer: markdown as text with light formatting, code as code,
// and the notebook's saved outputs as plain text or PNG images. Nothing from the notebook is ever inserted as
// HTML: markdown is escaped first and only then given the few tags below; everything else is textContent.
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

  /** Renders the notebook's cells into element, replacing what was there. */
  function render(notebook, element) {
    element.replaceChildren();
    const cells = Array.isArray(notebook.cells) ? notebook.cells : [];
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
        const pre = document.createElement("pre");
        const code = document.createElement("code");
        code.textContent = source(cell);
        pre.appendChild(code);
        box.appendChild(pre);
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
