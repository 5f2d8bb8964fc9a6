// Waiting on a condition instead of sleeping a fixed time: fast when it holds, a clear error when not.

export interface WaitOptions {
  /** How long the condition may take (generous: only a failing test waits it out). @default 15000 */
  timeoutMs?: number;
  /** Time between checks. @default 20 */
  intervalMs?: number;
  /** What is awaited, for the timeout's message. */
  what?: string;
}

/**
 * Checks `condition` until it gives a truthy value and returns that value; throws past
 * `timeoutMs`, with the last error the condition threw if any.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  options: WaitOptions = {},
): Promise<NonNullable<T>> {
  const { timeoutMs = 15_000, intervalMs = 20, what = "the condition" } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as NonNullable<T>;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? `: ${lastError.message}` : "";
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
