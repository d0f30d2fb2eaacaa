import { describe, expect, it } from 'vitest';
import { HashSlots, type HashSlot } from './hash-slots.js';

const pool = (spare: number) => {
  const events: string[] = [];
  const slots = new HashSlots(16, spare, {
    created: (s) => events.push(`+${s.id}`),
    dropped: (s) => events.push(`-${s.id}`),
  });
  return { slots, events };
};

describe('HashSlots', () => {
  it('holds one slot per hasher plus the spare ones, however many hashers ask', () => {
    const { slots } = pool(2);
    for (let i = 0; i < 3; i++) slots.join();
    const got: HashSlot[] = [];
    for (let s = slots.take(); s; s = slots.take()) got.push(s);
    expect(got).toHaveLength(5);
    expect(slots.size).toBe(5);
    expect(new Set(got.map((s) => s.id)).size).toBe(5);
  });

  it('hands slots given back to those waiting, first come first served', async () => {
    const { slots } = pool(1);
    slots.join();
    const [a, b] = [slots.take()!, slots.take()!];
    const order: string[] = [];
    const first = slots.wait().then((s) => order.push(`first ${s.id}`));
    const second = slots.wait().then((s) => order.push(`second ${s.id}`));
    // A slot free now does not jump the queue.
    expect(slots.take()).toBeUndefined();
    slots.give(b);
    slots.give(a);
    await Promise.all([first, second]);
    expect(order).toEqual([`first ${b.id}`, `second ${a.id}`]);
  });

  it('drops the slots of a hasher that left once they are free, and keeps the spare ones', () => {
    const { slots, events } = pool(1);
    slots.join();
    slots.join();
    const held = [slots.take()!, slots.take()!, slots.take()!];
    slots.leave();
    slots.leave();
    expect(slots.size).toBe(3);
    for (const s of held) slots.give(s);
    expect(slots.size).toBe(1);
    expect(events.filter((e) => e.startsWith('-'))).toHaveLength(2);
  });

  it('serves a waiter from a slot made for a hasher that joins', async () => {
    const { slots } = pool(0);
    slots.join();
    const held = slots.take()!;
    const waiting = slots.wait();
    slots.join();
    const got = await waiting;
    expect(got.id).not.toBe(held.id);
    expect(slots.size).toBe(2);
  });
});

describe('HashSlots.wanted', () => {
  it('says whether a slot given back has a use: a hasher waits, or slots beyond the capacity go', async () => {
    const { slots } = pool(0);
    slots.join();
    const a = slots.take()!;
    expect(slots.wanted).toBe(false);
    const waiting = slots.wait();
    expect(slots.wanted).toBe(true);
    slots.give(a);
    await waiting;
    expect(slots.wanted).toBe(false);
    slots.leave();
    expect(slots.wanted).toBe(true);
    slots.give(a);
    expect(slots.wanted).toBe(false);
    expect(slots.size).toBe(0);
  });
});
