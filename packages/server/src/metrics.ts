/**
 * The service's Prometheus metrics, rendered in the text exposition format (version 0.0.4); no
 * client library needed. Label values are few and fixed (methods, outcomes, phases, stores, GI_*
 * codes), never ids.
 */

type Labels = Record<string, string>;

const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labelText = (labels: Labels) =>
  Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${escape(v)}"`)
    .join(',');
const series = (name: string, labels: Labels) => {
  const l = labelText(labels);
  return l ? `${name}{${l}}` : name;
};
const header = (name: string, help: string, type: string) => [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];

interface Family {
  render(): string[];
}

export class Counter implements Family {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const k = labelText(labels);
    const cur = this.values.get(k) ?? { labels, value: 0 };
    cur.value += by;
    this.values.set(k, cur);
  }

  render(): string[] {
    return [...header(this.name, this.help, 'counter'), ...[...this.values.values()].map((v) => `${series(this.name, v.labels)} ${v.value}`)];
  }
}

/** A value read when scraped (queue depth, imports running): never out of step with what it counts. */
export class Gauge implements Family {
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => number,
  ) {}

  render(): string[] {
    return [...header(this.name, this.help, 'gauge'), `${this.name} ${this.read()}`];
  }
}

export class Histogram implements Family {
  private readonly values = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {}

  observe(labels: Labels, value: number): void {
    const k = labelText(labels);
    const cur = this.values.get(k) ?? { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
    this.buckets.forEach((le, i) => {
      if (value <= le) cur.counts[i]! += 1;
    });
    cur.sum += value;
    cur.count += 1;
    this.values.set(k, cur);
  }

  render(): string[] {
    const lines = header(this.name, this.help, 'histogram');
    for (const v of this.values.values()) {
      this.buckets.forEach((le, i) => lines.push(`${series(`${this.name}_bucket`, { ...v.labels, le: String(le) })} ${v.counts[i]}`));
      lines.push(`${series(`${this.name}_bucket`, { ...v.labels, le: '+Inf' })} ${v.count}`);
      lines.push(`${series(`${this.name}_sum`, v.labels)} ${v.sum}`, `${series(`${this.name}_count`, v.labels)} ${v.count}`);
    }
    return lines;
  }
}

/** Seconds: an import of a small image takes under a second, a large conversion an hour. */
const IMPORT_SECONDS = [0.5, 1, 5, 15, 60, 300, 900, 3600, 14_400];
const PHASE_SECONDS = [0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600];
const REQUEST_SECONDS = [0.005, 0.025, 0.1, 0.5, 1, 5, 30, 120];

/** What the import service reports about its queue, read at each scrape. */
export interface QueueState {
  readonly active: number;
  readonly queued: number;
}

export class Metrics {
  readonly imports = new Counter('glance_import_imports_total', 'Imports that ended, by method and outcome (success, failure).');
  readonly importSeconds = new Histogram(
    'glance_import_import_duration_seconds',
    'How long imports ran, from the start of the flow to its end (revert included), by method and outcome.',
    IMPORT_SECONDS,
  );
  readonly phaseSeconds = new Histogram('glance_import_phase_duration_seconds', 'Time spent in each import phase (atom), by phase.', PHASE_SECONDS);
  readonly bytesStaged = new Counter('glance_import_bytes_staged_total', 'Bytes written to staging by PUT /stage.');
  readonly bytesStored = new Counter('glance_import_bytes_stored_total', 'Bytes written to stores (imports and PUT /file), by store.');
  readonly stageErrors = new Counter('glance_import_stage_errors_total', 'PUT /stage calls that failed after the data started to flow, by error code.');
  readonly storeErrors = new Counter('glance_import_store_errors_total', 'Store writes that failed (imports and PUT /file), by store and error code.');
  readonly requests = new Counter('glance_import_http_requests_total', 'HTTP requests answered, by method and status.');
  readonly requestSeconds = new Histogram(
    'glance_import_http_request_duration_seconds',
    'Time to answer HTTP requests, by method (uploads and downloads included).',
    REQUEST_SECONDS,
  );
  private queue: QueueState = { active: 0, queued: 0 };
  private readonly running = new Gauge('glance_import_imports_running', 'Imports running now.', () => this.queue.active);
  private readonly queued = new Gauge(
    'glance_import_imports_queued',
    'Imports accepted and waiting for a free worker ([wsgi] task_pool_threads).',
    () => this.queue.queued,
  );

  /** The import service whose queue the gauges read. */
  watch(queue: QueueState): void {
    this.queue = queue;
  }

  render(): string {
    const families: Family[] = [
      this.imports,
      this.importSeconds,
      this.phaseSeconds,
      this.running,
      this.queued,
      this.bytesStaged,
      this.bytesStored,
      this.stageErrors,
      this.storeErrors,
      this.requests,
      this.requestSeconds,
    ];
    return `${families.flatMap((f) => f.render()).join('\n')}\n`;
  }
}

/** The code to count an error under: its GI_* code, else 'other'. */
export const errorLabel = (e: unknown): string => {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('GI_') ? code : 'other';
};
