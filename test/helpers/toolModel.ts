/**
 * A random-weight model whose chat template handles tools the way Qwen2.5's does (ChatML with a `# Tools` system
 * section, `<tool_call>{"name": …, "arguments": …}</tool_call>` calls and `<tool_response>` results). node-llama-cpp
 * extracts the call syntax from the template (its Jinja wrapper reports `usingJinjaFunctionCallTemplate`), so
 * Hearth's engine reports tool calling for it. Output is gibberish by design: a test that needs a valid call asks
 * for `toolChoice: "required"` with closed argument schemas (enums), which the grammar then fully determines.
 *
 * Written once into .cache/tool-models/ (git-ignored) and reused. `slow` gives a bigger model that never emits
 * end-of-generation, so a test can watch an answer stream and cancel it mid-way.
 */
import * as path from "node:path";
import { REPO_ROOT } from "./fixtures";
import { ensureRandomGguf } from "./ggufWriter";

/** A ChatML template with tool support, written for these tests in the layout Qwen2.5's template produces. */
export const CHATML_TOOLS_TEMPLATE = [
    "{%- if tools %}",
    "{{- '<|im_start|>system\\n' }}",
    "{%- if messages[0]['role'] == 'system' %}{{- messages[0]['content'] }}{%- else %}{{- 'You are a helpful assistant.' }}{%- endif %}",
    "{{- '\\n\\n# Tools\\n\\nYou may call one or more functions to assist with the user query.\\n\\nYou are provided with function signatures within <tools></tools> XML tags:\\n<tools>' }}",
    "{%- for tool in tools %}{{- '\\n' }}{{- tool | tojson }}{%- endfor %}",
    "{{- '\\n</tools>\\n\\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\\n<tool_call>\\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\\n</tool_call><|im_end|>\\n' }}",
    "{%- elif messages[0]['role'] == 'system' %}{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}",
    "{%- endif %}",
    "{%- for message in messages %}",
    "{%- if message.role == 'user' or (message.role == 'system' and not loop.first) or (message.role == 'assistant' and not message.tool_calls) %}",
    "{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>\\n' }}",
    "{%- elif message.role == 'assistant' %}",
    "{{- '<|im_start|>assistant' }}",
    "{%- if message.content %}{{- '\\n' + message.content }}{%- endif %}",
    "{%- for tool_call in message.tool_calls %}",
    "{%- if tool_call.function is defined %}{%- set tool_call = tool_call.function %}{%- endif %}",
    "{{- '\\n<tool_call>\\n{\"name\": \"' + tool_call.name + '\", \"arguments\": ' }}{{- tool_call.arguments | tojson }}{{- '}\\n</tool_call>' }}",
    "{%- endfor %}",
    "{{- '<|im_end|>\\n' }}",
    "{%- elif message.role == 'tool' %}",
    "{%- if loop.index0 == 0 or messages[loop.index0 - 1].role != 'tool' %}{{- '<|im_start|>user' }}{%- endif %}",
    "{{- '\\n<tool_response>\\n' + message.content + '\\n</tool_response>' }}",
    "{%- if loop.last or messages[loop.index0 + 1].role != 'tool' %}{{- '<|im_end|>\\n' }}{%- endif %}",
    "{%- endif %}",
    "{%- endfor %}",
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}",
].join("\n");

export const TOOL_MODEL_CONTEXT = 4096;

export async function toolCallingModel(options: { slow?: boolean } = {}): Promise<string> {
    const written = await ensureRandomGguf(path.join(REPO_ROOT, ".cache", "tool-models"), {
        name: options.slow ? "tools-chatml-slow" : "tools-chatml",
        ...(options.slow
            ? { layers: 4, embedding: 512, heads: 8, feedForward: 1408, neverGenerate: "eog" as const }
            : { layers: 1, embedding: 64, heads: 4, feedForward: 128 }),
        contextLength: TOOL_MODEL_CONTEXT,
        vocab: { kind: "synthetic" },
        chatTemplate: CHATML_TOOLS_TEMPLATE,
        tensorType: "Q8_0",
    });
    return written.path;
}
