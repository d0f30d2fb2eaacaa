import { afterEach, describe, expect, it, vi } from 'vitest';
import { Connection } from './connection';

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('Connection', () => {
  it('once lost, asks /healthcheck every second until it answers, then is back (epoch bumped) and up again later', async () => {
    vi.useFakeTimers();
    let serverUp = false;
    const calls: string[] = [];
    vi.stubGlobal('fetch', async (url: string) => {
      calls.push(url);
      if (!serverUp) throw new TypeError('Failed to fetch');
      return { ok: true } as Response;
    });
    const c = new Connection(1000, 6000);
    const states: string[] = [];
    c.subscribe(() => states.push(c.state));
    c.lost();
    c.lost();
    expect(c.state).toBe('down');
    await vi.advanceTimersByTimeAsync(3000);
    expect(calls).toEqual(['/healthcheck', '/healthcheck', '/healthcheck']);
    serverUp = true;
    await vi.advanceTimersByTimeAsync(1000);
    expect(c.state).toBe('back');
    expect(c.epoch).toBe(1);
    await vi.advanceTimersByTimeAsync(6000);
    expect(states).toEqual(['down', 'back', 'up']);
    expect(calls).toHaveLength(4);
  });

  it('close() stops probing', async () => {
    vi.useFakeTimers();
    const fetch = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    vi.stubGlobal('fetch', fetch);
    const c = new Connection(1000);
    c.lost();
    await vi.advanceTimersByTimeAsync(1500);
    c.close();
    await vi.advanceTimersByTimeAsync(5000);
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});
