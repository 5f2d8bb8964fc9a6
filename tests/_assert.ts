// The one assertion module for every test (std's are on JSR, which this project cannot reach).
import { deepStrictEqual } from "node:assert";

export function assert(condition: unknown, message = "Assertion failed"): asserts condition {
  if (!condition) throw new Error(message);
}

/** Deep, strict equality (types, -0, key sets); byte arrays print as hex when they differ. */
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

/** Calls `fn` and returns what it threw, checking its class and that its message has `includes`. */
export function assertThrows(
  fn: () => unknown,
  // deno-lint-ignore no-explicit-any
  errorClass?: new (...args: any[]) => Error,
  includes?: string,
): Error {
  try {
    fn();
  } catch (error) {
    return checkError(error, errorClass, includes);
  }
  throw new Error("Expected the function to throw");
}

/** The same for a promise: awaits `fn` and returns what it rejected with. */
export async function assertRejects(
  fn: () => unknown,
  // deno-lint-ignore no-explicit-any
  errorClass?: new (...args: any[]) => Error,
  includes?: string,
): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    return checkError(error, errorClass, includes);
  }
  throw new Error("Expected the promise to reject");
}

function checkError(
  error: unknown,
  // deno-lint-ignore no-explicit-any
  errorClass?: new (...args: any[]) => Error,
  includes?: string,
): Error {
  if (errorClass && !(error instanceof errorClass)) {
    throw new Error(`Expected ${errorClass.name}, got ${show(error)}`);
  }
  const text = error instanceof Error ? error.message : String(error);
  if (includes !== undefined && !text.includes(includes)) {
    throw new Error(`Expected the message to include ${show(includes)}, got ${show(text)}`);
  }
  return error as Error;
}

function show(value: unknown): string {
  const text = typeof value === "string"
    ? JSON.stringify(value)
    : Deno.inspect(withHex(value), { depth: 6 });
  return text.length > 2000 ? text.slice(0, 2000) + "…" : text;
}

/** Byte arrays (also inside arrays and plain objects) as `bytes(01 02 …)`, so diffs are readable. */
function withHex(value: unknown, depth = 0): unknown {
  if (value instanceof Uint8Array) {
    return { [Symbol.for("Deno.customInspect")]: () => `bytes(${hexOf(value)})` };
  }
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => withHex(v, depth + 1));
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withHex(v, depth + 1)]));
}

function hexOf(bytes: Uint8Array): string {
  const shown = Array.from(bytes.subarray(0, 256), (b) => b.toString(16).padStart(2, "0"));
  return shown.join(" ") + (bytes.length > 256 ? ` … (${bytes.length} bytes)` : "");
}
