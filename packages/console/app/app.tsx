import { useEffect, useState } from 'preact/hooks';
import type { ApiError } from './api/client';
import { openSession } from './api/open-session';
import { Session, useConnectionEpoch, type SessionInfo } from './hooks';
import { href, parseRoute, type Route } from './lib/route';
import { forgetToken, savedToken, saveToken } from './session';
import { ImageDetail } from './views/image-detail';
import { ImageEdit } from './views/image-edit';
import { Images } from './views/images';
import { ImportForm } from './views/import-form';
import { ImportWatch } from './views/import-watch';
import { Plugins } from './views/plugins';
import { SignIn } from './views/sign-in';
import { Stores } from './views/stores';

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

function ConnectionBanner({ session }: { session: SessionInfo }) {
  useConnectionEpoch(session.api);
  const state = session.api.connection.state;
  if (state === 'down')
    return (
      <div class="banner down" role="alert" data-connection="down">
        The server is not answering (restarting?). Retrying every second; what is shown may be stale.
      </div>
    );
  if (state === 'back')
    return (
      <div class="banner back" role="status" data-connection="back">
        Reconnected: the server is back, and this page was reloaded.
      </div>
    );
  return null;
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'images':
      return <Images />;
    case 'image':
      return <ImageDetail id={route.id} />;
    case 'edit':
      return <ImageEdit id={route.id} />;
    case 'watch':
      return <ImportWatch id={route.id} />;
    case 'import':
      return <ImportForm {...(route.copyOf ? { copyOf: route.copyOf } : {})} />;
    case 'plugins':
      return <Plugins />;
    case 'stores':
      return <Stores />;
  }
}

const NAV: Array<[Route['page'], string, Route]> = [
  ['images', 'Images', { page: 'images' }],
  ['import', 'Import', { page: 'import' }],
  ['stores', 'Stores', { page: 'stores' }],
];

export function App() {
  const route = useRoute();
  const [session, setSession] = useState<SessionInfo>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();

  const signOut = (why?: string) => {
    forgetToken();
    setSession((s) => {
      s?.api.connection.close();
      return undefined;
    });
    setNotice(why);
  };
  const signIn = async (token: string) => {
    setBusy(true);
    setError(undefined);
    try {
      const s = await openSession(token, (e: ApiError) => signOut(`Signed out: the server refused the token (${e.message}).`));
      saveToken(token);
      setNotice(undefined);
      setSession(s);
    } catch (e) {
      forgetToken();
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    const t = savedToken();
    if (t) void signIn(t);
  }, []);
  useEffect(() => {
    document.title = `${route.page} · glance-import console`;
  }, [route.page]);

  if (!session) return <SignIn onToken={(t) => void signIn(t)} busy={busy} error={error} {...(notice ? { notice } : {})} />;
  const nav = session.isAdmin ? [...NAV, ['plugins', 'Plugins', { page: 'plugins' }] as const] : NAV;
  const current = route.page === 'image' || route.page === 'edit' || route.page === 'watch' ? 'images' : route.page;
  return (
    <Session.Provider value={session}>
      <header class="top">
        <a class="brand" href="#/images">
          glance-import
        </a>
        <nav>
          {nav.map(([page, label, r]) => (
            <a key={page} href={href(r)} aria-current={current === page ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <span class="who">{session.isAdmin ? 'admin' : 'signed in'}</span>
        <button type="button" class="link" onClick={() => signOut('Signed out.')}>
          Sign out
        </button>
      </header>
      <ConnectionBanner session={session} />
      <main>
        <Page route={route} />
      </main>
    </Session.Provider>
  );
}
