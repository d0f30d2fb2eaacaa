import { fail, MAX_NEED, MAX_STEPS, MAX_TAIL, type Finding, type Need, type Probe, type ProbeSpec } from './probe.js';

/**
 * One probe in progress, whatever feeds it. A probe that throws, asks for too much or takes too
 * many steps is our bug or a crafted header; either way the verdict fails closed: the format is
 * reported, with a failed `inspector` check, never silently dropped.
 */
export class ProbeRun {
  readonly name: string;
  private readonly gen: Probe;
  private steps = 0;
  needs: readonly Need[] = [];
  done = false;
  finding: Finding | null = null;

  constructor(spec: ProbeSpec) {
    this.name = spec.name;
    this.gen = spec.run();
    this.resume([]);
  }

  /** Give the probe the bytes it asked for, in the order it asked. */
  resume(answers: readonly Buffer[]): void {
    if (this.done) return;
    try {
      if (++this.steps > MAX_STEPS + 1) throw new Error(`more than ${MAX_STEPS} steps`);
      const r = this.gen.next(answers);
      if (r.done) return this.finish(r.value);
      this.needs = r.value.map(bounded);
    } catch (e) {
      this.crash(e);
    }
  }

  crash(e: unknown): void {
    if (this.done) return;
    this.gen.return(null);
    this.finish({
      format: this.name,
      checks: [fail('inspector', `the ${this.name} inspector could not read this data (${e instanceof Error ? e.message : String(e)})`)],
    });
  }

  private finish(finding: Finding | null): void {
    this.done = true;
    this.needs = [];
    this.finding = finding;
  }
}

function bounded(n: Need): Need {
  if ('tail' in n) {
    if (!Number.isInteger(n.tail) || n.tail < 0 || n.tail > MAX_TAIL) throw new Error(`asked for a tail of ${n.tail} bytes`);
    return n;
  }
  if (!Number.isSafeInteger(n.at) || n.at < 0 || !Number.isInteger(n.length) || n.length < 0 || n.length > MAX_NEED) {
    throw new Error(`asked for ${n.length} bytes at ${n.at}`);
  }
  return n;
}

/** Drive every probe over a random-access reader: how inspectFile works. */
export async function runAll(specs: readonly ProbeSpec[], read: (n: Need) => Promise<Buffer>): Promise<ProbeRun[]> {
  const runs = specs.map((s) => new ProbeRun(s));
  for (const run of runs) {
    while (!run.done) run.resume(await Promise.all(run.needs.map(read)));
  }
  return runs;
}
