// Pages are addressed by the URL's hash (`#/topics/OrderEvents`), so the console is one static
// page that any path serves, and the browser's back button and bookmarks work.

export type PageName = 'overview' | 'topics' | 'groups' | 'messages' | 'dlq' | 'transactions';

export interface Route {
  readonly page: PageName;
  /** The second segment, decoded: a topic, group, message id or dead-letter group. */
  readonly item: string | undefined;
  readonly query: URLSearchParams;
}

const PAGES: readonly PageName[] = ['overview', 'topics', 'groups', 'messages', 'dlq', 'transactions'];

export function parseHash(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#\/?/, '').split('?');
  const [first = '', second] = path.split('/');
  const page = (PAGES as readonly string[]).includes(first) ? (first as PageName) : 'overview';
  return {
    page,
    item: second === undefined || second === '' ? undefined : decodeURIComponent(second),
    query: new URLSearchParams(search),
  };
}

export function href(page: PageName, item?: string, query?: Record<string, string>): string {
  const path = item === undefined ? page : `${page}/${encodeURIComponent(item)}`;
  const search = query === undefined ? '' : `?${new URLSearchParams(query).toString()}`;
  return `#/${path}${search}`;
}

export function navigate(page: PageName, item?: string, query?: Record<string, string>): void {
  window.location.hash = href(page, item, query);
}
