/** What a finished chat answer's status must be: "cut" exactly when it used its whole token allowance, else "complete". */
import * as assert from "node:assert/strict";
import type { ChatMessageRecord } from "../../src/protocol/conversation";

/**
 * `answerTokens`: the allowance the request carried (the planner may give less than the setting). An answer that
 * used all of it is marked "cut" (Continue can go on with it); one that ended before is "complete".
 */
export function assertFinished(answer: ChatMessageRecord, answerTokens: number, label = "the answer"): void {
    assert.ok(answer.stats, `${label}: ${answer.status} without stats ${answer.error ?? ""}`);
    const expected = answer.stats.tokens >= answerTokens ? "cut" : "complete";
    assert.equal(answer.status, expected, `${label}: ${answer.status} after ${answer.stats.tokens} of ${answerTokens} tokens ${answer.error ?? ""}`);
}
