/**
 * Tool argument schemas, from whatever JSON Schema a caller declares (VS Code's built-in tools, MCP servers, other
 * extensions: draft-07 or 2020-12, with $ref, anyOf, allOf, tuples, formats) to the subset node-llama-cpp turns into
 * a grammar. The engine constrains a tool call's arguments with that grammar, so a call is always valid JSON of the
 * declared shape, even from a small model. Anything the subset cannot say becomes "any JSON value" there: the
 * grammar is a guide, and the caller still validates the arguments against its own schema before running the tool.
 *
 * Deliberately dropped: string minLength/maxLength. node-llama-cpp's grammar counts them in code points while its
 * validator counts UTF-16 units after decoding, so a generation that ends inside a multi-byte character passed the
 * grammar and then failed the whole request (seen with random weights; rare but possible with real ones).
 */

/** The shapes node-llama-cpp's GbnfJsonSchema accepts (kept structurally identical; the engine passes it through). */
export type GrammarJsonSchema =
    | { type: BasicType | BasicType[]; description?: string }
    | { type: "string"; format: "date-time" | "time" | "date"; description?: string }
    | { const: Primitive; description?: string }
    | { enum: Primitive[]; description?: string }
    | { oneOf: GrammarJsonSchema[]; description?: string; $defs?: Record<string, GrammarJsonSchema> }
    | {
        type: "object";
        properties?: Record<string, GrammarJsonSchema>;
        required?: string[];
        additionalProperties?: boolean | GrammarJsonSchema;
        description?: string;
        $defs?: Record<string, GrammarJsonSchema>;
    }
    | {
        type: "array";
        items?: GrammarJsonSchema;
        prefixItems?: GrammarJsonSchema[];
        minItems?: number;
        maxItems?: number;
        description?: string;
        $defs?: Record<string, GrammarJsonSchema>;
    }
    | { $ref: string; description?: string };

type BasicType = "string" | "number" | "integer" | "boolean" | "null";
type Primitive = string | number | boolean | null;

const BASIC_TYPES: readonly string[] = ["string", "number", "integer", "boolean", "null"];
const FORMATS: readonly string[] = ["date-time", "time", "date"];
/** Deeper nesting than this (outside $ref, which the grammar resolves itself) is treated as any value. */
const MAX_DEPTH = 24;

/** Any JSON value. */
export const ANY_JSON: GrammarJsonSchema = {
    oneOf: [{ type: ["string", "number", "boolean", "null"] }, { type: "object", additionalProperties: true }, { type: "array" }],
};

/**
 * The grammar schema of a tool's arguments, or undefined when the tool takes none (no schema, or an object schema
 * with no properties that forbids others).
 */
export function toolArgumentsGrammar(schema: unknown): GrammarJsonSchema | undefined {
    if (!isRecord(schema)) return undefined;
    const defs = new Map<string, unknown>();
    for (const key of ["definitions", "$defs"] as const) {
        const d = schema[key];
        if (isRecord(d)) for (const [name, value] of Object.entries(d)) defs.set(name, value);
    }
    const converter = new Converter(defs);
    const root = converter.convert(schema, 0);
    if ("type" in root && root.type === "object" && !root.properties && root.additionalProperties === false) return undefined;
    if (converter.usedDefs.size === 0) return root;
    const $defs: Record<string, GrammarJsonSchema> = {};
    // Converting one definition may reference another: loop until every referenced one is converted.
    for (let pending = [...converter.usedDefs]; pending.length > 0; pending = [...converter.usedDefs].filter((n) => !(n in $defs))) {
        for (const name of pending) $defs[name] = converter.convert(defs.get(name), 0);
    }
    if ("oneOf" in root || ("type" in root && (root.type === "object" || root.type === "array"))) return { ...root, $defs };
    return { oneOf: [root], $defs };
}

class Converter {
    readonly usedDefs = new Set<string>();

    constructor(private readonly defs: Map<string, unknown>) {}

    convert(schema: unknown, depth: number): GrammarJsonSchema {
        if (!isRecord(schema) || depth > MAX_DEPTH) return ANY_JSON;
        const description = typeof schema.description === "string" ? schema.description : undefined;
        const withDescription = <T extends GrammarJsonSchema>(s: T): T => (description ? { ...s, description } : s);

        if ("const" in schema && isPrimitive(schema.const)) return withDescription({ const: schema.const });
        if (Array.isArray(schema.enum)) {
            const values = schema.enum.filter(isPrimitive);
            return values.length > 0 ? withDescription({ enum: values }) : ANY_JSON;
        }
        if (typeof schema.$ref === "string") {
            const name = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(schema.$ref)?.[1];
            if (name === undefined || !this.defs.has(name)) return ANY_JSON;
            this.usedDefs.add(name);
            return withDescription({ $ref: `#/$defs/${name}` });
        }
        const alternatives = Array.isArray(schema.oneOf) ? schema.oneOf : Array.isArray(schema.anyOf) ? schema.anyOf : undefined;
        if (alternatives && alternatives.length > 0) {
            const converted = alternatives.map((a) => this.convert(a, depth + 1));
            return converted.length === 1 ? converted[0]! : withDescription({ oneOf: converted });
        }
        if (Array.isArray(schema.allOf) && schema.allOf.length > 0) return this.convert(mergeAllOf(schema), depth + 1);

        const type = schema.type ?? (isRecord(schema.properties) ? "object" : schema.items !== undefined ? "array" : undefined);
        if (Array.isArray(type)) {
            const types = type.filter((t): t is string => typeof t === "string");
            if (types.length > 0 && types.every((t) => BASIC_TYPES.includes(t))) {
                return withDescription({ type: types as BasicType[] });
            }
            const options = types.map((t) => this.convert({ ...schema, type: t }, depth + 1));
            return options.length === 1 ? options[0]! : options.length > 0 ? withDescription({ oneOf: options }) : ANY_JSON;
        }
        switch (type) {
            case "string":
                return withDescription(typeof schema.format === "string" && FORMATS.includes(schema.format)
                    ? { type: "string", format: schema.format as "date-time" | "time" | "date" }
                    : { type: "string" });
            case "number":
            case "integer":
            case "boolean":
            case "null":
                return withDescription({ type: type as BasicType });
            case "object":
                return withDescription(this.object(schema, depth));
            case "array":
                return withDescription(this.array(schema, depth));
            default:
                return ANY_JSON;
        }
    }

    private object(schema: Record<string, unknown>, depth: number): GrammarJsonSchema {
        const properties: Record<string, GrammarJsonSchema> = {};
        if (isRecord(schema.properties)) {
            for (const [key, value] of Object.entries(schema.properties)) properties[key] = this.convert(value, depth + 1);
        }
        const hasProperties = Object.keys(properties).length > 0;
        const required = Array.isArray(schema.required)
            ? [...new Set(schema.required.filter((r): r is string => typeof r === "string" && r in properties))]
            : [];
        const extra = schema.additionalProperties;
        // JSON Schema allows extra keys unless told otherwise; a model given named properties should use those only.
        const additionalProperties = isRecord(extra) ? this.convert(extra, depth + 1) : typeof extra === "boolean" ? extra : !hasProperties;
        return {
            type: "object",
            ...(hasProperties ? { properties } : {}),
            ...(required.length > 0 ? { required } : {}),
            additionalProperties,
        };
    }

    private array(schema: Record<string, unknown>, depth: number): GrammarJsonSchema {
        // Draft-07 tuples are `items: [..]`; 2020-12 tuples are `prefixItems` with `items` for the rest.
        const tuple = Array.isArray(schema.prefixItems) ? schema.prefixItems : Array.isArray(schema.items) ? schema.items : undefined;
        const rest = Array.isArray(schema.items) ? schema.additionalItems : schema.items;
        const minItems = nonNegativeInteger(schema.minItems);
        const maxItems = nonNegativeInteger(schema.maxItems);
        return {
            type: "array",
            ...(tuple && tuple.length > 0 ? { prefixItems: tuple.map((t) => this.convert(t, depth + 1)) } : {}),
            ...(isRecord(rest) ? { items: this.convert(rest, depth + 1) } : {}),
            ...(minItems !== undefined ? { minItems } : {}),
            ...(maxItems !== undefined && (minItems === undefined || maxItems >= minItems) ? { maxItems } : {}),
        };
    }
}

/** allOf of object schemas (the usual use: a base shape plus extra properties) merged into one object schema. */
function mergeAllOf(schema: Record<string, unknown>): Record<string, unknown> {
    const parts = [{ ...schema, allOf: undefined }, ...(schema.allOf as unknown[])].filter(isRecord);
    const properties: Record<string, unknown> = {};
    const required: unknown[] = [];
    let merged: Record<string, unknown> = {};
    for (const part of parts) {
        if (isRecord(part.properties)) Object.assign(properties, part.properties);
        if (Array.isArray(part.required)) required.push(...part.required);
        merged = { ...merged, ...part };
    }
    delete merged.allOf;
    return Object.keys(properties).length > 0 ? { ...merged, type: "object", properties, required } : merged;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isPrimitive(value: unknown): value is Primitive {
    return value === null || typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value));
}

function nonNegativeInteger(value: unknown): number | undefined {
    return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : undefined;
}
