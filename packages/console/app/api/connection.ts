export type ConnectionState = 'up' | 'down' | 'back';

/**
 * Whether the server answers. A request that cannot reach it (or meets a server that is shutting
 * down) marks the connection down; from then on `/healthcheck` is asked once a second until it
 * answers, and the connection is "back" for a while. Each return bumps `epoch`, so views reload.
 */
export class Connection {
  state: ConnectionState = 'up';
  epoch = 0;
  private readonly listeners = new Set<() => void>();
  private probing = false;
  private backTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly probeMs = 1000,
    private readonly backMs = 6000,
  ) {}

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
    };
  }

  lost(): void {
    if (this.state === 'down') return;
    clearTimeout(this.backTimer);
    this.set('down');
    void this.probe();
  }

  /** Stop probing (sign-out). */
  close(): void {
    this.probing = false;
    clearTimeout(this.backTimer);
    this.listeners.clear();
  }

  private async probe(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    while (this.probing) {
      await new Promise((r) => setTimeout(r, this.probeMs));
      if (!this.probing) return;
      try {
        const r = await fetch('/healthcheck', { cache: 'no-store' });
        if (r.ok) break;
      } catch {
        // still down
      }
    }
    if (!this.probing) return;
    this.probing = false;
    this.epoch++;
    this.set('back');
    this.backTimer = setTimeout(() => {
      if (this.state === 'back') this.set('up');
    }, this.backMs);
  }

  private set(s: ConnectionState): void {
    this.state = s;
    for (const fn of this.listeners) fn();
  }
}
