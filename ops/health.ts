// Dependency checks for /healthz and /readyz: each bounded by a timeout and in flight at most once.

/** One dependency's ping (the database, Redis, object storage), handed in by main.ts. */
export interface HealthCheck {
  name: string;
  check(): Promise<void>;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  /** Why it failed: the error's message, or that it took longer than the timeout. */
  error?: string;
}

export interface HealthOptions {
  /** A check that has not answered after this counts as failed. @default 2000 */
  timeoutMs?: number;
}

export interface Health {
  /** Every check's result, run side by side. */
  run(): Promise<{ ok: boolean; results: CheckResult[] }>;
  /** From now on the instance is shutting down: /readyz answers 503 so balancers turn away. */
  drain(): void;
  readonly draining: boolean;
}

/**
 * Checks `checks` on demand. A caller that arrives while a dependency's check is still running
 * (however many callers, and even past the timeout) shares it instead of starting another, so
 * hammering /readyz while a database hangs costs one pending ping, not one per request.
 */
export function createHealth(checks: HealthCheck[], options: HealthOptions = {}): Health {
  const timeoutMs = options.timeoutMs ?? 2000;
  const running = new Map<string, Promise<void>>();
  let draining = false;

  const once = (check: HealthCheck): Promise<void> => {
    let pending = running.get(check.name);
    if (!pending) {
      // Promise.resolve().then: a check that throws at once becomes a rejection, not a throw.
      pending = Promise.resolve().then(() => check.check()).finally(() =>
        running.delete(check.name)
      );
      running.set(check.name, pending);
    }
    return pending;
  };

  const result = async (check: HealthCheck): Promise<CheckResult> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`No answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([once(check), late]);
      return { name: check.name, ok: true };
    } catch (error) {
      return { name: check.name, ok: false, error: (error as Error)?.message ?? String(error) };
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    async run() {
      const results = await Promise.all(checks.map(result));
      return { ok: results.every((r) => r.ok), results };
    },
    drain: () => void (draining = true),
    get draining() {
      return draining;
    },
  };
}
