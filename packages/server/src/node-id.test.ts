import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NODE_ID_FILE, nodeId } from './node-id.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('nodeId', () => {
  it('is worker_self_reference_url when set, and writes nothing', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'gi-node-'));
    expect(nodeId('http://10.0.0.1:9292', dir)).toBe('http://10.0.0.1:9292');
    expect(() => readFileSync(path.join(dir, NODE_ID_FILE))).toThrow();
  });

  it('else is generated once and kept in the data dir: the same after a restart', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'gi-node-'));
    const first = nodeId(undefined, dir);
    expect(first).toMatch(/^node-[0-9a-f-]{36}$/);
    expect(nodeId(undefined, dir)).toBe(first);
    writeFileSync(path.join(dir, NODE_ID_FILE), 'node-kept\n');
    expect(nodeId(undefined, dir)).toBe('node-kept');
  });

  it('fails with GI_SERVER_NODE_ID when the id cannot be read or kept', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'gi-node-'));
    const notADir = path.join(dir, 'file');
    writeFileSync(notADir, '');
    expect(() => nodeId(undefined, notADir)).toThrow(expect.objectContaining({ code: 'GI_SERVER_NODE_ID' }));
  });
});
