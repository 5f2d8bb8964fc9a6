// Small assertions for tests (std's are on JSR, which this project cannot reach).
import { deepStrictEqual } from "node:assert";

export function assert(condition: unknown, message = "Assertion failed"): asserts condition {
  if (!condition) throw new Error(message);
}

export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  try {
    deepStrictEqual(actual, expected);
  } catch {
    throw new Error(
      `${message ? message + ": " : ""}expected ${show(expected)}, got ${show(actual)}`,
    );
  }
}

export function assertMatch(actual: string, pattern: RegExp, message?: string): void {
  if (!pattern.test(actual)) {
    throw new Error(`${message ? message + ": " : ""}${show(actual)} does not match ${pattern}`);
  }
}

export async function assertRejects(fn: () => unknown, message?: string): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error(message ?? "Expected the promise to reject");
}

function show(value: unknown): string {
  const text = typeof value === "string"
    ? JSON.stringify(value)
    : Deno.inspect(value, { depth: 6 });
  return text.length > 2000 ? text.slice(0, 2000) + "…" : text;
}
