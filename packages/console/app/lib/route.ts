// The console's pages live in the URL's fragment, so the server serves one page; no token is ever in it.

export type Route =
  | { page: 'images' }
  | { page: 'image'; id: string }
  | { page: 'edit'; id: string }
  | { page: 'watch'; id: string }
  | { page: 'import'; copyOf?: string }
  | { page: 'plugins' }
  | { page: 'stores' };

const ID = '([0-9a-fA-F-]{36})';

export function parseRoute(hash: string): Route {
  const h = hash.replace(/^#/, '');
  let m: RegExpExecArray | null;
  if ((m = new RegExp(`^/images/${ID}$`).exec(h))) return { page: 'image', id: m[1]! };
  if ((m = new RegExp(`^/images/${ID}/edit$`).exec(h))) return { page: 'edit', id: m[1]! };
  if ((m = new RegExp(`^/images/${ID}/import$`).exec(h))) return { page: 'watch', id: m[1]! };
  if ((m = new RegExp(`^/import/copy/${ID}$`).exec(h))) return { page: 'import', copyOf: m[1]! };
  if (h === '/import') return { page: 'import' };
  if (h === '/plugins') return { page: 'plugins' };
  if (h === '/stores') return { page: 'stores' };
  return { page: 'images' };
}

export function href(r: Route): string {
  switch (r.page) {
    case 'images':
      return '#/images';
    case 'image':
      return `#/images/${r.id}`;
    case 'edit':
      return `#/images/${r.id}/edit`;
    case 'watch':
      return `#/images/${r.id}/import`;
    case 'import':
      return r.copyOf ? `#/import/copy/${r.copyOf}` : '#/import';
    case 'plugins':
      return '#/plugins';
    case 'stores':
      return '#/stores';
  }
}
