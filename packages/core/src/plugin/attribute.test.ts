import { describe, expect, it } from 'vitest';
import { giError } from '../errors.js';
import { runFlow, type FlowError } from '../flow/engine.js';
import { linearFlow, unorderedFlow } from '../flow/flows.js';
import { defineTask } from '../flow/task.js';
import { attributeFailures } from './attribute.js';

const plugin = { name: 'image_conversion', package: '@glance-import/plugin-convert' };
const failing = (error: unknown) =>
  defineTask({
    name: 'convert',
    execute: () => {
      throw error;
    },
  });
const failureOf = async (flow: Parameters<typeof runFlow>[0]) => {
  const e = await runFlow(flow).then(
    () => undefined,
    (err: unknown) => err as FlowError,
  );
  return e!.failures[0]!.error as Error & { code?: string; hint?: string };
};

describe('attributeFailures', () => {
  it('reports an error without a code as GI_PLUGIN_FAILED naming the plugin, the original as its cause', async () => {
    const boom = new Error('boom');
    const error = await failureOf(attributeFailures(linearFlow('p', {}, unorderedFlow('inner', {}, failing(boom))), plugin));
    expect(error).toMatchObject({
      code: 'GI_PLUGIN_FAILED',
      message: "Plugin 'image_conversion' failed: boom",
      details: { plugin: 'image_conversion', reason: 'boom' },
    });
    expect(error.hint).toContain('@glance-import/plugin-convert');
    expect(error.cause).toBe(boom);
  });

  it("lets a coded error through unchanged, and leaves the plugin's own flow as it was", async () => {
    const coded = giError('GI_FLOW_DUPLICATE_ATOM', { name: 'x' });
    const flow = linearFlow('p', {}, failing(coded));
    expect(await failureOf(attributeFailures(flow, plugin))).toBe(coded);
    expect(await failureOf(flow)).toBe(coded);
    expect(attributeFailures(flow, plugin)).not.toBe(flow);
  });
});
