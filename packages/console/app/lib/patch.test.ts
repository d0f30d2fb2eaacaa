import { describe, expect, it } from 'vitest';
import { imagePatch, parseTags } from './patch';

const image = {
  id: 'i1',
  name: 'debian',
  visibility: 'private',
  status: 'active',
  tags: ['a', 'b'],
  owner: 'p1',
  os_distro: 'debian',
  hw_disk_bus: 'virtio',
  os_glance_inspection: '{"verdict":"ok"}',
};
const same = {
  name: 'debian',
  visibility: 'private',
  tags: ['a', 'b'],
  properties: { os_distro: 'debian', hw_disk_bus: 'virtio', os_glance_inspection: '{"verdict":"ok"}' },
};

describe('imagePatch', () => {
  it('an unchanged edit is no patch at all', () => {
    expect(imagePatch(image, same)).toEqual([]);
  });

  it('replaces attributes, also a name that was null, as glanceclient does', () => {
    expect(imagePatch({ ...image, name: null }, { ...same, name: 'x', visibility: 'shared' })).toEqual([
      { op: 'replace', path: '/name', value: 'x' },
      { op: 'replace', path: '/visibility', value: 'shared' },
    ]);
  });

  it('adds, replaces and removes properties; never touches os_glance_* ones', () => {
    const ops = imagePatch(image, { ...same, properties: { os_distro: 'ubuntu', 'a/b~c': '1' } });
    expect(ops).toEqual([
      { op: 'remove', path: '/hw_disk_bus' },
      { op: 'replace', path: '/os_distro', value: 'ubuntu' },
      { op: 'add', path: '/a~1b~0c', value: '1' },
    ]);
  });

  it('replaces the tags as one list when they change, cleared ones included', () => {
    expect(imagePatch(image, { ...same, tags: ['b', 'c'] })).toEqual([{ op: 'replace', path: '/tags', value: ['b', 'c'] }]);
    expect(imagePatch(image, { ...same, tags: [] })).toEqual([{ op: 'replace', path: '/tags', value: [] }]);
  });

  it('parseTags trims, drops empties and duplicates', () => {
    expect(parseTags(' a, b,,a , c ')).toEqual(['a', 'b', 'c']);
  });
});
