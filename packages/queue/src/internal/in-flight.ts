/** Counts running handlers so a shutdown can wait for them, with a deadline. */
export class InFlight {
  private running = 0;
  private readonly idle = new Set<() => void>();

  get size(): number {
    return this.running;
  }

  /** One more handler runs; call `leave()` exactly once when it ends. */
  enter(): void {
    this.running += 1;
  }

  leave(): void {
    this.running -= 1;
    if (this.running === 0 && this.idle.size > 0) for (const resolve of [...this.idle]) resolve();
  }

  /** True once nothing runs, false if something still does after `timeoutMs`. */
  drained(timeoutMs: number): Promise<boolean> {
    if (this.running === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (value: boolean) => {
        clearTimeout(timer);
        this.idle.delete(onIdle);
        resolve(value);
      };
      const onIdle = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.idle.add(onIdle);
    });
  }
}
