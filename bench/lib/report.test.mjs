import { describe, expect, it } from 'vitest';
import { formatTable, judge } from './report.mjs';
import { summary } from './stats.mjs';

const row = (ours, limit, target, extra = {}) => ({ case: 'x', unit: 's', ours: summary(ours), limit: { label: 'l', ...summary(limit), target }, ...extra });

describe('judge', () => {
  it('passes a ratio at or under its target', () => {
    const r = judge(row([1.1, 1.1, 1.1], [1, 1, 1], 1.15));
    expect(r.ratio).toBeCloseTo(1.1);
    expect(r.verdict).toBe('ok');
  });

  it('misses a ratio only by more than the spreads of both sides added', () => {
    // 1.3 against 1.15 with ±10 % on our side and none on the limit: 1.3 ≤ 1.15 × 1.1 is false.
    expect(judge(row([1.17, 1.3, 1.43], [1, 1, 1], 1.15)).verdict).toBe('MISSED');
    // The same ratio with ±10 % more on the limit's side: within 1.15 × 1.2.
    expect(judge(row([1.17, 1.3, 1.43], [0.9, 1, 1.1], 1.15)).verdict).toBe('within spread');
  });

  it('reads rates the other way: the limit over ours', () => {
    const r = judge({ ...row([100, 100, 100], [110, 110, 110], 1.2), unit: 'req/s', higher: true });
    expect(r.ratio).toBeCloseTo(1.1);
    expect(r.verdict).toBe('ok');
  });

  it('holds Glance to at least its factor, and an absolute limit to at most its value', () => {
    expect(judge({ case: 'g', unit: 's', ours: summary([1, 1, 1]), glance: { ...summary([3.5, 3.5, 3.5]), target: 3 } }).verdict).toBe('ok');
    expect(judge({ case: 'g', unit: 's', ours: summary([1, 1, 1]), glance: { ...summary([2, 2, 2]), target: 3 } }).verdict).toBe('MISSED');
    expect(judge({ case: 'p99', unit: 'ms', ours: summary([49]), absolute: { max: 50 } }).verdict).toBe('ok');
    expect(judge({ case: 'p99', unit: 'ms', ours: summary([51]), absolute: { max: 50 } }).verdict).toBe('MISSED');
  });
});

describe('formatTable', () => {
  it('says how many rounds the medians are of, glance-direct apart when it has more', () => {
    const rows = [judge(row([1.1, 1.1, 1.1], [1, 1, 1], 1.15))];
    expect(formatTable(rows, { rounds: 3, quick: false })).toContain('Medians of 3 rounds;');
    expect(formatTable(rows, { rounds: 3, gdRounds: 5, quick: false })).toContain('Medians of 3 rounds (5 for glance-direct against its limit);');
  });
});
