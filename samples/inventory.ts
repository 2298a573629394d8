// A small source file with an obvious error: hover the red squiggle and use the lightbulb
// ("Explain with Hearth" / "Fix with Hearth"), or type below a function to see inline completions.

interface Item {
    name: string;
    price: number;
    quantity: number;
}

export function totalValue(items: Item[]): number {
    let total = 0;
    for (const item of items) {
        total += item.price * item.quantity;
    }
    return total;
}

// The error: a string is assigned where a number is expected.
export const lowStockThreshold: number = "five";

export function lowStock(items: Item[]): Item[] {
    return items.filter((item) => item.quantity < lowStockThreshold);
}
