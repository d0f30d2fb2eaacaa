import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatRate, parseTime, percent } from './format';

describe('format', () => {
  it('sizes in binary units, unknown as a dash', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(10 * 1024 * 1024)).toBe('10.0 MiB');
    expect(formatBytes(300 * 1024 ** 3)).toBe('300 GiB');
    expect(formatBytes(null)).toBe('—');
  });

  it('rates per second and durations', () => {
    expect(formatRate(2 * 1024 * 1024)).toBe('2.0 MiB/s');
    expect(formatRate(undefined)).toBe('—');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_340)).toBe('12.3 s');
    expect(formatDuration(245_000)).toBe('4 min 05 s');
  });

  it("reads Glance's zone-less task timestamps as UTC", () => {
    expect(parseTime('2026-11-25T10:00:00.000000')?.toISOString()).toBe('2026-11-25T10:00:00.000Z');
    expect(parseTime('2026-11-25T10:00:00Z')?.toISOString()).toBe('2026-11-25T10:00:00.000Z');
    expect(parseTime('garbage')).toBeUndefined();
  });

  it('percent is clamped and undefined without a total', () => {
    expect(percent(50, 200)).toBe(25);
    expect(percent(300, 200)).toBe(100);
    expect(percent(5, undefined)).toBeUndefined();
  });
});
