/**
 * One proposed edit under review: the chain of versions (each Refine appends one, Previous/Next step through
 * them), whether the model is still writing, and the outcome. The service owns the UI around it.
 */
import * as vscode from "vscode";
import type { ReviewDocuments } from "./reviewDocuments";
import { errorText } from "../core/errorText";

export type ReviewOutcome = "accepted" | "rejected" | "stale" | "cancelled";

/** What a refine handler uses to stream its new version into the diff and to notice the user stopping it. */
export interface ReviewStream {
    readonly signal: AbortSignal;
    showPartial(text: string, status?: string): void;
}

/** Rewrites `lastVersion` following `instruction`; resolves the new version, or undefined when cancelled. */
export type RefineHandler = (instruction: string, lastVersion: string, stream: ReviewStream) => Promise<string | undefined>;

export interface ProposeEditOptions {
    document: vscode.TextDocument;
    range: vscode.Range;
    /** The text in `range` when the edit was proposed; Accept applies only while it is still there. */
    originalText: string;
    /** The proposal; leave it out to stream it with showPartial()/setVersion(). */
    newText?: string;
    title: string;
    refine?: RefineHandler;
}

export interface ReviewSnapshot {
    id: number;
    title: string;
    /** True while the model writes (first version or a refinement). */
    busy: boolean;
    /** The text the diff shows now (partial while busy). */
    text: string;
    versions: number;
    index: number;
    status: string;
    outcome?: ReviewOutcome;
}

export class ReviewSession {
    private readonly versions: string[] = [];
    private index = -1;
    private partial: string | undefined;
    private generation: AbortController | undefined = new AbortController();
    private statusText = "";
    private outcomeResult: ReviewOutcome | undefined;
    private resolveOutcome!: (o: ReviewOutcome) => void;
    private readonly before: string;
    private readonly after: string;
    readonly outcome: Promise<ReviewOutcome>;

    constructor(
        readonly id: number,
        readonly options: ProposeEditOptions,
        readonly uris: { original: vscode.Uri; proposed: vscode.Uri },
        private readonly documents: ReviewDocuments,
        private readonly changed: () => void,
    ) {
        this.outcome = new Promise((resolve) => (this.resolveOutcome = resolve));
        const doc = options.document.getText();
        const start = options.document.offsetAt(options.range.start);
        const end = options.document.offsetAt(options.range.end);
        this.before = doc.slice(0, start);
        this.after = doc.slice(end);
        documents.set(uris.original, doc);
        documents.set(uris.proposed, doc);
    }

    /** Aborted when the user rejects while the model writes the first version. */
    get signal(): AbortSignal {
        return (this.generation ?? new AbortController()).signal;
    }

    get busy(): boolean {
        return this.generation !== undefined && !this.outcomeResult;
    }

    /** Writing the first version (as opposed to a refinement, which can be stopped without closing the review). */
    get generating(): boolean {
        return this.busy && this.versions.length === 0;
    }

    get text(): string {
        return this.partial ?? this.versions[this.index] ?? this.options.originalText;
    }

    get canRefine(): boolean {
        return this.options.refine !== undefined && this.versions.length > 0;
    }

    get hasPrevious(): boolean {
        return this.index > 0;
    }

    get hasNext(): boolean {
        return this.index < this.versions.length - 1;
    }

    get status(): string {
        return this.statusText;
    }

    get outcomeValue(): ReviewOutcome | undefined {
        return this.outcomeResult;
    }

    showPartial(text: string, status?: string): void {
        if (this.outcomeResult) return;
        this.partial = text;
        if (status !== undefined) this.statusText = status;
        this.render(false);
        this.changed();
    }

    setVersion(text: string, note?: string): void {
        if (this.outcomeResult) return;
        this.partial = undefined;
        this.generation = undefined;
        this.versions.push(text);
        this.index = this.versions.length - 1;
        this.statusText = note ?? "";
        this.render(true);
        this.changed();
    }

    setStatus(status: string): void {
        this.statusText = status;
        this.changed();
    }

    fail(message: string): void {
        if (this.outcomeResult) return;
        this.statusText = message;
        this.finish("cancelled");
    }

    step(delta: number): boolean {
        if (this.busy) return false;
        const next = this.index + delta;
        if (next < 0 || next >= this.versions.length) return false;
        this.index = next;
        this.render(true);
        this.changed();
        return true;
    }

    /** Rewrites the version on screen; the result becomes the newest version. False when stopped or failed. */
    async refine(instruction: string): Promise<boolean> {
        const handler = this.options.refine;
        if (!handler || this.busy || this.outcomeResult) return false;
        const controller = new AbortController();
        this.generation = controller;
        const base = this.text;
        this.changed();
        try {
            const result = await handler(instruction, base, {
                signal: controller.signal,
                showPartial: (text, status) => this.showPartial(text, status),
            });
            if (this.outcomeResult) return false;
            if (result === undefined || controller.signal.aborted) {
                this.generation = undefined;
                this.partial = undefined;
                this.render(true);
                this.changed();
                return false;
            }
            this.setVersion(result, vscode.l10n.t("Refined: {0}", instruction));
            return true;
        } catch (err) {
            this.generation = undefined;
            this.partial = undefined;
            this.render(true);
            this.setStatus(errorText(err));
            throw err;
        }
    }

    /** Stops generation if any and settles the outcome once. */
    finish(outcome: ReviewOutcome): void {
        if (this.outcomeResult) return;
        this.generation?.abort();
        this.outcomeResult = outcome;
        this.resolveOutcome(outcome);
    }

    snapshot(): ReviewSnapshot {
        return {
            id: this.id,
            title: this.options.title,
            busy: this.busy,
            text: this.text,
            versions: this.versions.length,
            index: this.index,
            status: this.statusText,
            outcome: this.outcomeResult,
        };
    }

    private render(immediate: boolean): void {
        this.documents.set(this.uris.proposed, this.before + this.text + this.after, immediate);
    }
}
