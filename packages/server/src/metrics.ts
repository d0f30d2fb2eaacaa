/** A few Prometheus metrics rendered in the text exposition format; no client library needed. */

type Labels = Record<string, string>;
const key = (labels: Labels) => Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '\\$&')}"`).join(',');

class Family {
  readonly values = new Map<string, { labels: Labels; value: number; count?: number }>();
  constructor(readonly name: string, readonly help: string, readonly type: 'counter' | 'gauge' | 'summary') {}

  add(labels: Labels, delta: number): void {
    const k = key(labels);
    const cur = this.values.get(k) ?? { labels, value: 0, count: 0 };
    cur.value += delta;
    cur.count = (cur.count ?? 0) + 1;
    this.values.set(k, cur);
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    for (const { labels, value, count } of this.values.values()) {
      const l = key(labels);
      if (this.type === 'summary') {
        lines.push(`${this.name}_sum${l ? `{${l}}` : ''} ${value}`, `${this.name}_count${l ? `{${l}}` : ''} ${count}`);
      } else lines.push(`${this.name}${l ? `{${l}}` : ''} ${value}`);
    }
    return lines.join('\n');
  }
}

export class Metrics {
  readonly imports = new Family('glance_import_imports_total', 'Imports finished, by method and outcome.', 'counter');
  readonly bytesStaged = new Family('glance_import_bytes_staged_total', 'Bytes written to staging.', 'counter');
  readonly bytesStored = new Family('glance_import_bytes_stored_total', 'Bytes written to stores.', 'counter');
  readonly phaseSeconds = new Family('glance_import_phase_duration_seconds', 'Time spent in each import phase.', 'summary');
  readonly tasksRunning = new Family('glance_import_tasks_running', 'Import tasks running now.', 'gauge');
  readonly requests = new Family('glance_import_http_requests_total', 'HTTP requests, by method and status.', 'counter');

  render(): string {
    return `${[this.imports, this.bytesStaged, this.bytesStored, this.phaseSeconds, this.tasksRunning, this.requests].map((f) => f.render()).join('\n')}\n`;
  }
}
