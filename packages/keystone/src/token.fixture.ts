/**
 * A `GET /v3/auth/tokens` answer of the reference Keystone (Zed, 22.0.2) for the `demo` user's
 * project-scoped password token, as recorded; image endpoints at :9292 in RegionOne.
 */
const endpoints = (ids: [string, string, string], url: string) =>
  (['public', 'internal', 'admin'] as const).map((iface, i) => ({
    id: ids[i],
    interface: iface,
    region_id: 'RegionOne',
    url,
    region: 'RegionOne',
  }));

export const demoToken = () => ({
  token: {
    methods: ['password'],
    user: { domain: { id: 'default', name: 'Default' }, id: '0d45bec5c1204889b587d3c7a9e4ecb6', name: 'demo', password_expires_at: null },
    audit_ids: ['lMdDXVvjT9iX4h8xEzBvJw'],
    expires_at: '2026-12-02T07:35:56.000000Z',
    issued_at: '2026-12-02T06:35:56.000000Z',
    project: { domain: { id: 'default', name: 'Default' }, id: '583cede7812d4ef4a3b0ddc4682419e5', name: 'demo' },
    is_domain: false,
    roles: [
      { id: 'c00c465eebfb4474bfc4a528052f3ef9', name: 'member' },
      { id: 'a720ee708ba9493882148c6bb0309017', name: 'reader' },
    ],
    catalog: [
      {
        endpoints: endpoints(
          ['1f94844279084f96a4305031bc64266f', '72ea55e524024e759568edccfe368090', 'f1fbdc3f7e404a8790014b79c8f240fa'],
          'http://127.0.0.1:5000/v3',
        ),
        id: 'b96d400674be4dd184e119306ae638e1',
        type: 'identity',
        name: 'keystone',
      },
      {
        endpoints: endpoints(
          ['19b16705886f44fcad0a2d0eca610d04', '4305c4057312446eae5033eb7730de00', '4b0707329b884b2bab86fd3ea56afd76'],
          'http://127.0.0.1:9292',
        ),
        id: '5478b5ae5bbf454d84d9cdad2c4d2088',
        type: 'image',
        name: 'glance',
      },
    ],
  },
});
