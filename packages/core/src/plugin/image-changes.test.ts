import { describe, expect, it } from 'vitest';
import { checkAttributes, checkExtraProperties, checkRemovedProperties } from './image-changes.js';

describe('what an import task may write to the image (one check for the server and the test harness)', () => {
  it('attributes: the five of Glance’s import action wrapper, with values of their type', () => {
    expect(checkAttributes({ disk_format: 'raw', container_format: 'bare', size: 5, virtual_size: null, status: 'active' })).toEqual({
      disk_format: 'raw',
      container_format: 'bare',
      size: 5,
      virtual_size: null,
      status: 'active',
    });
    expect(() => checkAttributes({ min_ram: 512 })).toThrow(
      expect.objectContaining({
        code: 'GI_PLUGIN_BAD_IMAGE_CHANGE',
        message:
          "An import task may not set the attribute 'min_ram': only status, disk_format, container_format, size, virtual_size can be set during an import.",
      }),
    );
    for (const bad of [{ size: '5' }, { size: -1 }, { size: 1.5 }, { virtual_size: true }, { disk_format: 7 }, { disk_format: '' }, { status: 'bogus' }]) {
      expect(() => checkAttributes(bad), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'GI_PLUGIN_BAD_IMAGE_CHANGE' }));
    }
  });

  it('extra properties: string values only (the API stores and shows strings), reserved names left out with a report', () => {
    const refused: string[] = [];
    expect(checkExtraProperties({ a: '5', os_glance_x: 'y' }, (k) => refused.push(k))).toEqual({ a: '5' });
    expect(refused).toEqual(['os_glance_x']);
    expect(() => checkExtraProperties({ count: 5 }, () => {})).toThrow(
      expect.objectContaining({
        code: 'GI_PLUGIN_BAD_IMAGE_CHANGE',
        message: "An import task may not set the property 'count' to number 5: property values are strings.",
      }),
    );
    for (const bad of [{ ok: true }, { ok: null }, { ok: ['x'] }, { '': 'x' }, { ['k'.repeat(256)]: 'x' }, { big: 'x'.repeat(65_536) }]) {
      expect(() => checkExtraProperties(bad, () => {})).toThrow(expect.objectContaining({ code: 'GI_PLUGIN_BAD_IMAGE_CHANGE' }));
    }
  });

  it('removing: names only, reserved ones left alone with a report', () => {
    const refused: string[] = [];
    expect(checkRemovedProperties(['a', 'os_glance_import_task'], (k) => refused.push(k))).toEqual(['a']);
    expect(refused).toEqual(['os_glance_import_task']);
    expect(() => checkRemovedProperties([5], () => {})).toThrow(expect.objectContaining({ code: 'GI_PLUGIN_BAD_IMAGE_CHANGE' }));
  });
});
