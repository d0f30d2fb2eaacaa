/** A one-line progress bar on stderr; on a non-TTY it prints a line per 10% instead of redrawing. */
export class ProgressBar {
  private lastPct = -1;
  private readonly start = Date.now();

  constructor(
    private readonly label: string,
    private readonly write: (s: string) => void,
    private readonly tty: boolean,
  ) {}

  update(done: number, total: number | undefined): void {
    const pct = total ? Math.min(100, Math.floor((done / total) * 100)) : undefined;
    const secs = (Date.now() - this.start) / 1000;
    const rate = secs > 0 ? `${fmtBytes(done / secs)}/s` : '';
    const text =
      pct === undefined
        ? `${this.label} ${fmtBytes(done)} ${rate}`
        : `${this.label} [${'#'.repeat(Math.floor(pct / 4)).padEnd(25, '.')}] ${String(pct).padStart(3)}% ${fmtBytes(done)}/${fmtBytes(total!)} ${rate}`;
    if (this.tty) {
      this.write(`\r${text}\x1b[K`);
      return;
    }
    const step = pct === undefined ? -1 : Math.floor(pct / 10);
    if (step !== this.lastPct) {
      this.lastPct = step;
      this.write(`${text}\n`);
    }
  }

  done(note = 'done'): void {
    this.write(this.tty ? `\r${this.label} ${note}\x1b[K\n` : `${this.label} ${note}\n`);
  }
}

export function fmtBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}
