import { describe, expect, it } from 'vitest';
import { Counter, Histogram, Metrics } from './metrics.js';

/** The samples of a text exposition, by series (name and labels as written). */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-z_]+(?:\{[^}]*\})?) (-?[\d.e+]+|\+Inf)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    out.set(m[1]!, Number(m[2]));
  }
  return out;
}

describe('Metrics (Prometheus text format 0.0.4)', () => {
  it('a counter: HELP, TYPE, one sample per label set, labels sorted and escaped', () => {
    const c = new Counter('x_total', 'Things.');
    c.inc({ method: 'glance-direct', outcome: 'success' });
    c.inc({ outcome: 'success', method: 'glance-direct' }, 2);
    c.inc({ method: 'a"b\\c\nd', outcome: 'failure' });
    expect(c.render()).toEqual([
      '# HELP x_total Things.',
      '# TYPE x_total counter',
      'x_total{method="glance-direct",outcome="success"} 3',
      'x_total{method="a\\"b\\\\c\\nd",outcome="failure"} 1',
    ]);
  });

  it('a histogram: cumulative buckets, +Inf, _sum and _count per label set', () => {
    const h = new Histogram('d_seconds', 'Durations.', [1, 5]);
    for (const v of [0.5, 3, 3, 10]) h.observe({ method: 'm' }, v);
    expect(h.render()).toEqual([
      '# HELP d_seconds Durations.',
      '# TYPE d_seconds histogram',
      'd_seconds_bucket{le="1",method="m"} 1',
      'd_seconds_bucket{le="5",method="m"} 3',
      'd_seconds_bucket{le="+Inf",method="m"} 4',
      'd_seconds_sum{method="m"} 16.5',
      'd_seconds_count{method="m"} 4',
    ]);
  });

  it('every family an operator needs, gauges read from the import queue at each scrape', () => {
    const m = new Metrics();
    const queue = { active: 2, queued: 5 };
    m.watch(queue);
    m.imports.inc({ method: 'glance-direct', outcome: 'failure' });
    m.importSeconds.observe({ method: 'glance-direct', outcome: 'failure' }, 2);
    m.phaseSeconds.observe({ phase: 'ImportToStore' }, 0.2);
    m.bytesStaged.inc({}, 10);
    m.bytesStored.inc({ store: 'local' }, 10);
    m.stageErrors.inc({ code: 'GI_API_TOO_LARGE' });
    m.storeErrors.inc({ store: 'local', code: 'GI_STORE_FULL' });
    m.requests.inc({ method: 'GET', status: '200' });
    m.requestSeconds.observe({ method: 'GET' }, 0.001);
    const text = m.render();
    for (const type of ['counter', 'histogram', 'gauge']) expect(text).toMatch(new RegExp(`^# TYPE glance_import_\\w+ ${type}$`, 'm'));
    const s = samples(text);
    expect(Object.fromEntries([...s].filter(([k]) => !k.includes('_bucket')))).toEqual({
      'glance_import_imports_total{method="glance-direct",outcome="failure"}': 1,
      'glance_import_import_duration_seconds_sum{method="glance-direct",outcome="failure"}': 2,
      'glance_import_import_duration_seconds_count{method="glance-direct",outcome="failure"}': 1,
      'glance_import_phase_duration_seconds_sum{phase="ImportToStore"}': 0.2,
      'glance_import_phase_duration_seconds_count{phase="ImportToStore"}': 1,
      glance_import_imports_running: 2,
      glance_import_imports_queued: 5,
      glance_import_bytes_staged_total: 10,
      'glance_import_bytes_stored_total{store="local"}': 10,
      'glance_import_stage_errors_total{code="GI_API_TOO_LARGE"}': 1,
      'glance_import_store_errors_total{code="GI_STORE_FULL",store="local"}': 1,
      'glance_import_http_requests_total{method="GET",status="200"}': 1,
      'glance_import_http_request_duration_seconds_sum{method="GET"}': 0.001,
      'glance_import_http_request_duration_seconds_count{method="GET"}': 1,
    });
    queue.active = 0;
    expect(samples(m.render()).get('glance_import_imports_running')).toBe(0);
    expect(text.endsWith('\n')).toBe(true);
  });
});
