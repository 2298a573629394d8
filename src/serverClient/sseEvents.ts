/**
 * Server-sent events of a streamed answer, parsed with eventsource-parser (a maintained, spec-following parser:
 * events split across TCP chunks, CRLF, comments and keep-alive lines are its job, not ours). Yields each event's
 * data until the stream ends or the server sends "[DONE]"; every complete event counts as progress for the idle
 * timeout, bytes alone do not.
 */
import { createParser, type EventSourceMessage } from "eventsource-parser";
import type { HttpResponse } from "./httpClient";

/** One event larger than this is not a token stream: stop reading instead of buffering without end. */
const MAX_EVENT_BYTES = 4 << 20;

export class SseFormatError extends Error {}

/** `state.done` is set when the server ended the stream with "[DONE]" (the OpenAI convention). */
export async function* sseData(res: HttpResponse, state: { done: boolean } = { done: false }): AsyncIterable<string> {
    const queue: EventSourceMessage[] = [];
    let parseError: string | undefined;
    const parser = createParser({
        onEvent: (event) => queue.push(event),
        onError: (err) => {
            // Unknown fields are allowed by the spec; only an oversized event is fatal.
            if (err.type === "max-buffer-size-exceeded") parseError = err.message;
        },
        maxBufferSize: MAX_EVENT_BYTES,
    });
    for await (const piece of res.pieces()) {
        parser.feed(piece);
        if (parseError) {
            res.close();
            throw new SseFormatError(parseError);
        }
        while (queue.length > 0) {
            const event = queue.shift()!;
            res.progress();
            if (event.data === "[DONE]") {
                state.done = true;
                return;
            }
            if (event.event === "error") throw new SseFormatError(event.data || "the server reported an error in the stream");
            yield event.data;
        }
    }
}
