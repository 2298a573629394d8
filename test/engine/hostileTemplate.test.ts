/**
 * Hostile chat templates (issue 15): a GGUF's Jinja chat template is code from an untrusted file. Through the real
 * engine process, a template that tries to reach Python internals (__class__, __globals__) or JS ones
 * (constructor.constructor) executes nothing; one that loops for ever, writes megabytes or is huge is stopped by
 * the check (time, size, output limits), the model loads anyway with a chat format chosen without it, the load
 * reports the warning the user sees, and chat works.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EngineProcess } from "../../src/engineClient/engineProcess";
import { TEMPLATE_CHECK_TIMEOUT_MS } from "../../src/engine/chatTemplateCheck";
import type { LoadModelResult } from "../../src/protocol/engineProtocol";
import { testLoadParams } from "../helpers/embedded";
import { ENGINE_PATH } from "../helpers/fixtures";
import { writeRandomGguf, type RandomGgufSpec } from "../helpers/ggufWriter";

const tiny: RandomGgufSpec = {
    layers: 1, embedding: 32, heads: 2, feedForward: 64, contextLength: 512, vocab: { kind: "synthetic" },
    tensorType: "F32", neverGenerate: "eog",
};
const ECHO = "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}\n{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}";

describe("hostile chat templates through the real engine", function () {
    this.timeout(120_000);
    let dir: string;
    let engine: EngineProcess;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-template-"));
        engine = new EngineProcess({ enginePath: ENGINE_PATH, execPath: process.execPath, log: () => undefined });
    });
    after(() => {
        engine.dispose();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    /** Loads a tiny model carrying `template`, then runs one chat turn on it. */
    async function loadAndChat(name: string, template: string): Promise<{ info: LoadModelResult; loadMs: number; text: string }> {
        const file = path.join(dir, `${name}.gguf`);
        await writeRandomGguf(file, { ...tiny, name, chatTemplate: template });
        const started = performance.now();
        const info = await engine.request("loadModel", testLoadParams(file, 512));
        const loadMs = performance.now() - started;
        const r = await engine.request("chat", { messages: [{ role: "system", text: "Be brief." }, { role: "user", text: "Hello" }], maxTokens: 6 });
        assert.ok(r.tokens > 0, `${name}: the chat generated nothing`);
        return { info, loadMs, text: r.text };
    }

    it("a template reaching for __class__, __globals__ or constructor.constructor runs nothing", async () => {
        const markers = [1, 2, 3].map((i) => path.join(dir, `pwned-${i}`));
        const attack = [
            "{{ ''.__class__.__mro__[1].__subclasses__() }}",
            `{{ cycler.__init__.__globals__.os.popen('touch ${markers[0]}').read() }}`,
            `{{ ''.constructor.constructor("require('fs').writeFileSync('${markers[1]}', 'x')")() }}`,
            `{{ messages.constructor.constructor('return process')().mainModule.require('child_process').execSync('touch ${markers[2]}') }}`,
        ];
        for (const [i, line] of attack.entries()) {
            const { info } = await loadAndChat(`ssti-${i}`, `${line}${ECHO}`);
            // Rendering fails harmlessly inside the renderer (undefined attributes, nothing callable).
            assert.ok(!info.chatTemplateWarning || !/took longer|memory/.test(info.chatTemplateWarning), info.chatTemplateWarning);
        }
        for (const m of markers) assert.equal(fs.existsSync(m), false, `${m} was created: the template executed code`);
    });

    it("a template that loops for ever is stopped by the time limit; the model loads with a warning and chats", async () => {
        const forever = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}" + ECHO;
        const { info, loadMs } = await loadAndChat("loops", forever);
        assert.match(info.chatTemplateWarning ?? "", /The chat template in loops\.gguf was not used: rendering it took longer than 3 s\./);
        assert.notEqual(info.chatWrapper, "JinjaTemplate");
        assert.ok(loadMs < TEMPLATE_CHECK_TIMEOUT_MS + 10_000, `loading took ${loadMs.toFixed(0)} ms`);
        console.log(`      endless template: loaded with ${info.chatWrapper} in ${loadMs.toFixed(0)} ms`);
    });

    it("a template that writes megabytes, or is itself huge, is not used", async () => {
        // Doubling a string 18 times: 2.6 MB of output in a few ms of rendering.
        const flood = '{% set ns = namespace(s="xxxxxxxxxx") %}{% for i in range(18) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}' + ECHO;
        const flooded = await loadAndChat("flood", flood);
        assert.match(flooded.info.chatTemplateWarning ?? "", /was not used: it writes \d+ MB for a short conversation/);
        const huge = await loadAndChat("huge", `{# ${"padding ".repeat(40_000)} #}${ECHO}`);
        assert.match(huge.info.chatTemplateWarning ?? "", /was not used: it is 313 KB long/);
        assert.notEqual(huge.info.chatWrapper, "JinjaTemplate");
    });

    it("a template that recurses without end fails inside the renderer and the chat falls back", async () => {
        const { info } = await loadAndChat("recursion", "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}" + ECHO);
        assert.notEqual(info.chatWrapper, "JinjaTemplate");
    });

    it("an ordinary template passes the check and is used", async () => {
        const { info } = await loadAndChat("ordinary", ECHO);
        assert.equal(info.chatTemplateWarning, undefined);
        assert.equal(info.chatWrapper, "JinjaTemplate");
    });
});
