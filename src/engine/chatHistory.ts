/**
 * Protocol chat messages → node-llama-cpp's chat history, tool use included.
 *
 * node-llama-cpp keeps a tool call and its result together inside the model's turn (`{type: "functionCall", name,
 * params, result}`), and after the results the model goes on in that same turn; the protocol (like OpenAI's API)
 * has an assistant message with `toolCalls` followed by one "tool" message per call. Results are matched to calls
 * by id; a caller that lost the ids still gets each result on the next call that has none. node-llama-cpp writes
 * a result into the prompt as JSON (a text result as a JSON string) in the template's result format.
 */
import type { ChatHistoryItem, ChatModelFunctionCall, ChatModelResponse } from "node-llama-cpp" with { "resolution-mode": "import" };
import type { ChatMessage } from "../protocol/generation";

/** The history ends with the model turn to generate: an empty one, or the one whose tool results it answers next. */
export function toChatHistory(messages: readonly ChatMessage[], continueLast = false): ChatHistoryItem[] {
    const history: ChatHistoryItem[] = [];
    const callsById = new Map<string, ChatModelFunctionCall>();
    const awaitingResult: ChatModelFunctionCall[] = [];

    for (const m of messages) {
        switch (m.role) {
            case "system":
                history.push({ type: "system", text: m.text });
                break;
            case "user":
                history.push({ type: "user", text: m.text });
                break;
            case "assistant": {
                const response: ChatModelResponse["response"] = m.text ? [m.text] : [];
                for (const call of m.toolCalls ?? []) {
                    // The result is filled in by the "tool" message that answers this call.
                    const item: ChatModelFunctionCall = { type: "functionCall", name: call.name, params: call.arguments, result: "" };
                    response.push(item);
                    callsById.set(call.id, item);
                    awaitingResult.push(item);
                }
                history.push({ type: "model", response });
                break;
            }
            case "tool": {
                const call = (m.toolCallId !== undefined ? callsById.get(m.toolCallId) : undefined) ?? awaitingResult[0];
                if (call && awaitingResult.includes(call)) {
                    call.result = m.text;
                    awaitingResult.splice(awaitingResult.indexOf(call), 1);
                } else {
                    // A result for no known call: keep its text for the model rather than lose it.
                    history.push({ type: "user", text: m.text });
                }
                break;
            }
        }
    }

    const last = history.at(-1);
    // After tool results the model continues its own turn; otherwise it answers in a new, empty one.
    const continuesAfterTools = last?.type === "model" && last.response.some((r) => typeof r === "object" && r.type === "functionCall");
    // Continue: LlamaChat goes on with a last model response that is not empty (the answer cut at the token limit).
    const continuesAnswer = continueLast && last?.type === "model" && last.response.length > 0;
    if (!continuesAfterTools && !continuesAnswer) history.push({ type: "model", response: [] });
    return history;
}
