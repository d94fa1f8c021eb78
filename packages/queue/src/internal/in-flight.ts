/** Counts running handlers so a shutdown can wait for them, with a deadline. */
export class InFlight {
  private running = 0;
  private readonly idle = new Set<() => void>();

  get size(): number {
    return this.running;
  }

  /** Marks one handler as running; call the returned function (once) when it ends. */
  add(): () => void {
    this.running += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running -= 1;
      if (this.running === 0) for (const resolve of [...this.idle]) resolve();
    };
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
