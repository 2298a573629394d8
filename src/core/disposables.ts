/**
 * One collection of things to dispose together, in reverse order of adding (later things may depend on earlier
 * ones), each at most once, and every one even when an earlier dispose throws. Structurally compatible with
 * vscode.Disposable, so the host and vscode-free code share it instead of keeping arrays by hand.
 */
export interface DisposableLike {
    dispose(): unknown;
}

export class DisposableStore implements DisposableLike {
    private items: DisposableLike[] = [];
    private disposed = false;

    /** Adds items; after dispose() they are disposed at once (nothing outlives the store). */
    add(...items: DisposableLike[]): void {
        if (this.disposed) {
            for (const item of items) safeDispose(item);
        } else {
            this.items.push(...items);
        }
    }

    dispose(): void {
        if (this.disposed) return;
        this.disposed = true;
        const items = this.items.reverse();
        this.items = [];
        for (const item of items) safeDispose(item);
    }
}

function safeDispose(item: DisposableLike): void {
    try {
        item.dispose();
    } catch {
        // One failing dispose must not keep the others alive.
    }
}
