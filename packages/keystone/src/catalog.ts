/**
 * A service catalog in the shape keystonemiddleware puts in X-Service-Catalog and Glance keeps as
 * `context.service_catalog`: v3's endpoint list folded per region into `publicURL`, `internalURL`
 * and `adminURL` (keystonemiddleware's `_normalize_catalog`).
 */
export interface CatalogEndpoint {
  region?: string;
  publicURL?: string;
  internalURL?: string;
  adminURL?: string;
}

export interface CatalogService {
  type: string;
  name?: string;
  endpoints: CatalogEndpoint[];
}

export type ServiceCatalog = CatalogService[];

type Interface = 'public' | 'internal' | 'admin';
const KEY = (i: string) => `${i.toLowerCase()}URL` as 'publicURL' | 'internalURL' | 'adminURL';

export function normalizeCatalog(v3: unknown): ServiceCatalog {
  if (!Array.isArray(v3)) return [];
  const services: ServiceCatalog = [];
  for (const s of v3 as Array<Record<string, unknown>>) {
    if (typeof s?.type !== 'string') continue;
    const byRegion = new Map<string, CatalogEndpoint>();
    for (const e of (Array.isArray(s.endpoints) ? s.endpoints : []) as Array<Record<string, unknown>>) {
      if (typeof e?.interface !== 'string' || typeof e.url !== 'string') continue;
      const region = typeof e.region === 'string' ? e.region : typeof e.region_id === 'string' ? e.region_id : '';
      let entry = byRegion.get(region);
      if (!entry) byRegion.set(region, (entry = region ? { region } : {}));
      entry[KEY(e.interface)] = e.url;
    }
    services.push({ type: s.type, ...(typeof s.name === 'string' ? { name: s.name } : {}), endpoints: [...byRegion.values()] });
  }
  return services;
}

/** The first `type` endpoint of `iface`, in `region` when one is named (keystoneauth's endpoint filter). */
export function endpointOf(catalog: ServiceCatalog, type: string, iface: Interface, region?: string): string | undefined {
  for (const s of catalog) {
    if (s.type !== type) continue;
    for (const e of s.endpoints) {
      if (region !== undefined && e.region !== region) continue;
      const url = e[KEY(iface)];
      if (url) return url;
    }
  }
  return undefined;
}

/**
 * Glance's `get_glance_endpoint`: the image endpoint of another region for glance-download, the
 * region matched without regard to case, the interface the import asked for (`public` by default).
 */
export function imageEndpointOf(catalog: ServiceCatalog, region: string, iface: string): string | undefined {
  for (const s of catalog) {
    if (s.type !== 'image') continue;
    const e = s.endpoints.find((x) => x.region?.toLowerCase() === region.toLowerCase());
    if (e) return e[KEY(iface)];
  }
  return undefined;
}
