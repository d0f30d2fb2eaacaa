import type { TaskRecord } from '@glance-import/db';
import { describe, expect, it } from 'vitest';
import { isStale } from './lock.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const task = (status: TaskRecord['status'], minutesAgo: number) => ({ status, updated_at: new Date(NOW - minutesAgo * 60_000).toISOString() }) as TaskRecord;

describe('a stale import lock', () => {
  it('is one whose task is gone or finished: no process will release it', () => {
    expect(isStale(undefined, NOW)).toBe(true);
    expect(isStale(task('success', 0), NOW)).toBe(true);
    expect(isStale(task('failure', 0), NOW)).toBe(true);
  });

  it('is one whose task made no progress for 60 minutes, 120 while pending', () => {
    expect(isStale(task('processing', 59), NOW)).toBe(false);
    expect(isStale(task('processing', 61), NOW)).toBe(true);
    expect(isStale(task('pending', 119), NOW)).toBe(false);
    expect(isStale(task('pending', 121), NOW)).toBe(true);
  });
});
